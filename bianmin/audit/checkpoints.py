"""Checkpoints: the chain heads, signed and written where the database writer cannot quietly
rewrite them (a separate append-only file, plus a table the daily report reads).

Line format of the file (JSON, one per line):
``{"chain", "center", "seq", "count", "head_hash", "at", "sig"}`` where ``sig`` is the hex
HMAC-SM3 of the canonical JSON of the other fields under the checkpoint key. The key lives in
its own file (`var/audit_checkpoint_key`, 0600) or `settings.AUDIT_CHECKPOINT_KEY`; it is not
derived from the field key, so a copy of the database and the field key cannot forge one.
"""

import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from bianmin.audit.models import AuditCheckpoint, AuditEntry
from bianmin.core import clock
from bianmin.core.crypto import hmac_sm3
from bianmin.core.files import PRIVATE_MODE
from bianmin.core.keys import load_or_create_secret

FIELDS = ("chain", "center", "seq", "count", "head_hash", "at")


def log_path() -> Path:
    default = Path(settings.VAR_DIR) / "audit-checkpoints.log"
    return Path(getattr(settings, "AUDIT_CHECKPOINT_LOG", default))


def _key() -> bytes:
    configured = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    if configured:
        return bytes.fromhex(configured)
    default = Path(settings.VAR_DIR) / "audit_checkpoint_key"
    path = Path(getattr(settings, "AUDIT_CHECKPOINT_KEY_FILE", default))
    return bytes.fromhex(load_or_create_secret(path, nbytes=32))


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps({k: record[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False).encode()


def sign(record: dict[str, Any]) -> str:
    return hmac_sm3(_key(), _canonical(record)).hex()


def signature_ok(record: dict[str, Any]) -> bool:
    try:
        return hmac.compare_digest(str(record.get("sig", "")), sign(record))
    except (KeyError, TypeError, ValueError):
        return False


def _append(lines: list[str]) -> None:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write("".join(f"{line}\n" for line in lines))
        handle.flush()
        os.fsync(handle.fileno())


def checkpoint_write(*, only_changed: bool = True) -> list[AuditCheckpoint]:
    """One checkpoint per chain whose head moved since its last checkpoint (every chain when
    `only_changed` is False). Appends the signed lines to the file after the rows commit."""
    heads = (
        AuditEntry.objects.values("chain")
        .annotate(last=Max("seq"), count=Count("pk"))
        .order_by("chain")
    )
    now = clock.now()
    written: list[AuditCheckpoint] = []
    with transaction.atomic():
        for head in heads:
            chain, seq = head["chain"], head["last"]
            latest = AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").first()
            if only_changed and latest is not None and latest.seq == seq:
                continue
            entry = AuditEntry.objects.get(chain=chain, seq=seq)
            record = {
                "chain": chain,
                "center": entry.center_id,
                "seq": seq,
                "count": head["count"],
                "head_hash": entry.entry_hash,
                "at": now.isoformat(),
            }
            written.append(
                AuditCheckpoint.objects.create(
                    chain=chain,
                    center_id=entry.center_id,
                    seq=seq,
                    entry_count=head["count"],
                    head_hash=entry.entry_hash,
                    created_at=now,
                    signature=sign(record),
                )
            )
    if written:
        _append([json.dumps(as_record(c), ensure_ascii=False, sort_keys=True) for c in written])
    return written


def as_record(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {
        "chain": checkpoint.chain,
        "center": checkpoint.center_id,
        "seq": checkpoint.seq,
        "count": checkpoint.entry_count,
        "head_hash": checkpoint.head_hash,
        "at": checkpoint.created_at.isoformat(),
        "sig": checkpoint.signature,
    }


@dataclass(frozen=True)
class CheckpointFinding:
    chain: str
    seq: int
    reason: str  # English, for the command and logs
    label: str  # Chinese, for the screen


def _file_records() -> tuple[list[dict[str, Any]], list[CheckpointFinding]]:
    path = log_path()
    if not path.exists():
        return [], []
    records, findings = [], []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                valid = isinstance(record, dict) and signature_ok(record)
            except json.JSONDecodeError:
                valid = False
            if not valid:
                findings.append(
                    CheckpointFinding(
                        "file",
                        number,
                        f"checkpoint file line {number} has an invalid signature",
                        f"检查点文件第 {number} 行签名无效（检查点文件被改动）",
                    )
                )
                continue
            records.append(record)
    return records, findings


def checkpoint_verify() -> list[CheckpointFinding]:
    """Compare every chain with every checkpoint (file and table): a checkpoint whose seq the
    chain no longer reaches is a truncation, one whose entry now has another hash is a rewrite."""
    records, findings = _file_records()
    for checkpoint in AuditCheckpoint.objects.order_by("chain", "seq"):
        record = as_record(checkpoint)
        if not signature_ok(record):
            findings.append(
                CheckpointFinding(
                    checkpoint.chain,
                    checkpoint.seq,
                    f"checkpoint {checkpoint.pk} in the database has an invalid signature",
                    f"数据库中的检查点 {checkpoint.pk} 签名无效",
                )
            )
            continue
        records.append(record)
    heads = dict(
        AuditEntry.objects.values("chain").annotate(last=Max("seq")).values_list("chain", "last")
    )
    hashes: dict[tuple[str, int], str | None] = {}
    reported: set[str] = set()
    for record in sorted(records, key=lambda r: (r["chain"], -int(r["seq"]))):
        chain, seq = str(record["chain"]), int(record["seq"])
        if chain in reported:
            continue
        at = datetime.fromisoformat(record["at"])
        when = clock.local(at).strftime("%Y-%m-%d %H:%M")
        last = heads.get(chain, 0)
        if last < seq:
            reported.add(chain)
            findings.append(
                CheckpointFinding(
                    chain,
                    seq,
                    f"truncated: chain {chain} ends at seq {last} but the checkpoint of "
                    f"{record['at']} saw seq {seq} (entries deleted from the tail)",
                    f"链 {chain} 只到第 {last} 条，而 {when} 的检查点已记到第 {seq} 条：末尾记录被删除",
                )
            )
            continue
        key = (chain, seq)
        if key not in hashes:
            hashes[key] = (
                AuditEntry.objects.filter(chain=chain, seq=seq)
                .values_list("entry_hash", flat=True)
                .first()
            )
        if hashes[key] != record["head_hash"]:
            reported.add(chain)
            findings.append(
                CheckpointFinding(
                    chain,
                    seq,
                    f"rewritten: chain {chain} entry seq {seq} no longer has the hash the "
                    f"checkpoint of {record['at']} recorded (entries rewritten and re-hashed)",
                    f"链 {chain} 第 {seq} 条的哈希与 {when} 的检查点不符：记录被改写并重算哈希",
                )
            )
    return findings
