"""双随机一公开: pools with recusal, a committed and verifiable draw, the inspection, publication.

The draw is computed by ``standards.drawing`` (pure, recomputable by anyone). A second run of
the same commitment is refused and the refusal is audited (in its own transaction, so the
record survives the refusal).
"""

import io
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.accounts.selectors import staff_of_center
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases.selectors import case_numbers_accepted
from bianmin.catalogue.selectors import item_codes
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, Role
from bianmin.core.workdays import add_workdays
from bianmin.fees.selectors import payment_keys
from bianmin.hall.selectors import windows_of
from bianmin.standards import drawing, pipeline
from bianmin.standards.enums import DrawStatus, FindingStatus, ObjectType
from bianmin.standards.errors import StandardsError
from bianmin.standards.models import Draw, Finding, FindingPhoto, StaffProfile
from bianmin.standards.services.common import not_found, require, training_settings

MIN_INSPECTORS = 2  # 双随机: at least two inspectors per check
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_COUNT = 6
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def clean_photos(photos: list[bytes]) -> list[tuple[str, bytes]]:
    """(content type, bytes) of each evidence photo; a Chinese message for the first bad one."""
    if len(photos) > PHOTO_MAX_COUNT:
        raise DomainError(_("照片最多 %d 张。") % PHOTO_MAX_COUNT, code=StandardsError.INVALID)
    cleaned = []
    for index, content in enumerate(photos, start=1):
        kind = None
        if len(content) <= PHOTO_MAX_BYTES:
            try:
                with Image.open(io.BytesIO(content)) as image:
                    image.verify()
                    kind = PHOTO_TYPES.get(image.format or "")
            except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
                kind = None
        if kind is None:
            raise DomainError(
                _("第 %d 张照片不是 10MB 以内的 JPEG、PNG 或 WebP 图片。") % index,
                code=StandardsError.INVALID,
            )
        cleaned.append((kind, content))
    return cleaned


def refuse_personal_data(text: str) -> None:
    """Published text never carries a citizen's ID number or phone."""
    if ID_NUMBER.search(text) or MOBILE.search(text):
        raise DomainError(
            _("检查结果将公开，不能包含身份证号码或手机号码等群众个人信息。"),
            code=StandardsError.PERSONAL_DATA,
        )


# --- pools -------------------------------------------------------------------------------------


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def object_pool(
    *, center_id: int, object_type: str, month: date | None = None
) -> dict[str, int | None]:
    """{candidate key: the officer it belongs to (for recusal) or None}, for one object type."""
    if object_type == ObjectType.WINDOW:
        return {w.code: None for w in windows_of(center_id=center_id)}
    if object_type == ObjectType.OFFICER:
        return {
            s.username: s.pk
            for s in staff_of_center(center_id=center_id)
            if s.role in (Role.OFFICER, Role.SHIFT_LEADER)
        }
    if object_type == ObjectType.ITEM:
        return dict.fromkeys(item_codes())
    first = (month or _last_month(clock.today())).replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1)
    if object_type == ObjectType.CASE:
        return dict(case_numbers_accepted(center_id=center_id, start=first, end=end))
    if object_type == ObjectType.FEE:
        return dict(payment_keys(center_id=center_id, start=first, end=end))
    raise DomainError(_("检查对象类型不正确。"), code=StandardsError.INVALID)


def inspector_pool(*, center_id: int, named: Iterable[str] = ()) -> list[Any]:
    """Inspector accounts of the center, or exactly the named staff when names are given."""
    staff = list(staff_of_center(center_id=center_id))
    names = [n.strip() for n in named if n.strip()]
    if not names:
        return [s for s in staff if s.role == Role.INSPECTOR]
    by_name = {s.username: s for s in staff}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise DomainError(
            _("检查人员名录中有本中心没有的账号：%s") % "、".join(unknown[:10]),
            code=StandardsError.INVALID,
        )
    return [by_name[n] for n in dict.fromkeys(names)]


