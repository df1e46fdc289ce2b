from django.core.management.base import BaseCommand, CommandError, CommandParser

from bianmin.accounts.models import Staff
from bianmin.accounts.services import api_token_create, totp_verify
from bianmin.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Print a new API bearer token for USERNAME on stdout (one line). Directors, inspectors "
        "and administrators must give their current TOTP code with --totp."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="命令行创建")
        parser.add_argument("--totp", default="", help="the account's current 6-digit code")
        parser.add_argument("--days", type=int, default=None, help="lifetime (default 90)")

    def handle(self, *args: object, **options: object) -> None:
        staff = Staff.objects.filter(username=options["username"], is_active=True).first()
        if staff is None:
            raise CommandError(f"no active staff account named {options['username']!r}")
        try:
            verified = False
            if options["totp"]:
                totp_verify(staff=staff, code=str(options["totp"]))
                verified = True
            token = api_token_create(
                staff=staff,
                label=str(options["label"]),
                two_factor_verified=verified,
                days=options["days"],  # type: ignore[arg-type]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(token)
