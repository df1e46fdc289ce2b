from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.accounts.models import WEEKDAY_LABELS, Center
from bianmin.accounts.services import HoursInput
from bianmin.core.permissions import Role

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("6位动态口令"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class StaffCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[a-z][a-z0-9_]{2,29}$",
        error_messages={"invalid": _("用户名须以小写字母开头，3至30位小写字母、数字或下划线")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    badge_number = forms.CharField(label=_("警号"), max_length=20, required=False)
    is_all_round = forms.BooleanField(label=_("全科（可办理全部事项）"), required=False)
    password = forms.CharField(
        label=_("初始密码"),
        min_length=10,
        widget=forms.PasswordInput,
        error_messages={"min_length": _("初始密码至少10位")},
    )

    def __init__(self, *args: object, province_wide: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if province_wide:
            # Only a province-wide administrator chooses the center; everyone else creates
            # accounts in their own.
            self.fields["center"] = forms.ModelChoiceField(
                label=_("所属中心"), queryset=Center.objects.filter(is_active=True)
            )


class HoursForm(forms.Form):
    """One day's hours: open or closed, and when open the times and lunch break."""

    is_open = forms.BooleanField(label=_("对外服务"), required=False)
    opens_at = forms.TimeField(label=_("上班时间"), required=False, widget=TIME)
    closes_at = forms.TimeField(label=_("下班时间"), required=False, widget=TIME)
    lunch_from = forms.TimeField(label=_("午休开始"), required=False, widget=TIME)
    lunch_to = forms.TimeField(label=_("午休结束"), required=False, widget=TIME)

    def hours(self) -> HoursInput:
        data = self.cleaned_data
        return HoursInput(
            is_open=bool(data.get("is_open")),
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            lunch_from=data.get("lunch_from"),
            lunch_to=data.get("lunch_to"),
        )


class WeekdayHoursForm(HoursForm):
    def __init__(self, *args: object, weekday: int, **kwargs: object) -> None:
        kwargs["prefix"] = f"d{weekday}"
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.weekday = weekday
        self.label = WEEKDAY_LABELS[weekday]


class DayHoursForm(HoursForm):
    day = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=100, required=False)
