"""Small validators shared by every context (one definition each)."""

import re

# A mainland China mobile number: 11 digits starting 13–19.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.fullmatch(value or ""))
