"""Every role lands on its work screen; the officer's workspace shows the window, the parked
tickets with their case numbers and today's takings of the officer's own drawer."""

import pytest
from django.test import Client

from bianmin.cases import services as case_services
from bianmin.core.navigation import landing_for
from bianmin.core.permissions import Role
from bianmin.hall.services import ticket_call_next, ticket_park, window_sign_in
from tests.support.case_builders import applicant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.OFFICER, "/hall/workspace/"),
        (Role.BACK_OFFICE, "/cases/queue/"),
        (Role.SHIFT_LEADER, "/hall/board/"),
        (Role.GUIDE, "/hall/guide/"),
        (Role.DIRECTOR, None),  # the cockpit: the home page with the director's panels
    ],
)
def test_each_role_lands_on_its_work_screen(hall, make_staff, role, landing) -> None:
    assert landing_for(make_staff(role)) == landing


def test_the_home_page_tile_menu_stays_reachable(hall, officer) -> None:
    client = Client()
    client.force_login(officer)
    home = client.get("/").content.decode()
    assert 'href="/hall/workspace/"' in home
    assert 'href="/cases/window/"' in home


def test_workspace_shows_parked_case_numbers_and_my_takings(hall, officer, issue, clock) -> None:
    window_sign_in(actor=officer, window_code="W01")
    issue("HZ02")
    ticket = ticket_call_next(actor=officer, window_code="W01")
    case = case_services.case_create(
        actor=officer, item_code="HZ02", applicant=applicant(), ticket_id=ticket.pk
    )
    ticket_park(actor=officer, ticket_id=ticket.pk)
    client = Client()
    client.force_login(officer)
    page = client.get("/hall/workspace/").content.decode()
    assert f"/cases/window/ticket-case/?ticket={ticket.pk}" in page
    assert "/fees/drawer/summary/" in page
    fragment = client.get(f"/cases/window/ticket-case/?ticket={ticket.pk}").content.decode()
    assert case.number in fragment
    takings = client.get("/fees/drawer/summary/").content.decode()
    assert "我的钱箱" in takings
    assert "收费 <strong>0</strong> 笔" in takings
