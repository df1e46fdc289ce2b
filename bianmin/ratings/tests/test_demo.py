"""The demo month: ratings of the hall's own finished visits, about 92 % satisfied, three open
rectifications of which one is overdue, five complaints."""

import random
from datetime import datetime

import time_machine

from bianmin.core.permissions import Role
from bianmin.hall.demo import hall_demo_history
from bianmin.hall.models import Ticket
from bianmin.ratings.demo import ratings_demo_history
from bianmin.ratings.enums import OPEN_RECTIFICATION
from bianmin.ratings.models import Complaint, Rating, Rectification, ServiceEvent
from bianmin.ratings.selectors import rectification_alerts
from bianmin.ratings.tests.conftest import SHANGHAI

TODAY = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


def test_the_demo_month(center, windows, catalogue, make_staff, login_client_for):
    for i in range(6):
        make_staff(Role.OFFICER, username=f"officer{i + 1:02d}")
    leader = make_staff(Role.SHIFT_LEADER, username="leader01")
    director = make_staff(Role.DIRECTOR, username="director01")
    with time_machine.travel(TODAY, tick=False):
        rng = random.Random(3)
        hall_demo_history(center=center, rng=rng, days=30)
        summary = ratings_demo_history(center=center, rng=rng, days=30)
        alerts = rectification_alerts(center_id=center.pk)
    finished = Ticket.objects.filter(center=center, status="finished").count()
    assert summary["events"] == ServiceEvent.objects.count() == finished > 0
    ratings = list(Rating.objects.all())
    assert 0.6 * finished < len(ratings) < 0.8 * finished
    satisfied = sum(1 for r in ratings if r.level >= 4) / len(ratings)
    assert 0.88 <= satisfied <= 0.96
    # Every rating is of a real visit: same officer and window as the ticket, rated after it.
    tickets = {t.pk: t for t in Ticket.objects.select_related("window")}
    for rating in ratings[:200]:
        ticket = tickets[rating.service_event.reference]
        assert rating.officer_id == ticket.officer_id
        assert rating.window_code == ticket.window.code
        assert rating.rated_at >= ticket.finished_at
        assert rating.rated_at <= TODAY
    open_tasks = Rectification.objects.filter(status__in=OPEN_RECTIFICATION)
    assert open_tasks.count() == 3
    assert len(alerts["overdue"]) == 1
    assert Rectification.objects.count() == sum(1 for r in ratings if r.level <= 2)
    assert Complaint.objects.count() == 5
    assert len(set(Complaint.objects.values_list("status", flat=True))) == 4
    # The month's screens render with a month of data.
    with time_machine.travel(TODAY, tick=False):
        boss = login_client_for(director)
        figures = boss.get("/ratings/figures/?month=2026-11")
        assert figures.status_code == 200
        assert "rating-days" in figures.content.decode()
        assert login_client_for(leader).get("/ratings/board/").status_code == 200
        assert boss.get("/ratings/public/TG/?month=2026-11").status_code == 200
