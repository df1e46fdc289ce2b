from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.audit.enums import AuditAction


class AuditEntry(models.Model):
    """Append-only, hash-chained record of a change or of a read of personal data.

    One chain per center (`chain`), so that centers of a province never wait on each other's
    lock. `entry_hash` = SM3(previous hash | canonical JSON of this entry); `audit_verify`
    recomputes the chain and names the first broken link.
    """

    chain = models.CharField(_("链"), max_length=16)
    seq = models.PositiveBigIntegerField(_("序号"))
    created_at = models.DateTimeField(_("时间"), db_index=True)
    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("中心"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=100, blank=True)
    # Codes are declared in AuditAction; no DB choices, so a new code needs no migration.
    action = models.CharField(_("操作"), max_length=40, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=40, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-seq"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    @property
    def action_label(self) -> str:
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action


class AuditCheckpoint(models.Model):
    """A witness of a chain's head: its last seq and hash at a moment, signed with HMAC-SM3 under
    a key kept apart from the database, and also appended to an append-only file
    (`var/audit-checkpoints.log`). `audit_verify` compares every chain with its checkpoints, so a
    deleted tail or a rewritten-and-re-hashed tail no longer passes (security review M1)."""

    chain = models.CharField(_("链"), max_length=16)
    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("中心"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    seq = models.PositiveBigIntegerField(_("末条序号"))
    entry_count = models.PositiveBigIntegerField(_("记录数"))
    head_hash = models.CharField(_("末条哈希"), max_length=64)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} @ {self.created_at:%Y-%m-%d %H:%M}"


class AuditChainHead(models.Model):
    """The last entry of each chain (its seq and hash), kept by a database trigger on every
    insert into AuditEntry (migration 0003). `audit_record` locks this one row and reads the
    predecessor from it in the same statement, instead of a lock and a separate read of the
    chain's last entry. Never written by Python code."""

    chain = models.CharField(_("链"), max_length=16, primary_key=True)
    seq = models.PositiveBigIntegerField(_("末条序号"))
    head_hash = models.CharField(_("末条哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"
