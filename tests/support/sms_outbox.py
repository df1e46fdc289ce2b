"""Fixtures of the SMS tests of every context (a pytest plugin the root conftest loads): the
seeded templates and a clean file outbox of the development gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Contexts whose SMS templates a data migration seeds: a transactional test earlier in the same
# worker empties every table, those rows with them, so the fixture seeds them again.
TEMPLATE_MIGRATIONS = (
    "bianmin.appointments.migrations.0002_sms_templates",
    "bianmin.lost_found.migrations.0002_sms_templates",
    "bianmin.ratings.migrations.0002_sms_templates",
)


@pytest.fixture
def templates(db: Any) -> None:
    """Every SMS template the product seeds: the notifications context's reference wording and
    the templates other contexts' data migrations add."""
    import importlib

    from django.apps import apps

    from bianmin.notifications.services import notifications_load_reference

    notifications_load_reference()
    for name in TEMPLATE_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)


@pytest.fixture
def outbox() -> Iterator[Path]:
    from django.conf import settings

    from bianmin.notifications import gateways

    path = Path(settings.SMS_OUTBOX)
    path.unlink(missing_ok=True)
    gateways.gateways_reset()
    yield path
    path.unlink(missing_ok=True)
    gateways.gateways_reset()


def outbox_lines(path: Path) -> list[dict[str, Any]]:
    """The messages the file gateway wrote, oldest first."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sms_received(template_code: str) -> dict[str, Any]:
    """The newest message of `template_code` as the phone receives it: its line in the file
    gateway's outbox, or, while it is still queued, its parameters with the secret ones
    decrypted (the message row keeps them masked)."""
    from django.conf import settings

    from bianmin.notifications.models import Message

    message = Message.objects.filter(template_code=template_code).latest("pk")
    for line in reversed(outbox_lines(Path(settings.SMS_OUTBOX))):
        if line["reference"] == message.reference:
            return line
    if message.secret:  # still queued (a test transaction that never commits sends nothing)
        return {
            "reference": message.reference,
            "params": {**message.params, **json.loads(message.secret)},
        }
    raise AssertionError(f"{template_code} was not sent (status {message.status})")
