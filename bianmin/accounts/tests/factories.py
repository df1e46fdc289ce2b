"""Accounts test data: factory-boy factories and a TOTP code helper."""

import factory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.accounts.models import Center


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:02d}")
    name = factory.LazyAttribute(lambda o: f"{o.code}公安便民服务中心")


def code_now(device: TOTPDevice, *, steps: int = 0) -> str:
    """The device's code for the current time (time-machine aware), `steps` windows later."""
    value = totp(device.bin_key, device.step, device.t0 - steps * device.step, device.digits)
    return f"{value:0{device.digits}d}"
