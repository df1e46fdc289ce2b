import pytest

from bianmin.audit.models import AuditEntry
from bianmin.core.permissions import Role
from bianmin.family_desk.models import DeskRequest, FamilyMember, Procedure
from bianmin.family_desk.services import Asker, request_create
from bianmin.notifications.models import Message
from tests.support.sms_outbox import sms_received


def test_the_desk_board_flags_overdue_requests(daytime, login_client_for, desk, officer):
    import datetime as dt

    import time_machine

    from bianmin.family_desk.tests.conftest import DAYTIME

    with time_machine.travel(DAYTIME - dt.timedelta(days=7), tick=False):
        late = request_create(asker=Asker.of_staff(officer), type="consult", question="老问题")
    page = login_client_for(desk).get("/desk/board/")
    assert page.status_code == 200
    html = page.content.decode()
    assert late.number in html
    assert "已超期" in html
    assert "件超期未办结" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.DESK_OFFICER, 200), (Role.OFFICER, 403), (Role.DIRECTOR, 403), (Role.SANITATION, 403)],
)
def test_board_access(daytime, make_staff, login_client_for, role, status):
    assert login_client_for(make_staff(role)).get("/desk/board/").status_code == status


def test_an_officer_asks_and_registers_family_on_the_own_page(
    daytime, login_client_for, officer, procedure
):
    client = login_client_for(officer)
    response = client.post(
        "/desk/mine/",
        {
            "section": "ask",
            "ask-type": "consult",
            "ask-procedure_id": procedure.pk,
            "ask-question": "怎么提取？",
            "ask-contact": "phone",
        },
    )
    created = DeskRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/requests/{created.number}/"
    client.post(
        "/desk/mine/",
        {
            "section": "family",
            "family-relation": "spouse",
            "family-name": "李秀兰",
            "family-phone": "13900005555",
        },
    )
    assert FamilyMember.objects.get().officer == officer
    page = client.get("/desk/mine/").content.decode()
    assert "139****5555" in page
    assert "/m/desk/TG/" in page


def test_bad_input_on_the_own_page_is_shown_in_chinese(daytime, login_client_for, officer):
    response = login_client_for(officer).post(
        "/desk/mine/",
        {
            "section": "ask",
            "ask-type": "consult",
            "ask-procedure_id": 99999,
            "ask-question": "问",
            "ask-contact": "phone",
        },
    )
    assert response.status_code == 200
    assert "指南中没有这个事项" in response.content.decode()
    assert DeskRequest.objects.count() == 0


def test_editing_a_procedure_keeps_the_old_text_and_the_reason(
    daytime, login_client_for, desk, procedure
):
    client = login_client_for(desk)
    form = {
        "name": procedure.name,
        "materials": "居民身份证\n购房合同",
        "fee": "免费",
        "time_limit": "3个工作日",
        "time_limit_workdays": 3,
        "life_events": ["home_purchase"],
        "reason": "公积金中心2026年11月新规",
    }
    assert client.post(f"/desk/guide/{procedure.pk}/edit/", form).status_code == 302
    procedure.refresh_from_db()
    assert procedure.material_lines == ["居民身份证", "购房合同"]
    old = procedure.history.order_by("history_date")
    assert old.first().materials == "居民身份证\n户口簿"
    assert old.last().history_change_reason == "公积金中心2026年11月新规"
    page = client.get(f"/desk/guide/{procedure.pk}/edit/").content.decode()
    assert "公积金中心2026年11月新规" in page


def test_an_edit_without_a_reason_is_refused(daytime, login_client_for, desk, procedure):
    response = login_client_for(desk).post(
        f"/desk/guide/{procedure.pk}/edit/", {"name": "改名", "reason": ""}
    )
    assert response.status_code == 200
    procedure.refresh_from_db()
    assert procedure.name == "购房提取住房公积金"


