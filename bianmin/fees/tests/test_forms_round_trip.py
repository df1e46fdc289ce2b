"""D1: every fees form renders its existing data so that posting it back unchanged changes
nothing (date inputs show YYYY-MM-DD; the locale's 2019/06/01 was dropped by the browser)."""

import re
from datetime import date, time

from django.urls import reverse

from bianmin.fees.models import Campaign, WaiverPolicy
from bianmin.fees.selectors import policy_revisions
from bianmin.fees.services import policy_snapshot
from bianmin.fees.tests.factories import WaiverPolicyFactory

INPUT = re.compile(r"<input\b[^>]*>")
ATTR = re.compile(r'(\w[\w-]*)(?:="([^"]*)")?')


def posted_back(html: str) -> dict[str, object]:
    """What a browser sends for the form as rendered: inputs (date inputs only if valid
    YYYY-MM-DD, as <input type=date> does), checked boxes, selected options, textareas."""
    form = next(f for f in re.findall(r"<form\b.*?</form>", html, flags=re.S) if 'name="name"' in f)
    data: dict[str, object] = {}
    for tag in INPUT.findall(form):
        attrs = dict(ATTR.findall(tag[6:]))
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or "disabled" in attrs:
            continue
        value = attrs.get("value", "")
        if kind == "date" and value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            value = ""  # the browser rejects anything else and sends an empty field
        if kind in ("checkbox", "radio"):
            if "checked" in attrs:
                data.setdefault(name, [])
                data[name].append(value or "on")  # type: ignore[union-attr]
            continue
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = (
            chosen
            if "multiple" in form.split(f'name="{name}"')[0][-200:]
            else (chosen[0] if chosen else "")
        )
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = body.strip()
    return data


def test_a_policy_saved_unchanged_keeps_its_start_date(
    policies, pinned, director, center, login_client_for
):
    policy = WaiverPolicyFactory(
        center=center,
        code="TG-HALF",
        kind="percent",
        percent=50,
        valid_from=date(2019, 6, 1),
        valid_until=date(2027, 12, 31),
        groups_any=["dibao"],
        min_age=60,
    )
    before = policy_snapshot(policy)
    client = login_client_for(director)
    url = reverse("fees:policy", args=[policy.code])

    page = client.get(url).content.decode()
    assert 'value="2019-06-01"' in page
    data = posted_back(page) | {"change_reason": "核对，不作修改"}
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()
    assert policy_snapshot(WaiverPolicy.objects.get(pk=policy.pk)) == before
    assert len(policy_revisions(policy=policy)) == 0


def test_a_campaign_saved_unchanged_stays_the_same(summer, pinned, director, login_client_for):
    summer.opens_at, summer.closes_at = time(8, 0), time(18, 30)
    summer.save()
    fields = ("name", "starts_on", "ends_on", "item_codes", "min_age", "max_age", "opens_at")
    before = {f: getattr(summer, f) for f in fields}
    client = login_client_for(director)
    url = reverse("fees:campaign_edit", args=[summer.pk])

    page = client.get(url).content.decode()
    assert 'value="2026-07-01"' in page
    response = client.post(url, posted_back(page))

    assert response.status_code == 302, response.content.decode()
    after = Campaign.objects.get(pk=summer.pk)
    assert {f: getattr(after, f) for f in fields} == before


def test_the_date_fields_still_accept_the_old_slashed_form(
    policies, pinned, director, center, login_client_for
):
    policy = WaiverPolicyFactory(center=center, code="TG-OLD", valid_from=None)
    client = login_client_for(director)
    url = reverse("fees:policy", args=[policy.code])
    data = posted_back(client.get(url).content.decode())

    client.post(url, data | {"valid_from": "2019/06/01", "change_reason": "补录起始日期"})

    assert WaiverPolicy.objects.get(pk=policy.pk).valid_from == date(2019, 6, 1)
