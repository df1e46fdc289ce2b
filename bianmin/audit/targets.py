"""What the inspector reads: object labels ("办件 TG-20261201-0018", "取号 A012", "人员 张*三"),
search by those labels, and changes as a table of field names with old → new values.

The audit context sits below every other context, so it cannot import them. Each context
registers its targets in its `AppConfig.ready()`:

    register_target("cases.case", label_field="number", search_field="number")
    register_target("people.person", noun=_("人员"), label=..., find=...)

A target without a registration still reads well: its noun is the model's Chinese
verbose_name and field names come from the model's verbose names.
"""

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bianmin.core.masking import mask_phone

StrOrPromise = str | Promise
Labeller = Callable[[list[str]], dict[str, str]]
Finder = Callable[[str], list[str]]


@dataclass(frozen=True)
class AuditTarget:
    target_type: str
    noun: str = ""
    label_field: str = ""  # a field whose value names the object (case number, ticket number)
    # exact-match field(s) the search box looks in, e.g. ("receipt_number", "case_number")
    search_field: str | tuple[str, ...] = ""
    label: Labeller | None = None  # ids → text (e.g. a masked name), instead of label_field
    find: Finder | None = None  # search text → ids, instead of search_field


_TARGETS: dict[str, AuditTarget] = {}

# Keys that services put in before/after without a model field of that name.
KEY_LABELS: dict[str, StrOrPromise] = {
    "field": _("字段"),
    "reason": _("原因"),
    "by_center": _("修改中心"),
    "found": _("是否找到"),
    "created": _("新增"),
    "updated": _("更新"),
    "rows": _("行数"),
    "id_number": _("公民身份号码"),
    "phone": _("手机号码"),
    "photo_sha256": _("照片指纹"),
    "status": _("状态"),
    "stage": _("环节"),
    "note": _("备注"),
    "source": _("依据"),
    "confirmed": _("已确认"),
    "is_workday": _("工作日"),
    "materials": _("申请材料"),
    "fee_variants": _("收费类型"),
    "amount_fen": _("金额（分）"),
    "count": _("数量"),
}
VALUE_WORDS = {True: "是", False: "否", None: "—"}
ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9})(?![0-9])")


def register_target(
    target_type: str,
    *,
    noun: StrOrPromise = "",
    label_field: str = "",
    search_field: str | tuple[str, ...] = "",
    label: Labeller | None = None,
    find: Finder | None = None,
) -> None:
    _TARGETS[target_type] = AuditTarget(
        target_type, str(noun), label_field, search_field, label, find
    )


def _model(target_type: str) -> type[Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def noun_of(target_type: str) -> str:
    target = _TARGETS.get(target_type)
    if target and target.noun:
        return target.noun
    model = _model(target_type)
    return str(model._meta.verbose_name) if model else str(_("对象"))


def target_ids_matching(text: str) -> dict[str, list[str]]:
    """Registered targets whose label or search field matches `text` exactly."""
    found: dict[str, list[str]] = {}
    for target in _TARGETS.values():
        ids: list[str] = []
        if target.find is not None:
            ids = target.find(text)
        elif target.search_field and (model := _model(target.target_type)):
            fields = (
                (target.search_field,)
                if isinstance(target.search_field, str)
                else target.search_field
            )
            match = Q()
            for field in fields:
                match |= Q(**{field: text})
            ids = [
                str(pk)
                for pk in model._default_manager.filter(match).values_list("pk", flat=True)[:500]
            ]
        if ids:
            found[target.target_type] = ids
    return found


def target_labels(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """ "办件 TG-20261201-0018" for each (target_type, target_id)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for target_type, target_id in pairs:
        if target_type and target_id:
            wanted[target_type].add(target_id)
    labels: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        target = _TARGETS.get(target_type)
        names: dict[str, str] = {}
        if target is not None and target.label is not None:
            names = target.label(sorted(ids))
        elif target is not None and target.label_field and (model := _model(target_type)):
            digits = [i for i in ids if i.isdigit()]
            names = {
                str(pk): str(value)
                for pk, value in model._default_manager.filter(pk__in=digits).values_list(
                    "pk", target.label_field
                )
            }
        noun = noun_of(target_type)
        for target_id in ids:
            labels[(target_type, target_id)] = f"{noun} {names.get(target_id, target_id)}"
    return labels


def mask_text(text: str) -> str:
    """Mask any full ID number or mobile number that slipped into a stored value."""
    text = ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return MOBILE.sub(lambda m: mask_phone(m.group(1)), text)


def _field_label_and_choices(target_type: str, key: str) -> tuple[str, dict[Any, str]]:
    model = _model(target_type)
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            pass
        else:
            name = getattr(field, "verbose_name", "") or key
            choices = {value: str(text) for value, text in getattr(field, "flatchoices", [])}
            return str(name), choices
    return str(KEY_LABELS.get(key, key)), {}


def _show(value: Any, choices: dict[Any, str]) -> str:
    if isinstance(value, bool) or value is None:
        return VALUE_WORDS[value]
    if isinstance(value, dict | list):
        return mask_text(json.dumps(value, ensure_ascii=False))
    if value in choices:
        return choices[value]
    return mask_text(str(value))


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str
    changed: bool


def field_changes(
    target_type: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[FieldChange]:
    before, after = before or {}, after or {}
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        label, choices = _field_label_and_choices(target_type, key)
        old = _show(before[key], choices) if key in before else ""
        new = _show(after[key], choices) if key in after else ""
        rows.append(FieldChange(label, old, new, key in before and key in after and old != new))
    return rows
