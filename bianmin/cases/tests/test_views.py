"""The HTML layer: the window panel flow (htmx), queue, arrival, boards, progress page."""

from datetime import date

import pytest

from bianmin.cases import services
from bianmin.cases.models import Case, Inquiry
from bianmin.cases.tests.conftest import at
from bianmin.core.permissions import Role
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def act(client, action, **data):
    return client.post(f"/cases/window/{action}/", data, **HX)


def test_window_flow_notice_then_acceptance(pinned, setup, officer, login_client_for):
    client = login_client_for(officer)
    page = client.get("/cases/window/")
    assert page.status_code == 200
    assert "登记申请人信息" in page.content.decode()
    response = act(
        client,
        "start",
        item_code="HZ02",
        name=ADULT_NAME,
        gender="male",
        id_type="resident_id",
        id_number=ADULT_ID,
        phone=PHONE,
    )
    html = response.content.decode()
    assert "TG-20260929-0001" in html
    assert "申请人窗口核对确认" in html
    html = act(
        client,
        "confirm",
        case="TG-20260929-0001",
        name="王建华",
        gender="male",
        id_type="resident_id",
        id_number=ADULT_ID,
    ).content.decode()
    assert "申请人确认的姓名与登记信息不一致" in html
    html = act(
        client,
        "confirm",
        case="TG-20260929-0001",
        name=ADULT_NAME,
        gender="male",
        id_type="resident_id",
        id_number=ADULT_ID,
    ).content.decode()
    assert "已核对" in html
    html = act(
        client,
        "review",
        case="TG-20260929-0001",
        m_old_id_card="provided",
        m_household_register="provided",
        m_photo="missing",
    ).content.decode()
    assert "出具一次性告知单" in html
    assert "容缺受理" in html  # HZ02 allows it and only the photo (secondary) is missing
    html = act(client, "notice", case="TG-20260929-0001").content.decode()
    assert "/api/v1/cases/TG-20260929-0001/notices/1.pdf" in html
    html = act(
        client,
        "review",
        case="TG-20260929-0001",
        m_old_id_card="provided",
        m_household_register="provided",
        m_photo="provided",
    ).content.decode()
    html = act(client, "accept", case="TG-20260929-0001").content.decode()
    assert "已受理" in html
    assert "2026-10-14" in html
    assert "/api/v1/cases/TG-20260929-0001/receipt.pdf" in html
    assert Case.objects.get().status == "accepted"


def test_window_panel_by_case_number_and_errors(
    pinned, setup, officer, login_client_for, accepted_case
):
    case = accepted_case()
    client = login_client_for(officer)
    html = client.get("/cases/window/panel/", {"case": case.number}).content.decode()
    assert case.number in html
    assert "打印受理回执" in html
    html = client.get("/cases/window/panel/", {"case": "TG-20200101-0001"}).content.decode()
    assert "没有找到受理编号为 TG-20200101-0001 的办件" in html
    html = act(client, "accept", case=case.number).content.decode()
    assert f"办件 {case.number} 已于 2026-09-29 10:00 受理，不能重复受理。" in html


def test_id_check_partial(setup, officer, login_client_for):
    client = login_client_for(officer)
    html = client.post("/cases/window/id-check/", {"id_number": ADULT_ID}, **HX).content.decode()
    assert "号码有效" in html
    assert "1990年5月1日出生" in html
    html = client.post(
        "/cases/window/id-check/", {"id_number": ADULT_ID[:-1] + "0"}, **HX
    ).content.decode()
    assert "号码有误" in html


def test_inquiry_only_is_kept(pinned, setup, officer, login_client_for):
    from bianmin.hall.enums import IssueChannel
    from bianmin.hall.services import ticket_issue

    ticket = ticket_issue(actor=None, center=setup, item_codes=["HZ02"], channel=IssueChannel.KIOSK)
    client = login_client_for(officer)
    html = client.post(
        "/cases/window/inquiry/answer/",
        {"ticket_id": ticket.pk, "topic": "护照办理", "answer": "需本人到场"},
        **HX,
    )
    assert "咨询已答复并记录" in html.content.decode()
    inquiry = Inquiry.objects.get()
    assert (inquiry.ticket_id, inquiry.status, inquiry.first_responder) == (
        ticket.pk,
        "answered",
        officer,
    )


WINDOW_ROLES = {Role.OFFICER, Role.SHIFT_LEADER}
QUEUE_ROLES = {Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER}
MONITOR_ROLES = {Role.SHIFT_LEADER, Role.DIRECTOR, Role.INSPECTOR}
BOARD_ROLES = MONITOR_ROLES | {Role.OFFICER, Role.BACK_OFFICE}


