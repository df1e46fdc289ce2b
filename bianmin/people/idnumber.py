"""Chinese resident identity numbers (公民身份号码, GB 11643-1999).

Pure Python: no models, no database, no Django settings needed, so it can be imported from
anywhere (forms, services, demo data, management commands, plain tests).

Layout of an 18-character number::

    610522 19900101 123 X
    |      |        |   `- check character, ISO 7064 MOD 11-2 ("0".."9" or "X")
    |      |        `----- sequence; its last digit (position 17) is odd for men, even for women
    |      `-------------- birth date YYYYMMDD
    `--------------------- address code: GB/T 2260 county-level division code

The address code is the code of the place that first issued the number and is never changed
afterwards, so codes of abolished divisions (e.g. 610521 华县, now 610503 华州区) stay valid.
Region data: ``data/regions.json`` (see ``data/README.md`` for source and licence).

Old 15-digit numbers (GB 11643-1989: address, YYMMDD, 3-digit sequence, no check character)
are not accepted; ``check_id_number`` flags them with ``needs_conversion`` and offers the
18-digit form computed by ``convert_15_to_18``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = [
    "ERROR_MESSAGES",
    "IdNumberCheck",
    "age_on",
    "check_character",
    "check_id_number",
    "china_today",
    "convert_15_to_18",
    "make_id_number",
    "mask_id_number",
    "region_exists",
    "region_name",
]

REGIONS_PATH = Path(__file__).resolve().parent / "data" / "regions.json"

WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
DIGITS = frozenset("0123456789")

MALE = "male"
FEMALE = "female"
GENDERS = (MALE, FEMALE)
GENDER_LABELS = {MALE: "男性", FEMALE: "女性"}

CHINA_TZ = ZoneInfo("Asia/Shanghai")

# Every user-facing message lives here; placeholders are filled with str.format().
ERROR_MESSAGES: dict[str, str] = {
    "length": "身份证号码应为18位，当前为 {length} 位",
    "characters": "身份证号码只能由数字组成，仅最后一位可以是 X",
    "check_digit": "校验位错误，应为 {expected}",
    "birth_date": "出生日期不存在：{value}",
    "future_birth_date": "出生日期晚于今天：{value}",
    "region_code": "地址码 {code} 不在行政区划代码表中（含历史代码）",
    "gender_mismatch": "性别与身份证号码不符：号码第17位表示{label}",
    "needs_conversion": "15位旧号码需先升级为18位：建议 {converted}",
}


def china_today() -> date:
    """Today's date in China (Asia/Shanghai), whatever the server's time zone."""
    return datetime.now(tz=CHINA_TZ).date()


# The clock used when ``check_id_number`` gets no ``today``. Replace it (or pass ``today``)
# to pin the date, e.g. ``check_id_number(v, today=timezone.localdate())`` inside Django.
clock: Callable[[], date] = china_today


@dataclass(frozen=True)
class IdNumberCheck:
    """Result of ``check_id_number``.

    On failure the fields that could be derived before the failing check are still filled
    (e.g. a ``gender_mismatch`` result carries birth date, gender and region).
    """

    valid: bool
    normalized: str  # upper-cased, stripped
    birth_date: date | None
    gender: str | None  # "male" / "female"
    region_code: str | None
    region_name: str | None  # e.g. "陕西省渭南市潼关县" (historical name if abolished)
    error_code: str | None  # a key of ERROR_MESSAGES
    error: str | None  # Chinese message
    converted: str | None = None  # for needs_conversion


# --- region table ---------------------------------------------------------------------------


@cache
def _region_table() -> dict[str, str]:
    with REGIONS_PATH.open(encoding="utf-8") as fh:
        payload = json.load(fh)
    regions: dict[str, str] = payload["regions"]
    return regions


def region_exists(code: str) -> bool:
    """True if ``code`` is, or once was, a GB/T 2260 division code (incl. 810000/820000/830000)."""
    return code in _region_table()


def region_name(code: str) -> str | None:
    """Full name of the division, e.g. "陕西省渭南市潼关县"; the last name used if abolished."""
    return _region_table().get(code)


# --- building blocks ------------------------------------------------------------------------


def _normalize(value: str) -> str:
    # NFKC turns full-width input from Chinese IMEs ("６１０５２２…Ｘ") into ASCII.
    return unicodedata.normalize("NFKC", value).strip().upper()


def _is_digits(value: str) -> bool:
    return bool(value) and all(ch in DIGITS for ch in value)


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character ("0".."9" or "X") for the first 17 digits."""
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def convert_15_to_18(value: str) -> str:
    """Upgrade a 15-digit GB 11643-1989 number: insert "19" before the year, add the check."""
    old = _normalize(value)
    if len(old) != 15 or not _is_digits(old):
        raise ValueError(f"expected 15 digits, got {value!r}")
    first17 = old[:6] + "19" + old[6:]
    return first17 + check_character(first17)


def _parse_birth_date(digits8: str) -> date | None:
    try:
        return date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return None


def _gender_of(number: str) -> str:
    return MALE if int(number[16]) % 2 == 1 else FEMALE


