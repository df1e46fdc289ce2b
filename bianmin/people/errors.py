"""Every error code the person registry raises (clients depend on the values)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("people")
class PersonErrorCode(StrEnum):
    INVALID_PERSON = "invalid_person"
    NOT_FOUND = "person_not_found"
    INVALID_GENDER = "invalid_gender"
    INVALID_NAME = "invalid_name"
    INVALID_PHONE = "invalid_phone"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_FORMAT = "photo_format"
    PHOTO_UNREADABLE = "photo_unreadable"
    INVALID_FIELD = "invalid_field"
    # one per `people.idnumber.ERROR_MESSAGES` key, prefixed `id_`
    ID_LENGTH = "id_length"
    ID_CHARACTERS = "id_characters"
    ID_CHECK_DIGIT = "id_check_digit"
    ID_BIRTH_DATE = "id_birth_date"
    ID_FUTURE_BIRTH_DATE = "id_future_birth_date"
    ID_REGION_CODE = "id_region_code"
    ID_GENDER_MISMATCH = "id_gender_mismatch"
    ID_NEEDS_CONVERSION = "id_needs_conversion"
    # ownership (docs/adr/0007-person-registry.md)
    OTHER_CENTER = "person_other_center"
    REASON_REQUIRED = "reason_required"
    CENTER_REQUIRED = "center_required"
    # the Excel import (file-level codes: bianmin.core.spreadsheets.SpreadsheetError)
    DUPLICATE_ROW = "duplicate_row"
