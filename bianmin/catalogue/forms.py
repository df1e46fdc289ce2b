from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ItemEditForm(forms.Form):
    name = forms.CharField(label=_("事项名称"), max_length=100)
    fee_yuan = forms.DecimalField(
        label=_("工本费（元）"), min_value=Decimal(0), max_digits=8, decimal_places=2
    )
    promised_workdays = forms.IntegerField(
        label=_("承诺时限（工作日）"), min_value=0, max_value=120
    )
    statutory_limit = forms.CharField(label=_("法定时限"), max_length=100, required=False)
    allows_accept_with_gaps = forms.BooleanField(label=_("可容缺受理"), required=False)
    average_service_minutes = forms.IntegerField(
        label=_("平均办理时长（分钟）"), min_value=1, max_value=240
    )
    is_active = forms.BooleanField(label=_("启用"), required=False)
    reason = forms.CharField(label=_("修改原因"), max_length=200)
