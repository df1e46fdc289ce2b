"""差评整改 and 申诉: the shift leader's callback and fix, the citizen's confirmation or 复核
(decided by the director), and the officer's appeal (decided by the director only). A rating
is never deleted: an upheld appeal only marks it revoked."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError, PermissionDenied
from bianmin.core.permissions import Perm
from bianmin.ratings import pipeline
from bianmin.ratings.enums import AppealStatus, RectificationStatus
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import Appeal, Rating, RatingToken, Rectification
from bianmin.ratings.pipeline import Step
from bianmin.ratings.services.common import digest, not_found, refused, require

#: How long the citizen's own link still shows the rectification and takes their answer.
FOLLOW_UP_DAYS = 30

_MANAGE = _("只有值班长或主任可以办理差评整改。")


def _load(center_id: int, rectification_id: int) -> Rectification:
    found = (
        Rectification.objects.select_for_update()
        .filter(pk=rectification_id, center_id=center_id)
        .first()
    )
    if found is None:
        raise not_found(_("没有找到该整改任务"))
    return found


def _text(value: str, what: str, *, limit: int = 2000) -> str:
    try:
        return pipeline.clean_text(value, limit=limit, what=what, required=True)
    except pipeline.Refused as exc:
        raise refused(exc) from None


def _step(actor: StaffActor | None, task: Rectification, step: Step, **after: object) -> None:
    before = task.status
    try:
        task.status = pipeline.rectification_next(task.status, step)
    except pipeline.Refused as exc:
        raise Conflict(str(exc), code=RatingError.BAD_TRANSITION) from None
    if task.status in {RectificationStatus.CLOSED, RectificationStatus.REVOKED}:
        task.closed_at = clock.now()
    task.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECTIFICATION_STEP,
        target=task,
        center_id=task.center_id,
        before={"status": before},
        after={"status": task.status, "step": str(step), **after},
    )


def rectification_callback(*, actor: StaffActor, rectification_id: int, note: str) -> Rectification:
    """回访: the shift leader called the citizen (due within 1 working day); takes the task."""
    center_id = require(actor, Perm.RATING_MANAGE, _MANAGE)
    note = _text(note, "回访记录")
    with transaction.atomic():
        task = _load(center_id, rectification_id)
        task.called_back_at = clock.now()
        task.callback_note = note
        task.assignee_id = task.assignee_id or actor.pk
        _step(actor, task, Step.CALLBACK)
    return task


def rectification_resolve(
    *, actor: StaffActor, rectification_id: int, evidence: str, result: str
) -> Rectification:
    """整改完成: what was done (result) and what proves it (evidence)."""
    center_id = require(actor, Perm.RATING_MANAGE, _MANAGE)
    evidence = _text(evidence, "整改佐证")
    result = _text(result, "整改结果")
    with transaction.atomic():
        task = _load(center_id, rectification_id)
        task.evidence, task.result = evidence, result
        task.resolved_at = clock.now()
        task.assignee_id = task.assignee_id or actor.pk
        _step(actor, task, Step.RESOLVE)
    return task


def rectification_citizen_answer(
    *, actor: StaffActor, rectification_id: int, accepts: bool, note: str
) -> Rectification:
    """The citizen's answer to the outcome, recorded from the callback: accepted closes the
    task; contested (复核) sends it to the director."""
    center_id = require(actor, Perm.RATING_MANAGE, _MANAGE)
    note = _text(note, "群众意见", limit=1000)
    with transaction.atomic():
        task = _load(center_id, rectification_id)
        task.citizen_note = note
        _step(actor, task, Step.CONFIRM if accepts else Step.CONTEST, accepts=accepts)
    return task


def rectification_for_token(*, token: str) -> Rectification | None:
    """The rectification of the rating given with this (used) token, for the citizen's own
    link: they see the result and confirm or contest it there."""
    secret = str(token or "").strip()
    if not secret or len(secret) > 64:
        return None
    row = RatingToken.objects.filter(digest=digest(secret), used_at__isnull=False).first()
    if row is None or row.used_at is None:
        return None
    if row.used_at < clock.now() - timedelta(days=FOLLOW_UP_DAYS):
        return None
    return (
        Rectification.objects.select_related("rating")
        .filter(rating__service_event_id=row.service_event_id)
        .first()
    )


def rectification_citizen_reply(*, token: str, accepts: bool, note: str = "") -> Rectification:
    """The citizen, on the link they rated with, accepts the outcome (closes the task) or
    contests it (复核: to the director). No staff actor: audited as the public."""
    try:
        note = pipeline.clean_text(note, limit=500, what="意见")
    except pipeline.Refused as exc:
        raise refused(exc) from None
    found = rectification_for_token(token=token)
    if found is None:
        raise not_found(_("没有找到需要您确认的整改"))
    with transaction.atomic():
        task = _load(found.center_id, found.pk)
        task.citizen_note = note or (_("群众在线认可") if accepts else _("群众在线申请复核"))
        _step(None, task, Step.CONFIRM if accepts else Step.CONTEST, accepts=accepts, online=True)
    return task


def rectification_review(*, actor: StaffActor, rectification_id: int, note: str) -> Rectification:
    """复核: the director's decision on a contested outcome closes the task."""
    center_id = require(actor, Perm.RATING_DECIDE, _("只有中心主任可以复核。"))
    note = _text(note, "复核意见", limit=1000)
    with transaction.atomic():
        task = _load(center_id, rectification_id)
        task.review_note = note
        task.reviewed_by_id = actor.pk
        _step(actor, task, Step.REVIEW)
    return task


