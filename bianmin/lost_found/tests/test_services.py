"""Services: intake and its bad-input rules, the document owner SMS, storage, publication,
matching, claims, disposal. The clock is pinned to a working-day morning in China."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bianmin.audit.models import AuditEntry
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.lost_found import selectors, services
from bianmin.lost_found.enums import (
    DisposalMethod,
    DisposalStatus,
    FoundItemStatus,
    LostReportStatus,
    MatchStatus,
)
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import Claim, FoundItem, FoundItemPhoto, Match
from bianmin.lost_found.services.intake import PHOTO_MAX_BYTES
from bianmin.lost_found.services.intake import _notify_document_owner as notify_owner
from bianmin.lost_found.tests.conftest import OWNER_ID
from bianmin.lost_found.tests.factories import jpeg_bytes
from bianmin.notifications.models import Message

pytestmark = pytest.mark.usefixtures("pinned", "templates")


def data(**overrides):
    fields = {
        "category": "wallet",
        "description": "黑色皮质钱包，内有银行卡两张",
        "found_at": clock.now() - timedelta(hours=2),
        "place": "人民路公交站",
    }
    fields.update(overrides)
    return services.FoundItemInput(**fields)


def register(actor, **overrides):
    return services.found_item_register(actor=actor, data=data(**overrides))


# --- intake --------------------------------------------------------------------------------


def test_sanitation_worker_registers_a_find_with_photos(sanitation):
    photo = services.PhotoUpload(name="a.jpg", content=jpeg_bytes())
    item = register(sanitation, photos=[photo, photo])

    assert item.number == "SW-20261130-0001"
    assert item.status == FoundItemStatus.REGISTERED
    assert item.found_on.isoformat() == "2026-11-30"
    assert FoundItemPhoto.objects.filter(item=item).count() == 2
    assert AuditEntry.objects.filter(
        action="found_item_registered", target_id=str(item.pk)
    ).exists()


def test_numbers_count_up_per_center_and_day(sanitation):
    assert [register(sanitation).number for _ in range(3)] == [
        "SW-20261130-0001",
        "SW-20261130-0002",
        "SW-20261130-0003",
    ]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"category": "jewellery"}, LostFoundError.INVALID_CATEGORY),
        ({"description": "   "}, LostFoundError.DESCRIPTION_EMPTY),
        ({"place": ""}, LostFoundError.PLACE_EMPTY),
        ({"found_at": None}, LostFoundError.INVALID_DATE),
        ({"category": "document", "document_type": ""}, LostFoundError.INVALID_DOCUMENT),
        (
            {"category": "document", "document_type": "id_card", "document_number": "123"},
            LostFoundError.INVALID_DOCUMENT,
        ),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(sanitation, overrides, code):
    with pytest.raises(DomainError) as error:
        register(sanitation, **overrides)
    assert error.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.value.message)
    assert FoundItem.objects.count() == 0


def test_a_found_date_in_the_future_is_refused(sanitation):
    with pytest.raises(DomainError) as error:
        register(sanitation, found_at=clock.now() + timedelta(hours=3))
    assert error.value.code == LostFoundError.FOUND_IN_FUTURE
    assert FoundItem.objects.count() == 0


@pytest.mark.parametrize(
    ("photos", "code"),
    [
        ([b"%PDF-1.4 not an image"], LostFoundError.PHOTO_NOT_IMAGE),
        ([b"\xff\xd8\xff" + b"0" * PHOTO_MAX_BYTES], LostFoundError.PHOTO_TOO_LARGE),
        ([jpeg_bytes()] * 7, LostFoundError.TOO_MANY_PHOTOS),
    ],
)
def test_bad_photos_are_refused(sanitation, photos, code):
    uploads = [services.PhotoUpload(name="x.jpg", content=c) for c in photos]
    with pytest.raises(DomainError) as error:
        register(sanitation, photos=uploads)
    assert error.value.code == code
    assert (FoundItem.objects.count(), FoundItemPhoto.objects.count()) == (0, 0)


def test_a_sanitation_worker_sees_only_their_own_registrations(sanitation, make_staff, officer):
    from bianmin.core.permissions import Role

    colleague = make_staff(Role.SANITATION, username="sanitation02")
    mine = register(sanitation)
    register(colleague)

    assert list(selectors.found_item_list(user=sanitation)) == [mine]
    assert selectors.found_item_list(user=officer).count() == 2
    with pytest.raises(DomainError):
        selectors.found_item_get(user=colleague, number=mine.number)


# --- the document owner SMS -------------------------------------------------------------------


def test_a_found_id_card_notifies_its_owner_exactly_once(sanitation, owner):
    item = register(
        sanitation,
        category="document",
        description="身份证一张",
        document_type="id_card",
        document_number=OWNER_ID,
    )
    # A second attempt for the same item (a retry, a double click) sends nothing more.
    notify_owner(item, actor=sanitation, document_number=OWNER_ID)
    notify_owner(item, actor=sanitation, document_number=OWNER_ID)

    messages = Message.objects.filter(template_code="found_document")
    assert messages.count() == 1
    message = messages.get()
    assert message.phone_masked == "139****5678"
    assert item.number in message.text
    assert OWNER_ID not in message.text
    item.refresh_from_db()
    assert item.owner_person_id == owner.pk
    assert item.owner_notified_at is not None
    assert item.document_number_masked.startswith("610522")
    assert OWNER_ID not in item.document_number_masked


def test_two_documents_of_the_same_owner_are_two_messages(sanitation, owner):
    for _ in range(2):
        register(
            sanitation,
            category="document",
            description="身份证",
            document_type="id_card",
            document_number=OWNER_ID,
        )
    assert Message.objects.filter(template_code="found_document").count() == 2


def test_an_unknown_owner_gets_no_sms_and_the_item_waits(sanitation):
    from datetime import date

    from bianmin.people.idnumber import make_id_number

    item = register(
        sanitation,
        category="document",
        description="身份证",
        document_type="id_card",
        document_number=make_id_number("610523", date(1985, 1, 2), 7),
    )
    assert Message.objects.count() == 0
    assert item.owner_notified_at is None
    assert item.status == FoundItemStatus.REGISTERED


# --- storage, publication, deadline ----------------------------------------------------------


def test_receive_then_publish_sets_the_one_year_deadline(sanitation, officer, point):
    item = register(sanitation)
    services.found_item_receive(
        actor=officer, number=item.number, collection_point_id=point.pk, storage_location="A-3"
    )
    item = services.found_item_publish(actor=officer, number=item.number)

    assert item.status == FoundItemStatus.PUBLISHED
    assert item.published_on.isoformat() == "2026-11-30"
    assert item.claim_deadline.isoformat() == "2027-11-30"
    assert list(item.events.values_list("to_status", flat=True)) == ["stored", "published"]


def test_publishing_twice_is_refused(officer, point, sanitation):
    item = register(sanitation)
    services.found_item_receive(actor=officer, number=item.number, collection_point_id=point.pk)
    services.found_item_publish(actor=officer, number=item.number)
    with pytest.raises(DomainError) as error:
        services.found_item_publish(actor=officer, number=item.number)
    assert error.value.code == LostFoundError.INVALID_TRANSITION


def test_a_sanitation_worker_cannot_receive_or_publish(sanitation, point):
    item = register(sanitation)
    with pytest.raises(DomainError):
        services.found_item_receive(
            actor=sanitation, number=item.number, collection_point_id=point.pk
        )
    item.refresh_from_db()
    assert item.status == FoundItemStatus.REGISTERED


# --- matching --------------------------------------------------------------------------------


def test_a_lost_report_is_matched_and_the_reporter_told_once_confirmed(officer, sanitation, center):
    item = register(sanitation, description="黑色钱包，内有银行卡和公交卡")
    report = services.lost_report_create(
        center_id=center.pk,
        category="wallet",
        description="黑色钱包 银行卡",
        lost_on=clock.today() - timedelta(days=1),
        place="人民路",
        phone="13800001111",
    )
    match = Match.objects.get(lost_report=report)
    assert match.found_item == item

    services.match_decide(actor=officer, match_id=match.pk, confirm=True)

    report.refresh_from_db()
    assert report.status == LostReportStatus.MATCHED
    assert Message.objects.filter(template_code="lost_match_confirmed").count() == 1
    with pytest.raises(DomainError):
        services.match_decide(actor=officer, match_id=match.pk, confirm=True)
    assert Message.objects.filter(template_code="lost_match_confirmed").count() == 1


def test_a_new_find_is_matched_against_open_reports(sanitation, center):
    report = services.lost_report_create(
        center_id=center.pk,
        category="keys",
        description="一串钥匙，挂着蓝色小熊",
        lost_on=clock.today(),
        place="东风街",
        phone="13800001111",
    )
    item = register(
        sanitation, category="keys", description="钥匙三把 蓝色小熊挂件", place="东风街"
    )
    assert Match.objects.filter(lost_report=report, found_item=item).count() == 1
    assert Match.objects.get().status == MatchStatus.CANDIDATE


def test_a_lost_report_with_a_bad_phone_is_refused(center):
    with pytest.raises(DomainError) as error:
        services.lost_report_create(
            center_id=center.pk,
            category="bag",
            description="书包",
            lost_on=clock.today(),
            place="学校门口",
            phone="12345",
        )
    assert error.value.code == LostFoundError.INVALID_PHONE


# --- claims ----------------------------------------------------------------------------------


def published(officer, sanitation, point, **overrides):
    item = register(sanitation, **overrides)
    services.found_item_receive(actor=officer, number=item.number, collection_point_id=point.pk)
    return services.found_item_publish(actor=officer, number=item.number)


def test_a_claim_hands_over_once_and_a_second_is_refused(officer, sanitation, point):
    item = published(officer, sanitation, point)
    claim = services.claim_handover(
        actor=officer,
        number=item.number,
        data=services.ClaimInput(id_number=OWNER_ID, control_answers="两张银行卡，一张工商"),
    )
    assert claim.claimant_id_masked.endswith(OWNER_ID[-4:])
    assert OWNER_ID not in claim.claimant_id_masked

    with pytest.raises(DomainError) as error:
        services.claim_handover(
            actor=officer,
            number=item.number,
            data=services.ClaimInput(id_number=OWNER_ID, control_answers="again"),
        )
    assert error.value.code == LostFoundError.ALREADY_HANDED_OVER
    assert error.value.status == 409
    assert Claim.objects.count() == 1
    item.refresh_from_db()
    assert item.status == FoundItemStatus.RETURNED


@pytest.mark.parametrize(
    ("claim", "code"),
    [
        ({"control_answers": ""}, LostFoundError.CONTROL_ANSWERS_MISSING),
        ({"is_proxy": True}, LostFoundError.PROXY_AUTHORIZATION_MISSING),
        (
            {"face_check_id": "00000000-0000-0000-0000-000000000000"},
            LostFoundError.IDENTITY_NOT_PROVEN,
        ),
        ({"id_number": "610522199001011234"}, LostFoundError.IDENTITY_NOT_PROVEN),
    ],
)
def test_claims_without_proof_are_refused_and_audited(officer, sanitation, point, claim, code):
    item = published(officer, sanitation, point)
    fields = {"id_number": OWNER_ID, "control_answers": "银行卡两张"} | claim
    with pytest.raises(DomainError) as error:
        services.claim_handover(
            actor=officer, number=item.number, data=services.ClaimInput(**fields)
        )
    assert error.value.code == code
    assert Claim.objects.count() == 0
    item.refresh_from_db()
    assert item.status == FoundItemStatus.PUBLISHED


def test_a_document_goes_only_to_its_holder_or_an_authorized_proxy(
    officer, sanitation, point, owner
):
    from datetime import date

    from bianmin.people.idnumber import make_id_number

    other = make_id_number("610524", date(1970, 3, 3), 55)
    item = published(
        officer,
        sanitation,
        point,
        category="document",
        description="身份证",
        document_type="id_card",
        document_number=OWNER_ID,
    )
    with pytest.raises(DomainError):
        services.claim_handover(
            actor=officer,
            number=item.number,
            data=services.ClaimInput(id_number=other, control_answers="身份证"),
        )
    claim = services.claim_handover(
        actor=officer,
        number=item.number,
        data=services.ClaimInput(
            id_number=other,
            control_answers="身份证",
            is_proxy=True,
            proxy_authorization="失主王某书面委托书（2026-11-30）",
        ),
    )
    assert claim.is_proxy


# --- disposal --------------------------------------------------------------------------------


def test_disposal_needs_the_due_date_and_the_shift_leader(
    officer, leader, sanitation, point, pinned
):
    item = published(officer, sanitation, point, is_perishable=False)
    with pytest.raises(DomainError) as error:
        services.disposal_request(
            actor=officer, number=item.number, method=DisposalMethod.TREASURY, note="期满"
        )
    assert error.value.code == LostFoundError.DISPOSAL_NOT_DUE

    pinned.move_to(clock.now() + timedelta(days=400))
    disposal = services.disposal_request(
        actor=officer, number=item.number, method=DisposalMethod.TREASURY, note="期满无人认领"
    )
    with pytest.raises(DomainError):
        services.disposal_decide(actor=officer, disposal_id=disposal.pk, approve=True)
    disposal = services.disposal_decide(actor=leader, disposal_id=disposal.pk, approve=True)

    assert disposal.status == DisposalStatus.APPROVED
    item.refresh_from_db()
    assert item.status == FoundItemStatus.DISPOSED
    assert FoundItem.objects.filter(pk=item.pk).exists()  # nothing is deleted


def test_a_perishable_item_is_due_after_its_short_retention(
    officer, leader, sanitation, point, pinned
):
    item = register(sanitation, category="other", description="一袋水果", is_perishable=True)
    services.found_item_receive(actor=officer, number=item.number, collection_point_id=point.pk)
    pinned.move_to(clock.now() + timedelta(days=4))
    rows = selectors.expiry_list(user=officer)
    assert [row[0].number for row in rows] == [item.number]
    disposal = services.disposal_request(
        actor=officer, number=item.number, method=DisposalMethod.DESTROY, note="已拍照留存后销毁"
    )
    rejected = services.disposal_decide(actor=leader, disposal_id=disposal.pk, approve=False)
    assert rejected.status == DisposalStatus.REJECTED
    item.refresh_from_db()
    assert item.status == FoundItemStatus.STORED


def test_cash_amount_is_kept_for_staff_only(officer, sanitation, point):
    item = published(
        officer, sanitation, point, description="钱包内有现金300元", cash_amount=Decimal("300")
    )
    row = selectors.public_row(item)
    assert "300" not in str(row)
    assert item.cash_amount == Decimal("300")


def test_old_lost_reports_are_closed_by_the_nightly_task(center, pinned):
    from bianmin.lost_found.tasks import lost_found_reports_expire

    report = services.lost_report_create(
        center_id=center.pk,
        category="bag",
        description="书包",
        lost_on=clock.today() - timedelta(days=300),
        place="学校",
        phone="13800001111",
    )
    assert lost_found_reports_expire.call_local() == 0
    pinned.move_to(clock.now() + timedelta(days=70))
    assert lost_found_reports_expire.call_local() == 1
    report.refresh_from_db()
    assert report.status == LostReportStatus.CLOSED


def test_a_map_point_is_kept_and_a_wrong_one_refused(sanitation):
    item = register(sanitation, latitude=Decimal("34.544"), longitude=Decimal("110.246"))
    assert (item.latitude, item.longitude) == (Decimal("34.544"), Decimal("110.246"))
    with pytest.raises(DomainError) as error:
        register(sanitation, latitude=Decimal("134.5"), longitude=Decimal("110.2"))
    assert error.value.code == LostFoundError.INVALID_POINT
