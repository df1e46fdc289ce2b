"""Run the SMS watchdog (the periodic task's body): resolve rows stuck in "sending" by asking
the gateway, replay queued rows whose task was lost, close finished batches.

``--loop N`` repeats every N seconds (for tests, benchmarks and operators watching a batch);
the embedded scheduler runs it once a minute anyway."""

import json
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from bianmin.notifications.services import messages_watchdog


class Command(BaseCommand):
    help = "Resolve stuck SMS (query the gateway before any resend) and replay lost ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stuck-after",
            type=float,
            default=None,
            help="seconds in 'sending' before the gateway is asked",
        )
        parser.add_argument(
            "--replay-after",
            type=float,
            default=60.0,
            help="seconds overdue in 'queued' before the task is re-enqueued",
        )
        parser.add_argument(
            "--loop", type=float, default=0.0, help="repeat every this many seconds (0: run once)"
        )
        parser.add_argument(
            "--copies",
            type=int,
            default=1,
            help="enqueue each replayed message this many times (race tests)",
        )
        parser.add_argument(
            "--max-seconds", type=float, default=3600.0, help="stop looping after this long"
        )

    def handle(self, *args: object, **options: object) -> None:
        stuck_after = options["stuck_after"]
        every = float(options["loop"])  # type: ignore[arg-type]
        deadline = time.monotonic() + float(options["max_seconds"])  # type: ignore[arg-type]
        while True:
            counts = messages_watchdog(
                stuck_after=float(stuck_after) if stuck_after is not None else None,  # type: ignore[arg-type]
                replay_after=float(options["replay_after"]),  # type: ignore[arg-type]
                copies=int(options["copies"]),  # type: ignore[call-overload]
            )
            self.stdout.write(json.dumps(counts, sort_keys=True))
            self.stdout.flush()
            if every <= 0 or time.monotonic() > deadline:
                return
            close_old_connections()
            time.sleep(every)
