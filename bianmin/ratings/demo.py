"""Demo data of ratings: a month of ratings of the demo hall's finished visits (about 92 %
satisfied), bad ones rectified on time except three still open (one overdue), and five
complaints in every state. Dates follow the hall's history and today's working days."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from bianmin.accounts.selectors import staff_of_center
from bianmin.core import clock
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Role
from bianmin.core.workdays import add_workdays
from bianmin.hall.selectors import tickets_finished_between
from bianmin.ratings import pipeline
from bianmin.ratings.enums import (
    Channel,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    EventKind,
    NoteKind,
    Reason,
    RectificationStatus,
    Satisfaction,
)
from bianmin.ratings.models import (
    Complaint,
    ComplaintNote,
    Rating,
    RatingSettings,
    Rectification,
    ServiceEvent,
)

#: level → weight: 72 % 非常满意, 20 % 满意 (92 % satisfied), 5 % 基本满意, 3 % 差评
LEVELS = [(5, 72), (4, 20), (3, 5), (2, 2), (1, 1)]
CHANNELS = [(Channel.PAD, 70), (Channel.POSITION, 12), (Channel.SMS, 13), (Channel.KIOSK, 5)]
RATED_SHARE = 0.7
BAD_COMMENTS = [
    "等了很久窗口才叫号。",
    "材料要求前后说得不一样，跑了两趟。",
    "工作人员说话有点不耐烦。",
    "大厅空调太冷。",
    "",
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def ratings_demo_history(*, center: Any, rng: random.Random, days: int = 30) -> dict[str, int]:
    today = clock.today()
    now = clock.now()
    RatingSettings.objects.get_or_create(center=center)
    start = now - timedelta(days=days + 1)
    visits = tickets_finished_between(center_id=center.pk, start=start, end=now)
    events: list[ServiceEvent] = []
    for visit in visits:
        at: datetime = visit["finished_at"]
        events.append(
            ServiceEvent(
                center_id=center.pk,
                kind=EventKind.TICKET,
                reference=visit["id"],
                ticket_id=visit["id"],
                number=visit["number"],
                officer_id=visit["officer_id"],
                window_code=visit["window__code"] or "",
                item_code=visit["item__code"] or "",
                at=at,
                day=clock.local(at).date(),
            )
        )
    ServiceEvent.objects.bulk_create(events, batch_size=1000)
    events = list(ServiceEvent.objects.filter(center_id=center.pk).order_by("at", "pk"))
    rated = [e for e in events if rng.random() < RATED_SHARE]
    # The three rectifications still open: the two latest rated visits and one from about
    # eight working days ago (overdue).
    open_bad: set[int] = set()
    if rated:
        open_bad.update(e.pk for e in rated[-2:])
        # Its deadline (5 working days after the rating) is already past.
        latest = next(
            (
                today - timedelta(days=back)
                for back in range(6, 40)
                if add_workdays(today - timedelta(days=back), 5) < today
            ),
            today - timedelta(days=40),
        )
        older = [e for e in rated if e.day <= latest]
        if older:
            open_bad.add(older[-1].pk)
    ratings: list[Rating] = []
    for event in rated:
        level = 2 if event.pk in open_bad else _pick(rng, LEVELS)
        channel = _pick(rng, CHANNELS)
        delay = timedelta(seconds=rng.randint(15, 90))
        if channel == Channel.SMS:
            delay = timedelta(minutes=rng.randint(20, 600))
        rated_at = min(event.at + delay, now)
        reasons: list[str] = []
        comment = ""
        if level <= 2:
            reasons = rng.sample(list(Reason.values), k=rng.randint(1, 2))
            comment = rng.choice(BAD_COMMENTS)
        ratings.append(
            Rating(
                center_id=center.pk,
                service_event=event,
                level=level,
                reasons=reasons,
                comment=comment,
                channel=channel,
                officer_id=event.officer_id,
                window_code=event.window_code,
                item_code=event.item_code,
                rated_at=rated_at,
                day=clock.local(rated_at).date(),
            )
        )
    Rating.objects.bulk_create(ratings, batch_size=1000)
    leader = staff_of_center(center_id=center.pk, role=Role.SHIFT_LEADER).first()
    tasks: list[Rectification] = []
    for rating in Rating.objects.filter(center_id=center.pk, level__lte=2).select_related(
        "service_event"
    ):
        deadlines = pipeline.rectification_deadlines(rating.day, callback_workdays=1, workdays=5)
        task = Rectification(
            center_id=center.pk,
            rating=rating,
            callback_due=deadlines.callback_due,
            due_on=deadlines.due_on,
            assignee=leader,
        )
        if rating.service_event_id not in open_bad:
            called = rating.rated_at + timedelta(hours=rng.randint(2, 20))
            task.status = RectificationStatus.CLOSED
            task.called_back_at = called
            task.callback_note = "已电话联系群众，了解情况并致歉。"
            task.result = "已在晨会通报，窗口按一次性告知要求重新培训。"
            task.evidence = "晨会记录、培训签到表（值班长办公室存档）。"
            task.resolved_at = called + timedelta(days=1)
            task.citizen_note = "群众表示认可。"
            task.closed_at = called + timedelta(days=2)
        tasks.append(task)
    Rectification.objects.bulk_create(tasks)
    complaints = _complaints(center=center, rng=rng, leader=leader)
    return {"events": len(events), "ratings": len(ratings), "complaints": complaints}


def _complaints(*, center: Any, rng: random.Random, leader: Any) -> int:
    now = clock.now()
    rows = [
        (
            ComplaintChannel.PHONE_PAGE,
            ComplaintCategory.EFFICIENCY,
            "上午排队等了一个多小时，希望高峰期多开窗口。",
            "13800138001",
            ComplaintStatus.CLOSED,
            9,
        ),
        (
            ComplaintChannel.HOTLINE,
            ComplaintCategory.SERVICE,
            "12345转办：群众反映补办户口簿时告知材料不一致。",
            "13800138002",
            ComplaintStatus.ANSWERED,
            4,
        ),
        (
            ComplaintChannel.BOX,
            ComplaintCategory.ENVIRONMENT,
            "大厅饮水机没有热水。",
            "",
            ComplaintStatus.ASSIGNED,
            2,
        ),
        (
            ComplaintChannel.KIOSK,
            ComplaintCategory.OTHER,
            "自助机打印回执纸张不足。",
            "",
            ComplaintStatus.RECEIVED,
            0,
        ),
        (
            ComplaintChannel.PHONE_PAGE,
            ComplaintCategory.SUGGESTION,
            "建议在排队页面显示各窗口正在办理的业务。",
            "13800138005",
            ComplaintStatus.CLOSED,
            12,
        ),
    ]
    for seq, (channel, category, text, phone, status, back) in enumerate(rows, start=1):
        received = now - timedelta(days=back, hours=rng.randint(0, 3))
        day = clock.local(received).date()
        complaint = Complaint.objects.create(
            center=center,
            number=f"TS{day:%Y%m%d}{seq:03d}-{center.pk}",
            channel=channel,
            category=category,
            text=text,
            phone=phone or None,
            phone_masked=mask_phone(phone) if phone else "",
            hotline_reference="12345-2026-0815" if channel == ComplaintChannel.HOTLINE else "",
            status=status,
            due_on=pipeline.complaint_due(day, workdays=5),
            assignee=leader if status != ComplaintStatus.RECEIVED else None,
            entered_by=leader
            if channel in {ComplaintChannel.BOX, ComplaintChannel.HOTLINE}
            else None,
            received_at=received,
        )
        if status in {ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED}:
            answered = received + timedelta(days=1)
            ComplaintNote.objects.create(
                complaint=complaint,
                kind=NoteKind.NOTE,
                author=leader,
                text="已核实情况。",
                created_at=answered - timedelta(hours=3),
            )
            ComplaintNote.objects.create(
                complaint=complaint,
                kind=NoteKind.REPLY,
                author=leader,
                text="感谢您的反映，我们已安排整改。",
                created_at=answered,
            )
            complaint.answered_at = answered
        if status == ComplaintStatus.CLOSED:
            complaint.closed_at = received + timedelta(days=2)
            complaint.satisfaction = Satisfaction.SATISFIED
            complaint.callback_note = "电话回访，群众满意。"
        if category == ComplaintCategory.SUGGESTION:
            complaint.is_adopted = complaint.is_published = True
        complaint.save()
    return len(rows)
