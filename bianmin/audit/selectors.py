from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from bianmin.audit.models import AuditEntry
from bianmin.audit.services import GENESIS, entry_hash


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int
    entry_id: int
    reason: str


def audit_verify_chains(*, batch: int = 2000) -> list[ChainBreak]:
    """Recompute every chain; return the first broken link of each broken chain."""
    breaks: list[ChainBreak] = []
    chains = AuditEntry.objects.values_list("chain", flat=True).distinct().order_by("chain")
    for chain in list(chains):
        prev, expected_seq = GENESIS, 1
        entries = AuditEntry.objects.filter(chain=chain).order_by("seq")
        for entry in entries.iterator(chunk_size=batch):
            reason = ""
            if entry.seq != expected_seq:
                reason = f"missing entry before seq {entry.seq} (expected {expected_seq})"
            elif entry.prev_hash != prev:
                reason = "prev_hash does not match the previous entry"
            elif entry.entry_hash != entry_hash(prev, entry):
                reason = "entry content does not match its hash"
            if reason:
                breaks.append(ChainBreak(chain, entry.seq, entry.pk, reason))
                break
            prev, expected_seq = entry.entry_hash, entry.seq + 1
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
        qs = qs.filter(
            Q(actor_label__icontains=text)
            | Q(target_id=text)
            | Q(target_type__icontains=text)
            | Q(request_id=text)
        )
    if day_from:
        qs = qs.filter(created_at__date__gte=day_from)
    if day_to:
        qs = qs.filter(created_at__date__lte=day_to)
    return qs.order_by("-created_at", "-seq")
