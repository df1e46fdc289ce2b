"""Standard management: training and certification, the monthly three stars, 双随机一公开.

Every row belongs to a center. Certificates hold the date and expiry of a 交叉授权 that the
accounts context stores; star results and rules are append-only versions (history is kept).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.models import TimeStampedModel
from bianmin.standards.enums import (
    AttemptStatus,
    CertificateSource,
    DrawStatus,
    ExamScope,
    FindingStatus,
    ObjectionStatus,
    ObjectType,
    QuestionKind,
)

CENTER = "accounts.Center"
ITEM = "catalogue.ServiceItem"


class TrainingSettings(TimeStampedModel):
    """Per-center settings the director changes."""

    center = models.OneToOneField(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    certificate_years = models.PositiveSmallIntegerField(_("证书有效期（年）"), default=2)
    expiry_notice_days = models.PositiveSmallIntegerField(_("到期提前提醒（天）"), default=30)
    min_certified_per_item = models.PositiveSmallIntegerField(_("每个事项最少持证人数"), default=3)
    all_round_target = models.PositiveSmallIntegerField(_("全科民警目标人数"), default=20)
    specialized_baseline = models.PositiveSmallIntegerField(_("改革前窗口警力"), default=32)
    publish_workdays = models.PositiveSmallIntegerField(_("检查结果公开时限（工作日）"), default=20)

    class Meta:
        verbose_name = _("规范化管理设置")
        verbose_name_plural = _("规范化管理设置")

    def __str__(self) -> str:
        return str(self.center_id)


class Course(TimeStampedModel):
    """A course for one item or one category: study material and a video link."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    title = models.CharField(_("课程名称"), max_length=100)
    item = models.ForeignKey(
        ITEM, verbose_name=_("事项"), on_delete=models.PROTECT, null=True, blank=True
    )
    category = models.CharField(_("业务类别"), max_length=20, blank=True)
    material = models.TextField(_("学习材料"), blank=True)
    video_url = models.URLField(_("视频链接"), blank=True)

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("课程")
        verbose_name_plural = _("课程")

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    """A question of the bank. `options` are texts; `answer` the letters of the right ones."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    item = models.ForeignKey(
        ITEM, verbose_name=_("事项"), on_delete=models.PROTECT, null=True, blank=True
    )
    category = models.CharField(_("业务类别"), max_length=20)
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("题目"))
    options = models.JSONField(_("选项"), default=list)
    answer = models.JSONField(_("答案"), default=list)
    explanation = models.TextField(_("解析"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["category", "pk"]
        verbose_name = _("试题")
        verbose_name_plural = _("试题")

    def __str__(self) -> str:
        return self.text[:40]


class Exam(TimeStampedModel):
    """An exam for an item, a category or the whole 全科 set."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    name = models.CharField(_("考试名称"), max_length=100)
    scope = models.CharField(_("范围"), max_length=12, choices=ExamScope.choices)
    item = models.ForeignKey(
        ITEM, verbose_name=_("事项"), on_delete=models.PROTECT, null=True, blank=True
    )
    category = models.CharField(_("业务类别"), max_length=20, blank=True)
    question_count = models.PositiveSmallIntegerField(_("题量"), default=10)
    time_limit_minutes = models.PositiveSmallIntegerField(_("时限（分钟）"), default=30)
    pass_mark = models.PositiveSmallIntegerField(_("合格分"), default=80)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["scope", "name"]
        verbose_name = _("考试")
        verbose_name_plural = _("考试")

    def __str__(self) -> str:
        return self.name


class ExamAttempt(TimeStampedModel):
    """One attempt: its own random paper, the deadline, the answers and the score."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.CASCADE)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("民警"), on_delete=models.CASCADE
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=AttemptStatus.choices, default=AttemptStatus.OPEN
    )
    question_ids = models.JSONField(_("试卷"), default=list)
    answers = models.JSONField(_("作答"), default=dict)
    started_at = models.DateTimeField(_("开始时间"))
    deadline_at = models.DateTimeField(_("截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("考试记录")
        verbose_name_plural = _("考试记录")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "officer"],
                condition=Q(status="open"),
                name="standards_one_open_attempt",
            )
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}"


class Certificate(TimeStampedModel):
    """The certificate behind one 交叉授权: who, which item, since when, until when."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    number = models.CharField(_("证书编号"), max_length=40)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("民警"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey(ITEM, verbose_name=_("事项"), on_delete=models.PROTECT)
    source = models.CharField(_("来源"), max_length=8, choices=CertificateSource.choices)
    attempt = models.ForeignKey(
        ExamAttempt, verbose_name=_("考试记录"), on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.CharField(_("授权理由"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    notice_sent_on = models.DateField(_("到期提醒日期"), null=True, blank=True)
    revoked_on = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        ordering = ["officer", "item"]
        verbose_name = _("上岗证书")
        verbose_name_plural = _("上岗证书")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "item"],
                condition=Q(revoked_on__isnull=True),
                name="standards_one_valid_certificate",
            )
        ]

    def __str__(self) -> str:
        return self.number


