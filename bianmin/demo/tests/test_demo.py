import pytest
import time_machine

from bianmin.accounts.models import Staff
from bianmin.core.permissions import Role
from bianmin.demo.services import PROVINCE_ACCOUNT, demo_load, reference_load
from bianmin.people.models import Person
from tests.support.id_rebuild import raw_rows, rebuilt, valid_ids

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-01 10:00 +0800", tick=False)
def test_the_demo_has_residents_and_a_province_account_for_the_catalogue() -> None:
    reference_load()

    summary = demo_load(residents=12, history_days=1)

    assert summary.residents == 12
    assert PROVINCE_ACCOUNT in summary.accounts
    province = Staff.objects.get(username=PROVINCE_ACCOUNT)
    assert (province.role, province.center_id) == (Role.DIRECTOR, None)
    # the whole demo (people, tickets, cases, payments, messages) as read without the key:
    # no clear number, and no mask beside a date that completes it (security review C1)
    real = set(Person.objects.values_list("id_number", flat=True))  # decrypted, with the key
    rows = raw_rows()
    assert not [row for row in rows if valid_ids(row) & real]
    assert not [row for row in rows if rebuilt(row) & real]
