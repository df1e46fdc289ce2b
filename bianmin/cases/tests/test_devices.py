"""The window's devices on the cases side: how each 零差错 confirmation was made, the fill from
the registry without the full number, and the kiosk's 办件进度 tile."""

import re

import pytest
from django.test import Client

from bianmin.audit.models import AuditEntry
from bianmin.cases import services
from bianmin.cases.enums import ConfirmationMethod, ConfirmationStage
from bianmin.cases.models import Case
from bianmin.core.errors import DomainError
from bianmin.people.idnumber import mask_id_number
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE, applicant

pytestmark = pytest.mark.django_db


def test_confirmations_record_their_method_and_refuse_an_unknown_one(new_case, officer) -> None:
    case = new_case(confirm=False, confirm_method=ConfirmationMethod.CARD)
    services.case_confirmation_record(
        actor=officer,
        case_number=case.number,
        stage=ConfirmationStage.WINDOW,
        name=ADULT_NAME,
        gender="male",
        id_type="resident_id",
        id_number=ADULT_ID,
        method=ConfirmationMethod.CARD,
    )
    assert dict(case.confirmations.values_list("stage", "method")) == {
        "form": "card",
        "window": "card",
    }
    assert case.events.filter(data__method="card").exists()
    with pytest.raises(DomainError, match="确认方式不正确"):
        services.case_confirmation_record(
            actor=officer,
            case_number=case.number,
            stage=ConfirmationStage.PAYMENT,
            name=ADULT_NAME,
            gender="male",
            id_type="resident_id",
            id_number=ADULT_ID,
            method="guess",
        )


def test_window_panel_posts_the_read_method(setup, officer, pinned) -> None:
    client = Client()
    client.force_login(officer)
    client.post(
        "/cases/window/start/",
        {
            "item_code": "HZ02",
            "name": ADULT_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": ADULT_ID,
            "phone": PHONE,
            "confirm_method": "card",
        },
    )
    case = Case.objects.get()
    page = client.post(
        "/cases/window/confirm/",
        {
            "case": case.number,
            "name": ADULT_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": ADULT_ID,
            "confirm_method": "registry",  # only the server may say "registry": refused
        },
    ).content.decode()
    assert "确认方式不正确" in page
    assert list(case.confirmations.values_list("method", flat=True)) == ["card"]


def test_fill_from_the_registry_never_shows_the_number(setup, officer, new_case, pinned) -> None:
    new_case(confirm=False)  # 王建国 is now in the registry
    Case.objects.all().delete()
    client = Client()
    client.force_login(officer)
    found = client.get(
        "/cases/window/applicant-lookup/",
        {"lookup_name": ADULT_NAME, "lookup_birth": "1990-05-01"},
    ).content.decode()
    assert ADULT_ID not in found
    assert mask_id_number(ADULT_ID) in found
    ref = re.search(r'data-person-ref="([^"]+)"', found).group(1)
    by_phone = client.get("/cases/window/applicant-lookup/", {"lookup_phone": PHONE})
    assert mask_id_number(ADULT_ID) in by_phone.content.decode()
    wrong = client.get(
        "/cases/window/applicant-lookup/", {"lookup_name": ADULT_NAME, "lookup_birth": "1990-05-02"}
    ).content.decode()
    assert "没有找到" in wrong
    bad = client.get("/cases/window/applicant-lookup/", {"lookup_birth": "五月"}).content.decode()
    assert "出生日期格式不正确" in bad

    panel = client.post(
        "/cases/window/start/",
        {
            "item_code": "HZ02",
            "name": ADULT_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": "",
            "person_ref": ref,
            "phone": PHONE,
        },
    ).content.decode()
    assert ADULT_ID not in panel
    case = Case.objects.get()
    assert case.applicant.id_number == ADULT_ID
    assert case.confirmations.get().method == ConfirmationMethod.REGISTRY
    assert AuditEntry.objects.filter(action="person_searched").count() >= 3

    forged = client.post(
        "/cases/window/start/",
        {
            "item_code": "HZ02",
            "name": "x",
            "gender": "male",
            "person_ref": ref + "x",
            "phone": PHONE,
        },
    ).content.decode()
    assert "已失效" in forged


