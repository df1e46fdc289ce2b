"""The standards context's vocabulary: English values, Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "true_false", _("判断题")
    CASE = "case", _("案例题")


class ExamScope(models.TextChoices):
    ITEM = "item", _("单个事项")
    CATEGORY = "category", _("业务类别")
    ALL_ROUND = "all_round", _("全科")


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("答题中")
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")
    LATE = "late", _("超时作废")


class CertificateSource(models.TextChoices):
    EXAM = "exam", _("考试合格")
    MANUAL = "manual", _("主任授权")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("维持原评定")


class ObjectType(models.TextChoices):
    WINDOW = "window", _("窗口")
    OFFICER = "officer", _("民警")
    CASE = "case", _("当月办件")
    ITEM = "item", _("事项类型")
    FEE = "fee", _("收费记录")


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", _("已公布承诺值")
    DRAWN = "drawn", _("已抽取")
    FINISHED = "finished", _("检查结束")
    PUBLISHED = "published", _("已公开")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("已整改待复查")
    CLOSED = "closed", _("复查通过")