def test_procedures_not_checked_for_12_months_are_flagged(
    daytime, login_client_for, desk, procedure
):
    import datetime as dt

    procedure.last_checked_on = dt.date(2025, 11, 1)
    procedure.save()
    client = login_client_for(desk)
    assert "1</strong> 个事项超12个月未核对" in client.get("/desk/board/").content.decode()
    client.post(f"/desk/guide/{procedure.pk}/edit/", {"checked": "1"})
    procedure.refresh_from_db()
    assert procedure.last_checked_on == dt.date(2026, 11, 24)
    assert "0</strong> 个事项超12个月未核对" in client.get("/desk/board/").content.decode()


def test_the_procedure_page_is_phone_friendly_and_in_chinese(
    daytime, login_client_for, officer, procedure
):
    html = login_client_for(officer).get(f"/desk/guide/{procedure.pk}/").content.decode()
    assert 'name="viewport"' in html
    assert "需要带的材料" in html
    for english in ("pending", "on_behalf", "home_purchase", "time_limit"):
        assert f">{english}<" not in html


def test_the_guide_is_closed_to_the_public_by_default(daytime, client, procedure):
    assert client.get("/desk/guide/", {"center": "TG"}).status_code == 403
    assert client.get(f"/desk/guide/{procedure.pk}/", {"center": "TG"}).status_code == 403


def test_phone_sign_in_with_an_sms_code(daytime, templates, client, member):
    page = client.post("/m/desk/TG/", {"step": "send", "phone": member.phone})
    assert "验证码已发送" in page.content.decode()
    code = sms_received("desk_sign_in_code")["params"]["code"]
    response = client.post("/m/desk/TG/", {"step": "verify", "phone": member.phone, "code": code})
    assert response.status_code == 302
    home = client.get("/m/desk/TG/").content.decode()
    assert "向服务台提问" in home
    assert AuditEntry.objects.filter(action="desk_family_signed_in").count() == 1


def test_an_unregistered_phone_is_refused_on_the_phone_page(daytime, templates, client, center):
    page = client.post("/m/desk/TG/", {"step": "send", "phone": "13700000000"}).content.decode()
    assert "尚未登记为警属" in page
    assert Message.objects.count() == 0


def test_a_family_member_follows_and_rates_on_the_phone(daytime, family_client_for, member, desk):
    from bianmin.family_desk.services import request_close, request_take

    client = family_client_for(member)
    client.post(
        "/m/desk/TG/",
        {"step": "ask", "ask-type": "consult", "ask-question": "能问吗", "ask-contact": "sms"},
    )
    created = DeskRequest.objects.get()
    request_take(actor=desk, number=created.number)
    request_close(actor=desk, number=created.number, body="可以，已答复。")
    page = client.get(f"/m/desk/TG/requests/{created.number}/").content.decode()
    assert "可以，已答复。" in page
    client.post(f"/m/desk/TG/requests/{created.number}/", {"action": "rate", "rating": "5"})
    created.refresh_from_db()
    assert created.rating == 5


