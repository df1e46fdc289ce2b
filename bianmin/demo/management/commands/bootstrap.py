from django.core.management.base import BaseCommand, CommandParser

from bianmin.accounts.selectors import center_default
from bianmin.demo.services import DEMO_PASSWORD, demo_load, reference_load


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
        self.stdout.write(self.style.SUCCESS(ACCOUNTS_BANNER.format(password=DEMO_PASSWORD)))


ACCOUNTS_BANNER = """
演示账户（密码均为 {password}）：
  officer01 … officer20   窗口民警（全科）
  guide01                 导办员
  leader01                值班长
  backoffice01, 02        审核审批民警
  director01              中心主任   （需动态口令）
  inspector01             督察       （需动态口令）
  admin                   系统管理员 （需动态口令）
首次登录需动态口令的账户时，用认证器扫描页面上的二维码；
没有认证器时可运行：.venv/bin/python manage.py totp_code director01
"""
