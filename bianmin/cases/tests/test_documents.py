"""Receipts and notices: Chinese wording people read, the center's day, public QR addresses."""

import pytest
import time_machine
from django.test import RequestFactory

from bianmin.cases import pipeline, services
from bianmin.cases.documents import progress_url, receipt_pdf
from bianmin.cases.tests.conftest import at, pdf_text
from tests.support.case_builders import all_provided

pytestmark = pytest.mark.django_db


def test_on_the_spot_receipt_says_concluded_on_the_spot(pinned, accepted_case, tmp_path):
    case = accepted_case("HZ10")
    assert case.promised_workdays == 0
    text = "".join(pdf_text(receipt_pdf(case), tmp_path).split())
    assert "承诺时限当场办结" in text
    assert "0个工作日" not in text


def test_promised_label():
    assert (pipeline.promised_label(0), pipeline.promised_label(7)) == ("当场办结", "7 个工作日")


def test_qr_address_follows_the_request(pinned, accepted_case, settings):
    settings.PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["hall.example"]
    case = accepted_case("HZ02")
    request = RequestFactory().get("/", HTTP_HOST="hall.example:8400")
    assert progress_url(case, request) == (
        f"http://hall.example:8400/progress/?number={case.number}"
    )


def test_case_number_carries_the_centers_day_after_midnight(setup, new_case, officer):
    # 00:30 in China is still the previous day in UTC
    with time_machine.travel(at(2026, 9, 30, 0, 30), tick=False):
        case = new_case("HZ02")
    assert case.number.startswith("TG-20260930-")


def test_closed_case_shows_no_deadline_badge(pinned, accepted_case, officer, login_client_for):
    case = accepted_case("HZ10")
    assert (
        pipeline.deadline_state(
            today=case.deadline, deadline=case.deadline, warn_on=case.deadline, status="closed"
        )
        == "final"
    )
    case = services.case_advance(actor=officer, case=case, to_stage="closed")
    assert case.status == "closed"
    panel = login_client_for(officer).get("/cases/window/panel/", {"case": case.number})
    html = panel.content.decode()
    assert case.number in html
    assert 'data-testid="deadline-state"' not in html
    assert "临期" not in html


def test_case_history_names_its_stages(pinned, accepted_case, back_office, login_client_for):
    case = accepted_case("HZ02")
    services.case_advance(actor=back_office, case=case, to_stage="review")
    html = login_client_for(back_office).get(f"/cases/{case.number}/").content.decode()
    assert "受理 → 审核" in html


def test_no_english_on_the_case_record(pinned, accepted_case, back_office, login_client_for):
    import re

    case = accepted_case("HZ02")
    services.case_advance(actor=back_office, case=case, to_stage="review")
    html = login_client_for(back_office).get(f"/cases/{case.number}/").content.decode()
    body = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1])
    words = set(re.findall(r"\b[a-z_]{4,}\b", body))
    assert not words & {
        "accepted",
        "review",
        "approve",
        "production",
        "arrival",
        "pickup",
        "closed",
        "pre_review",
        "resident_id",
        "advanced",
    }


def test_receipt_after_acceptance_and_pre_review(pinned, new_case, officer):
    case = new_case("HZ02")
    services.case_pre_review(actor=officer, case=case, results=all_provided(case))
    case = services.case_accept(actor=officer, case=case)
    assert receipt_pdf(case).startswith(b"%PDF")
