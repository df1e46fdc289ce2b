from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.models import TimeStampedModel


class Window(TimeStampedModel):
    """A service counter. Any authorized officer may sign in at any window (pooled hall)."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="windows"
    )
    code = models.CharField(_("窗口编号"), max_length=8)
    name = models.CharField(_("名称"), max_length=40)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["center", "code"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="window_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def number(self) -> int:
        """The number announced in the hall: W03 → 3."""
        digits = "".join(ch for ch in self.code if ch.isdigit())
        return int(digits) if digits else 0
