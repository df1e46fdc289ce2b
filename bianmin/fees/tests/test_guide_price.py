"""D3: the public guide (办事指南) shows what a citizen pays today, waivers included, with the
policy's name; catalogue shows it through the hook fees registers (catalogue never imports fees)."""

from datetime import date

import time_machine
from django.urls import reverse

from bianmin.fees.models import WaiverPolicy
from bianmin.fees.tests.factories import WaiverPolicyFactory


def text(client, url, **params):
    return " ".join(client.get(url, params).content.decode().split())


def test_the_guide_shows_the_free_household_window(policies, pinned, client):
    listing = text(client, reverse("catalogue:public_list"))
    item = text(client, reverse("catalogue:public_item", args=["HZ04"]))

    assert "免费（免费户籍窗口）" in listing
    assert "免费（免费户籍窗口）" in item
    assert "10 元" not in item
    # an item no unconditional policy waives keeps its standard fee
    assert "20 元" in text(client, reverse("catalogue:public_item", args=["HZ02"]))


def test_conditional_waivers_are_not_promised_to_everyone(policies, pinned, client):
    """LOW-INCOME needs a group and evidence: the guide cannot say HZ02 is free."""
    page = text(client, reverse("catalogue:public_item", args=["HZ02"]))

    assert "特困群体减免" not in page


def test_a_policy_not_yet_in_force_is_not_shown(policies, center, client):
    WaiverPolicyFactory(
        center=center,
        code="TG-JG01",
        name="驾驶证半价",
        kind="percent",
        percent=50,
        valid_from=date(2026, 8, 1),
    )
    url = reverse("catalogue:public_item", args=["JG01"])

    with time_machine.travel("2026-07-15 10:00 +0800", tick=False):
        before = text(client, url, center="TG")
    with time_machine.travel("2026-08-01 10:00 +0800", tick=False):
        after = text(client, url, center="TG")
        province_only = text(client, url)

    assert "5 元（驾驶证半价，原价 10 元）" not in before
    assert "5 元（驾驶证半价，原价 10 元）" in after
    assert "驾驶证半价" not in province_only


# --- the guide's list is cached per version (catalogue.selectors.guide_list_cached) ------------

LIST = "/items/"


def test_a_new_or_changed_policy_shows_on_the_cached_guide_at_once(policies, center, client):
    with time_machine.travel("2026-08-03 10:00 +0800", tick=False):
        assert "驾驶证半价" not in text(client, LIST, center="TG")  # now cached

        policy: WaiverPolicy = WaiverPolicyFactory.create(
            center=center, code="TG-JG01", name="驾驶证半价", kind="percent", percent=50
        )
        assert "驾驶证半价" in text(client, LIST, center="TG")

        policy.name = "驾驶证八折"
        policy.percent = 20
        policy.save()
        listing = text(client, LIST, center="TG")
        assert "驾驶证八折" in listing
        assert "驾驶证半价" not in listing

        policy.delete()
        assert "驾驶证八折" not in text(client, LIST, center="TG")


def test_two_centers_never_see_each_others_cached_guide(policies, center, other_center, client):
    WaiverPolicyFactory(
        center=other_center, code="HY-JG01", name="华阴驾驶证减免", kind="percent", percent=50
    )
    with time_machine.travel("2026-08-03 10:00 +0800", tick=False):
        pages = [
            ("TG", text(client, LIST, center="TG")),
            ("HY", text(client, LIST, center="HY")),
            ("TG", text(client, LIST, center="TG")),
            ("", text(client, LIST)),
            ("ZZ", text(client, LIST, center="ZZ")),  # no such center: the province's guide
            ("HY", text(client, LIST, center="HY")),
        ]

    for code, page in pages:
        assert ("华阴驾驶证减免" in page) == (code == "HY"), code
        assert "免费（免费户籍窗口）" in page  # the province-wide policy shows everywhere


def test_the_cached_guide_follows_the_day(policies, center, client):
    WaiverPolicyFactory(
        center=center,
        code="TG-JG01",
        name="驾驶证半价",
        kind="percent",
        percent=50,
        valid_from=date(2026, 8, 1),
    )
    with time_machine.travel("2026-07-31 23:59 +0800", tick=False):
        before = text(client, LIST, center="TG")
    with time_machine.travel("2026-08-01 00:01 +0800", tick=False):
        after = text(client, LIST, center="TG")

    assert "驾驶证半价" not in before
    assert "驾驶证半价" in after
