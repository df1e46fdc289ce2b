import pyotp
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bianmin.accounts.models import Staff
from bianmin.accounts.services import totp_provisioning


class Command(BaseCommand):
    help = "Print the current TOTP code of a staff account (for the demo and for IT support)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: str) -> None:
        staff = Staff.objects.filter(username=options["username"]).first()
        if staff is None:
            raise CommandError(f"no staff account named {options['username']!r}")
        secret, _uri = totp_provisioning(staff=staff)
        self.stdout.write(pyotp.TOTP(secret).now())
