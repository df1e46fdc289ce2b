"""Lost reports (寻物登记) from the public page and their matching against found items.

Candidates are ranked by `pipeline.match_score` and seen only by staff; a reporter learns of a
match only when an officer confirms it (one SMS per confirmed match).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Perm
from bianmin.core.validators import is_mobile
from bianmin.lost_found import pipeline, wording
from bianmin.lost_found.enums import FoundCategory, LostReportStatus, MatchStatus
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import FoundItem, FoundItemToken, LostReport, Match
from bianmin.lost_found.segment import tokens
from bianmin.lost_found.services.common import create_numbered, need
from bianmin.notifications.services import sms_enqueue

logger = logging.getLogger(__name__)
CANDIDATES_KEPT = 10


def _clean_phone(phone: str) -> str:
    phone = "".join(ch for ch in (phone or "") if ch.isdigit())
    if phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not is_mobile(phone):
        raise DomainError(
            _("请填写11位手机号码，例如 13912345678。"), code=LostFoundError.INVALID_PHONE
        )
    return phone


def lost_report_create(
    *,
    center_id: int,
    category: str,
    description: str,
    lost_on: dt.date | None,
    place: str,
    phone: str,
) -> LostReport:
    """A citizen reports a lost item (public, throttled by the caller). The answer is only the
    report number, whatever is or is not in storage."""
    if category not in FoundCategory.values:
        raise DomainError(
            _("物品类别不正确，请从列表中选择。"), code=LostFoundError.INVALID_CATEGORY
        )
    description = (description or "").strip()
    if not description:
        raise DomainError(_("请填写物品描述。"), code=LostFoundError.DESCRIPTION_EMPTY)
    place = (place or "").strip()
    if not place:
        raise DomainError(_("请填写大致的遗失地点。"), code=LostFoundError.PLACE_EMPTY)
    today = clock.today()
    if lost_on is None:
        raise DomainError(_("请填写遗失日期。"), code=LostFoundError.INVALID_DATE)
    if lost_on > today:
        raise DomainError(_("遗失日期不能晚于今天。"), code=LostFoundError.FOUND_IN_FUTURE)
    if lost_on < today - dt.timedelta(days=366):
        raise DomainError(_("遗失日期不能早于一年前。"), code=LostFoundError.INVALID_DATE)
    phone = _clean_phone(phone)
    with transaction.atomic():
        report = create_numbered(
            LostReport,
            prefix="XW",
            center_id=center_id,
            category=category,
            description=description[:500],
            lost_on=lost_on,
            place=place[:200],
            phone=phone,
            phone_masked=mask_phone(phone),
            tokens=list(tokens(f"{description} {place}")),
        )
        audit_record(
            actor=None,
            action=AuditAction.LOST_REPORT_CREATED,
            target=report,
            center_id=center_id,
            after={"number": report.number, "category": category, "phone": report.phone_masked},
        )
        match_report_against_items(report)
    return report


def _keep(center_id: int, pairs: list[tuple[float, int, int]]) -> int:
    """Create the candidate rows (item, report, score) not yet recorded; returns how many."""
    existing = set(
        Match.objects.filter(
            found_item_id__in=[p[1] for p in pairs], lost_report_id__in=[p[2] for p in pairs]
        ).values_list("found_item_id", "lost_report_id")
    )
    rows = [
        Match(center_id=center_id, found_item_id=item_id, lost_report_id=report_id, score=score)
        for score, item_id, report_id in pairs
        if (item_id, report_id) not in existing
    ]
    Match.objects.bulk_create(rows)
    return len(rows)


def match_report_against_items(report: LostReport) -> int:
    """Rank open items of the same center and category found around the loss date."""
    words = list(report.tokens)
    window = (
        report.lost_on - dt.timedelta(days=1),
        report.lost_on + dt.timedelta(days=pipeline.MATCH_WINDOW_DAYS),
    )
    hits: dict[int, list[str]] = defaultdict(list)
    if words:
        for item_id, word in FoundItemToken.objects.filter(
            token__in=words,
            center_id=report.center_id,
            category=report.category,
            found_on__range=window,
        ).values_list("item_id", "token"):
            hits[item_id].append(word)
    items = FoundItem.objects.filter(
        pk__in=list(hits), status__in=pipeline.OPEN_STATUSES
    ).values_list("pk", "found_on", "place")
    scored = []
    for pk, found_on, place in items:
        score = pipeline.match_score(
            report_tokens=words,
            report_category=report.category,
            lost_on=report.lost_on,
            report_place=report.place,
            item_tokens=hits[pk],
            item_category=report.category,
            found_on=found_on,
            item_place=place,
        )
        if score >= pipeline.MATCH_MIN_SCORE:
            scored.append((score, pk, report.pk))
    scored.sort(reverse=True)
    return _keep(report.center_id, scored[:CANDIDATES_KEPT])


def match_item_against_reports(item: FoundItem) -> int:
    """A new find is compared with the open lost reports of its center and category."""
    reports = LostReport.objects.filter(
        center_id=item.center_id,
        category=item.category,
        status=LostReportStatus.OPEN,
        lost_on__range=(
            item.found_on - dt.timedelta(days=pipeline.MATCH_WINDOW_DAYS),
            item.found_on + dt.timedelta(days=1),
        ),
    ).values_list("pk", "tokens", "lost_on", "place")
    item_words = list(FoundItemToken.objects.filter(item=item).values_list("token", flat=True))
    scored = []
    for pk, words, lost_on, place in reports:
        score = pipeline.match_score(
            report_tokens=words,
            report_category=item.category,
            lost_on=lost_on,
            report_place=place,
            item_tokens=item_words,
            item_category=item.category,
            found_on=item.found_on,
            item_place=item.place,
        )
        if score >= pipeline.MATCH_MIN_SCORE:
            scored.append((score, item.pk, pk))
    scored.sort(reverse=True)
    return _keep(item.center_id, scored[:CANDIDATES_KEPT])


def match_decide(*, actor: StaffActor, match_id: int, confirm: bool) -> Match:
    """Confirm (the reporter gets one SMS) or rule out a candidate."""
    need(actor, Perm.FOUND_ITEM_MANAGE)
    with transaction.atomic():
        match = (
            Match.objects.select_for_update()
            .select_related("lost_report", "found_item")
            .filter(pk=match_id, center_id=home_center_id(actor))
            .first()
        )
        if match is None:
            raise NotFound(_("没有找到该匹配。"), code=LostFoundError.NOT_FOUND)
        if match.status != MatchStatus.CANDIDATE:
            raise DomainError(
                _("该匹配已处理。"), code=LostFoundError.INVALID_TRANSITION, status=409
            )
        match.status = MatchStatus.CONFIRMED if confirm else MatchStatus.REJECTED
        match.decided_by_id = actor.pk
        match.decided_at = clock.now()
        match.save()
        report = match.lost_report
        if confirm:
            report.status = LostReportStatus.MATCHED
            report.save(update_fields=["status", "updated_at"])
            _notify_reporter(match, actor=actor)
        audit_record(
            actor=actor,
            action=AuditAction.LOST_MATCH_DECIDED,
            target=match,
            after={
                "confirmed": confirm,
                "item": match.found_item.number,
                "report": report.number,
            },
        )
    return match


def _notify_reporter(match: Match, *, actor: StaffActor) -> None:
    report = match.lost_report
    try:
        sms_enqueue(
            center_id=report.center_id,
            template_code=wording.LOST_MATCH_CONFIRMED,
            phone=report.phone or "",
            params={"case_number": report.number, "center": match.found_item.center.name},
            dedupe_key=f"lost_match:{match.pk}:{wording.LOST_MATCH_CONFIRMED}",
            actor=actor,
        )
    except DomainError as exc:
        logger.warning("match sms not queued for match %s: %s", match.pk, exc.code)


def lost_reports_expire() -> int:
    """Close open reports older than the one-year claim period (idempotent; the nightly task)."""
    cutoff = clock.today() - dt.timedelta(days=366)
    return LostReport.objects.filter(
        status__in=[LostReportStatus.OPEN, LostReportStatus.MATCHED], lost_on__lt=cutoff
    ).update(status=LostReportStatus.CLOSED)
