from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from bianmin.accounts.models import Staff
from bianmin.accounts.services import totp_provisioning
from bianmin.accounts.services.login import _device


class Command(BaseCommand):
    help = "Print the current TOTP code of a staff account (for the demo and for IT support)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: str) -> None:
        staff = Staff.objects.filter(username=options["username"]).first()
        if staff is None:
            raise CommandError(f"no staff account named {options['username']!r}")
        totp_provisioning(staff=staff)
        device = _device(staff)
        assert device is not None
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
