import unicodedata

from django.core.management.base import BaseCommand, CommandParser

from bianmin.accounts.selectors import center_default
from bianmin.core.permissions import TWO_FACTOR_ROLES, Role
from bianmin.demo.services import (
    ACCOUNTS,
    DEMO_PASSWORD,
    PROVINCE_ACCOUNT,
    demo_load,
    reference_load,
)

# The accounts the demo creates outside `ACCOUNTS`: the numbered window officers, the family
# desk's account (created by bianmin.family_desk.demo) and the province-scope account.
OFFICERS = ("officer01 … officer20", f"{Role.OFFICER.label}（全科）", Role.OFFICER)
DESK_ACCOUNT = ("desk01", str(Role.DESK_OFFICER.label), Role.DESK_OFFICER)
PROVINCE = (
    PROVINCE_ACCOUNT,
    "省级管理员（全省事项、工作日历、短信模板）",
    Role.DIRECTOR,
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def demo_accounts() -> list[tuple[str, str, Role]]:
    """(username, what the account is, role) of every demo account, in the order printed."""
    return [
        OFFICERS,
        *((username, str(Role(role).label), Role(role)) for username, _n, role, _a in ACCOUNTS),
        DESK_ACCOUNT,
        PROVINCE,
    ]


def accounts_banner(password: str) -> str:
    lines = ["", f"演示账户（密码均为 {password}）："]
    for username, label, role in demo_accounts():
        line = f"  {username.ljust(24)}{label}"
        if role in TWO_FACTOR_ROLES:
            line += " " * max(1, 12 - _width(label)) + "（需动态口令）"
        lines.append(line)
    lines += [
        "首次登录需动态口令的账户时，用认证器扫描页面上的二维码；",
        "没有认证器时可运行：.venv/bin/python manage.py totp_code director01",
        "",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Load reference data; on an empty database also the demo hall. Safe to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-demo", action="store_true")
        parser.add_argument("--residents", type=int, default=2000)

    def handle(self, *args: object, **options: object) -> None:
        loaded = reference_load()
        self.stdout.write(f"reference data: {loaded}")
        if options["no_demo"] or center_default() is not None:
            self.stdout.write("existing data kept")
        else:
            summary = demo_load(residents=int(options["residents"]))  # type: ignore[call-overload]
            self.stdout.write(f"demo center {summary.center.code}: {summary.residents} residents")
        self.stdout.write(self.style.SUCCESS(accounts_banner(DEMO_PASSWORD)))
