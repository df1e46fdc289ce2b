from django.core.management.base import BaseCommand, CommandError, CommandParser

from bianmin.accounts.models import Staff
from bianmin.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Print a new API bearer token for USERNAME on stdout (one line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="命令行创建")

    def handle(self, *args: object, **options: str) -> None:
        staff = Staff.objects.filter(username=options["username"], is_active=True).first()
        if staff is None:
            raise CommandError(f"no active staff account named {options['username']!r}")
        self.stdout.write(api_token_create(staff=staff, label=options["label"]))
