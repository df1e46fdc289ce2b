"""Template helpers that say honestly where an SMS is: ``{% load sms %}``.

``{{ message|sms_waiting }}``: why a queued message waits ("" otherwise).
``{% case_sms_status case.pk "missing_notice" %}``: a badge with the state of a case's latest
SMS of that template (for the screens of contexts that send case notices).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from bianmin.notifications import selectors
from bianmin.notifications.enums import MessageStatus
from bianmin.notifications.models import Message

register = template.Library()

BADGES = {
    MessageStatus.DELIVERED: "ok",
    MessageStatus.SENT: "ok",
    MessageStatus.FAILED: "alert",
}


@register.filter
def sms_waiting(message: Message) -> str:
    return selectors.message_waiting_reason(message=message)


@register.simple_tag
def case_sms_status(case_id: int, template_code: str) -> str:
    message = selectors.case_sms_latest(case_id=case_id, template_code=template_code)
    if message is None:
        return ""
    return format_html(
        '<span class="badge {}" data-testid="sms-status">短信{}</span>',
        BADGES.get(MessageStatus(message.status), "warn"),
        selectors.message_status_text(message=message),
    )