def test_kiosk_progress_by_the_receipt_qr_and_by_the_card(setup, new_case, pinned) -> None:
    case = new_case()
    kiosk = Client()
    assert kiosk.get("/kiosk/TG/progress/").status_code == 200
    scanned = f"http://hall.example/progress/?number={case.number}"
    page = kiosk.post(
        "/kiosk/TG/progress/", {"mode": "scan", "scan": scanned, "phone_last4": PHONE[-4:]}
    ).content.decode()
    assert 'data-testid="kiosk-progress-result"' in page
    assert case.number in page
    wrong = kiosk.post(
        "/kiosk/TG/progress/", {"mode": "scan", "scan": scanned, "phone_last4": "0000"}
    ).content.decode()
    assert 'data-testid="kiosk-progress-result"' not in wrong
    unreadable = kiosk.post("/kiosk/TG/progress/", {"mode": "scan", "scan": "hello"})
    assert "没有识别到受理编号" in unreadable.content.decode()

    by_card = kiosk.post(
        "/kiosk/TG/progress/", {"mode": "card", "id_number": ADULT_ID, "name": ADULT_NAME}
    ).content.decode()
    assert case.number in by_card
    assert ADULT_ID not in by_card
    assert ADULT_NAME not in by_card  # masked
    wrong_name = kiosk.post(
        "/kiosk/TG/progress/", {"mode": "card", "id_number": ADULT_ID, "name": "李四"}
    ).content.decode()
    assert case.number not in wrong_name
    outside = Client(REMOTE_ADDR="203.0.113.7").post(
        "/kiosk/TG/progress/", {"mode": "card", "id_number": ADULT_ID, "name": ADULT_NAME}
    )
    assert "仅限大厅自助机" in outside.content.decode()
    assert case.number not in outside.content.decode()


def test_fees_payment_confirmation_carries_the_method(new_case, officer) -> None:
    from bianmin.fees.services.payments import Payer

    payer = Payer(name=ADULT_NAME, gender="male", id_number=ADULT_ID, confirm_method="card")
    assert payer.confirm_method == "card"
    case = new_case(who=applicant())
    services.case_confirmation_record(
        actor=officer,
        case_number=case.number,
        stage=ConfirmationStage.PAYMENT,
        name=payer.name,
        gender=payer.gender,
        id_type=payer.id_type,
        id_number=payer.id_number,
        method=payer.confirm_method,
    )
    assert case.confirmations.get(stage="payment").method == "card"


def _start_with_card(client, photo: str) -> str:
    return client.post(
        "/cases/window/start/",
        {
            "item_code": "HZ02",
            "name": ADULT_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": ADULT_ID,
            "phone": PHONE,
            "confirm_method": "card",
            "chip_photo": photo,
        },
    ).content.decode()


def test_the_chip_photo_becomes_the_reference_only_when_the_registry_has_none(
    setup, officer, pinned, settings
) -> None:
    import base64

    from bianmin.people.models import Person
    from tests.support.id_reader_fake import chip_photo

    client = Client()
    client.force_login(officer)
    _start_with_card(client, "not-base64!")  # unreadable: the registration still goes through
    person = Person.objects.get()
    assert not person.photo_sha256
    Case.objects.all().delete()

    photo = chip_photo(ADULT_ID)
    _start_with_card(client, photo)
    person.refresh_from_db()
    assert bytes(person.photo) == base64.b64decode(photo)
    first = person.photo_sha256
    Case.objects.all().delete()

    _start_with_card(client, chip_photo("another card"))  # the held photo is recent: kept
    person.refresh_from_db()
    assert person.photo_sha256 == first