def _failure(
    normalized: str,
    error_code: str,
    /,
    *,
    birth_date: date | None = None,
    gender: str | None = None,
    region_code: str | None = None,
    **fmt: object,
) -> IdNumberCheck:
    return IdNumberCheck(
        valid=False,
        normalized=normalized,
        birth_date=birth_date,
        gender=gender,
        region_code=region_code,
        region_name=region_name(region_code) if region_code else None,
        error_code=error_code,
        error=ERROR_MESSAGES[error_code].format(**fmt),
    )


# --- main check -----------------------------------------------------------------------------


def check_id_number(
    value: str, *, gender: str | None = None, today: date | None = None
) -> IdNumberCheck:
    """Check an identity number; ``gender`` is the recorded gender ("male"/"female"), if any.

    Checks run in this order and stop at the first failure: length, characters, check
    character, birth date exists, birth date not after ``today``, address code known
    (current or historical), gender matches.  A well-formed 15-digit number fails with
    ``needs_conversion`` and ``converted`` set to its 18-digit form; if that form would itself
    fail (impossible date, unknown region, ...), that failure is returned instead.
    """
    if gender is not None and gender not in GENDERS:
        raise ValueError(f"gender must be one of {GENDERS} or None, got {gender!r}")
    if today is None:
        today = clock()
    normalized = _normalize(value)

    if len(normalized) == 15 and _is_digits(normalized):
        converted = convert_15_to_18(normalized)
        upgraded = check_id_number(converted, gender=gender, today=today)
        if not upgraded.valid:
            return IdNumberCheck(
                valid=False,
                normalized=normalized,
                birth_date=upgraded.birth_date,
                gender=upgraded.gender,
                region_code=upgraded.region_code,
                region_name=upgraded.region_name,
                error_code=upgraded.error_code,
                error=upgraded.error,
            )
        return IdNumberCheck(
            valid=False,
            normalized=normalized,
            birth_date=upgraded.birth_date,
            gender=upgraded.gender,
            region_code=upgraded.region_code,
            region_name=upgraded.region_name,
            error_code="needs_conversion",
            error=ERROR_MESSAGES["needs_conversion"].format(converted=converted),
            converted=converted,
        )

    if len(normalized) != 18:
        return _failure(normalized, "length", length=len(normalized))
    if not _is_digits(normalized[:17]) or not (normalized[17] in DIGITS or normalized[17] == "X"):
        return _failure(normalized, "characters")

    expected = check_character(normalized[:17])
    if normalized[17] != expected:
        return _failure(normalized, "check_digit", expected=expected)

    actual_gender = _gender_of(normalized)
    code = normalized[:6]
    birth = _parse_birth_date(normalized[6:14])
    if birth is None:
        return _failure(
            normalized,
            "birth_date",
            gender=actual_gender,
            region_code=code,
            value=normalized[6:14],
        )
    if birth > today:
        return _failure(
            normalized,
            "future_birth_date",
            birth_date=birth,
            gender=actual_gender,
            region_code=code,
            value=normalized[6:14],
        )
    if not region_exists(code):
        return _failure(
            normalized,
            "region_code",
            birth_date=birth,
            gender=actual_gender,
            region_code=code,
            code=code,
        )
    if gender is not None and gender != actual_gender:
        return _failure(
            normalized,
            "gender_mismatch",
            birth_date=birth,
            gender=actual_gender,
            region_code=code,
            label=GENDER_LABELS[actual_gender],
        )

    return IdNumberCheck(
        valid=True,
        normalized=normalized,
        birth_date=birth,
        gender=actual_gender,
        region_code=code,
        region_name=region_name(code),
        error_code=None,
        error=None,
    )


# --- helpers for other modules --------------------------------------------------------------


def age_on(id_number: str, on: date) -> int:
    """Age in full years (周岁) on ``on``; a 29 February birthday counts from 1 March.

    Accepts 18- or 15-digit numbers; only the birth date is read (no other checks).
    Raises ValueError if no real birth date can be read or ``on`` is before it.
    """
    number = _normalize(id_number)
    if len(number) == 15 and _is_digits(number):
        number = convert_15_to_18(number)
    birth = _parse_birth_date(number[6:14]) if len(number) == 18 else None
    if birth is None or not _is_digits(number[6:14]):
        raise ValueError(f"no birth date in {id_number!r}")
    if on < birth:
        raise ValueError(f"{on.isoformat()} is before the birth date {birth.isoformat()}")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def make_id_number(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid 18-character number (demo data, tests).

    ``sequence`` is 0..999 and becomes positions 15-17: an odd last digit means male.
    """
    if not region_exists(region_code):
        raise ValueError(f"unknown region code {region_code!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0..999, got {sequence}")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    if len(first17) != 17:
        raise ValueError(f"birth year must have four digits, got {birth.year}")
    return first17 + check_character(first17)


def mask_id_number(value: str) -> str:
    """Mask for display and logs: keep the first 6 and last 4 characters.

    ``610522********124X`` for 18 characters; anything of 10 characters or fewer is fully
    masked, so no short fragment is ever shown in full.
    """
    number = _normalize(value)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
