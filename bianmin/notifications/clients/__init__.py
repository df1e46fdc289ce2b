"""SMS gateway clients for the notifications context (no Django models, no Django imports).

Public API::

    OutgoingSms, SendResult, DeliveryState, Receipt, SmsGateway   -- the interface
    ConsoleSmsGateway, AliyunSmsGateway, TencentSmsGateway        -- implementations
    create_gateway(kind, **options)                               -- pick one by name
    count_segments, validate_signature, render_text               -- length rules
    receipt_token, receipt_callback_url                           -- receipt URL tokens

Fake provider servers for tests and benchmarks live outside the product package, in
``tests/support/sms_fakes.py``; they reuse these modules' protocol code so they keep speaking
the providers' real wire protocol.
"""

from __future__ import annotations

from typing import Any

from .aliyun import AliyunSmsGateway
from .base import (
    AMBIGUOUS_ERROR_CODES,
    CHINA_TZ,
    RATE_LIMITED_ERROR_CODES,
    DeliveryState,
    GatewayError,
    GatewayQueryError,
    OutgoingSms,
    Receipt,
    ReceiptParseError,
    SendResult,
    SmsGateway,
    receipt_callback_url,
    receipt_token,
    verify_receipt_token,
)
from .console import ConsoleSmsGateway
from .segments import (
    MessageTooLongError,
    SegmentCount,
    SignatureError,
    count_segments,
    render_text,
    validate_signature,
)
from .tencent import TencentSmsGateway

GATEWAYS: dict[str, type] = {
    ConsoleSmsGateway.name: ConsoleSmsGateway,
    AliyunSmsGateway.name: AliyunSmsGateway,
    TencentSmsGateway.name: TencentSmsGateway,
}


def create_gateway(kind: str, **options: Any) -> SmsGateway:
    """Instantiate a gateway by name ("console", "aliyun", "tencent") with its options."""
    try:
        cls = GATEWAYS[kind]
    except KeyError:
        raise ValueError(f"unknown SMS gateway {kind!r}; choose from {sorted(GATEWAYS)}") from None
    gateway: SmsGateway = cls(**options)
    return gateway


__all__ = [
    "AMBIGUOUS_ERROR_CODES",
    "CHINA_TZ",
    "GATEWAYS",
    "RATE_LIMITED_ERROR_CODES",
    "AliyunSmsGateway",
    "ConsoleSmsGateway",
    "DeliveryState",
    "GatewayError",
    "GatewayQueryError",
    "MessageTooLongError",
    "OutgoingSms",
    "Receipt",
    "ReceiptParseError",
    "SegmentCount",
    "SendResult",
    "SignatureError",
    "SmsGateway",
    "TencentSmsGateway",
    "count_segments",
    "create_gateway",
    "receipt_callback_url",
    "receipt_token",
    "render_text",
    "validate_signature",
    "verify_receipt_token",
]
