"""诉求: acknowledgement number and SMS, anonymous accepted, deadlines, notes vs reply, closing
needs satisfaction or a callback record, suggestions adopted and published."""

from datetime import date

import pytest

from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.notifications.models import Message
from bianmin.ratings import wording
from bianmin.ratings.enums import ComplaintChannel, ComplaintStatus, NoteKind
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import Complaint, ComplaintNote
from bianmin.ratings.selectors import public_month
from bianmin.ratings.services import (
    complaint_assign,
    complaint_close,
    complaint_note_add,
    complaint_submit,
    suggestion_adopt,
)


def _public(center, **kwargs):
    defaults = {
        "channel": ComplaintChannel.PHONE_PAGE,
        "category": "efficiency",
        "text": "排队太久",
    }
    return complaint_submit(center_id=center.pk, **{**defaults, **kwargs})


def test_a_complaint_gets_a_number_an_sms_and_a_five_day_deadline(clock, hall):
    complaint = _public(hall, phone="13900002222")
    assert complaint.number.startswith("TS20261201")
    assert complaint.due_on == date(2026, 12, 8)
    message = Message.objects.get(template_code=wording.COMPLAINT_RECEIVED)
    assert complaint.number in message.text
    assert complaint.phone_masked == "139****2222"


def test_an_anonymous_complaint_is_accepted_without_a_reply_channel(clock, hall):
    complaint = _public(hall)
    assert complaint.is_anonymous
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"text": "   "}, "empty_text"),
        ({"text": "长" * 2001}, "comment_invalid"),
        ({"text": "含\x07控制符"}, "comment_invalid"),
        ({"category": "praise"}, RatingError.BAD_CATEGORY),
        ({"phone": "12345"}, RatingError.INVALID_PHONE),
        ({"channel": ComplaintChannel.BOX}, RatingError.INVALID),
    ],
)
def test_bad_complaints_write_nothing(clock, hall, kwargs, code):
    with pytest.raises(DomainError) as refused:
        _public(hall, **kwargs)
    assert refused.value.code == code
    assert Complaint.objects.count() == 0


def test_a_double_submit_records_one_complaint(clock, hall):
    first = _public(hall, request_key="k1", phone="13900002222")
    second = _public(hall, request_key="k1", phone="13900002222")
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_staff_enter_box_and_hotline_items(clock, hall, leader, officer):
    item = complaint_submit(
        center_id=hall.pk,
        actor=leader,
        channel=ComplaintChannel.HOTLINE,
        category="service",
        text="12345转办：态度问题",
        hotline_reference="12345-0001",
    )
    assert (item.entered_by_id, item.hotline_reference) == (leader.pk, "12345-0001")
    with pytest.raises(DomainError):
        complaint_submit(
            center_id=hall.pk,
            actor=officer,
            channel=ComplaintChannel.BOX,
            category="other",
            text="x",
        )


def test_the_handling_flow_keeps_notes_inside_and_needs_a_callback_to_close(
    clock, hall, leader, director, officer
):
    complaint = _public(hall, phone="13900002222")
    with pytest.raises(DomainError):
        complaint_assign(
            actor=leader, complaint_id=complaint.pk, assignee_id=officer.pk, is_complex=True
        )
    complaint = complaint_assign(
        actor=director, complaint_id=complaint.pk, assignee_id=officer.pk, is_complex=True
    )
    assert complaint.due_on == date(2026, 12, 22)  # 15 working days
    complaint_note_add(actor=leader, complaint_id=complaint.pk, kind=NoteKind.NOTE, text="内部核查")
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.ASSIGNED
    assert not Message.objects.filter(template_code=wording.COMPLAINT_ANSWERED).exists()
    complaint_note_add(
        actor=leader, complaint_id=complaint.pk, kind=NoteKind.REPLY, text="已增开窗口"
    )
    assert Message.objects.filter(template_code=wording.COMPLAINT_ANSWERED).count() == 1
    with pytest.raises(DomainError) as refused:
        complaint_close(actor=leader, complaint_id=complaint.pk)
    assert refused.value.code == RatingError.CLOSE_NEEDS_CALLBACK
    closed = complaint_close(actor=leader, complaint_id=complaint.pk, satisfaction="satisfied")
    assert closed.status == ComplaintStatus.CLOSED
    assert list(ComplaintNote.objects.values_list("kind", flat=True)) == ["note", "reply"]


def test_adopted_suggestions_are_published_without_contact_details(clock, hall, director):
    complaint = _public(hall, category="suggestion", text="建议增加老年人专窗", phone="13900002222")
    suggestion_adopt(actor=director, complaint_id=complaint.pk, adopted=True, published=True)
    page = public_month(center_id=hall.pk, month=date(2026, 12, 1))
    assert page["suggestions"] == ["建议增加老年人专窗"]
    assert "13900002222" not in str(page)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SHIFT_LEADER])
def test_only_the_director_adopts(clock, hall, make_staff, role):
    complaint = _public(hall, category="suggestion", text="建议")
    with pytest.raises(DomainError):
        suggestion_adopt(
            actor=make_staff(role, username=f"a_{role}"),
            complaint_id=complaint.pk,
            adopted=True,
            published=True,
        )
    assert not Complaint.objects.get(pk=complaint.pk).is_adopted
