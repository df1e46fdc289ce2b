import pytest

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.family_desk.enums import RequestStatus
from bianmin.family_desk.models import Attachment, DeskRequest, RequestEvent, RequestMessage
from bianmin.family_desk.services import (
    Asker,
    Upload,
    request_add_info,
    request_ask_info,
    request_assign,
    request_close,
    request_create,
    request_open,
    request_rate,
    request_reply,
    request_take,
    request_withdraw,
)
from bianmin.notifications.models import Message

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def test_an_officer_asks_and_gets_a_number_status_and_due_date(daytime, officer, procedure):
    created = request_create(
        asker=Asker.of_staff(officer),
        type="assisted",
        procedure_id=procedure.pk,
        question="能提取吗？",
    )
    assert created.number.startswith("HM-TG-20261124-")
    assert created.status == RequestStatus.PENDING
    assert created.requester_staff == officer
    assert RequestEvent.objects.filter(request=created, to_status="pending").count() == 1
    assert AuditEntry.objects.filter(
        action="desk_request_created", target_id=str(created.pk)
    ).exists()


def test_numbers_count_up_within_the_day(daytime, officer):
    first = request_create(asker=Asker.of_staff(officer), type="consult", question="一")
    second = request_create(asker=Asker.of_staff(officer), type="consult", question="二")
    assert first.number.endswith("-001")
    assert second.number.endswith("-002")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"type": "consult", "question": "   "}, "empty_question"),
        ({"type": "consult", "question": "问", "procedure_id": 999999}, "unknown_procedure"),
        ({"type": "visit", "question": "问"}, "invalid"),
        (
            {"type": "consult", "question": "问", "uploads": [Upload("photo.jpg", PDF)]},
            "bad_attachment",
        ),
        (
            {"type": "consult", "question": "问", "uploads": [Upload("virus.pdf", b"MZ\x90\x00")]},
            "bad_attachment",
        ),
        (
            {
                "type": "consult",
                "question": "问",
                "uploads": [Upload("big.png", PNG + b"0" * 6_000_000)],
            },
            "bad_attachment",
        ),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(daytime, officer, kwargs, code):
    with pytest.raises(DomainError) as caught:
        request_create(asker=Asker.of_staff(officer), **kwargs)
    assert caught.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert DeskRequest.objects.count() == 0
    assert AuditEntry.objects.filter(action="desk_request_created").count() == 0


def test_a_sanitation_worker_is_not_an_officer(daytime, make_staff):
    worker = make_staff(Role.SANITATION)
    with pytest.raises(DomainError, match="只受理民警及其登记家属"):
        request_create(asker=Asker.of_staff(worker), type="consult", question="问")
    assert DeskRequest.objects.count() == 0


def test_a_procedure_of_another_center_is_unknown(daytime, officer, other_center):
    from bianmin.family_desk.tests.factories import ProcedureFactory

    foreign = ProcedureFactory(center=other_center)
    with pytest.raises(DomainError) as caught:
        request_create(
            asker=Asker.of_staff(officer), type="consult", procedure_id=foreign.pk, question="问"
        )
    assert caught.value.code == "unknown_procedure"


def test_attachments_that_are_what_they_claim_are_kept(daytime, officer):
    created = request_create(
        asker=Asker.of_staff(officer),
        type="on_behalf",
        question="代办",
        uploads=[Upload("户口簿.png", PNG), Upload("委托书.pdf", PDF)],
    )
    kinds = sorted(
        Attachment.objects.filter(request=created).values_list("content_type", flat=True)
    )
    assert kinds == ["application/pdf", "image/png"]


def test_full_loop_with_replies_notes_and_sms_to_the_family(daytime, templates, desk, member):
    asker = Asker.of_family(member)
    created = request_create(asker=asker, type="consult", question="公积金怎么取？")
    request_take(actor=desk, number=created.number)
    request_reply(actor=desk, number=created.number, body="内部：已问公积金中心", visible=False)
    request_ask_info(actor=desk, number=created.number, body="请问是新房还是二手房？")
    assert DeskRequest.objects.get(pk=created.pk).status == RequestStatus.AWAITING_INFO
    request_add_info(asker=asker, number=created.number, body="二手房")
    assert DeskRequest.objects.get(pk=created.pk).status == RequestStatus.IN_PROGRESS
    request_close(actor=desk, number=created.number, body="可以提取，请带购房合同。")
    closed = request_rate(asker=asker, number=created.number, rating=5)
    assert closed.status == RequestStatus.CLOSED
    assert closed.rating == 5
    kinds = list(RequestMessage.objects.filter(request=created).values_list("kind", flat=True))
    assert kinds == ["note", "reply", "reply", "reply"]
    # One SMS per visible reply from the desk (two), none for the note or the family's answer.
    sms = Message.objects.filter(template_code="desk_reply")
    assert sms.count() == 2
    assert created.number not in "".join(sms.values_list("phone_masked", flat=True))


