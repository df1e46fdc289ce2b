"""Machine codes of the traffic-violation query (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("traffic")
class TrafficError(StrEnum):
    NOT_CONNECTED = "not_connected"
    INVALID_PLATE = "invalid_plate"
    INVALID_VIN = "invalid_vin"
    INVALID_PLATE_TYPE = "invalid_plate_type"
    INVALID_ID_NUMBER = "invalid_id_number"
    NOT_MATCHED = "not_matched"
    PROVIDER_FAILED = "provider_failed"
    KIOSK_ONLY = "kiosk_only"
    THROTTLED = "throttled"
