"""Writes of the fees context, one module per sub-domain; this package is its public API."""

from bianmin.fees.services.campaigns import CampaignInput, campaign_save
from bianmin.fees.services.common import is_province_actor, may_edit_policies, yuan_to_fen
from bianmin.fees.services.drawers import drawer_close, free_copies_add
from bianmin.fees.services.payments import (
    Payer,
    payment_collect,
    payment_collect_for_case,
    payment_open,
)
from bianmin.fees.services.policies import (
    REFERENCE_POLICIES,
    fees_load_reference,
    policy_save,
    policy_snapshot,
)
from bianmin.fees.services.refunds import refund_decide, refund_request

__all__ = [
    "REFERENCE_POLICIES",
    "CampaignInput",
    "Payer",
    "campaign_save",
    "drawer_close",
    "fees_load_reference",
    "free_copies_add",
    "is_province_actor",
    "may_edit_policies",
    "payment_collect",
    "payment_collect_for_case",
    "payment_open",
    "policy_save",
    "policy_snapshot",
    "refund_decide",
    "refund_request",
    "yuan_to_fen",
]