def test_rating_is_once_and_only_after_closing(daytime, officer, desk):
    asker = Asker.of_staff(officer)
    created = request_create(asker=asker, type="consult", question="问")
    with pytest.raises(DomainError, match="办结后"):
        request_rate(asker=asker, number=created.number, rating=4)
    request_take(actor=desk, number=created.number)
    request_close(actor=desk, number=created.number, body="答")
    with pytest.raises(DomainError):
        request_rate(asker=asker, number=created.number, rating=6)
    request_rate(asker=asker, number=created.number, rating=4)
    with pytest.raises(DomainError, match="已评价"):
        request_rate(asker=asker, number=created.number, rating=1)
    assert DeskRequest.objects.get(pk=created.pk).rating == 4


def test_two_handlers_taking_the_same_request_one_wins(daytime, officer, desk, make_staff):
    second = make_staff(Role.DESK_OFFICER, username="desk02")
    created = request_create(asker=Asker.of_staff(officer), type="consult", question="问")
    request_take(actor=desk, number=created.number)
    with pytest.raises(DomainError) as caught:
        request_take(actor=second, number=created.number)
    assert caught.value.code == "already_taken"
    assert DeskRequest.objects.get(pk=created.pk).handler == desk
    assert RequestEvent.objects.filter(request=created, to_status="in_progress").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_handlers_racing_in_threads_one_wins(daytime, center, make_staff, officer):
    import threading

    from django.db import connection

    desks = [make_staff(Role.DESK_OFFICER, username=f"race{i}") for i in range(2)]
    created = request_create(asker=Asker.of_staff(officer), type="consult", question="问")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(actor):
        barrier.wait()
        try:
            request_take(actor=actor, number=created.number)
            outcomes.append("won")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_taken", "won"]
    assert DeskRequest.objects.get(pk=created.pk).handler_id in {d.pk for d in desks}


def test_the_desk_assigns_a_handler_who_then_may_close(daytime, officer, desk, make_staff):
    handler = make_staff(Role.BACK_OFFICE, username="handler01")
    created = request_create(asker=Asker.of_staff(officer), type="assisted", question="问")
    request_assign(actor=desk, number=created.number, handler_id=handler.pk)
    request_close(actor=handler, number=created.number, body="已办好")
    assert DeskRequest.objects.get(pk=created.pk).status == RequestStatus.CLOSED


def test_assigning_to_someone_of_another_center_is_refused(
    daytime, officer, desk, make_staff, other_center
):
    stranger = make_staff(Role.OFFICER, username="far01", center_=other_center)
    created = request_create(asker=Asker.of_staff(officer), type="assisted", question="问")
    with pytest.raises(DomainError) as caught:
        request_assign(actor=desk, number=created.number, handler_id=stranger.pk)
    assert caught.value.code == "unknown_handler"
    assert DeskRequest.objects.get(pk=created.pk).handler is None


def test_the_requester_withdraws_but_not_after_closing(daytime, officer, desk):
    asker = Asker.of_staff(officer)
    created = request_create(asker=asker, type="consult", question="问")
    assert request_withdraw(asker=asker, number=created.number).status == RequestStatus.WITHDRAWN
    with pytest.raises(DomainError):
        request_take(actor=desk, number=created.number)


def test_every_read_is_audited(daytime, officer, desk):
    created = request_create(asker=Asker.of_staff(officer), type="consult", question="问")
    request_open(asker=Asker.of_staff(desk), number=created.number)
    request_open(asker=Asker.of_staff(officer), number=created.number)
    reads = AuditEntry.objects.filter(action="desk_request_viewed", target_id=str(created.pk))
    assert reads.count() == 2
    assert {e.actor_id for e in reads} == {desk.pk, officer.pk}
