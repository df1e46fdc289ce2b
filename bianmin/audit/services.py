"""`audit_record` is the only way to write the audit log."""

import json
from typing import Any

from django.db import connection, models, transaction

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core import clock, context
from bianmin.core.actors import StaffActor
from bianmin.core.crypto import sm3_hex

GENESIS = "0" * 64


def chain_key(center_id: int | None) -> str:
    return f"c{center_id}" if center_id else "system"


def canonical(entry: AuditEntry) -> bytes:
    """The bytes an entry's hash covers: every field a reader relies on."""
    payload = {
        "chain": entry.chain,
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "center": entry.center_id,
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return sm3_hex(prev_hash.encode() + canonical(entry))


def _lock_chain(chain: str) -> None:
    # SQLite serializes writers already (BEGIN IMMEDIATE); PostgreSQL needs a per-chain lock so
    # that two transactions never extend the chain from the same predecessor.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"audit:{chain}"])


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def audit_record(
    *,
    actor: StaffActor | None,
    action: AuditAction,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    center: Any = None,
    center_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (call it from inside the service's atomic).

    `actor` is a staff member, or None for the public and for the system. Never put full ID
    numbers, phones or images in before/after: mask them or leave them out.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if center is not None:
        center_id = center.pk
    if center_id is None and actor is not None:
        center_id = getattr(actor, "center_id", None)
    chain = chain_key(center_id)
    with transaction.atomic():
        _lock_chain(chain)
        last = (
            AuditEntry.objects.filter(chain=chain)
            .order_by("-seq")
            .values_list("seq", "entry_hash")
            .first()
        )
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        actor_is_staff = actor is not None and getattr(actor, "pk", None) is not None
        entry = AuditEntry(
            chain=chain,
            seq=seq,
            created_at=clock.now(),
            center_id=center_id,
            actor_id=actor.pk if actor is not None and actor_is_staff else None,
            actor_label=str(actor) if actor_is_staff else "",
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            request_id=context.request_id.get(),
            prev_hash=prev,
        )
        entry.entry_hash = entry_hash(prev, entry)
        entry.save(force_insert=True)
    return entry
