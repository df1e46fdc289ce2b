from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.cases.enums import IdType
from bianmin.core.errors import DomainError
from bianmin.fees.enums import PAYING_METHODS, Group, PaymentStage, WaiverKind
from bianmin.fees.services import yuan_to_fen
from bianmin.people.enums import Gender

# <input type=date> shows and sends only YYYY-MM-DD: render that (not the locale's 2019/06/01,
# which the browser drops, so a no-change save cleared the date); still accept the slashes.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DATE)
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class YuanField(forms.CharField):
    """An amount typed in yuan, parsed into exact fen (never a float)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return yuan_to_fen(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


def _split(value: str) -> list[str]:
    return [
        part
        for part in value.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
        if part.strip()
    ]


class PolicyForm(forms.Form):
    code = forms.CharField(
        label=_("政策编码"),
        max_length=30,
        required=False,
        help_text=_("新增时填写，例如 SENIOR-80；保存后不可修改"),
    )
    name = forms.CharField(label=_("政策名称"), max_length=60)
    reason = forms.CharField(label=_("减免依据（打印在收据上）"), max_length=200)
    targets = forms.CharField(
        label=_("适用事项"),
        max_length=300,
        help_text=_(
            "事项编码，用逗号分隔；只适用某一收费类型时写成“事项编码/类型编码”（类型编码见事项目录）"
        ),
    )
    valid_from = DateField(label=_("生效日期"), required=False)
    valid_until = DateField(label=_("截止日期"), required=False)
    groups_any = forms.MultipleChoiceField(
        label=_("适用人群（任一，留空表示不限）"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requires_evidence = forms.BooleanField(label=_("须登记证明材料"), required=False)
    min_age = forms.IntegerField(label=_("最低年龄"), required=False, min_value=0, max_value=150)
    max_age = forms.IntegerField(label=_("最高年龄"), required=False, min_value=0, max_value=150)
    requires_student = forms.BooleanField(label=_("限在校中小学生"), required=False)
    requires_campaign = forms.BooleanField(label=_("仅在办证活动期间适用"), required=False)
    kind = forms.ChoiceField(label=_("减免方式"), choices=WaiverKind.choices)
    percent = forms.IntegerField(label=_("减免比例（%）"), min_value=0, max_value=100, initial=100)
    amount = YuanField(label=_("减免金额（元）"), required=False)
    precedence = forms.IntegerField(
        label=_("优先顺序（小的先减免）"), min_value=0, max_value=999, initial=100
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    change_reason = forms.CharField(label=_("修改原因"), max_length=200)

    def clean_targets(self) -> list[str]:
        return _split(self.cleaned_data["targets"])


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=60)
    starts_on = DateField(label=_("开始日期"))
    ends_on = DateField(label=_("结束日期"))
    policy_code = forms.ChoiceField(label=_("减免政策"), choices=())
    item_codes = forms.CharField(
        label=_("活动事项"),
        max_length=200,
        initial="HZ01,HZ02,HZ03",
        help_text=_("事项编码，用逗号分隔"),
    )
    min_age = forms.IntegerField(
        label=_("最低年龄"), required=False, min_value=0, max_value=150, initial=6
    )
    max_age = forms.IntegerField(
        label=_("最高年龄"), required=False, min_value=0, max_value=150, initial=18
    )
    requires_student = forms.BooleanField(
        label=_("限在校中小学生（须出示学生证或在校证明）"), required=False, initial=True
    )
    extra_windows = forms.CharField(
        label=_("增开窗口"),
        max_length=100,
        required=False,
        help_text=_("窗口编号，用逗号分隔，例如 W11,W12"),
    )
    opens_at = forms.TimeField(label=_("活动期间开门时间"), required=False, widget=TIME)
    closes_at = forms.TimeField(label=_("活动期间关门时间"), required=False, widget=TIME)
    open_weekends = forms.BooleanField(label=_("周末照常办理"), required=False)
    public_note = forms.CharField(label=_("大厅公告"), max_length=200, required=False)
    is_cancelled = forms.BooleanField(label=_("取消活动"), required=False)

    def __init__(self, *args: Any, policy_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy_code"].choices = policy_choices  # type: ignore[attr-defined]

    def clean_item_codes(self) -> list[str]:
        return _split(self.cleaned_data["item_codes"])

    def clean_extra_windows(self) -> list[str]:
        return _split(self.cleaned_data["extra_windows"])


class ConfirmForm(forms.Form):
    """零差错 at payment: the officer re-types or checks name, gender, ID type and number."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(
        label=_("证件号码（请照证件重新输入）"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )


class _EvidenceMixin:
    @staticmethod
    def evidence(data: Any) -> dict[str, str]:
        """Evidence typed next to each ticked group (低保证号 …), from the raw POST."""
        return {
            g.value: str(data.get(f"evidence_{g.value}", ""))[:100]
            for g in Group
            if data.get(f"evidence_{g.value}")
        }


class CollectForm(_EvidenceMixin, ConfirmForm):
    method = forms.ChoiceField(
        label=_("付款方式"),
        required=False,
        choices=[(m.value, m.label) for m in PAYING_METHODS],
        widget=forms.RadioSelect,
    )
    stage = forms.ChoiceField(
        label=_("收费环节"), choices=PaymentStage.choices, initial=PaymentStage.ACCEPTANCE
    )
    groups = forms.MultipleChoiceField(
        label=_("减免人群"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    window = forms.CharField(widget=forms.HiddenInput, max_length=8, required=False)


class CounterForm(_EvidenceMixin, forms.Form):
    """A fee at the counter without a case (e.g. a temporary ID card on the spot)."""

    fee = forms.ChoiceField(label=_("事项及收费类型"), choices=())
    name = forms.CharField(label=_("缴费人姓名"), max_length=50)
    gender = forms.ChoiceField(
        label=_("性别"), choices=[("", "—"), *Gender.choices], required=False
    )
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices, required=False)
    id_number = forms.CharField(
        label=_("身份证号码（按年龄减免时必填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    method = forms.ChoiceField(
        label=_("付款方式"),
        required=False,
        choices=[(m.value, m.label) for m in PAYING_METHODS],
        widget=forms.RadioSelect,
    )
    stage = forms.ChoiceField(
        label=_("收费环节"), choices=PaymentStage.choices, initial=PaymentStage.WALK_IN
    )
    groups = forms.MultipleChoiceField(
        label=_("减免人群"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    window = forms.CharField(widget=forms.HiddenInput, max_length=8, required=False)

    def __init__(self, *args: Any, fee_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fee"].choices = fee_choices  # type: ignore[attr-defined]


class RefundRequestForm(forms.Form):
    amount = YuanField(label=_("退费金额（元）"))
    reason = forms.CharField(label=_("退费原因"), max_length=200)


class RefundDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class DrawerCloseForm(forms.Form):
    window_code = forms.CharField(label=_("窗口"), max_length=8, required=False)
    counted = YuanField(label=_("清点现金（元）"))
    note = forms.CharField(label=_("说明（有差额时必填）"), max_length=200, required=False)


class ClassListForm(forms.Form):
    file = forms.FileField(label=_("学生名单（.xlsx）"))
    appointment_date = DateField(label=_("预约日期"))