def _conflicts(
    *,
    center_id: int,
    object_type: str,
    pool: dict[str, int | None],
    inspectors: list[Any],
) -> dict[str, list[str]]:
    """回避: own window, own team, oneself, relatives recorded in a profile (either side)."""
    profiles = {p.staff_id: p for p in StaffProfile.objects.filter(center_id=center_id)}
    usernames = {s.pk: s.username for s in staff_of_center(center_id=center_id)}
    out: dict[str, list[str]] = {}
    for inspector in inspectors:
        mine = profiles.get(inspector.pk)
        keys: list[str] = []
        for key, officer_id in pool.items():
            if object_type == ObjectType.WINDOW:
                if mine is not None and mine.window_code and mine.window_code == key:
                    keys.append(key)
                continue
            if officer_id is None:
                continue
            theirs = profiles.get(officer_id)
            other_name = usernames.get(officer_id, "")
            if (
                officer_id == inspector.pk
                or (mine and theirs and mine.team and mine.team == theirs.team)
                or (mine and other_name in (mine.relatives or []))
                or (theirs and inspector.username in (theirs.relatives or []))
            ):
                keys.append(key)
        if keys:
            out[inspector.username] = sorted(keys)
    return out


# --- the draw ----------------------------------------------------------------------------------


@transaction.atomic
def draw_create(
    *,
    actor: StaffActor,
    name: str,
    object_type: str,
    k: int,
    inspectors_k: int,
    objects: list[str] | None = None,
    month: date | None = None,
    inspectors: list[str] | None = None,
) -> Draw:
    """Freeze the candidate lists and publish the commitment; the seed stays secret."""
    center_id = require(actor, Perm.INSPECTION_DRAW)
    if not name.strip():
        raise DomainError(_("请填写检查名称。"), code=StandardsError.INVALID)
    if object_type not in ObjectType.values:
        raise DomainError(_("检查对象类型不正确。"), code=StandardsError.INVALID)
    pool = object_pool(center_id=center_id, object_type=object_type, month=month)
    if objects:
        wanted = list(dict.fromkeys(str(key).strip() for key in objects if str(key).strip()))
        unknown = [key for key in wanted if key not in pool]
        if unknown:
            raise DomainError(
                _("以下检查对象不在本中心的对象名录中：%s") % "、".join(unknown[:10]),
                code=StandardsError.INVALID,
            )
        pool = {key: pool[key] for key in wanted}
    keys = sorted(pool)
    if k < 1 or k > len(keys):
        raise DomainError(
            _("要抽取 %(k)d 个对象，但名录中只有 %(n)d 个。") % {"k": k, "n": len(keys)},
            code=StandardsError.TOO_MANY_OBJECTS,
        )
    people = inspector_pool(center_id=center_id, named=inspectors or ())
    names = sorted(p.username for p in people)
    if inspectors_k < MIN_INSPECTORS or inspectors_k > len(names):
        raise DomainError(
            _("每次检查至少 %(min)d 名检查人员；名录中有 %(n)d 人，要求抽取 %(k)d 人。")
            % {"min": MIN_INSPECTORS, "n": len(names), "k": inspectors_k},
            code=StandardsError.TOO_MANY_INSPECTORS,
        )
    conflicts = _conflicts(
        center_id=center_id, object_type=object_type, pool=pool, inspectors=people
    )
    seed = drawing.new_seed()
    objects_hash = drawing.list_hash(keys)
    inspectors_hash = drawing.list_hash(names)
    conflicts_hash = drawing.conflicts_hash(conflicts)
    draw = Draw.objects.create(
        center_id=center_id,
        name=name.strip()[:100],
        object_type=object_type,
        object_list=keys,
        objects_hash=objects_hash,
        inspectors=names,
        inspectors_hash=inspectors_hash,
        conflicts=conflicts,
        conflicts_hash=conflicts_hash,
        k=k,
        inspectors_k=inspectors_k,
        seed=seed,
        commitment=drawing.commitment_of(
            seed=seed,
            objects_hash=objects_hash,
            inspectors_hash=inspectors_hash,
            conflicts_hash=conflicts_hash,
        ),
        created_by=actor,  # type: ignore[misc]
    )
    audit_record(
        actor=actor,
        action=AuditAction.DRAW_COMMITTED,
        target=draw,
        after={
            "commitment": draw.commitment,
            "objects": len(keys),
            "inspectors": len(names),
            "k": k,
            "inspectors_k": inspectors_k,
        },
    )
    return draw


