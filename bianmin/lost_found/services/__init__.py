"""Writes of the lost-and-found context (public API; see the submodules)."""

from bianmin.lost_found.services.claims import ClaimInput, claim_handover
from bianmin.lost_found.services.common import claim_deadline_for
from bianmin.lost_found.services.disposal import (
    disposal_decide,
    disposal_request,
)
from bianmin.lost_found.services.intake import (
    FoundItemInput,
    PhotoUpload,
    found_item_publish,
    found_item_receive,
    found_item_register,
)
from bianmin.lost_found.services.matching import (
    lost_report_create,
    lost_reports_expire,
    match_decide,
    match_item_against_reports,
    match_report_against_items,
)
from bianmin.lost_found.services.setup import (
    category_rule_save,
    collection_point_save,
)

__all__ = [
    "ClaimInput",
    "FoundItemInput",
    "PhotoUpload",
    "category_rule_save",
    "claim_deadline_for",
    "claim_handover",
    "collection_point_save",
    "disposal_decide",
    "disposal_request",
    "found_item_publish",
    "found_item_receive",
    "found_item_register",
    "lost_report_create",
    "lost_reports_expire",
    "match_decide",
    "match_item_against_reports",
    "match_report_against_items",
]
