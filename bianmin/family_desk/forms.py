"""Forms of the desk's pages (input parsing only; the services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.family_desk.enums import (
    ContactPreference,
    CustodyAction,
    LifeEvent,
    Relation,
    RequestType,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AskForm(forms.Form):
    type = forms.ChoiceField(label=_("需要什么帮助"), choices=RequestType.choices)
    procedure_id = forms.IntegerField(label=_("办事事项"), required=False, widget=forms.HiddenInput)
    procedure_text = forms.CharField(label=_("要办的事"), max_length=100, required=False)
    question = forms.CharField(label=_("您的问题"), widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.ChoiceField(
        label=_("希望的联系方式"), choices=ContactPreference.choices, initial="phone"
    )
    # The files are read from request.FILES by the view and checked by the service.
    attachments = forms.Field(
        label=_("附件（照片或 PDF，最多5个，每个不超过5MB）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )


class FamilyForm(forms.Form):
    relation = forms.ChoiceField(label=_("关系"), choices=Relation.choices)
    name = forms.CharField(label=_("姓名"), max_length=30)
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    officer_username = forms.CharField(
        label=_("民警账号（服务台代为登记时填写）"), max_length=30, required=False
    )


class CustodyForm(forms.Form):
    document = forms.CharField(label=_("材料"), max_length=100)
    action = forms.ChoiceField(label=_("环节"), choices=CustodyAction.choices)
    from_party = forms.CharField(label=_("交出方"), max_length=60)
    to_party = forms.CharField(label=_("接收方"), max_length=60)
    signed_by = forms.CharField(label=_("签收人"), max_length=50)


class ProcedureForm(forms.Form):
    name = forms.CharField(label=_("事项名称"), max_length=100)
    purpose = forms.CharField(
        label=_("办理用途"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    eligibility = forms.CharField(
        label=_("申请条件"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    materials = forms.CharField(
        label=_("所需材料（每行一项，条件写在括号里）"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    fee = forms.CharField(label=_("收费标准"), max_length=100, required=False)
    time_limit = forms.CharField(label=_("办理时限"), max_length=100, required=False)
    time_limit_workdays = forms.IntegerField(
        label=_("时限工作日"), min_value=1, max_value=365, required=False
    )
    place = forms.CharField(label=_("办理地点"), max_length=100, required=False)
    online_channel = forms.CharField(label=_("网上办理渠道"), max_length=200, required=False)
    legal_basis = forms.CharField(
        label=_("政策依据"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    keywords = forms.CharField(label=_("常用说法"), max_length=200, required=False)
    life_events = forms.MultipleChoiceField(
        label=_("人生事件"),
        choices=LifeEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("修改原因（必填）"), max_length=200)