def appeal_file(*, actor: StaffActor, rating_id: int, reason: str, evidence: str) -> Appeal:
    """申诉: the officer named by a bad rating contests it, with evidence."""
    center_id = require(actor, Perm.RATING_APPEAL, _("您没有提出申诉的权限。"))
    reason = _text(reason, "申诉理由", limit=1000)
    try:
        evidence = pipeline.clean_text(evidence, limit=2000, what="佐证材料", required=True)
    except pipeline.Refused as exc:
        raise DomainError(str(exc), code=RatingError.EVIDENCE_REQUIRED) from None
    with transaction.atomic():
        rating = (
            Rating.objects.select_for_update().filter(pk=rating_id, center_id=center_id).first()
        )
        if rating is None:
            raise not_found(_("没有找到该评价"))
        if rating.officer_id != actor.pk:
            raise PermissionDenied(
                _("只能对本人经办服务的评价提出申诉。"), code=RatingError.PERMISSION_DENIED
            )
        if not rating.is_bad or rating.is_revoked:
            raise Conflict(_("只有未撤销的差评可以申诉。"), code=RatingError.BAD_TRANSITION)
        if Appeal.objects.filter(rating=rating, status=AppealStatus.PENDING).exists():
            raise Conflict(_("该评价已有待裁定的申诉。"), code=RatingError.APPEAL_EXISTS)
        appeal = Appeal.objects.create(
            center_id=center_id,
            rating=rating,
            officer_id=actor.pk,
            reason=reason,
            evidence=evidence,
        )
        audit_record(
            actor=actor,
            action=AuditAction.RATING_APPEAL_FILED,
            target=appeal,
            center_id=center_id,
            after={"rating": rating.pk},
        )
    return appeal


def appeal_decide(*, actor: StaffActor, appeal_id: int, upheld: bool, note: str) -> Appeal:
    """Only the director decides. Upheld: the rating stays, marked revoked (it no longer
    counts against the officer) and its open rectification ends."""
    center_id = require(actor, Perm.RATING_DECIDE, _("只有中心主任可以裁定申诉。"))
    note = _text(note, "裁定意见", limit=1000)
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update()
            .select_related("rating")
            .filter(pk=appeal_id, center_id=center_id)
            .first()
        )
        if appeal is None:
            raise not_found(_("没有找到该申诉"))
        if appeal.status != AppealStatus.PENDING:
            raise Conflict(_("该申诉已裁定。"), code=RatingError.BAD_TRANSITION)
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decided_by_id = actor.pk
        appeal.decided_at = clock.now()
        appeal.decision_note = note
        appeal.save()
        if upheld:
            Rating.objects.filter(pk=appeal.rating_id).update(is_revoked=True)
            task = (
                Rectification.objects.select_for_update().filter(rating_id=appeal.rating_id).first()
            )
            if task is not None and task.status in pipeline.RECTIFICATION[Step.REVOKE][0]:
                _step(actor, task, Step.REVOKE, appeal=appeal.pk)
        audit_record(
            actor=actor,
            action=AuditAction.RATING_APPEAL_DECIDED,
            target=appeal,
            center_id=center_id,
            after={"rating": appeal.rating_id, "upheld": upheld},
        )
    return appeal
