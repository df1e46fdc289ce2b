"""Printing from chromium: the case receipt slip and the queue ticket come out on 80 mm paper
(their named @page), while an ordinary page stays A4 — what `--kiosk-printing` sends to the
printer without a dialog."""

import re
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.hall.enums import IssueChannel
from bianmin.hall.services import ticket_issue
from tests.support.browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MM = 72 / 25.4


def _page_size_mm(pdf: bytes, tmp_path) -> tuple[float, float]:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert match, info.stdout
    return round(float(match.group(1)) / MM), round(float(match.group(2)) / MM)


def test_receipt_slip_and_ticket_print_on_80mm_and_pages_stay_a4(
    live_server, browser, accepted_case, officer, tmp_path
):
    case = accepted_case()
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([session_cookie(officer, live_server.url)])
    page = context.new_page()
    page.goto(f"{live_server.url}/cases/{case.number}/receipt-slip/")
    assert case.number in page.inner_text("#receipt-slip")
    page.emulate_media(media="print")
    assert _page_size_mm(page.pdf(prefer_css_page_size=True), tmp_path) == (80, 200)

    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        ticket = ticket_issue(
            actor=None, center=case.center, item_codes=["HZ02"], channel=IssueChannel.KIOSK
        )
    page.goto(f"{live_server.url}/t/{ticket.pk}/print/")
    assert _page_size_mm(page.pdf(prefer_css_page_size=True), tmp_path) == (80, 140)

    page.goto(f"{live_server.url}/cases/{case.number}/")
    assert _page_size_mm(page.pdf(prefer_css_page_size=True, format="A4"), tmp_path) == (210, 297)
    context.close()
