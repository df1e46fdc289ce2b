import io

import pytest
import time_machine
from django.core.management import call_command

from bianmin.accounts.models import Staff
from bianmin.core.permissions import TWO_FACTOR_ROLES
from bianmin.demo.management.commands.bootstrap import accounts_banner, demo_accounts
from bianmin.demo.services import demo_load, reference_load

pytestmark = pytest.mark.django_db


def _usernames(listed: str) -> list[str]:
    if "…" in listed:  # "officer01 … officer20"
        first, last = (part.strip() for part in listed.split("…"))
        prefix = first.rstrip("0123456789")
        width = len(first) - len(prefix)
        start, end = int(first[len(prefix) :]), int(last[len(prefix) :])
        return [f"{prefix}{n:0{width}d}" for n in range(start, end + 1)]
    return [listed]


@time_machine.travel("2026-12-01 10:00 +0800", tick=False)
def test_the_banner_lists_every_demo_account_with_its_role_and_nothing_else() -> None:
    reference_load()
    demo_load(residents=12, history_days=1)

    roles = dict(Staff.objects.values_list("username", "role"))
    listed = {
        username: role for entry, _label, role in demo_accounts() for username in _usernames(entry)
    }

    assert listed == roles
    assert {"desk01", "province01", "sanitation01"} <= set(listed)


def test_the_banner_names_the_desk_and_the_province_account_and_their_second_factor() -> None:
    out = io.StringIO()

    call_command("bootstrap", "--no-demo", stdout=out)

    text = out.getvalue()
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ")}
    assert "惠民暖警服务台" in lines["desk01"]
    assert "省级管理员" in lines["province01"]
    for entry, _label, role in demo_accounts():
        assert ("需动态口令" in lines[entry.split()[0]]) == (role in TWO_FACTOR_ROLES)
    assert text.count("演示账户") == 1
    assert accounts_banner("x").count("\n  ") == len(demo_accounts())
