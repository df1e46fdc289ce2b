"""Pure rules of the SMS platform (no database): rendering, length budget, quiet hours,
retry backoff and the rate limiter's arithmetic. Unit-tested in milliseconds."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils.translation import gettext as _

from bianmin.notifications.clients.segments import (
    MAX_CHARACTERS,
    SegmentCount,
    count_characters,
    count_segments,
    render_text,
)
from bianmin.notifications.wording import VARIABLES

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A full 18-character resident ID number must never appear in an SMS (domain-rules §9.3).
FULL_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
FORBIDDEN_BRACKETS = re.compile(r"[【】]")


class RenderError(ValueError):
    """A template or its parameters cannot be turned into an SMS; message is Chinese."""


def placeholders(body: str) -> list[str]:
    """Variable names in order of first appearance (the order Tencent's positional params use)."""
    seen: list[str] = []
    for name in PLACEHOLDER.findall(body):
        if name not in seen:
            seen.append(name)
    return seen


def check_body(body: str) -> list[str]:
    """Validate a template body's syntax; returns its variables or raises RenderError."""
    body = body.strip()
    if not body:
        raise RenderError("模板内容不能为空。")
    if FORBIDDEN_BRACKETS.search(body):
        raise RenderError("模板内容不能包含【】，短信签名由系统自动添加。")
    leftover = PLACEHOLDER.sub("", body)
    if "${" in leftover:
        raise RenderError("变量格式应为 ${变量名}，例如 ${item}。")
    names = placeholders(body)
    unknown = [n for n in names if n not in VARIABLES]
    if unknown:
        allowed = "、".join(f"${{{k}}}" for k in VARIABLES)
        raise RenderError(f"未知变量：{'、'.join(unknown)}。可用变量：{allowed}。")
    if FULL_ID_NUMBER.search(body):
        raise RenderError("模板中不得出现完整身份证号码。")
    return names


def fill(body: str, params: Mapping[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        return params[match.group(1)]

    return PLACEHOLDER.sub(repl, body)


def render(signature: str, body: str, params: Mapping[str, str]) -> str:
    """The full text the handset shows; validates the parameters strictly."""
    names = placeholders(body)
    missing = [n for n in names if not str(params.get(n, "")).strip()]
    if missing:
        raise RenderError(f"缺少短信参数：{'、'.join(missing)}。")
    clean: dict[str, str] = {}
    for name in names:
        value = str(params[name]).strip()
        if FORBIDDEN_BRACKETS.search(value):
            raise RenderError("短信参数不能包含【】。")
        if FULL_ID_NUMBER.search(value):
            raise RenderError("短信中不得出现完整身份证号码，请使用办件编号或脱敏号码。")
        clean[name] = value
    return render_text(signature, fill(body, clean))


def worst_case(signature: str, body: str) -> SegmentCount:
    """Length with every variable at its maximum length (the editor's budget check)."""
    filled = fill(body, {n: "字" * VARIABLES[n].max_length for n in placeholders(body)})
    text = render_text(signature, filled)
    characters = count_characters(text)
    if characters > MAX_CHARACTERS:
        return SegmentCount(characters, math.ceil(characters / 67))
    return count_segments(text)


def sample_params(names: Iterable[str]) -> dict[str, str]:
    return {n: VARIABLES[n].sample for n in names if n in VARIABLES}


# -- quiet hours --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    def resume_at(self, local_now: datetime) -> datetime | None:
        """None when sending is allowed now; otherwise the local datetime when it is again.

        ``local_now`` must be aware and in the hall's zone (Asia/Shanghai)."""
        current = local_now.timetz().replace(tzinfo=None)
        if self.start > self.end:  # the usual overnight window, 21:00–08:00
            if current >= self.start:
                day = local_now.date() + timedelta(days=1)
            elif current < self.end:
                day = local_now.date()
            else:
                return None
        else:
            if not (self.start <= current < self.end):
                return None
            day = local_now.date()
        return datetime.combine(day, self.end, tzinfo=local_now.tzinfo)


def waiting_reason(
    *,
    is_urgent: bool,
    next_attempt_at: datetime,
    error_code: str,
    error_message: str,
    local_now: datetime,
    quiet: QuietHours | None,
) -> str:
    """Why a queued message has not been sent yet, in words a clerk can repeat to a citizen
    (never "已发送" for a message that is only queued). Times are local (Asia/Shanghai)."""
    due = next_attempt_at.astimezone(local_now.tzinfo)
    when = (
        due.strftime("%H:%M")
        if due.date() == local_now.date()
        else _("次日 %(t)s") % {"t": due.strftime("%H:%M")}
    )
    resume = None if is_urgent or quiet is None else quiet.resume_at(local_now)
    if resume is not None:
        return _("夜间免打扰（%(start)s–%(end)s），已排队，%(end)s 后发送") % {
            "start": quiet.start.strftime("%H:%M") if quiet else "",
            "end": resume.strftime("%H:%M"),
        }
    if error_code == "daily_cap":
        return _("已达该号码当日同类短信上限，已排队，%(when)s 后发送") % {"when": when}
    if error_code == "quiet_hours":
        return _("夜间免打扰，已排队，%(when)s 后发送") % {"when": when}
    if error_code:
        return _("短信平台暂时无法发送（%(why)s），已排队，%(when)s 自动重试") % {
            "why": (error_message or error_code)[:60],
            "when": when,
        }
    if due > local_now + timedelta(seconds=1):
        return _("已排队，%(when)s 后发送") % {"when": when}
    return _("已排队，按发送速率依次发出")


def next_morning(local_now: datetime, end: time) -> datetime:
    return datetime.combine(local_now.date() + timedelta(days=1), end, tzinfo=local_now.tzinfo)


# -- retries --------------------------------------------------------------------------------


BACKOFF_BASE_SECONDS = 30.0


def backoff_seconds(
    attempt: int, *, base: float = BACKOFF_BASE_SECONDS, cap: float = 1800.0
) -> float:
    """Delay before attempt ``attempt + 1``: 30 s, 60 s, 2 min, 4 min, … capped at 30 min."""
    return float(min(cap, base * 2 ** max(0, attempt - 1)))


# -- rate limit (GCRA, the token bucket as one timestamp) -----------------------------------


def gcra_reserve(
    tat: float, now: float, *, rate: float, burst: float, max_wait: float
) -> tuple[float | None, float]:
    """Reserve one send. Returns (seconds to wait or None when over ``max_wait``, new tat).

    ``tat`` is the theoretical arrival time of the next send; a bucket of ``burst`` tokens
    refilling at ``rate`` per second is exactly "tat may run ahead of now by burst/rate".
    """
    interval = 1.0 / rate
    tat = max(tat, now)
    allow_at = tat - (burst - 1.0) * interval
    wait = max(0.0, allow_at - now)
    if wait > max_wait:
        return None, tat
    return wait, tat + interval


def render_text_unchecked(signature: str, body: str, params: Mapping[str, str]) -> str:
    """Preview rendering: missing values stay as their placeholder."""
    filled = PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), body)
    return render_text(signature, filled)


def count_or_overflow(text: str) -> tuple[int, int]:
    """Characters and segments, also above the 500-character maximum (for the live count)."""
    characters = count_characters(text)
    if characters > MAX_CHARACTERS or characters > 70:
        return characters, math.ceil(characters / 67)
    return characters, 1 if characters else 0