class StaffProfile(TimeStampedModel):
    """What recusal needs: the officer's team, own window and relatives among the staff."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.CharField(_("所在组"), max_length=40, blank=True)
    window_code = models.CharField(_("固定窗口"), max_length=8, blank=True)
    relatives = models.JSONField(_("亲属（用户名）"), default=list, blank=True)

    class Meta:
        verbose_name = _("回避信息")
        verbose_name_plural = _("回避信息")

    def __str__(self) -> str:
        return str(self.staff_id)


class Absence(TimeStampedModel):
    """An absence the shift leader records (劳动纪律星)."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("民警"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("日期"))
    is_excused = models.BooleanField(_("已请假"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-day"]
        verbose_name = _("缺勤记录")
        verbose_name_plural = _("缺勤记录")
        constraints = [
            models.UniqueConstraint(fields=["officer", "day"], name="standards_absence_once")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.day}"


class DutyShift(TimeStampedModel):
    """One officer's duty shift on one day (the roster the 劳动纪律星 compares sign-ins with)."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("民警"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("日期"))
    start = models.TimeField(_("上班时间"))
    end = models.TimeField(_("下班时间"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["day", "start"]
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "day", "start"], name="standards_dutyshift_once"
            )
        ]
        indexes = [models.Index(fields=["center", "day"], name="standards_duty_center_day")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.day} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start is not None and self.end is not None and self.end <= self.start:
            errors["end"] = str(_("下班时间必须晚于上班时间。"))
        officer = getattr(self, "officer", None) if self.officer_id else None
        if officer is not None and officer.center_id != self.center_id:
            errors["officer"] = str(_("该民警不属于本中心。"))
        if errors:
            raise ValidationError(errors)


class StarRule(TimeStampedModel):
    """One version of the star rules. A change is a new version; results name their version."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    version = models.PositiveIntegerField(_("版本"))
    # 业务技能星: weighted score out of 100, the weights add up to 100
    weight_exam = models.PositiveSmallIntegerField(_("考试成绩权重"), default=30)
    weight_volume = models.PositiveSmallIntegerField(_("办件量权重"), default=30)
    weight_accuracy = models.PositiveSmallIntegerField(_("差错权重"), default=25)
    weight_timeliness = models.PositiveSmallIntegerField(_("超期权重"), default=15)
    cases_target = models.PositiveSmallIntegerField(_("月办件量目标"), default=60)
    skill_threshold = models.PositiveSmallIntegerField(_("业务技能星分数线"), default=85)
    # data mismatches at confirmation (零差错) on cases the officer registered: they count among
    # the errors, and more than this many in the month withhold the star whatever the score
    mismatches_max = models.PositiveSmallIntegerField(_("确认不一致上限（次）"), default=3)
    # 劳动纪律星
    late_grace_minutes = models.PositiveSmallIntegerField(_("签到宽限（分钟）"), default=5)
    late_days_max = models.PositiveSmallIntegerField(_("迟到天数上限"), default=1)
    pause_allowance_minutes = models.PositiveSmallIntegerField(
        _("每日暂停额度（分钟）"), default=60
    )
    pause_days_max = models.PositiveSmallIntegerField(_("暂停超额天数上限"), default=0)
    absences_max = models.PositiveSmallIntegerField(_("无故缺勤上限"), default=0)
    # 群众满意星
    satisfaction_min_percent = models.DecimalField(
        _("满意率下限（%）"), max_digits=5, decimal_places=2, default=95
    )
    bad_max = models.PositiveSmallIntegerField(_("差评上限（撤销后）"), default=1)
    complaints_max = models.PositiveSmallIntegerField(_("有效投诉上限"), default=0)
    min_rated = models.PositiveSmallIntegerField(_("最少评价数"), default=1)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["center", "-version"]
        verbose_name = _("三颗星评定规则")
        verbose_name_plural = _("三颗星评定规则")
        constraints = [
            models.UniqueConstraint(fields=["center", "version"], name="standards_rule_version"),
            models.CheckConstraint(
                condition=Q(
                    weight_exam__gte=0,
                    weight_volume__gte=0,
                    weight_accuracy__gte=0,
                    weight_timeliness__gte=0,
                ),
                name="standards_rule_weights_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class StarResult(TimeStampedModel):
    """One officer's three stars for one month. A recomputation adds a revision; the previous
    one stays (``is_current`` False)."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("民警"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("月份"))
    revision = models.PositiveSmallIntegerField(_("第几次评定"), default=1)
    is_current = models.BooleanField(_("当前结果"), default=True)
    rule = models.ForeignKey(StarRule, verbose_name=_("规则版本"), on_delete=models.PROTECT)
    skill = models.BooleanField(_("业务技能星"))
    discipline = models.BooleanField(_("劳动纪律星"))
    satisfaction = models.BooleanField(_("群众满意星"))
    skill_score = models.DecimalField(_("业务技能得分"), max_digits=5, decimal_places=1)
    explanations = models.JSONField(_("说明"), default=dict)
    facts = models.JSONField(_("数据"), default=dict)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("重新评定原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["month", "officer", "-revision"]
        verbose_name = _("三颗星评定")
        verbose_name_plural = _("三颗星评定")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "month", "revision"], name="standards_star_revision"
            ),
            models.UniqueConstraint(
                fields=["officer", "month"],
                condition=Q(is_current=True),
                name="standards_star_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.month:%Y-%m} r{self.revision}"

    @property
    def star_count(self) -> int:
        return int(self.skill) + int(self.discipline) + int(self.satisfaction)


class StarObjection(TimeStampedModel):
    """An officer's objection to a month's stars, and the director's answer."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    result = models.ForeignKey(
        StarResult, verbose_name=_("评定"), on_delete=models.CASCADE, related_name="objections"
    )
    star = models.CharField(_("异议的星"), max_length=12)
    text = models.TextField(_("异议内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("评定异议")
        verbose_name_plural = _("评定异议")

    def __str__(self) -> str:
        return f"{self.result_id} {self.star}"


class Draw(TimeStampedModel):
    """A 双随机 draw: frozen candidate lists and a commitment published before the seed."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    name = models.CharField(_("检查名称"), max_length=100)
    object_type = models.CharField(_("检查对象类型"), max_length=10, choices=ObjectType.choices)
    object_list = models.JSONField(_("检查对象名录"), default=list)
    objects_hash = models.CharField(_("对象名录 SM3"), max_length=64)
    inspectors = models.JSONField(_("检查人员名录"), default=list)
    inspectors_hash = models.CharField(_("人员名录 SM3"), max_length=64)
    # {inspector username: [object keys they must not inspect]}, frozen with the lists
    conflicts = models.JSONField(_("回避关系"), default=dict)
    conflicts_hash = models.CharField(_("回避关系 SM3"), max_length=64)
    k = models.PositiveSmallIntegerField(_("抽取对象数"))
    inspectors_k = models.PositiveSmallIntegerField(_("抽取检查人员数"))
    seed = models.CharField(_("随机种子"), max_length=64)
    commitment = models.CharField(_("承诺值"), max_length=64, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.COMMITTED
    )
    selected_objects = models.JSONField(_("抽中对象"), default=list)
    selected_inspectors = models.JSONField(_("抽中检查人员"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽取人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_on = models.DateField(_("检查结束日期"), null=True, blank=True)
    publish_due = models.DateField(_("公开期限"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    summary = models.TextField(_("检查结果摘要"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("双随机抽查")
        verbose_name_plural = _("双随机抽查")

    def __str__(self) -> str:
        return self.name


class Finding(TimeStampedModel):
    """A checklist result for one drawn object: what was found, the evidence, the rectification."""

    center = models.ForeignKey(CENTER, verbose_name=_("所属中心"), on_delete=models.CASCADE)
    draw = models.ForeignKey(
        Draw, verbose_name=_("抽查"), on_delete=models.CASCADE, related_name="findings"
    )
    object_key = models.CharField(_("检查对象"), max_length=40)
    checklist = models.JSONField(_("检查清单"), default=dict)
    text = models.TextField(_("发现的问题"), blank=True)
    evidence = models.JSONField(_("证据（照片、办件链接）"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    rectify_workdays = models.PositiveSmallIntegerField(_("整改时限（工作日）"), default=0)
    rectify_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_note = models.TextField(_("整改说明"), blank=True)
    recheck_note = models.TextField(_("复查意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["draw", "object_key", "pk"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")

    def __str__(self) -> str:
        return f"{self.draw_id} {self.object_key}"

    @property
    def is_problem(self) -> bool:
        return bool(self.text.strip())


class FindingPhoto(TimeStampedModel):
    """A photo taken as evidence (kept in the database; shown to staff only, never published:
    it may show citizens)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")

    def __str__(self) -> str:
        return f"{self.finding_id}#{self.pk}"
