"""Thin HTML layer of the fees context, one module per group of screens."""

from bianmin.fees.views.campaigns import campaign_detail, campaign_edit, campaign_hours, campaigns
from bianmin.fees.views.payments import (
    drawer,
    drawer_summary,
    payment_detail,
    payments,
    receipt,
    reconciliation,
    refunds,
)
from bianmin.fees.views.policies import ledger, policies, policy_edit
from bianmin.fees.views.window import case_panel, counter, free_copies_view

__all__ = [
    "campaign_detail",
    "campaign_edit",
    "campaign_hours",
    "campaigns",
    "case_panel",
    "counter",
    "drawer",
    "drawer_summary",
    "free_copies_view",
    "ledger",
    "payment_detail",
    "payments",
    "policies",
    "policy_edit",
    "receipt",
    "reconciliation",
    "refunds",
]
