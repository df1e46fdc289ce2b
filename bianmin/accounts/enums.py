from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GUIDE = "guide", _("导办员")
    OFFICER = "officer", _("窗口民警")
    BACK_OFFICE = "back_office", _("审核审批民警")
    SHIFT_LEADER = "shift_leader", _("值班长")
    DIRECTOR = "director", _("中心主任")
    INSPECTOR = "inspector", _("督察")
    SANITATION = "sanitation", _("环卫人员")
    ADMINISTRATOR = "administrator", _("系统管理员")


# Roles whose accounts must pass TOTP two-factor authentication at every login.
TWO_FACTOR_ROLES = frozenset({Role.DIRECTOR, Role.INSPECTOR, Role.ADMINISTRATOR})
