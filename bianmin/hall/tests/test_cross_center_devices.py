"""Two centers and the kiosk's writes of the hall:

* Forms: hall:kiosk_ticket (a ticket at the center named in the URL), hall:kiosk_call_guide
  (a call of that center's kiosk), hall:guide_calls (a guide answers only their center's calls)
"""

import pytest
from django.test import Client

from bianmin.core.permissions import Role
from bianmin.hall.models import GuideCall, Ticket
from bianmin.hall.tests.factories import WindowFactory

pytestmark = pytest.mark.django_db


def test_a_center_b_guide_neither_sees_nor_answers_center_a_calls(
    hall, other_center, make_staff, clock
) -> None:
    Client().post("/hall/kiosk/TG/call-guide/", {"kiosk": "4"})
    call = GuideCall.objects.get()
    assert call.center_id == hall.pk
    b_guide = make_staff(Role.GUIDE, center_=other_center)
    desk = Client()
    desk.force_login(b_guide)
    assert "4 号自助机" not in desk.get("/hall/guide/calls/").content.decode()
    answer = desk.post("/hall/guide/calls/", {"call": call.pk}).content.decode()
    assert "没有找到这个呼叫" in answer
    call.refresh_from_db()
    assert call.answered_at is None
    # center B's kiosk calls land at center B
    Client().post("/hall/kiosk/HY/call-guide/", {"kiosk": "4"})
    assert GuideCall.objects.filter(center=other_center, kiosk="4").count() == 1
    assert "4 号自助机" in desk.get("/hall/guide/calls/").content.decode()


def test_the_ticket_tile_issues_at_the_center_of_its_url(hall, other_center, clock) -> None:
    WindowFactory(center=other_center, code="W01")
    Client().post("/hall/kiosk/HY/ticket/", {"items": ["HZ02"], "request_key": "b-1"})
    assert list(Ticket.objects.values_list("center_id", flat=True)) == [other_center.pk]
