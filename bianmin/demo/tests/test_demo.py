import pytest
import time_machine

from bianmin.accounts.models import Staff
from bianmin.core.permissions import Role
from bianmin.demo.services import PROVINCE_ACCOUNT, demo_load, reference_load

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-01 10:00 +0800", tick=False)
def test_the_demo_has_residents_and_a_province_account_for_the_catalogue() -> None:
    reference_load()

    summary = demo_load(residents=12, history_days=1)

    assert summary.residents == 12
    assert PROVINCE_ACCOUNT in summary.accounts
    province = Staff.objects.get(username=PROVINCE_ACCOUNT)
    assert (province.role, province.center_id) == (Role.DIRECTOR, None)