class AlreadyDrawn(DomainError):
    code = StandardsError.ALREADY_DRAWN
    status = 409


def draw_problems(draw: Draw) -> list[str]:
    """What does not add up when the commitment is recomputed from the stored lists."""
    problems = []
    if drawing.list_hash(draw.object_list) != draw.objects_hash:
        problems.append(_("检查对象名录与公布的哈希不一致"))
    if drawing.list_hash(draw.inspectors) != draw.inspectors_hash:
        problems.append(_("检查人员名录与公布的哈希不一致"))
    if drawing.conflicts_hash(draw.conflicts) != draw.conflicts_hash:
        problems.append(_("回避关系与公布的哈希不一致"))
    recomputed = drawing.commitment_of(
        seed=draw.seed,
        objects_hash=draw.objects_hash,
        inspectors_hash=draw.inspectors_hash,
        conflicts_hash=draw.conflicts_hash,
    )
    if recomputed != draw.commitment:
        problems.append(_("种子与名录算出的承诺值与公布的不一致"))
    return problems


def draw_run(*, actor: StaffActor, draw_id: int) -> Draw:
    """Reveal the seed and draw. A second run on the same commitment is refused and audited."""
    try:
        return _draw_run(actor=actor, draw_id=draw_id)
    except AlreadyDrawn:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.DRAW_RERUN_REFUSED,
                target_type="standards.draw",
                target_id=draw_id,
                after={"draw": draw_id},
            )
        raise


@transaction.atomic
def _draw_run(*, actor: StaffActor, draw_id: int) -> Draw:
    center_id = require(actor, Perm.INSPECTION_DRAW)
    draw = Draw.objects.select_for_update().filter(pk=draw_id, center_id=center_id).first()
    if draw is None:
        raise not_found(_("抽查"))
    if pipeline.draw_next(draw.status, pipeline.DrawAction.RUN) is None:
        raise AlreadyDrawn(
            _("该承诺值已经抽取过，不能重新抽取；如需再抽，请新建一次抽查并重新公布承诺值。")
        )
    problems = draw_problems(draw)
    if problems:
        raise DomainError("；".join(problems), code=StandardsError.COMMITMENT_MISMATCH)
    selection = drawing.select(
        seed=draw.seed,
        objects=draw.object_list,
        inspectors=draw.inspectors,
        conflicts=draw.conflicts,
        k=draw.k,
        inspectors_k=draw.inspectors_k,
    )
    if selection is None:
        raise DomainError(
            _("回避后可抽取的检查人员不足 %d 人：请扩大检查人员名录后新建抽查。")
            % draw.inspectors_k,
            code=StandardsError.INSPECTOR_MUST_RECUSE,
        )
    draw.selected_objects = selection.objects
    draw.selected_inspectors = selection.inspectors
    draw.status = DrawStatus.DRAWN
    draw.drawn_at = clock.now()
    draw.drawn_by = actor  # type: ignore[assignment]
    draw.save()
    audit_record(
        actor=actor,
        action=AuditAction.DRAW_RUN,
        target=draw,
        after={
            "seed": draw.seed,
            "objects": selection.objects,
            "inspectors": selection.inspectors,
            "passed_over": selection.passed_over,
        },
    )
    return draw


# --- the inspection ----------------------------------------------------------------------------


def _draw_for(actor: StaffActor, draw_id: int, perm: Perm) -> Draw:
    center_id = require(actor, perm)
    draw = Draw.objects.select_for_update().filter(pk=draw_id, center_id=center_id).first()
    if draw is None:
        raise not_found(_("抽查"))
    return draw


