import datetime as dt

import pytest
import time_machine

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.family_desk.models import FamilyMember, SignInCode
from bianmin.family_desk.services import (
    family_member_register,
    sign_in_code_send,
    sign_in_code_verify,
)
from bianmin.family_desk.tests.conftest import DAYTIME
from bianmin.notifications.models import Message
from tests.support.sms_outbox import sms_received


def _code_from_outbox() -> str:
    """The code as the phone received it (the console gateway's outbox)."""
    return sms_received("desk_sign_in_code")["params"]["code"]


def test_an_officer_registers_a_family_member(daytime, officer):
    member = family_member_register(
        actor=officer, relation="spouse", name="李秀兰", phone="139 0000 1234"
    )
    assert member.officer == officer
    assert member.phone == "13900001234"
    assert member.phone_masked == "139****1234"
    assert AuditEntry.objects.filter(action="desk_family_registered").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"relation": "spouse", "name": "李", "phone": "12345"}, "invalid_phone"),
        ({"relation": "cousin", "name": "李", "phone": "13900001234"}, "invalid"),
        ({"relation": "spouse", "name": " ", "phone": "13900001234"}, "invalid"),
    ],
)
def test_bad_family_input_writes_nothing(daytime, officer, kwargs, code):
    with pytest.raises(DomainError) as caught:
        family_member_register(actor=officer, **kwargs)
    assert caught.value.code == code
    assert FamilyMember.objects.count() == 0


def test_family_of_an_account_that_does_not_exist(daytime, desk):
    with pytest.raises(DomainError) as caught:
        family_member_register(
            actor=desk,
            relation="spouse",
            name="李",
            phone="13900001234",
            officer_username="ghost99",
        )
    assert caught.value.code == "unknown_officer"
    assert FamilyMember.objects.count() == 0


def test_an_officer_cannot_register_for_a_colleague(daytime, officer, make_staff):
    colleague = make_staff(Role.OFFICER, username="officer02")
    with pytest.raises(DomainError):
        family_member_register(
            actor=officer,
            relation="spouse",
            name="李",
            phone="13900001234",
            officer_username=colleague.username,
        )
    assert FamilyMember.objects.count() == 0


def test_the_desk_registers_for_an_officer(daytime, desk, officer):
    member = family_member_register(
        actor=desk, relation="parent", name="王", phone="13900001234", officer_username="officer01"
    )
    assert member.officer == officer


def test_one_phone_is_registered_once(daytime, officer, member):
    with pytest.raises(DomainError) as caught:
        family_member_register(actor=officer, relation="child", name="刘", phone=member.phone)
    assert caught.value.code == "duplicate_family_member"


def test_code_sign_in_is_single_use(daytime, templates, center, member):
    sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
    code = _code_from_outbox()
    assert sign_in_code_verify(center_id=center.pk, phone=member.phone, code=code) == member
    with pytest.raises(DomainError) as caught:
        sign_in_code_verify(center_id=center.pk, phone=member.phone, code=code)
    assert caught.value.code == "code_invalid"
    assert SignInCode.objects.get().code_hash != code  # stored hashed


def test_the_code_is_never_readable_in_the_message_row(templates, center, member):
    with time_machine.travel(DAYTIME, tick=False):
        sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
    code = _code_from_outbox()
    assert code.isdigit()
    assert len(code) == 6
    message = Message.objects.get(template_code="desk_sign_in_code")
    assert message.params == {"code": "******"}
    assert code not in message.text
    assert "验证码为******" in message.text
    # only in the SM4-encrypted secret until the provider accepts it (test_delivery.py)
    assert message.secret == f'{{"code": "{code}"}}'


def test_the_sign_in_sms_goes_out_at_night_too(templates, center, member):
    night = dt.datetime(2026, 11, 24, 23, 30, tzinfo=DAYTIME.tzinfo)
    with time_machine.travel(night, tick=False):
        sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
        message = Message.objects.get(template_code="desk_sign_in_code")
        assert message.is_urgent is True
        assert message.next_attempt_at <= night  # not held until 08:00


def test_codes_expire_after_five_minutes(templates, center, member):
    with time_machine.travel(DAYTIME, tick=False) as traveller:
        sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
        code = _code_from_outbox()
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        with pytest.raises(DomainError):
            sign_in_code_verify(center_id=center.pk, phone=member.phone, code=code)


def test_five_wrong_tries_spend_the_code(daytime, templates, center, member):
    sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
    code = _code_from_outbox()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            sign_in_code_verify(center_id=center.pk, phone=member.phone, code=wrong)
    assert SignInCode.objects.get().failed_attempts == 5
    with pytest.raises(DomainError):
        sign_in_code_verify(center_id=center.pk, phone=member.phone, code=code)


def test_sending_is_throttled_per_phone(templates, center, member):
    with time_machine.travel(DAYTIME, tick=False) as traveller:
        sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
        with pytest.raises(DomainError) as caught:
            sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.2")
        assert caught.value.status == 429
        for _ in range(4):
            traveller.shift(dt.timedelta(minutes=2))
            sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
        traveller.shift(dt.timedelta(minutes=2))
        with pytest.raises(DomainError, match="一小时"):
            sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.0.0.1")
    assert SignInCode.objects.count() == 5


def test_an_unregistered_phone_is_told_clearly_and_nothing_is_sent(daytime, templates, center):
    with pytest.raises(DomainError) as caught:
        sign_in_code_send(center_id=center.pk, phone="13700000000", address="10.0.0.9")
    assert caught.value.code == "phone_not_registered"
    assert "未登记" in caught.value.message
    assert Message.objects.count() == 0
    assert SignInCode.objects.count() == 0


def test_a_phone_registered_at_another_center_cannot_sign_in_here(
    daytime, templates, other_center, member
):
    with pytest.raises(DomainError) as caught:
        sign_in_code_send(center_id=other_center.pk, phone=member.phone, address="10.0.0.9")
    assert caught.value.code == "phone_not_registered"


def test_one_address_may_ask_for_twenty_codes_an_hour(daytime, templates, center, officer):
    from bianmin.family_desk.tests.factories import FamilyMemberFactory

    members = [FamilyMemberFactory(officer=officer) for _ in range(21)]
    for member in members[:20]:
        sign_in_code_send(center_id=center.pk, phone=member.phone, address="10.9.9.9")
    with pytest.raises(DomainError) as caught:
        sign_in_code_send(center_id=center.pk, phone=members[20].phone, address="10.9.9.9")
    assert caught.value.status == 429
    assert SignInCode.objects.count() == 20
    sign_in_code_send(center_id=center.pk, phone=members[20].phone, address="10.9.9.8")
