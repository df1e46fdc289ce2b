"""Pages: the pad paired as its own device session, the SMS link, the position page's button,
the kiosk tiles, the staff screens (and the officer's screens have no rating buttons)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from bianmin.core.navigation import kiosk_tiles
from bianmin.core.permissions import Role
from bianmin.ratings.enums import Channel
from bianmin.ratings.models import Complaint, Rating, RatingPad, Rectification
from bianmin.ratings.services import rating_submit, token_issue


def _pair(login_client_for, pairing_staff, window) -> Client:
    staff_client = login_client_for(pairing_staff)
    page = staff_client.post(reverse("ratings:pads"), {"window": window.pk})
    assert page.status_code == 200
    code = re.search(r'data-testid="pad-code">(\d{6})<', page.content.decode()).group(1)
    pad = Client()
    paired = pad.post(reverse("ratings:pad", args=["TG"]), {"action": "pair", "code": code})
    assert paired.status_code == 302
    return pad


def test_the_pad_shows_the_faces_after_finish_and_rates_once(
    clock, hall, windows, leader, officer, finish_visit, login_client_for
):
    pad = _pair(login_client_for, leader, windows[0])
    idle = pad.get(reverse("ratings:pad_state", args=["TG"])).content.decode()
    assert 'data-testid="pad-idle"' in idle
    event = finish_visit(officer, window="W01")
    state = pad.get(reverse("ratings:pad_state", args=["TG"])).content.decode()
    assert 'data-testid="face-5"' in state
    assert f'value="{event.pk}"' in state
    # A bad face first asks for the reasons (nothing written yet) …
    step = pad.post(reverse("ratings:pad_rate", args=["TG"]), {"event": event.pk, "level": 2})
    assert "哪里不满意" in step.content.decode()
    assert Rating.objects.count() == 0
    # … then the rating names the officer and the window, channel 评价器.
    done = pad.post(
        reverse("ratings:pad_rate", args=["TG"]),
        {"event": event.pk, "level": 2, "reasons": ["efficiency"], "confirm": "1"},
    )
    assert 'data-testid="rating-thanks"' in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.officer_id, rating.window_code) == (
        Channel.PAD,
        officer.pk,
        "W01",
    )
    assert Rectification.objects.filter(rating=rating).exists()
    again = pad.get(reverse("ratings:pad_state", args=["TG"])).content.decode()
    assert 'data-testid="pad-idle"' in again


def test_a_pad_of_another_window_cannot_rate_this_windows_service(
    clock, hall, windows, leader, officer, finish_visit, login_client_for
):
    pad = _pair(login_client_for, leader, windows[1])
    event = finish_visit(officer, window="W01")
    response = pad.post(reverse("ratings:pad_rate", args=["TG"]), {"event": event.pk, "level": 5})
    assert "没有找到这次服务" in response.content.decode()
    assert Rating.objects.count() == 0


def test_a_browser_with_a_staff_session_can_neither_pair_nor_rate(
    clock, hall, windows, leader, officer, finish_visit, login_client_for
):
    pad = _pair(login_client_for, leader, windows[0])
    event = finish_visit(officer, window="W01")
    staff = login_client_for(officer)
    staff.cookies["bianmin_rating_pad"] = pad.cookies["bianmin_rating_pad"].value
    assert staff.get(reverse("ratings:pad", args=["TG"])).status_code == 403
    rated = staff.post(reverse("ratings:pad_rate", args=["TG"]), {"event": event.pk, "level": 5})
    assert rated.status_code == 403
    assert Rating.objects.count() == 0


def test_an_officer_pairs_only_the_window_they_signed_in_at(
    clock, hall, windows, officer, finish_visit, login_client_for
):
    finish_visit(officer, window="W01")  # signs the officer in at W01
    client = login_client_for(officer)
    refused = client.post(reverse("ratings:pads"), {"window": windows[1].pk})
    assert refused.status_code == 400
    assert client.post(reverse("ratings:pads"), {"window": windows[0].pk}).status_code == 200
    assert RatingPad.objects.get().window_id == windows[0].pk


def test_a_wrong_or_expired_pairing_code_is_refused(clock, hall, windows, leader, login_client_for):
    login_client_for(leader).post(reverse("ratings:pads"), {"window": windows[0].pk})
    pad = Client()
    wrong = pad.post(reverse("ratings:pad", args=["TG"]), {"action": "pair", "code": "12345x"})
    assert wrong.status_code == 400
    assert "bianmin_rating_pad" not in pad.cookies


def test_the_officers_workspace_has_no_rating_buttons(
    clock, hall, officer, finish_visit, login_client_for
):
    finish_visit(officer)
    page = login_client_for(officer).get(reverse("hall:workspace")).content.decode()
    assert "face-" not in page
    assert "pad_rate" not in page
    assert "/r/" not in page


def test_the_position_page_offers_the_rating_after_finish(clock, hall, officer, finish_visit):
    event = finish_visit(officer)
    citizen = Client()
    page = citizen.get(reverse("hall:position", args=[event.ticket_id])).content.decode()
    assert 'data-testid="rating-invite"' in page
    opened = citizen.post(reverse("ratings:position_rate", args=[event.ticket_id]))
    assert opened.status_code == 302
    assert opened["Location"].startswith("/r/")
    form = citizen.get(opened["Location"]).content.decode()
    assert 'data-testid="face-1"' in form
    done = citizen.post(opened["Location"], {"level": 5})
    assert 'data-testid="rating-thanks"' in done.content.decode()
    assert Rating.objects.get().channel == Channel.POSITION
    page = citizen.get(reverse("hall:position", args=[event.ticket_id])).content.decode()
    assert "已评价" in page


def test_the_sms_link_refuses_reuse_with_a_message(visit):
    token = token_issue(event=visit, channel=Channel.SMS)
    rating_submit(token=token, level=5)
    response = Client().post(reverse("ratings:link", args=[token]), {"level": 4})
    assert response.status_code == 409
    assert "已经评价过了" in response.content.decode()
    assert Rating.objects.get().level == 5


def test_kiosk_tiles_and_kiosk_rating(clock, hall, officer, finish_visit):
    keys = {tile["key"] for tile in kiosk_tiles("TG")}
    assert {"rating", "complaint"} <= keys
    event = finish_visit(officer)
    kiosk = Client()
    faces = kiosk.post(reverse("ratings:kiosk", args=["TG"]), {"number": event.number.lower()})
    token = re.search(r'name="token" value="([^"]+)"', faces.content.decode()).group(1)
    done = kiosk.post(reverse("ratings:kiosk", args=["TG"]), {"token": token, "level": 4})
    assert 'data-testid="rating-thanks"' in done.content.decode()
    assert Rating.objects.get().channel == Channel.KIOSK
    unknown = kiosk.post(reverse("ratings:kiosk", args=["TG"]), {"number": "Z999"})
    assert unknown.status_code == 400


def test_complaint_pages_phone_and_kiosk(clock, hall):
    for name in ("ratings:complaint_public", "ratings:kiosk_complaint"):
        response = Client().post(
            reverse(name, args=["TG"]),
            {"category": "environment", "text": "座椅不够", "request_key": f"k-{name}"},
        )
        assert 'data-testid="complaint-number"' in response.content.decode()
    assert set(Complaint.objects.values_list("channel", flat=True)) == {"phone_page", "kiosk"}


def test_the_shift_leaders_home_shows_the_overdue_panel(
    clock, hall, leader, visit, login_client_for
):
    rating_submit(token=token_issue(event=visit, channel=Channel.PAD), level=1, reasons=["other"])
    page = login_client_for(leader).get(reverse("accounts:home")).content.decode()
    assert 'data-testid="rating-alerts"' in page


@pytest.mark.parametrize(
    "name",
    ["ratings:board", "ratings:complaints", "ratings:figures", "ratings:pads", "ratings:export"],
)
def test_staff_screens_render_for_the_director_and_refuse_the_guide(
    clock, hall, director, make_staff, login_client_for, visit, name
):
    rating_submit(token=token_issue(event=visit, channel=Channel.PAD), level=1, reasons=["other"])
    if name == "ratings:pads":
        director = make_staff(Role.SHIFT_LEADER, username="leader_p")
    assert login_client_for(director).get(reverse(name)).status_code == 200
    guide = make_staff(Role.GUIDE, username="guide_x")
    assert login_client_for(guide).get(reverse(name)).status_code == 403


def test_export_has_the_platforms_columns_in_csv_and_excel(
    clock, hall, director, visit, login_client_for
):
    rating_submit(token=token_issue(event=visit, channel=Channel.PAD), level=4)
    client = login_client_for(director)
    csv_text = client.get(reverse("ratings:export") + "?month=2026-12").content.decode("utf-8-sig")
    header, row = csv_text.strip().splitlines()
    assert header.startswith("服务机构代码,服务事项编号")
    assert ",4," in row
    assert ",pad," in row
    xlsx = client.get(reverse("ratings:export") + "?month=2026-12&format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_the_public_page_needs_no_sign_in(clock, hall, visit):
    rating_submit(token=token_issue(event=visit, channel=Channel.PAD), level=5)
    page = Client().get(reverse("ratings:public", args=["TG"]) + "?month=2026-12")
    assert page.status_code == 200
    assert "W01号窗口" in page.content.decode()


def test_the_reasons_step_sent_without_a_reason_says_so(visit):
    token = token_issue(event=visit, channel=Channel.SMS)
    citizen = Client()
    step = citizen.post(reverse("ratings:link", args=[token]), {"level": 1})
    assert step.status_code == 200
    assert 'name="confirm"' in step.content.decode()
    refused = citizen.post(reverse("ratings:link", args=[token]), {"level": 1, "confirm": "1"})
    assert refused.status_code == 400
    assert "请选择不满意的原因" in refused.content.decode()
    assert Rating.objects.count() == 0