def test_the_desk_imports_through_the_page_and_sees_row_errors(daytime, login_client_for, desk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_client_for(desk)
    template = client.get("/desk/guide/template.xlsx")
    assert template.status_code == 200
    bad = SimpleUploadedFile("guide.xlsx", b"not excel")
    page = client.post("/desk/guide/manage/", {"section": "import", "file": bad}).content.decode()
    assert "不是有效的 Excel" in page
    assert Procedure.objects.count() == 0


def test_synonyms_are_kept_by_the_desk(daytime, login_client_for, desk):
    client = login_client_for(desk)
    client.post(
        "/desk/guide/manage/",
        {"section": "synonyms", "synonyms": "公积金＝住房公积金\n社保，社会保险"},
    )
    from bianmin.family_desk.selectors import synonym_groups

    assert synonym_groups(center_id=desk.center_id) == [
        ["公积金", "住房公积金"],
        ["社保", "社会保险"],
    ]


def test_figures_and_the_weekly_summary_carry_no_personal_data(
    daytime, login_client_for, desk, member
):
    request_create(asker=Asker.of_family(member), type="consult", question="问")
    from bianmin.family_desk.selectors import weekly_summary

    text = weekly_summary(center_id=desk.center_id, today=__import__("datetime").date(2026, 11, 30))
    assert "本周受理诉求1件" in text
    assert member.name not in text
    assert member.phone not in text
    page = login_client_for(desk).get("/desk/figures/").content.decode()
    assert "echarts.min.js" in page
    assert member.name not in page


def test_the_booklet_and_export_download(daytime, login_client_for, officer, procedure):
    client = login_client_for(officer)
    assert client.get("/desk/guide/booklet.pdf").content.startswith(b"%PDF")
    assert client.get("/desk/guide/export.xlsx").content.startswith(b"PK")


def test_the_morning_task_reports_overdue_and_stale_per_center(daytime, officer, procedure):
    import datetime as dt

    import time_machine

    from bianmin.family_desk.tasks import desk_morning_alerts
    from bianmin.family_desk.tests.conftest import DAYTIME

    with time_machine.travel(DAYTIME - dt.timedelta(days=10), tick=False):
        request_create(asker=Asker.of_staff(officer), type="consult", question="早就该答复了")
    procedure.last_checked_on = dt.date(2025, 1, 1)
    procedure.save()
    assert desk_morning_alerts.call_local() == {officer.center_id: {"overdue": 1, "stale": 1}}


def test_attachments_open_to_the_parties_only_and_each_read_is_audited(
    daytime, login_client_for, officer, desk, make_staff
):
    from bianmin.family_desk.services import Upload

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    created = request_create(
        asker=Asker.of_staff(officer),
        type="on_behalf",
        question="代办",
        uploads=[Upload("户口簿.png", png)],
    )
    attachment = created.attachments.get()
    url = f"/desk/requests/{created.number}/attachments/{attachment.pk}/"
    response = login_client_for(desk).get(url)
    assert response.status_code == 200
    assert response.content == png
    assert response["Content-Type"] == "image/png"
    colleague = make_staff(Role.OFFICER, username="officer07")
    assert login_client_for(colleague).get(url).status_code == 404
    assert AuditEntry.objects.filter(action="desk_request_viewed", actor=desk).count() == 1


def test_figures_count_per_month_by_type_and_unit(daytime, officer, procedure, desk):
    from bianmin.family_desk.selectors import desk_figures
    from bianmin.family_desk.services import request_close, request_rate, request_take

    asker = Asker.of_staff(officer)
    first = request_create(asker=asker, type="consult", procedure_id=procedure.pk, question="一")
    request_create(asker=asker, type="assisted", question="二")
    request_take(actor=desk, number=first.number)
    request_close(actor=desk, number=first.number, body="答")
    request_rate(asker=asker, number=first.number, rating=4)
    figures = desk_figures(center_id=officer.center_id)
    assert figures.months[-1] == "2026-11"
    assert figures.by_month_type["咨询"][-1] == 1
    assert figures.by_month_type["帮办"][-1] == 1
    assert figures.by_unit_month[procedure.unit.name][-1] == 1
    assert figures.median_close_days == 0
    assert figures.satisfaction == 4
    assert figures.open_count == 1


def test_renaming_to_a_name_the_unit_already_has_is_refused_in_chinese(
    daytime, login_client_for, desk, procedure
):
    from bianmin.family_desk.tests.factories import ProcedureFactory

    other = ProcedureFactory(
        center=procedure.center, unit=procedure.unit, name="租房提取住房公积金"
    )
    response = login_client_for(desk).post(
        f"/desk/guide/{other.pk}/edit/", {"name": "购房提取住房公积金", "reason": "合并"}
    )
    assert response.status_code == 200
    assert "本单位已有名为" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "租房提取住房公积金"


def test_the_desk_home_shows_the_counts_panel(daytime, login_client_for, desk, officer):
    import datetime as dt

    import time_machine

    from bianmin.family_desk.tests.conftest import DAYTIME

    with time_machine.travel(DAYTIME - dt.timedelta(days=7), tick=False):
        request_create(asker=Asker.of_staff(officer), type="consult", question="问")
    home = login_client_for(desk).get("/").content.decode()
    assert "超期 1 件" in home
