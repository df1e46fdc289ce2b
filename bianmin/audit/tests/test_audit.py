from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.audit.selectors import audit_verify_chains
from bianmin.audit.services import GENESIS, audit_record
from bianmin.core.permissions import Role
from tests.support.races import errors_of, run_concurrently

pytestmark = pytest.mark.django_db


def _record_some(officer, n: int = 5) -> list[AuditEntry]:
    return [
        audit_record(
            actor=officer,
            action=AuditAction.PERSON_VIEWED,
            target_type="people.person",
            target_id=str(i),
            after={"i": i},
        )
        for i in range(n)
    ]


def test_entries_are_chained_per_center(officer, make_staff, other_center) -> None:
    entries = _record_some(officer, 3)
    elsewhere = make_staff(Role.OFFICER, center_=other_center)
    foreign = audit_record(actor=elsewhere, action=AuditAction.LOGIN, target=elsewhere)

    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].entry_hash
    assert foreign.chain == f"c{other_center.pk}"
    assert foreign.seq == 1
    assert audit_verify_chains() == []


def test_audit_verify_command_passes_on_an_intact_chain(officer) -> None:
    _record_some(officer)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact: 5 entries" in out.getvalue()


def test_audit_verify_names_the_first_tampered_entry(officer) -> None:
    entries = _record_some(officer)
    # An attacker with database access edits a record without recomputing the chain.
    AuditEntry.objects.filter(pk=entries[2].pk).update(after={"i": 99})

    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    assert f"seq=3 entry_id={entries[2].pk}" in str(exc.value)
    assert "content does not match" in str(exc.value)


def test_audit_verify_detects_a_deleted_entry(officer) -> None:
    entries = _record_some(officer)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()

    breaks = audit_verify_chains()
    assert [(b.seq, b.entry_id) for b in breaks] == [(3, entries[2].pk)]


def test_recomputed_hash_after_edit_still_breaks_the_next_link(officer) -> None:
    from bianmin.audit.services import entry_hash

    entries = _record_some(officer)
    forged = AuditEntry.objects.get(pk=entries[1].pk)
    forged.after = {"i": 42}
    forged.entry_hash = entry_hash(forged.prev_hash, forged)
    forged.save()

    assert [b.seq for b in audit_verify_chains()] == [3]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(center, make_staff) -> None:
    officers = [make_staff(Role.OFFICER) for _ in range(4)]

    def work(i: int) -> None:
        for n in range(10):
            audit_record(
                actor=officers[i],
                action=AuditAction.PERSON_VIEWED,
                target_type="people.person",
                target_id=str(n),
            )

    errors = errors_of(run_concurrently(work, len(officers)))

    assert errors == []
    seqs = list(
        AuditEntry.objects.filter(chain=f"c{center.pk}")
        .values_list("seq", flat=True)
        .order_by("seq")
    )
    assert seqs == list(range(1, 41))
    assert audit_verify_chains() == []


def test_the_chain_head_row_follows_every_insert(officer, make_staff, other_center) -> None:
    from bianmin.audit.models import AuditChainHead

    entries = _record_some(officer, 3)
    elsewhere = make_staff(Role.OFFICER, center_=other_center)
    foreign = audit_record(actor=elsewhere, action=AuditAction.LOGIN, target=elsewhere)

    heads = {h.chain: (h.seq, h.head_hash) for h in AuditChainHead.objects.all()}
    assert heads[entries[-1].chain] == (entries[-1].seq, entries[-1].entry_hash)
    assert heads[foreign.chain] == (foreign.seq, foreign.entry_hash)
    assert entries[-1].chain != foreign.chain
