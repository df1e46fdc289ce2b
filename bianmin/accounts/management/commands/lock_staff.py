from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bianmin.accounts.models import Staff
from bianmin.accounts.services import api_token_revoke_all, staff_set_locked
from bianmin.core import clock


class Command(BaseCommand):
    help = (
        "Stop a staff account for some hours (sign-in and its API tokens stop at once), or "
        "--unlock it. --revoke-tokens also ends its tokens for good."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--unlock", action="store_true")
        parser.add_argument("--revoke-tokens", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        staff = Staff.objects.filter(username=options["username"]).first()
        if staff is None:
            raise CommandError(f"no staff account named {options['username']!r}")
        until = None if options["unlock"] else clock.now() + timedelta(hours=int(options["hours"]))  # type: ignore[call-overload]
        staff_set_locked(actor=None, staff=staff, until=until)
        if options["revoke_tokens"]:
            api_token_revoke_all(staff=staff)
        self.stdout.write(
            f"{staff.username}: {'unlocked' if until is None else f'stopped until {until:%Y-%m-%d %H:%M %Z}'}"
        )
