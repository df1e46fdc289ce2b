"""The kiosk's start screen (tiles), its ticket tile, "call a guide" and the guide desk's list,
and the guide desk's live parts."""

from typing import Any

import pytest
from django.test import Client

from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.hall.models import GuideCall, Ticket
from bianmin.hall.services import guide_call_answer, guide_call_request
from tests.support.races import errors_of, run_concurrently

pytestmark = pytest.mark.django_db


def test_start_screen_lists_the_tiles_and_the_ticket_tile_issues(hall, clock) -> None:
    client = Client()
    page = client.get("/hall/kiosk/TG/").content.decode()
    for href in ("/hall/kiosk/TG/ticket/", "/kiosk/TG/progress/", "/hall/kiosk/TG/items/"):
        assert f'href="{href}"' in page
    assert 'data-voice="欢迎使用自助服务' in page
    assert 'data-idle-seconds="45"' in page
    assert "呼叫导办员" in page
    response = client.post("/hall/kiosk/TG/ticket/", {"items": ["HZ02"], "request_key": "tile-1"})
    assert response.status_code == 302
    assert Ticket.objects.get().channel == "kiosk"


def test_kiosk_guide_is_the_phones_guide(hall) -> None:
    client = Client()
    kiosk = client.get("/hall/kiosk/TG/items/").content.decode()
    phone = client.get("/items/").content.decode()
    assert 'href="/hall/kiosk/TG/items/HZ02/"' in kiosk
    assert 'href="/items/HZ02/"' in phone
    item = client.get("/hall/kiosk/TG/items/HZ02/").content.decode()
    assert "需要带的材料" in item
    assert client.get("/hall/kiosk/TG/items/NOPE/").status_code == 404


def test_call_a_guide_shows_on_the_guide_desk_and_is_answered_once(hall, guide, clock) -> None:
    kiosk = Client()
    answer = kiosk.post("/hall/kiosk/TG/call-guide/", {"kiosk": "3"}).content.decode()
    assert "已通知导办员" in answer
    kiosk.post("/hall/kiosk/TG/call-guide/", {"kiosk": "3"})  # pressed again: the same call
    assert GuideCall.objects.count() == 1
    bad = kiosk.post("/hall/kiosk/TG/call-guide/", {"kiosk": "<script>"}).content.decode()
    assert "自助机编号不正确" in bad

    desk = Client()
    desk.force_login(guide)
    calls = desk.get("/hall/guide/calls/").content.decode()
    assert "3 号自助机" in calls
    assert "3 号自助机" in desk.get("/hall/guide/").content.decode()
    call = GuideCall.objects.get()
    after = desk.post("/hall/guide/calls/", {"call": call.pk}).content.decode()
    assert "3 号自助机" not in after
    call.refresh_from_db()
    assert call.answered_by_id == guide.pk
    # a new press after the answer is a new call
    kiosk.post("/hall/kiosk/TG/call-guide/", {"kiosk": "3"})
    assert GuideCall.objects.filter(answered_at__isnull=True).count() == 1


def test_guide_desk_recent_tickets_refresh_live(hall, guide, clock) -> None:
    desk = Client()
    desk.force_login(guide)
    desk.post("/hall/guide/", {"items": ["HZ02"], "request_key": "g1"})
    recent = desk.get("/hall/guide/calls/?part=recent").content.decode()
    assert 'id="guide-recent"' in recent
    assert "A001" in recent
    page = desk.get("/hall/guide/").content.decode()
    assert 'hx-trigger="every 10s"' in page


def test_call_throttled_per_kiosk(hall, clock, settings) -> None:
    kiosk = Client()
    for _ in range(6):
        kiosk.post("/hall/kiosk/TG/call-guide/", {"kiosk": "2"})
    answer = kiosk.post("/hall/kiosk/TG/call-guide/", {"kiosk": "2"}).content.decode()
    assert "已多次呼叫" in answer


@pytest.mark.django_db(transaction=True)
def test_simultaneous_presses_make_one_call(hall) -> None:
    def press(_i: int) -> Any:
        return guide_call_request(center_id=hall.pk, kiosk="5")

    results = run_concurrently(press, 6)
    assert errors_of(results) == []
    assert GuideCall.objects.filter(kiosk="5").count() == 1


def test_answering_needs_the_guide_permission(hall, make_staff, guide, clock) -> None:
    from bianmin.core.permissions import Role

    back_office = make_staff(Role.BACK_OFFICE)
    call = guide_call_request(center_id=hall.pk, kiosk="1")
    with pytest.raises(PermissionDenied):
        guide_call_answer(actor=back_office, call_id=call.pk)
    with pytest.raises(DomainError):
        guide_call_answer(actor=guide, call_id=call.pk + 999)


def test_kiosk_prompts_as_server_audio_only_for_registered_prompts(hall) -> None:
    client = Client()  # espeak-ng is a run dependency (make run / make test install it)
    assert client.get("/hall/kiosk-voice/nope.wav").status_code == 404
    start = client.get("/hall/kiosk-voice/start.wav")
    assert start.status_code == 200
    assert start["Content-Type"] == "audio/wav"
    assert start.content[:4] == b"RIFF"
    assert client.get("/hall/kiosk-voice/traffic.wav").content[:4] == b"RIFF"
    page = client.get("/hall/kiosk/TG/").content.decode()
    assert 'data-voice-key="start"' in page
    assert 'data-voice-audio="/hall/kiosk-voice/KEY.wav"' in page
