from typing import Any

from django import template

from bianmin.fees.enums import Group, PaymentMethod
from bianmin.fees.quoting import fmt_yuan, window_label

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """Integer fen → "20 元" / "10.50 元" (exact)."""
    try:
        return fmt_yuan(int(fen))
    except (TypeError, ValueError):
        return "—"


@register.filter
def yuan_plain(fen: Any) -> str:
    """Integer fen → "20.00" for tables and inputs."""
    try:
        value = int(fen)
    except (TypeError, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    whole, cents = divmod(abs(value), 100)
    return f"{sign}{whole}.{cents:02d}"


@register.filter
def method_label(value: str) -> str:
    try:
        return str(PaymentMethod(value).label)
    except ValueError:
        return value


@register.filter
def group_label(value: str) -> str:
    try:
        return str(Group(value).label)
    except ValueError:
        return value


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def window(code: Any) -> str:
    """ "W03" → "3号窗口" ("—" when no window)."""
    return window_label(str(code or "")) or "—"
