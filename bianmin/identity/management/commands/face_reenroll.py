"""Re-enroll face templates after the engine's model version changed (or photos changed)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bianmin.identity.services import face_enroll_outdated, model_identity


class Command(BaseCommand):
    help = "Recompute face templates that are missing, outdated or made by another model version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="re-enroll every photo, even current templates"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name, version = model_identity()
        counts = face_enroll_outdated(force=options["all"])
        self.stdout.write(
            f"model {name}/{version}: checked {counts['checked']}, enrolled {counts['enrolled']}, "
            f"failed {counts['failed']}, unchanged {counts['unchanged']}"
        )
