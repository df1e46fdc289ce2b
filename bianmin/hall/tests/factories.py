"""factory-boy factories for the hall's own rows (tickets are issued through the service)."""

import factory
from factory.django import DjangoModelFactory

from bianmin.hall.models import HallSettings, Window


class WindowFactory(DjangoModelFactory):
    class Meta:
        model = Window
        django_get_or_create = ("center", "code")

    code = factory.Sequence(lambda n: f"W{n + 1:02d}")
    name = factory.LazyAttribute(lambda w: f"{int(w.code[1:])}号窗口")


class HallSettingsFactory(DjangoModelFactory):
    """A center's hall settings; the defaults are the model's."""

    class Meta:
        model = HallSettings
        django_get_or_create = ("center",)
