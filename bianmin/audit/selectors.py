from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from bianmin.audit.models import AuditCheckpoint, AuditEntry
from bianmin.audit.services import GENESIS, chain_key, entry_hash
from bianmin.audit.targets import (
    FieldChange,
    field_changes,
    target_ids_matching,
    target_labels,
)


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int
    entry_id: int
    reason: str  # English, for the command and logs
    label: str = ""  # Chinese, for the screen


BREAK_LABELS = {
    "missing": "缺少记录（中间记录被删除）",
    "prev_hash": "前序哈希不符（记录被插入或替换）",
    "content": "记录内容与哈希不符（记录被改动）",
}


def latest_checkpoint(*, center_id: int | None) -> AuditCheckpoint | None:
    """The newest checkpoint of a center's chain (`None`: the system chain), for the daily
    report: "审计链截至 … 共 N 条，末条哈希 …"."""
    checkpoints = AuditCheckpoint.objects.filter(chain=chain_key(center_id))
    return checkpoints.order_by("-created_at", "-pk").first()


def checkpoint_as_of(*, center_id: int | None, before: datetime) -> AuditCheckpoint | None:
    """The newest checkpoint of a center's chain written before `before` (a report's end)."""
    checkpoints = AuditCheckpoint.objects.filter(chain=chain_key(center_id), created_at__lt=before)
    return checkpoints.order_by("-created_at", "-pk").first()


def audit_verify_chains(*, batch: int = 2000) -> list[ChainBreak]:
    """Recompute every chain; return the first broken link of each broken chain."""
    breaks: list[ChainBreak] = []
    chains = AuditEntry.objects.values_list("chain", flat=True).distinct().order_by("chain")
    for chain in list(chains):
        prev, expected_seq = GENESIS, 1
        entries = AuditEntry.objects.filter(chain=chain).order_by("seq")
        for entry in entries.iterator(chunk_size=batch):
            reason, kind = "", ""
            if entry.seq != expected_seq:
                reason = f"missing entry before seq {entry.seq} (expected {expected_seq})"
                kind = "missing"
            elif entry.prev_hash != prev:
                reason, kind = "prev_hash does not match the previous entry", "prev_hash"
            elif entry.entry_hash != entry_hash(prev, entry):
                reason, kind = "entry content does not match its hash", "content"
            if reason:
                breaks.append(ChainBreak(chain, entry.seq, entry.pk, reason, BREAK_LABELS[kind]))
                break
            prev, expected_seq = entry.entry_hash, entry.seq + 1
    return breaks


def audit_verify_all() -> list[ChainBreak]:
    """The chains themselves, then the chains against their signed checkpoints (truncated or
    rewritten-and-re-hashed tails, which the chain alone cannot show)."""
    from bianmin.audit.checkpoints import checkpoint_verify

    breaks = audit_verify_chains()
    breaks += [ChainBreak(f.chain, f.seq, 0, f.reason, f.label) for f in checkpoint_verify()]
    return breaks


def audit_entry_search(
    *,
    user: Any,
    text: str = "",
    action: str = "",
    day_from: date | None = None,
    day_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries the inspector may see: their own center's (or all, for a provincial inspector)."""
    qs = AuditEntry.objects.select_related("actor", "center")
    if user.center_id is not None:
        qs = qs.filter(center_id=user.center_id)
    if action:
        qs = qs.filter(action=action)
    if text:
        # a case number, ticket number, receipt number, ID number or name: whatever the
        # contexts registered (audit.targets), plus the actor and the request
        match = Q(actor_label__icontains=text) | Q(target_id=text) | Q(request_id=text)
        for target_type, ids in target_ids_matching(text).items():
            match |= Q(target_type=target_type, target_id__in=ids)
        qs = qs.filter(match)
    if day_from:
        qs = qs.filter(created_at__date__gte=day_from)
    if day_to:
        qs = qs.filter(created_at__date__lte=day_to)
    return qs.order_by("-created_at", "-seq")


@dataclass(frozen=True)
class EntryView:
    """One line of the inspector's log, in words: the object's label and a field table."""

    entry: AuditEntry
    target_label: str
    changes: list[FieldChange]


def audit_entries_described(entries: list[AuditEntry]) -> list[EntryView]:
    labels = target_labels((e.target_type, e.target_id) for e in entries)
    return [
        EntryView(
            entry=e,
            target_label=labels.get((e.target_type, e.target_id), ""),
            changes=field_changes(e.target_type, e.before, e.after),
        )
        for e in entries
    ]
