"""The guide desk's material checklist: the pre-review's conditional materials for the chosen
items and situation; printable and on the phone by QR code, with no personal data."""

import pytest
from django.test import Client

from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_checklist_follows_the_situation(setup, make_staff) -> None:
    guide = make_staff(Role.GUIDE)
    client = Client()
    client.force_login(guide)
    form = client.get("/cases/guide/checklist/?form=1").content.decode()
    assert 'name="f" value="lost"' in form
    adult = client.get("/cases/guide/checklist/", {"items": ["HZ02"], "age": "adult"})
    child = client.get("/cases/guide/checklist/", {"items": ["HZ02"], "age": "child"})
    adult_text, child_text = adult.content.decode(), child.content.decode()
    assert "近期免冠照片" in adult_text
    assert adult_text != child_text  # a guardian's materials for the under-16
    assert "监护人" in child_text
    assert "<svg" in adult_text  # the QR code to the same list
    assert "/checklist/?items=HZ02" in adult_text
    empty = client.get("/cases/guide/checklist/").content.decode()
    assert "请先在左侧勾选办理事项" in empty
    outsider = Client()
    assert outsider.get("/cases/guide/checklist/").status_code == 302  # sign-in first


def test_public_checklist_page_and_print(setup) -> None:
    page = Client().get("/checklist/", {"items": ["HZ02"], "age": "child", "print": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-autoprint="1"' in html
    assert "监护人" in html
    assert Client().get("/checklist/", {"items": ["NOPE"]}).status_code == 200