@pytest.mark.parametrize("role", list(Role))
def test_screen_access_matrix(setup, staff_by_role, login_client_for, role):
    client = login_client_for(staff_by_role[role])
    codes = {
        "window": client.get("/cases/window/").status_code,
        "queue": client.get("/cases/queue/").status_code,
        "backlog": client.get("/cases/backlog/").status_code,
        "overdue": client.get("/cases/overdue/panel/").status_code,
        "arrival": client.get("/cases/arrival/").status_code,
    }
    assert codes == {
        "window": 200 if role in WINDOW_ROLES else 403,
        "queue": 200 if role in QUEUE_ROLES else 403,
        "backlog": 200 if role in BOARD_ROLES else 403,
        "overdue": 200 if role in MONITOR_ROLES | {Role.DIRECTOR} else 403,
        "arrival": 200 if role in QUEUE_ROLES else 403,
    }


@pytest.mark.parametrize("role", [Role.GUIDE, Role.DIRECTOR, Role.INSPECTOR])
def test_denied_window_action_changes_nothing(setup, staff_by_role, login_client_for, role):
    response = act(
        login_client_for(staff_by_role[role]),
        "start",
        item_code="HZ02",
        name=ADULT_NAME,
        gender="male",
        id_number=ADULT_ID,
        phone=PHONE,
    )
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_queue_claim_advance_and_send_back(pinned, accepted_case, back_office, login_client_for):
    case = accepted_case()
    client = login_client_for(back_office)
    html = client.get("/cases/queue/", {"stage": "review"}).content.decode()
    assert case.number in html
    assert "认领" in html
    html = client.post(
        "/cases/queue/action/", {"case": case.number, "stage": "review", "action": "claim"}, **HX
    ).content.decode()
    assert f"已认领 {case.number}" in html
    assert "完成审核" in html
    html = client.post(
        "/cases/queue/action/", {"case": case.number, "stage": "review", "action": "advance"}, **HX
    ).content.decode()
    assert f"{case.number} 已完成“审核”" in html
    client.post(
        "/cases/queue/action/", {"case": case.number, "stage": "approve", "action": "claim"}, **HX
    )
    html = client.post(
        "/cases/queue/action/",
        {"case": case.number, "stage": "approve", "action": "send_back", "reason": ""},
        **HX,
    ).content.decode()
    assert "退回必须填写原因。" in html
    client.post(
        "/cases/queue/action/",
        {"case": case.number, "stage": "approve", "action": "send_back", "reason": "照片不合格"},
        **HX,
    )
    case.refresh_from_db()
    assert (case.stage, case.next_stage) == ("accept", "review")


