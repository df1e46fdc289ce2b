"""Waiver policies (减免政策): the reference set and the director's edits, scoped to a center.

A policy belongs to one center (`scope=center`, written by that center's director) or to the
whole province (`scope=province`, written only by a province administrator). A director never
writes another center's policy nor a province-wide one.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.fees.enums import LOW_INCOME_GROUPS, PolicyScope, WaiverKind
from bianmin.fees.errors import FeeError
from bianmin.fees.models import WaiverPolicy, WaiverPolicyRevision
from bianmin.fees.quoting import PolicyRule
from bianmin.fees.selectors import clean_groups, item_fee
from bianmin.fees.services.common import MAX_FEN, is_province_actor, may_edit_policies

REFERENCE_POLICIES: list[dict[str, Any]] = [
    {
        "code": "FREE-HOUSEHOLD",
        "name": "免费户籍窗口",
        "reason": "本中心免费户籍窗口：临时居民身份证、户口簿补换领，迁移证、准迁证、居住证补发免收工本费",
        "valid_from": date(2019, 6, 1),
        "targets": ["HZ04", "HZ10", "HZ07", "HZ08", "HZ12"],
        "precedence": 10,
        "note": "居民身份证换领（HZ02）、补领（HZ03）仍按标准收费。迁移证、准迁证（HZ07/HZ08）和"
        "居住证（HZ12）首次签发本就免费；如在事项目录中为补发设定了工本费，本政策自动全免。",
    },
    {
        "code": "LOW-INCOME",
        "name": "特困群体减免",
        "reason": "财综〔2004〕8号：五保户、贫困户、定期救济户、城市低保对象、优抚对象免收居民身份证工本费",
        "targets": ["HZ02", "HZ03"],
        "groups_any": [g.value for g in LOW_INCOME_GROUPS],
        "requires_evidence": True,
        "precedence": 20,
        "note": "须查验并登记证明材料（如低保证、五保供养证、优抚证编号）。",
    },
    {
        "code": "STUDENT-HOLIDAY",
        "name": "中小学生假期免费办证",
        "reason": "假期办证活动期间，在校中小学生换领、补领居民身份证免收工本费",
        "targets": ["HZ02", "HZ03"],
        "requires_campaign": True,
        "precedence": 30,
        "note": "活动期间、适用年龄和学生条件由中心主任在“办证活动”中设定。",
    },
]


POLICY_FIELDS = (
    "name",
    "reason",
    "valid_from",
    "valid_until",
    "targets",
    "groups_any",
    "requires_evidence",
    "min_age",
    "max_age",
    "requires_student",
    "requires_campaign",
    "kind",
    "percent",
    "amount_fen",
    "precedence",
    "note",
    "is_active",
)


def policy_snapshot(policy: WaiverPolicy) -> dict[str, Any]:
    data = model_to_dict(policy, fields=["code", *POLICY_FIELDS])  # scope never changes
    for key in ("valid_from", "valid_until"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


@transaction.atomic
def fees_load_reference() -> int:
    """Create the province-wide reference policies that do not exist yet (edits stay)."""
    created = 0
    for row in REFERENCE_POLICIES:
        if WaiverPolicy.objects.filter(code=row["code"], center__isnull=True).exists():
            continue
        policy = WaiverPolicy.objects.create(**row, scope=PolicyScope.PROVINCE, center=None)
        WaiverPolicyRevision.objects.create(
            policy=policy,
            changed_by=None,
            changed_at=clock.now(),
            snapshot=policy_snapshot(policy),
            reason="参考数据导入",
        )
        created += 1
    return created


# --- the director's (or the province administrator's) edits --------------------------------


def _clean_policy(data: PolicyRule) -> PolicyRule:
    if not data.name.strip():
        raise DomainError(_("请填写政策名称"), code=FeeError.NAME_REQUIRED)
    if not data.reason.strip():
        raise DomainError(_("请填写减免依据（将打印在收据上）"), code=FeeError.REASON_REQUIRED)
    targets = []
    for raw in data.targets:
        target = raw.strip()
        if not target:
            continue
        code, _slash, variant = target.partition("/")
        item_fee(item_code=code, variant_code=variant)  # unknown item or variant → 400
        targets.append(f"{code.upper()}/{variant}" if variant else code.upper())
    if not targets:
        raise DomainError(_("请至少选择一个适用事项"), code=FeeError.TARGETS_REQUIRED)
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise DomainError(_("截止日期不能早于生效日期"), code=FeeError.PERIOD_ORDER)
    if data.min_age is not None and data.max_age is not None and data.max_age < data.min_age:
        raise DomainError(_("最高年龄不能小于最低年龄"), code=FeeError.AGE_ORDER)
    for age in (data.min_age, data.max_age):
        if age is not None and not 0 <= age <= 150:
            raise DomainError(_("年龄应在0至150之间"), code=FeeError.AGE_RANGE)
    if data.kind not in WaiverKind.values:
        raise DomainError(_("减免方式无效"), code=FeeError.INVALID_KIND)
    if not 0 <= data.percent <= 100:
        raise DomainError(_("减免比例应在0至100之间"), code=FeeError.INVALID_AMOUNT)
    if not 0 <= data.amount_fen <= MAX_FEN:
        raise DomainError(_("减免金额不能为负数或过大"), code=FeeError.INVALID_AMOUNT)
    if data.kind == WaiverKind.AMOUNT and data.amount_fen == 0:
        raise DomainError(_("请填写减免金额"), code=FeeError.INVALID_AMOUNT)
    return dataclasses.replace(
        data,
        code=data.code.strip().upper(),
        name=data.name.strip(),
        reason=data.reason.strip(),
        targets=tuple(targets),
        groups_any=clean_groups(data.groups_any),
        note=data.note.strip(),
    )


def _new_policy(*, actor: StaffActor, code: str) -> WaiverPolicy:
    """An unsaved policy in the actor's scope: their center, or the province for its admin."""
    if not re.match(r"^[A-Z][A-Z0-9-]{1,29}$", code):
        raise DomainError(
            _("政策编码由大写字母、数字和连字符组成，以字母开头，例如 SENIOR-80"),
            code=FeeError.INVALID_CODE,
        )
    province = is_province_actor(actor)
    center_id = None if province else actor.center_id
    # A code names one policy wherever it can be seen: no center code may shadow a province
    # code, and a province code may not shadow any center's.
    clash = WaiverPolicy.objects.filter(code=code)
    if not province:
        clash = clash.filter(Q(center__isnull=True) | Q(center_id=center_id))
    if clash.exists():
        raise Conflict(_("编码 %s 已被使用") % code, code=FeeError.DUPLICATE_CODE)
    return WaiverPolicy(
        code=code,
        scope=PolicyScope.PROVINCE if province else PolicyScope.CENTER,
        center_id=center_id,
    )


