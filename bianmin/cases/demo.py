"""Demo data: a few hundred cases of history across every stage."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from bianmin.cases import pipeline
from bianmin.cases.enums import (
    CaseEventType,
    CaseStatus,
    ConfirmationStage,
    PickupMethod,
)
from bianmin.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
)
from bianmin.cases.services import case_setting_for, phone_digest
from bianmin.cases.services.mismatch import mismatch_reason
from bianmin.catalogue.enums import Stage
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_name
from bianmin.core.permissions import Role
from bianmin.core.workdays import add_workdays

# --- demo history ----------------------------------------------------------------------------------------


STUCK_SHARE = 0.015  # of the cases past their deadline: ~5 overdue cases on day one
MISMATCH_EVERY = 25  # one registration in 25 has a data mismatch caught at confirmation


def cases_demo_history(*, center: Any, rng: random.Random, days: int = 30, count: int = 400) -> int:
    """A few hundred cases over the last `days` days (before today) across all stages,
    consistent with today: a case whose deadline has passed was finished in time, except a
    realistic handful (`STUCK_SHARE`) still overdue; every step happened before its deadline
    and before now. Bulk inserts; draws only from `rng`."""
    from bianmin.accounts.selectors import staff_list
    from bianmin.catalogue.selectors import item_list
    from bianmin.people.selectors import person_list

    class _Viewer:
        center_id = center.pk

    people = list(person_list(user=_Viewer()).only("pk", "name", "gender", "phone")[:600])
    officers = list(staff_list(user=_Viewer(), role=Role.OFFICER))
    items = [i for i in item_list() if len(i.stages) >= 2]
    if not people or not officers or not items:
        return 0
    setting = case_setting_for(center.pk)
    today = clock.today()
    tz = timezone.get_current_timezone()
    counters: dict[date, int] = dict(
        CaseNumberCounter.objects.filter(center=center).values_list("day", "last")
    )
    cases: list[Case] = []
    plans: list[tuple[Case, list[str], Any, dict[str, datetime]]] = []
    for _i in range(count):
        day = today - timedelta(days=rng.randint(1, days))
        item = rng.choice(items)
        person = rng.choice(people)
        officer = rng.choice(officers)
        counters[day] = counters.get(day, 0) + 1
        number = f"{center.code}-{day:%Y%m%d}-{counters[day]:04d}"
        at = datetime.combine(day, time(8, 40), tzinfo=tz) + timedelta(minutes=rng.randint(0, 480))
        stages = list(item.stages)
        phone = person.phone or ""
        case = Case(
            center=center,
            number=number,
            item=item,
            stages=stages,
            promised_workdays=item.promised_workdays,
            applicant=person,
            applicant_name_masked=mask_name(person.name),
            applicant_gender=person.gender,
            phone_last4_digest=phone_digest(number, phone[-4:]) if phone else "",
            facts={},
            created_by=officer,
            is_urgent=rng.random() < 0.08,
            is_holiday_appointment=rng.random() < 0.04,
            is_standby_24h=rng.random() < 0.03,
        )
        if rng.random() < 0.08:
            case.status = CaseStatus.AWAITING_SUPPLEMENT
            plans.append((case, [], at, {}))
            cases.append(case)
            continue
        try:
            case.deadline = add_workdays(day, item.promised_workdays)
            case.warn_on = add_workdays(
                day, pipeline.warning_workdays(item.promised_workdays, setting.warning_share)
            )
        except DomainError:
            continue
        case.status, case.accepted_at, case.accepted_by = CaseStatus.ACCEPTED, at, officer
        # how far along: a case past its deadline was finished in time, but for a handful
        # stuck somewhere (the overdue list of day one); younger cases anywhere on their way
        past_deadline = case.deadline < today
        if past_deadline:
            stuck = rng.random() < STUCK_SHARE
            reach = rng.randint(1, max(1, len(stages) - 2)) if stuck else len(stages) - 1
        else:
            reach = rng.randint(0, len(stages) - 1)
        path = stages[: reach + 1]
        case.stage = path[-1]
        case.next_stage = pipeline.next_stage(tuple(stages), path[-1]) or ""
        now = timezone.now()
        deadline_end = datetime.combine(case.deadline, time(17, 0), tzinfo=tz)
        limit = min(deadline_end, now) if case.deadline >= day else now
        span = max(limit - at, timedelta(minutes=len(path)))
        fractions = sorted(rng.uniform(0.05, 0.95) for _step in path[1:])
        moments: dict[str, datetime] = {}
        for stage, share in zip(path[1:], fractions, strict=True):
            step_at = min(at + span * share, now)
            moments[stage] = step_at
            if stage == Stage.ARRIVAL:
                case.arrived_at = step_at
            elif stage == Stage.PICKUP:
                case.picked_up_at = step_at
                case.pickup_method = PickupMethod.ID_CARD
            elif stage == Stage.CLOSED:
                case.status, case.closed_at = CaseStatus.CLOSED, step_at
        if case.status == CaseStatus.ACCEPTED and case.deadline and case.deadline < today:
            case.overdue_at = timezone.now()
        if case.status == CaseStatus.ACCEPTED and case.warn_on and case.warn_on <= today:
            case.warned_at = timezone.now()
        plans.append((case, path, at, moments))
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=500)
    for day, last in counters.items():
        CaseNumberCounter.objects.update_or_create(center=center, day=day, defaults={"last": last})
    events: list[CaseEvent] = []
    for index, (case, path, at, moments) in enumerate(plans):
        events.append(
            CaseEvent(case=case, type=CaseEventType.CREATED, actor=case.created_by, created_at=at)
        )
        if index % MISMATCH_EVERY == MISMATCH_EVERY - 1:
            # the applicant caught a typing error at the window (零差错): refused, recorded
            # against the registering officer, then confirmed right (no rng draw: the rest of
            # the demo stays as it was)
            fields = ["姓名"] if index % 2 else ["证件号码"]
            events.append(
                CaseEvent(
                    case=case,
                    type=CaseEventType.CONFIRMATION_MISMATCH,
                    actor=case.created_by,
                    reason=mismatch_reason(ConfirmationStage.WINDOW, fields),
                    data={
                        "stage": ConfirmationStage.WINDOW,
                        "method": "typed",
                        "fields": fields,
                        "checked_by": case.created_by_id,
                    },
                    created_at=at,
                )
            )
        if not path:
            continue
        events.append(
            CaseEvent(
                case=case,
                type=CaseEventType.ACCEPTED,
                actor=case.created_by,
                to_stage=Stage.ACCEPT,
                created_at=at,
            )
        )
        for previous, stage in itertools.pairwise(path):
            when = moments.get(stage) or at
            events.append(
                CaseEvent(
                    case=case,
                    type=CaseEventType.ADVANCED,
                    from_stage=previous,
                    to_stage=stage,
                    created_at=when,
                )
            )
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    return len(cases)
