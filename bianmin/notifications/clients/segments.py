"""Character and segment counting for mainland-China template SMS.

Both Alibaba Cloud and Tencent Cloud bill per *segment* and count characters the same way:

* the counted text is the signature **including** its 【】 brackets plus the filled template;
* every character counts as 1 -- Chinese, Latin letters, digits, spaces, line breaks and
  punctuation, whether full width or half width;
* up to 70 characters is one segment; a longer message is sent as a concatenated SMS whose
  parts carry a 3-character header each, so it is billed in segments of 67;
* a message may not exceed 500 characters.

Characters outside the Basic Multilingual Plane (emoji, rare CJK extension-B ideographs) travel
as a UTF-16 surrogate pair on the UCS-2 radio interface, so they occupy two character slots;
we count them as 2 so that our bill estimate never comes out lower than the operator's.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

SINGLE_SEGMENT_LIMIT = 70
MULTIPART_SEGMENT_SIZE = 67
MAX_CHARACTERS = 500

SIGNATURE_MIN_LENGTH = 3
SIGNATURE_MAX_LENGTH = 8

# CJK Unified Ideographs, extension A, and compatibility ideographs: what counts as "Chinese"
# for the rule that a signature must contain Chinese.
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Brackets the gateway adds itself, and whitespace, which both providers refuse in a signature.
_FORBIDDEN_IN_SIGNATURE = re.compile(r"[【】\[\]\s]")


class SegmentCount(NamedTuple):
    characters: int
    segments: int


class MessageTooLongError(ValueError):
    """The rendered message exceeds what the providers accept."""


class SignatureError(ValueError):
    """The SMS signature (签名) does not meet the providers' rules."""


def count_characters(text: str) -> int:
    """Count characters the way the operators do (see module docstring)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def count_segments(text: str) -> SegmentCount:
    """Return the billed character and segment counts of a fully rendered message.

    ``text`` must already include 【signature】. Raises ``MessageTooLongError`` above 500
    characters, because both providers reject such a request outright and it is better to
    find out before spending a network round trip.
    """
    characters = count_characters(text)
    if characters > MAX_CHARACTERS:
        raise MessageTooLongError(
            f"短信内容共 {characters} 字，超过 {MAX_CHARACTERS} 字上限，请精简模板或参数。"
        )
    if characters == 0:
        return SegmentCount(0, 0)
    if characters <= SINGLE_SEGMENT_LIMIT:
        return SegmentCount(characters, 1)
    return SegmentCount(characters, math.ceil(characters / MULTIPART_SEGMENT_SIZE))


def validate_signature(signature: str) -> str:
    """Check a signature given *without* 【】 and return it unchanged.

    Rules: 3 to 8 characters, at least one Chinese character, no brackets or whitespace.
    Raises ``SignatureError`` with a Chinese message suitable for showing to an operator.
    """
    if not isinstance(signature, str) or not signature:
        raise SignatureError("短信签名不能为空。")
    if _FORBIDDEN_IN_SIGNATURE.search(signature):
        raise SignatureError("短信签名不能包含【】、方括号或空白字符，系统会自动添加【】。")
    length = count_characters(signature)
    if not SIGNATURE_MIN_LENGTH <= length <= SIGNATURE_MAX_LENGTH:
        raise SignatureError(
            f"短信签名长度应为 {SIGNATURE_MIN_LENGTH}～{SIGNATURE_MAX_LENGTH} 个字，"
            f"当前为 {length} 个字。"
        )
    if not _CHINESE.search(signature):
        raise SignatureError("短信签名必须包含汉字。")
    return signature


def render_text(signature: str, body: str) -> str:
    """Compose the text the handset shows: 【signature】 followed by the filled template."""
    return f"【{signature}】{body}"
