"""The provincial uploader interface with the documented stub adapter (outside the product)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from bianmin.core.errors import DomainError
from bianmin.ratings.enums import Channel
from bianmin.ratings.services import rating_submit, ratings_upload, token_issue
from tests.support import provincial_ratings

STUB = "tests.support.provincial_ratings.StubUploader"


@pytest.fixture(autouse=True)
def _clean_stub():
    provincial_ratings.RECEIVED.clear()
    provincial_ratings.FAIL_NEXT.clear()
    yield
    provincial_ratings.RECEIVED.clear()
    provincial_ratings.FAIL_NEXT.clear()


def test_without_an_adapter_the_upload_says_so(visit, director):
    with pytest.raises(DomainError) as refused:
        ratings_upload(actor=director, center_id=director.center_id, month=visit.day)
    assert "人工上传" in refused.value.message


@override_settings(RATINGS_PROVINCIAL_UPLOADER=STUB)
def test_the_stub_receives_the_month_in_the_platforms_shape(visit, director, login_client_for):
    rating_submit(token=token_issue(event=visit, channel=Channel.KIOSK), level=3)
    response = login_client_for(director).post(reverse("ratings:upload"), {"month": "2026-12"})
    assert response.status_code == 302
    (received,) = provincial_ratings.RECEIVED
    assert received["center"] == "TG"
    assert [(row["level"], row["channel"]) for row in received["rows"]] == [(3, "kiosk")]


@override_settings(RATINGS_PROVINCIAL_UPLOADER=STUB)
def test_a_failed_upload_is_a_chinese_message(visit, director):
    provincial_ratings.FAIL_NEXT.append("平台维护中")
    with pytest.raises(DomainError) as refused:
        ratings_upload(actor=director, center_id=director.center_id, month=visit.day)
    assert "平台维护中" in refused.value.message
    assert provincial_ratings.RECEIVED == []
