"""Templates: versions, approval, the length budget, the live count."""

from typing import Any

import pytest

from bianmin.audit.selectors import audit_entry_search
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.notifications import services, wording
from bianmin.notifications.enums import TemplateStatus
from bianmin.notifications.models import SmsTemplate

pytestmark = pytest.mark.usefixtures("templates")


def test_reference_templates_are_seeded_once_and_fit_one_message(center: Any) -> None:
    assert services.notifications_load_reference() == 0  # already seeded by the fixture
    reference = {t.code for t in wording.TEMPLATES}
    approved = SmsTemplate.objects.filter(status=TemplateStatus.APPROVED, code__in=reference)
    assert sorted(approved.values_list("code", flat=True)) == sorted(reference)
    too_long = []
    for template in SmsTemplate.objects.filter(status=TemplateStatus.APPROVED):
        try:
            services.template_check(body=template.body, max_segments=1)
        except services.SmsError as exc:
            too_long.append((template.code, exc.message))
    assert too_long == [], "\n".join(f"{c}: {m}" for c, m in too_long)


def test_editing_an_approved_template_makes_a_draft_that_approval_activates(
    center: Any, province_director: Any
) -> None:
    body = "您的${item}已可领取（办件号${case_number}），请于工作日到便民服务中心领取。"
    draft = services.template_save(
        actor=province_director, code="pickup_ready", name="领证通知", body=body
    )
    assert (draft.version, draft.status) == (2, TemplateStatus.DRAFT)
    assert services.template_get_approved("pickup_ready").version == 1  # type: ignore[union-attr]
    services.template_approve(actor=province_director, template_id=draft.pk)
    versions = dict(
        SmsTemplate.objects.filter(code="pickup_ready").values_list("version", "status")
    )
    assert versions == {1: TemplateStatus.RETIRED, 2: TemplateStatus.APPROVED}
    assert audit_entry_search(user=province_director, action="sms_template_approved").count() == 1


def test_over_limit_template_is_rejected_with_its_count(
    center: Any, province_director: Any
) -> None:
    body = "您申请的${item}（办件号${case_number}）已经制作完成，" + "请" * 30
    with pytest.raises(DomainError) as excinfo:
        services.template_save(actor=province_director, code="long_one", name="太长", body=body)
    assert excinfo.value.code == "template_too_long"
    assert excinfo.value.message.startswith(
        "模板超长：加上签名【潼关县公安局】并按变量最大长度计算共 "
    )
    assert "需 2 条短信计费，超过允许的 1 条" in excinfo.value.message
    assert not SmsTemplate.objects.filter(code="long_one").exists()
    # two segments allowed: accepted
    assert (
        services.template_save(
            actor=province_director, code="long_one", name="两条", body=body, max_segments=2
        ).status
        == TemplateStatus.DRAFT
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("【潼关】您好", "模板内容不能包含【】，短信签名由系统自动添加。"),
        ("您的${name}已办好", "未知变量：name。"),
        ("号码${item", "变量格式应为 ${变量名}，例如 ${item}。"),
        ("", "模板内容不能为空。"),
    ],
)
def test_invalid_bodies_are_rejected(
    center: Any, province_director: Any, body: str, message: str
) -> None:
    with pytest.raises(DomainError) as excinfo:
        services.template_save(actor=province_director, code="bad_one", name="x", body=body)
    assert excinfo.value.message.startswith(message)


def test_only_template_editors_edit(center: Any, officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.template_save(actor=officer, code="x_y", name="x", body="您好")
    draft = SmsTemplate.objects.create(code="x_y", version=1, name="x", body="您好")
    with pytest.raises(PermissionDenied):
        services.template_approve(actor=officer, template_id=draft.pk)
    assert SmsTemplate.objects.get(pk=draft.pk).status == TemplateStatus.DRAFT


def test_preview_counts_signature_and_segments() -> None:
    preview = services.template_preview(body="您好" * 31, signature="潼关县公安局")
    assert (preview["characters"], preview["segments"]) == (70, 1)
    preview = services.template_preview(body="您好" * 31 + "。", signature="潼关县公安局")
    assert (preview["characters"], preview["segments"]) == (71, 2)
    preview = services.template_preview(body="您的${item}到了", signature="潼关县公安局")
    assert preview["text"] == "【潼关县公安局】您的居民身份证到了"


def test_item_names_are_shortened_to_what_is_collected() -> None:
    assert wording.item_label("居民身份证丢失补领/损坏换领") == "居民身份证"
    assert wording.item_label("临时居民身份证") == "临时身份证"
    assert wording.item_label("户口簿补领/换发") == "户口簿"
    assert wording.item_label("出生登记") == "出生登记"
