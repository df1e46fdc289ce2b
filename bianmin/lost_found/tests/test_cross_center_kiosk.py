"""The kiosk's 失物招领 and 寻物登记 tiles (touch only), and their center.

Cross-center: lost_found:kiosk_report files the report at the center named in the kiosk's URL
(center B's kiosk never writes to center A).
"""

import pytest
from django.test import Client

from bianmin.lost_found.models import LostReport

pytestmark = pytest.mark.django_db


def test_found_items_by_category(center, pinned) -> None:
    client = Client()
    page = client.get("/lost/kiosk/TG/").content.decode()
    assert 'href="?category=wallet"' in page
    assert 'data-testid="found-results"' not in page
    listed = client.get("/lost/kiosk/TG/?category=wallet").content.decode()
    assert 'data-testid="found-results"' in listed
    assert client.get("/lost/kiosk/NOPE/").status_code == 404


def test_lost_report_by_touch_lands_at_the_kiosks_center(center, other_center, pinned) -> None:
    client = Client()
    form = client.get("/lost/kiosk/HY/report/").content.decode()
    assert 'data-keypad aria-label="手机号码"' in form
    done = client.post(
        "/lost/kiosk/HY/report/",
        {
            "category": "wallet",
            "colour": "黑色",
            "place": "停车场",
            "lost_on": "2026-11-30",
            "phone": "13912345678",
        },
    ).content.decode()
    report = LostReport.objects.get()
    assert report.center_id == other_center.pk
    assert report.description == "黑色钱包/现金"
    assert report.place == "停车场"
    assert report.number in done
    assert "13912345678" not in done
    bad = client.post(
        "/lost/kiosk/TG/report/",
        {"category": "wallet", "place": "停车场", "lost_on": "2026-11-30", "phone": "123"},
    )
    assert LostReport.objects.count() == 1
    assert 'role="alert"' in bad.content.decode()
