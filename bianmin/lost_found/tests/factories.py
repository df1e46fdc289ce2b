"""factory_boy factories of the lost-and-found context."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from PIL import Image

from bianmin.core import clock
from bianmin.lost_found.enums import FoundCategory, FoundItemStatus
from bianmin.lost_found.models import CollectionPoint, FoundItem
from bianmin.lost_found.services.intake import index_item


def jpeg_bytes(size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


class CollectionPointFactory(factory.django.DjangoModelFactory[CollectionPoint]):
    class Meta:
        model = CollectionPoint

    code = factory.Sequence(lambda n: f"P{n:02d}")
    name = factory.Sequence(lambda n: f"城关保管点{n}")
    address = "潼关县城关街道"


class FoundItemFactory(factory.django.DjangoModelFactory[FoundItem]):
    """An item as the services would leave it (search words included, via index_item)."""

    class Meta:
        model = FoundItem
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"SW-20261130-{n + 1:04d}")
    category = FoundCategory.WALLET
    description = "黑色皮质钱包，内有银行卡"
    public_description = factory.LazyAttribute(lambda o: o.description)
    place = "人民路公交站"
    found_at = factory.LazyFunction(lambda: clock.now() - timedelta(days=1))
    found_on = factory.LazyAttribute(lambda o: clock.local(o.found_at).date())
    status = FoundItemStatus.STORED
    received_at = factory.LazyFunction(clock.now)

    @factory.post_generation
    def indexed(self: FoundItem, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            index_item(self)
