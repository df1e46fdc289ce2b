"""Center-B actors against center-A objects, for every write endpoint of ratings.

Covered, by URL name / API operation:
- ``ratings:rectification`` (callback, resolve, confirm/contest, review)
- ``ratings:callback`` (phone-callback rating), ``ratings:appeal_decide``, ``ratings:mine``
- ``ratings:complaints`` (box / 12345 entry), ``ratings:complaint`` (assign, note, reply, close,
  adopt), ``ratings:upload``, ``ratings:settings``, ``ratings:pads`` (pairing code)
- citizen pages: ``ratings:pad``, ``ratings:pad_rate``, ``ratings:link``,
  ``ratings:position_rate``, ``ratings:kiosk``, ``ratings:kiosk_complaint``,
  ``ratings:complaint_public``
- API ``POST /api/v1/ratings`` (``bianmin_ratings_api_rating_create``) and
  ``POST /api/v1/complaints`` (``bianmin_ratings_api_complaint_create``)
Every refusal leaves center A's rows exactly as they were.
"""

import json
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from bianmin.core.permissions import Role
from bianmin.hall.models import Window
from bianmin.ratings.enums import Channel, ComplaintChannel
from bianmin.ratings.models import (
    Appeal,
    Complaint,
    Rating,
    RatingPad,
    RatingSettings,
    Rectification,
    ServiceEvent,
)
from bianmin.ratings.services import (
    appeal_file,
    complaint_submit,
    pad_code_issue,
    pad_pair,
    rating_submit,
    token_issue,
)


def _rows() -> dict[str, Any]:
    """Center A's rows, field by field."""
    return {
        model.__name__: sorted(
            (
                json.dumps(model_to_dict(row), default=str, sort_keys=True)
                for row in model.objects.filter(center__code="TG")
            ),
        )
        for model in (
            Rating,
            Rectification,
            Appeal,
            Complaint,
            RatingSettings,
            RatingPad,
            ServiceEvent,
        )
    }


@pytest.fixture
def a_side(clock, hall, windows, officer, leader, finish_visit) -> dict[str, Any]:
    event = finish_visit(officer)
    bad = rating_submit(
        token=token_issue(event=event, channel=Channel.PAD), level=1, reasons=["attitude"]
    )
    other = finish_visit(officer)
    appeal = appeal_file(actor=officer, rating_id=bad.rating.pk, reason="误评", evidence="录像")
    complaint = complaint_submit(
        center_id=hall.pk, channel=ComplaintChannel.PHONE_PAGE, category="service", text="A 的诉求"
    )
    RatingSettings.objects.get_or_create(center=hall)
    return {
        "rating": bad.rating,
        "task": bad.rating.rectification,
        "unrated": other,
        "appeal": appeal,
        "complaint": complaint,
        "window": windows[0],
    }


@pytest.fixture
def b_side(other_center, make_staff) -> dict[str, Any]:
    Window.objects.create(center=other_center, code="W01", name="1号窗口")
    return {
        "leader": make_staff(Role.SHIFT_LEADER, username="leader_b", center_=other_center),
        "director": make_staff(Role.DIRECTOR, username="director_b", center_=other_center),
        "officer": make_staff(Role.OFFICER, username="officer_b", center_=other_center),
    }


