from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.core.permissions import Role


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