def test_arrival_batch_file(pinned, accepted_case, back_office, login_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = accepted_case()
    for stage in ("review", "approve", "production"):
        services.case_advance(actor=back_office, case=case, to_stage=stage)
    upload = SimpleUploadedFile(
        "arrivals.csv", f"受理编号\n{case.number}\n".encode(), content_type="text/csv"
    )
    html = (
        login_client_for(back_office)
        .post("/cases/arrival/", {"file": upload}, **HX)
        .content.decode()
    )
    assert "成功登记 <strong>1</strong> 条" in html
    case.refresh_from_db()
    assert case.next_stage == "pickup"


def test_backlog_and_overdue_panel(pinned, accepted_case, leader, login_client_for):
    case = accepted_case()
    pinned.move_to(at(2026, 10, 16))
    services.case_deadline_sweep()
    client = login_client_for(leader)
    html = client.get("/cases/backlog/").content.decode()
    assert 'data-testid="backlog-total">1<' in html
    assert 'data-testid="backlog-overdue">1<' in html
    assert "backlog-trend-data" in html
    panel = client.get("/cases/overdue/panel/").content.decode()
    assert case.number in panel
    assert "超期 1" in panel
    home = client.get("/").content.decode()
    assert "办件超期预警" in home


def test_progress_page(pinned, accepted_case, client):
    case = accepted_case()
    page = client.get("/progress/", {"number": case.number})
    assert page.status_code == 200
    assert case.number in page.content.decode()
    ok = client.post("/progress/", {"number": case.number, "phone_last4": "5678"})
    html = ok.content.decode()
    assert ok.status_code == 200
    assert "审核中" in html
    assert "王*国" in html
    assert ADULT_ID not in html
    assert PHONE not in html
    wrong = client.post("/progress/", {"number": case.number, "phone_last4": "1111"})
    unknown = client.post("/progress/", {"number": "TG-20260929-0999", "phone_last4": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert "没有找到该办件，请核对受理编号和手机号后四位" in wrong.content.decode()


def test_case_detail_history(pinned, accepted_case, officer, login_client_for):
    case = accepted_case()
    html = login_client_for(officer).get(f"/cases/{case.number}/").content.decode()
    assert "办件记录" in html
    assert "受理" in html
    assert date(2026, 10, 14).isoformat() in html


def test_progress_page_many_failures_from_one_address_still_answer_the_right_pair(
    pinned, accepted_case, client
):
    case = accepted_case("HZ02")
    for i in range(31):
        client.post("/progress/", {"number": f"TG-20260929-08{i:02d}", "phone_last4": "1234"})
    flooded = client.post("/progress/", {"number": "TG-20260929-0899", "phone_last4": "1234"})
    assert flooded.status_code == 429
    ok = client.post("/progress/", {"number": case.number, "phone_last4": "5678"})
    assert ok.status_code == 200
    assert "没有找到" not in ok.content.decode()


# --- the one arrival flow: 到证登记 and 到证通知 are one step ----------------------------------


@pytest.mark.usefixtures("templates")
def test_arrival_screen_registers_and_queues_the_pickup_sms(
    pinned, waiting_cases, back_office, login_client_for
):
    from bianmin.notifications.models import Message

    (a,) = waiting_cases(1)
    client = login_client_for(back_office)
    html = client.post("/cases/arrival/", {"values": a.number, "notify": "on"}).content.decode()
    assert "已登记到证，领取通知已排队发送" in html
    assert Message.objects.filter(case_id=a.pk, template_code="pickup_ready").count() == 1


@pytest.mark.usefixtures("templates")
def test_arrival_list_screens_flow(pinned, waiting_cases, back_office, login_client_for, outbox):
    from bianmin.notifications.models import Batch, Message

    cases = waiting_cases(3)
    client = login_client_for(back_office)
    lines = "\n".join([c.number for c in cases] + ["TG-NOPE-0001"])
    response = client.post("/cases/arrival/list/", {"kind": "arrival_list", "lines": lines})
    batch = Batch.objects.get()
    assert response.status_code == 302
    preview = client.get(f"/sms/batches/{batch.pk}/").content.decode()
    assert "一键发送 3 条领取通知" in preview
    assert "未找到待到证的办件" in preview
    assert client.post(f"/sms/batches/{batch.pk}/send/").status_code == 302
    progress = client.get(f"/sms/batches/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'id="batch-progress"' in progress.content.decode()
    assert Message.objects.filter(batch=batch).count() == 3


@pytest.mark.usefixtures("templates")
def test_bad_arrival_upload_is_a_clear_message_not_a_500(setup, back_office, login_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_client_for(back_office)
    response = client.post(
        "/cases/arrival/list/",
        {"kind": "arrival_list", "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04garbage")},
        follow=True,
    )
    assert response.status_code == 200
    assert "Excel 文件无法读取" in response.content.decode()
    api = client.post(
        "/api/v1/sms/batches",
        {"kind": "arrival_list", "file": SimpleUploadedFile("x.doc", b"hello")},
    )
    assert (api.status_code, api.json()["code"]) == (400, "import_invalid")


@pytest.mark.usefixtures("templates")
def test_api_arrival_list_reads_its_file(pinned, waiting_cases, back_office, login_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    (a,) = waiting_cases(1)
    client = login_client_for(back_office)
    api = client.post(
        "/api/v1/sms/batches",
        {"kind": "arrival_list", "file": SimpleUploadedFile("l.csv", f"{a.number}\n".encode())},
    )
    assert api.status_code == 200, api.json()
    assert (api.json()["rows_matched"], api.json()["filename"]) == (1, "l.csv")


@pytest.mark.usefixtures("templates")
def test_queue_arrival_offers_the_pickup_sms(pinned, waiting_cases, back_office, login_client_for):
    from bianmin.notifications.models import Message

    (a,) = waiting_cases(1)
    client = login_client_for(back_office)
    client.post("/cases/queue/action/", {"case": a.number, "stage": "arrival", "action": "claim"})
    html = client.post(
        "/cases/queue/action/",
        {"case": a.number, "stage": "arrival", "action": "arrival", "notify": "on"},
    ).content.decode()
    assert "领取通知已排队发送" in html
    assert Message.objects.filter(case_id=a.pk, template_code="pickup_ready").count() == 1


@pytest.mark.usefixtures("templates")
def test_old_batch_import_address_still_imports(
    pinned, waiting_cases, back_office, login_client_for
):
    (a,) = waiting_cases(1)
    client = login_client_for(back_office)
    response = client.post(
        "/sms/batches/", {"kind": "arrival_list", "lines": a.number}, follow=True
    )
    assert response.redirect_chain[0] == ("/cases/arrival/list/", 307)
    assert "一键发送 1 条领取通知" in response.content.decode()


def test_progress_page_gives_the_centers_phone(pinned, accepted_case, client, setup):
    type(setup).objects.filter(pk=setup.pk).update(phone="0913-7651234")
    case = accepted_case()
    html = client.post(
        "/progress/", {"number": case.number, "phone_last4": "5678"}
    ).content.decode()
    assert "0913-7651234" in html