def _locked_policy(*, actor: StaffActor, policy: WaiverPolicy) -> WaiverPolicy:
    """The policy, locked, if the actor may write it (another center's is not even found)."""
    policy = WaiverPolicy.objects.select_for_update().get(pk=policy.pk)
    if policy.center_id is None:
        if not is_province_actor(actor):
            raise PermissionDenied(
                _("“%s”是全省通用的减免政策，只有省级管理员可以修改") % policy.name,
                code=FeeError.PROVINCE_POLICY,
            )
    elif is_province_actor(actor) or policy.center_id != actor.center_id:
        raise NotFound(_("没有找到这个减免政策"), code=FeeError.UNKNOWN_POLICY)
    return policy


@transaction.atomic
def policy_save(
    *,
    actor: StaffActor,
    data: PolicyRule,
    reason: str,
    policy: WaiverPolicy | None = None,
) -> WaiverPolicy:
    """Create (`data.code`, no `policy`) or change a policy; history and audit keep both sides.

    A director writes only their own center's policies; a province administrator only the
    province-wide ones. Payments already made keep their own lines, so a change only affects
    later quotes.
    """
    if not may_edit_policies(actor):
        raise PermissionDenied(_("只有中心主任可以修改减免政策"))
    if not reason.strip():
        raise DomainError(_("请填写修改原因"), code=FeeError.REASON_REQUIRED)
    data = _clean_policy(data)
    before: dict[str, Any] | None
    if policy is None:
        policy = _new_policy(actor=actor, code=data.code)
        before = None
    else:
        policy = _locked_policy(actor=actor, policy=policy)
        before = policy_snapshot(policy)
    for key in POLICY_FIELDS:
        value = getattr(data, key)
        if key == "targets":
            value = list(value)
        elif key == "groups_any":
            value = sorted(value)
        setattr(policy, key, value)
    policy.save()
    after = policy_snapshot(policy)
    if before == after:
        return policy
    WaiverPolicyRevision.objects.create(
        policy=policy,
        changed_by_id=actor.pk,
        changed_at=clock.now(),
        snapshot=after,
        reason=reason.strip()[:200],
    )
    changed = [k for k in after if before is None or before.get(k) != after[k]]
    audit_record(
        actor=actor,
        action=AuditAction.POLICY_UPDATED,
        target=policy,
        center_id=policy.center_id,
        before={k: before[k] for k in changed} if before else None,
        after={k: after[k] for k in changed},
    )
    return policy
