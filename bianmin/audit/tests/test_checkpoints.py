"""Checkpoints witness the chain heads, so truncating or rewriting-and-re-hashing the tail is
reported (security review M1, probe 6)."""

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bianmin.audit.checkpoints import checkpoint_verify, checkpoint_write
from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditCheckpoint, AuditEntry
from bianmin.audit.selectors import latest_checkpoint
from bianmin.audit.services import audit_record, entry_hash
from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db


def _record(actor, n: int) -> list[AuditEntry]:
    return [
        audit_record(actor=actor, action=AuditAction.LOGIN, target=actor, after={"i": i})
        for i in range(n)
    ]


def test_a_checkpoint_is_written_per_chain_to_the_table_and_the_signed_file(
    officer, make_staff, other_center, checkpoint_files: Path
) -> None:
    _record(officer, 3)
    _record(make_staff(Role.OFFICER, center_=other_center), 2)

    written = checkpoint_write()

    # (sorted on both sides: "c10" sorts before "c9" once the ids reach two digits)
    assert sorted((c.chain, c.seq, c.entry_count) for c in written) == sorted(
        [(f"c{officer.center_id}", 3, 3), (f"c{other_center.pk}", 2, 2)]
    )
    lines = [json.loads(line) for line in checkpoint_files.read_text().splitlines()]
    assert {line["chain"] for line in lines} == {c.chain for c in written}
    assert all(len(line["sig"]) == 64 for line in lines)
    assert stat.S_IMODE(checkpoint_files.stat().st_mode) == 0o600
    assert checkpoint_write() == []  # nothing moved, nothing new
    assert latest_checkpoint(center_id=other_center.pk).seq == 2
    assert latest_checkpoint(center_id=officer.center_id).head_hash == written[0].head_hash


def test_deleting_the_tail_is_reported_as_truncation(officer) -> None:
    _record(officer, 10)
    call_command("audit_verify", stdout=StringIO())  # writes the checkpoint at seq 10
    AuditEntry.objects.filter(seq__gt=5).delete()
    AuditCheckpoint.objects.all().delete()  # the writer also cleans the table; the file remains

    with pytest.raises(CommandError) as broken:
        call_command("audit_verify", stdout=StringIO(), stderr=StringIO())

    assert "truncated" in str(broken.value)
    assert "ends at seq 5" in str(broken.value)


def test_rewriting_and_rehashing_the_tail_is_reported(officer) -> None:
    entries = _record(officer, 6)
    checkpoint_write()
    # The attack of probe 6: change entry 3 and recompute every later hash with the app's own
    # function, so that the chain alone verifies.
    prev = entries[1].entry_hash
    for entry in AuditEntry.objects.filter(seq__gte=3).order_by("seq"):
        if entry.seq == 3:
            entry.after = {"i": 99}
        entry.prev_hash = prev
        entry.entry_hash = entry_hash(prev, entry)
        entry.save()
        prev = entry.entry_hash

    findings = checkpoint_verify()

    assert [f.seq for f in findings] == [6]
    assert "rewritten" in findings[0].reason
    assert "改写" in findings[0].label
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=StringIO(), stderr=StringIO())


def test_a_forged_or_edited_checkpoint_line_is_reported(officer, checkpoint_files: Path) -> None:
    _record(officer, 2)
    checkpoint_write()
    line = json.loads(checkpoint_files.read_text())
    line["seq"] = 1  # lower the witness so that a later deletion would pass
    checkpoint_files.write_text(json.dumps(line) + "\n")

    findings = checkpoint_verify()

    assert any("signature" in f.reason for f in findings)


def test_an_intact_log_verifies_and_gains_a_checkpoint(officer) -> None:
    _record(officer, 4)
    out = StringIO()

    call_command("audit_verify", stdout=out)
    _record(officer, 1)
    call_command("audit_verify", stdout=out)

    assert "intact: 4 entries; 1 new checkpoint(s)" in out.getvalue()
    assert "intact: 5 entries; 1 new checkpoint(s)" in out.getvalue()
    assert checkpoint_verify() == []