def _step(draw: Draw, action: pipeline.DrawAction) -> DrawStatus:
    target = pipeline.draw_next(draw.status, action)
    if target is None:
        raise DomainError(
            _("抽查当前状态为“%s”，不能进行此操作。") % DrawStatus(draw.status).label,
            code=StandardsError.BAD_TRANSITION,
        )
    return target


@transaction.atomic
def finding_record(
    *,
    actor: StaffActor,
    draw_id: int,
    object_key: str,
    checklist: dict[str, bool],
    text: str = "",
    evidence: list[str] | None = None,
    rectify_workdays: int = 0,
    photos: list[bytes] | None = None,
) -> Finding:
    """An inspector drawn for this check records the checklist and findings for one object."""
    draw = _draw_for(actor, draw_id, Perm.INSPECTION_CONDUCT)
    _step(draw, pipeline.DrawAction.RECORD)
    if actor.username not in draw.selected_inspectors:
        raise DomainError(
            _("只有本次抽中的检查人员可以记录检查结果。"),
            code=StandardsError.PERMISSION_DENIED,
            status=403,
        )
    if object_key not in draw.selected_objects:
        raise DomainError(_("该对象不在本次抽中的名单中。"), code=StandardsError.INVALID)
    if object_key in draw.conflicts.get(actor.username, []):
        raise DomainError(
            _("您与该检查对象存在回避关系，不能检查。"), code=StandardsError.INSPECTOR_MUST_RECUSE
        )
    points = dict(pipeline.CHECKLISTS.get(draw.object_type, ()))
    clean_list = {key: bool(checklist.get(key)) for key in points}
    text = text.strip()[:2000]
    links = [str(e).strip()[:300] for e in (evidence or []) if str(e).strip()][:20]
    refuse_personal_data(text + " " + " ".join(links))
    pictures = clean_photos(photos or [])
    if not 0 <= rectify_workdays <= 60:
        raise DomainError(_("整改时限应在 0–60 个工作日之间。"), code=StandardsError.INVALID)
    if text and rectify_workdays == 0:
        raise DomainError(_("发现问题时请给出整改时限。"), code=StandardsError.INVALID)
    failed = [label for key, label in points.items() if not clean_list[key]]
    if failed and not text:
        # a failed point is a finding: it needs a description and a rectification deadline
        raise DomainError(
            _("检查清单“%s”不合格，请写明发现的问题并给出整改时限。") % "、".join(failed),
            code=StandardsError.INVALID,
        )
    finding = Finding.objects.create(
        center_id=draw.center_id,
        draw=draw,
        object_key=object_key,
        checklist=clean_list,
        text=text,
        evidence=links,
        status=FindingStatus.OPEN if text else FindingStatus.CLOSED,
        rectify_workdays=rectify_workdays if text else 0,
        rectify_due=add_workdays(clock.today(), rectify_workdays) if text else None,
        recorded_by=actor,  # type: ignore[misc]
    )
    FindingPhoto.objects.bulk_create(
        FindingPhoto(finding=finding, content_type=kind, content=content, size=len(content))
        for kind, content in pictures
    )
    audit_record(
        actor=actor,
        action=AuditAction.DRAW_FINDING_RECORDED,
        target=finding,
        after={
            "object": object_key,
            "problem": bool(text),
            "due": str(finding.rectify_due),
            "photos": len(pictures),
        },
    )
    return finding


