"""Every error code the catalogue raises (clients depend on the values)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("catalogue")
class CatalogueError(StrEnum):
    UNKNOWN_ITEM = "unknown_item"
    UNEDITABLE_FIELD = "invalid"
    PROVINCE_ONLY = "province_only"
    REASON_REQUIRED = "reason_required"
    SOURCE_REQUIRED = "source_required"
    BAD_CODE = "bad_code"
    NAME_REQUIRED = "name_required"
    UNKNOWN_CONDITION = "unknown_condition"
    UNKNOWN_MATERIAL = "unknown_material"
    NEGATIVE_FEE = "negative_fee"
    BAD_AMOUNT = "bad_amount"
    BAD_DATE = "bad_date"
