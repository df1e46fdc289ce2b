"""The demo history: last summer's campaign with its results, recent payments, all consistent."""

import random

import time_machine
from django.db.models import Sum

from bianmin.core.permissions import Role
from bianmin.fees.demo import fees_demo_history
from bianmin.fees.models import Campaign, DrawerClose, Payment, Refund, SavingsEntry
from bianmin.fees.selectors import campaign_report, drawer_rows, savings_total_fen


def test_the_demo_history_is_consistent(catalogue, center, make_staff, director):
    for i in range(1, 6):
        make_staff(Role.OFFICER, username=f"officer{i:02d}")
    with time_machine.travel("2026-11-27 17:00 +0800", tick=False):
        counts = fees_demo_history(center=center, rng=random.Random(7), days=10)

        campaign = Campaign.objects.get()
        report = campaign_report(campaign=campaign)
        assert (campaign.name, str(campaign.starts_on), str(campaign.ends_on)) == (
            "2026年暑期中小学生免费办证",
            "2026-07-01",
            "2026-08-31",
        )
        assert report["cases"] == counts["campaign_payments"] > 300
        assert report["saved_fen"] > 0
        # nothing is stamped today: an officer's first 日结 holds only what they collect
        assert not Payment.objects.filter(on_date="2026-11-27").exists()
        assert Payment.objects.filter(on_date="2026-11-26").exists()
        assert report["cards"] == report["cases"]
        waived = Payment.objects.aggregate(s=Sum("waived_fen"))["s"]
        assert savings_total_fen(center_id=center.pk) == waived
        assert SavingsEntry.objects.aggregate(s=Sum("waived_fen"))["s"] == waived
        assert all(p.standard_fen == p.waived_fen + p.payable_fen for p in Payment.objects.all())
        closes = list(DrawerClose.objects.all())
        assert closes
        assert all(c.is_balanced or c.note for c in closes)
        assert [(c.difference_fen, c.note) for c in closes if not c.is_balanced] == [
            (-50, "找零差五角，已登记")
        ]
        for close in closes:
            row = next(
                r
                for r in drawer_rows(
                    center_id=center.pk, day=close.day, officer_id=close.officer_id
                )
                if r.window_code == close.window_code
            )
            assert close.expected_cash_fen == row.expected_cash_fen
        assert sorted(Refund.objects.values_list("status", flat=True)) == [
            "approved",
            "approved",
            "requested",
        ]