def test_staff_of_b_cannot_touch_a_s_ratings_work(a_side, b_side, login_client_for):
    before = _rows()
    leader = login_client_for(b_side["leader"])
    director = login_client_for(b_side["director"])
    officer = login_client_for(b_side["officer"])
    task = a_side["task"].pk
    for action, extra in [
        ("callback", {"note": "x"}),
        ("resolve", {"evidence": "x", "result": "y"}),
        ("confirm", {"note": "x"}),
        ("contest", {"note": "x"}),
    ]:
        response = leader.post(
            reverse("ratings:rectification", args=[task]), {"action": action, **extra}
        )
        assert response.status_code == 404  # "没有找到该整改任务"
    review = director.post(
        reverse("ratings:rectification", args=[task]), {"action": "review", "note": "x"}
    )
    assert review.status_code == 404
    assert leader.get(reverse("ratings:rectification", args=[task])).status_code == 404
    callback = leader.post(
        reverse("ratings:callback", args=[a_side["unrated"].pk]),
        {"level": 5, "callback_note": "x"},
    )
    assert callback.status_code == 404
    director.post(
        reverse("ratings:appeal_decide", args=[a_side["appeal"].pk]),
        {"decision": "upheld", "note": "x"},
    )
    officer.post(
        reverse("ratings:mine"), {"rating": a_side["rating"].pk, "reason": "x", "evidence": "y"}
    )
    complaint = a_side["complaint"].pk
    for action, extra in [
        ("assign", {"assignee": b_side["officer"].pk}),
        ("note", {"text": "x"}),
        ("reply", {"text": "x"}),
        ("close", {"satisfaction": "satisfied"}),
    ]:
        response = leader.post(
            reverse("ratings:complaint", args=[complaint]), {"action": action, **extra}
        )
        assert response.status_code == 404
    director.post(
        reverse("ratings:complaint", args=[complaint]), {"action": "adopt", "adopted": "on"}
    )
    assert leader.get(reverse("ratings:complaint", args=[complaint])).status_code == 404
    entered = leader.post(
        reverse("ratings:complaints"),
        {"channel": "box", "category": "other", "text": "B 的意见箱", "request_key": "b1"},
    )
    assert entered.status_code == 302
    director.post(
        reverse("ratings:settings"),
        {
            "rectification_workdays": "9",
            "callback_workdays": "1",
            "complaint_workdays": "5",
            "complaint_complex_workdays": "15",
        },
    )
    director.post(reverse("ratings:upload"), {"month": "2026-12"})
    pads = leader.post(reverse("ratings:pads"), {"window": a_side["window"].pk})
    assert pads.status_code == 400
    assert _rows() == before
    assert Complaint.objects.filter(center__code="HY").count() == 1
    assert RatingSettings.objects.get(center__code="HY").rectification_workdays == 9


def test_a_pad_of_b_cannot_rate_a_s_services(a_side, b_side, other_center, leader):
    _b_pad, code = pad_code_issue(
        actor=b_side["leader"], window_id=Window.objects.get(center=other_center).pk
    )
    _pad, key = pad_pair(center_id=other_center.pk, code=code)
    before = _rows()
    device = Client()
    device.cookies["bianmin_rating_pad"] = key
    # B's pad on A's pages is not a pad there, and on its own pages finds no A service.
    assert "配对码" in device.get(reverse("ratings:pad", args=["TG"])).content.decode()
    assert (
        device.post(
            reverse("ratings:pad_rate", args=["TG"]), {"event": a_side["unrated"].pk, "level": 5}
        ).status_code
        == 403
    )
    refused = device.post(
        reverse("ratings:pad_rate", args=["HY"]), {"event": a_side["unrated"].pk, "level": 5}
    )
    assert "没有找到这次服务" in refused.content.decode()
    # Pairing codes are per center: A's code typed on B's pad page does nothing.
    _a_pad, a_code = pad_code_issue(actor=leader, window_id=a_side["window"].pk)
    before = _rows()
    assert (
        device.post(
            reverse("ratings:pad", args=["HY"]), {"action": "pair", "code": a_code}
        ).status_code
        == 400
    )
    assert _rows() == before


def test_citizen_pages_of_b_cannot_reach_a_s_services(a_side, b_side):
    before = _rows()
    citizen = Client()
    event = a_side["unrated"]
    kiosk_b = citizen.post(reverse("ratings:kiosk", args=["HY"]), {"number": event.number})
    assert kiosk_b.status_code == 400
    # The position page's button and the SMS link are bound to the service, not a center URL:
    # a made-up token or ticket id finds nothing.
    assert citizen.post(reverse("ratings:position_rate", args=["HY-nope"])).status_code == 400
    assert citizen.post(reverse("ratings:link", args=["made-up"]), {"level": 5}).status_code == 400
    citizen.post(
        reverse("ratings:kiosk_complaint", args=["HY"]), {"category": "other", "text": "B 的自助机"}
    )
    citizen.post(
        reverse("ratings:complaint_public", args=["HY"]),
        {"category": "other", "text": "B 的手机页"},
    )
    api = citizen.post(
        "/api/v1/complaints",
        data=json.dumps({"category": "other", "text": "B 的接口", "center": "HY"}),
        content_type="application/json",
    )
    assert api.status_code == 200
    assert _rows() == before
    assert Complaint.objects.filter(center__code="HY").count() == 3


def test_b_staff_cannot_rate_a_s_service_through_the_api(a_side, b_side, api_client_for):
    token = token_issue(event=a_side["unrated"], channel=Channel.SMS)
    before = _rows()
    response = api_client_for(b_side["leader"]).post(
        "/api/v1/ratings",
        data=json.dumps({"token": token, "level": 5}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert _rows() == before