@transaction.atomic
def finding_rectify(*, actor: StaffActor, finding_id: int, note: str) -> Finding:
    center_id = require(actor, Perm.INSPECTION_DRAW)
    finding = Finding.objects.select_for_update().filter(pk=finding_id, center_id=center_id).first()
    if finding is None:
        raise not_found(_("检查发现"))
    target = pipeline.finding_next(finding.status, pipeline.FindingAction.RECTIFY)
    if target is None or not note.strip():
        raise DomainError(
            _("请填写整改情况（仅待整改的问题可提交）。"), code=StandardsError.INVALID
        )
    refuse_personal_data(note)
    finding.status = target
    finding.rectified_note = note.strip()[:2000]
    finding.save(update_fields=["status", "rectified_note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DRAW_FINDING_RECORDED,
        target=finding,
        after={"status": target},
    )
    return finding


@transaction.atomic
def finding_recheck(*, actor: StaffActor, finding_id: int, passed: bool, note: str) -> Finding:
    center_id = require(actor, Perm.INSPECTION_CONDUCT)
    finding = (
        Finding.objects.select_for_update()
        .select_related("draw")
        .filter(pk=finding_id, center_id=center_id)
        .first()
    )
    if finding is None:
        raise not_found(_("检查发现"))
    if actor.username not in finding.draw.selected_inspectors:
        raise DomainError(
            _("只有本次抽中的检查人员可以复查。"), code=StandardsError.PERMISSION_DENIED, status=403
        )
    action = pipeline.FindingAction.RECHECK_OK if passed else pipeline.FindingAction.RECHECK_FAIL
    target = pipeline.finding_next(finding.status, action)
    if target is None:
        raise DomainError(_("只有已整改的问题可以复查。"), code=StandardsError.BAD_TRANSITION)
    refuse_personal_data(note)
    finding.status = target
    finding.recheck_note = note.strip()[:2000]
    finding.save(update_fields=["status", "recheck_note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DRAW_FINDING_RECORDED,
        target=finding,
        after={"status": target},
    )
    return finding


@transaction.atomic
def draw_finish(*, actor: StaffActor, draw_id: int) -> Draw:
    """The inspection ends: the results must be public within N working days (default 20)."""
    draw = _draw_for(actor, draw_id, Perm.INSPECTION_DRAW)
    draw.status = _step(draw, pipeline.DrawAction.FINISH)
    draw.ended_on = clock.today()
    draw.publish_due = add_workdays(
        draw.ended_on, training_settings(draw.center_id).publish_workdays
    )
    draw.save(update_fields=["status", "ended_on", "publish_due", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DRAW_FINISHED,
        target=draw,
        after={"publish_due": draw.publish_due.isoformat()},
    )
    return draw


@transaction.atomic
def draw_publish(*, actor: StaffActor, draw_id: int, summary: str) -> Draw:
    draw = _draw_for(actor, draw_id, Perm.INSPECTION_DRAW)
    draw.status = _step(draw, pipeline.DrawAction.PUBLISH)
    summary = summary.strip()[:4000]
    if not summary:
        raise DomainError(_("请填写检查结果摘要。"), code=StandardsError.INVALID)
    refuse_personal_data(summary)
    draw.summary = summary
    draw.published_at = clock.now()
    draw.save(update_fields=["status", "summary", "published_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.DRAW_PUBLISHED, target=draw, after={})
    return draw


@transaction.atomic
def staff_profile_set(
    *, actor: StaffActor, staff_id: int, team: str, window_code: str, relatives: list[str]
) -> StaffProfile:
    """Recusal data (team, own window, relatives among the staff), kept by the director."""
    center_id = require(actor, Perm.STARS_MANAGE)
    staff = staff_of_center(center_id=center_id).filter(pk=staff_id).first()
    if staff is None:
        raise not_found(_("工作人员"))
    known = set(staff_of_center(center_id=center_id).values_list("username", flat=True))
    names = sorted({r.strip() for r in relatives if r.strip()})
    unknown = [n for n in names if n not in known]
    if unknown:
        raise DomainError(_("没有这些账号：%s") % "、".join(unknown), code=StandardsError.INVALID)
    profile, _created = StaffProfile.objects.update_or_create(
        staff=staff,
        defaults={
            "center_id": center_id,
            "team": team.strip()[:40],
            "window_code": window_code.strip().upper()[:8],
            "relatives": names,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.STAFF_PROFILE_UPDATED,
        target=staff,
        after={"team": profile.team, "window": profile.window_code, "relatives": len(names)},
    )
    return profile
