"""An officer, in the browser, takes the HZ01 exam on a phone-sized screen and is certified."""

import pytest
import time_machine

from bianmin.accounts.models import Authorization
from bianmin.standards.models import ExamAttempt, Question
from bianmin.standards.tests.conftest import MORNING
from tests.support.browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_passes_the_exam_in_the_browser(live_server, browser, hz01_exam, trainee):
    with time_machine.travel(MORNING, tick=True):
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        context.add_cookies([session_cookie(trainee, live_server.url)])
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/standards/training/")
            page.get_by_role("button", name="开始考试").click()
            page.get_by_role("button", name="交卷").wait_for()
            # the countdown script replaces the deadline (H:i) once it runs, after the button
            page.wait_for_function(
                "() => document.getElementById('countdown').textContent.includes('分')"
            )
            assert "秒" in page.locator("#countdown").inner_text()
            attempt = ExamAttempt.objects.get()
            for question in Question.objects.filter(pk__in=attempt.question_ids):
                letter = question.answer[0]
                page.locator(f'input[name="q{question.pk}"][value="{letter}"]').check()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.get_by_role("button", name="交卷").click()
            page.get_by_text("已通过").wait_for()
            assert Authorization.objects.filter(staff=trainee, item__code="HZ01").exists()
        finally:
            context.close()
