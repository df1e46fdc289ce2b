"""`audit_record` is the only way to write the audit log."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core import clock, context
from bianmin.core.actors import StaffActor
from bianmin.core.compiled import insert_together, statement_cursor
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


_HEAD = "SELECT seq, head_hash FROM audit_auditchainhead WHERE chain = %s"


def _chain_head(chain: str) -> tuple[int, str]:
    """The chain's last (seq, hash), its head row locked until the caller's transaction ends.

    The head row (`AuditChainHead`) is kept by a trigger on every insert, so one statement
    both serializes the chain's writers and reads the predecessor. SQLite serializes writers
    already (BEGIN IMMEDIATE): a plain read. On PostgreSQL `FOR UPDATE` waits for a concurrent
    writer and then reads the row as that writer committed it (READ COMMITTED re-checks the
    newest version), so two transactions never extend the chain from the same predecessor.
    A chain's first writer creates the head row first (ON CONFLICT waits for a concurrent
    creator), then locks it like everyone else. On PostgreSQL the statements are bound and
    prepared on the server (`statement_cursor`).
    """
    with statement_cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(_HEAD, [chain])
            row = cursor.fetchone()
            return (row[0], row[1]) if row else (0, GENESIS)
        cursor.execute(_HEAD + " FOR UPDATE", [chain])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                "INSERT INTO audit_auditchainhead (chain, seq, head_hash) VALUES (%s, 0, %s) "
                "ON CONFLICT (chain) DO NOTHING",
                [chain, GENESIS],
            )
            cursor.execute(_HEAD + " FOR UPDATE", [chain])
            row = cursor.fetchone()
        return row[0], row[1]


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
    along: Sequence[models.Model] = (),
) -> AuditEntry:
    """Append one entry in the caller's transaction (call it from inside the service's atomic).

    `actor` is a staff member, or None for the public and for the system. Never put full ID
    numbers, phones or images in before/after: mask them or leave them out.

    `along`: the new rows of the write this entry records, not yet written; they are inserted
    with the entry, in one statement on PostgreSQL (`core.compiled.insert_together`), after the
    chain's head is locked. So a row whose insert locks other rows (a trigger that keeps a
    tally) does not belong here: written after the head, it would lock in the opposite order
    of the writers that take those rows first and the head last, and they would deadlock.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if center is not None:
        center_id = center.pk
    if center_id is None and actor is not None:
        center_id = getattr(actor, "center_id", None)
    chain = chain_key(center_id)
    # Inside the caller's transaction no savepoint is needed (two statements fewer per audited
    # write): if the insert fails, the caller's whole write rolls back with it.
    with transaction.atomic(savepoint=False):
        last_seq, prev = _chain_head(chain)
        seq = last_seq + 1
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
        insert_together(*along, entry)  # the INSERTs compiled once (core.compiled)
    return entry
