"""Run the SMS watchdog once (the periodic task's body): resolve rows stuck in "sending" by
asking the gateway, replay queued rows whose task was lost, close finished batches.

``--replay-after 0`` re-enqueues every due queued message, which is also how a fresh worker
pool is fed from the database after a restart."""

import json

from django.core.management.base import BaseCommand, CommandParser

from bianmin.notifications.services import messages_watchdog


class Command(BaseCommand):
    help = "Resolve stuck SMS (query the gateway before any resend) and replay lost ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stuck-after", type=float, default=None,
                            help="seconds in 'sending' before the gateway is asked")
        parser.add_argument("--replay-after", type=float, default=60.0,
                            help="seconds overdue in 'queued' before the task is re-enqueued")

    def handle(self, *args: object, **options: object) -> None:
        stuck_after = options["stuck_after"]
        counts = messages_watchdog(
            stuck_after=float(stuck_after) if stuck_after is not None else None,  # type: ignore[arg-type]
            replay_after=float(options["replay_after"]),  # type: ignore[arg-type]
        )
        self.stdout.write(json.dumps(counts, sort_keys=True))
