"""Demo data of the SMS platform (``make run`` on an empty database): past messages with
realistic statuses for the dashboard and the statistics."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from bianmin.core import clock
from bianmin.core.masking import mask_phone
from bianmin.notifications import pipeline
from bianmin.notifications.clients import count_segments
from bianmin.notifications.enums import MessageStatus, TemplateStatus
from bianmin.notifications.models import Message, SmsTemplate
from bianmin.notifications.services import notifications_load_reference, phone_index


def notifications_demo_history(*, center: Any, rng: Any, days: int = 30) -> int:
    """Past messages with realistic statuses for the dashboard and statistics (demo only)."""
    notifications_load_reference()
    templates = {t.code: t for t in SmsTemplate.objects.filter(status=TemplateStatus.APPROVED)}
    signature = center.sms_signature or "潼关县公安局"
    now = clock.now()
    weights = [
        ("pickup_ready", 0.5),
        ("ticket_near", 0.25),
        ("missing_notice", 0.15),
        ("pickup_reminder", 0.1),
    ]
    samples = {
        "pickup_ready": lambda i: {
            "item": rng.choice(["居民身份证", "户口簿", "居住证", "驾驶证"]),
            "case_number": f"{center.code}-DEMO-{i:04d}",
        },
        "pickup_reminder": lambda i: {
            "item": "居民身份证",
            "case_number": f"{center.code}-DEMO-{i:04d}",
        },
        "missing_notice": lambda i: {
            "item": rng.choice(["居民身份证", "户口迁入", "居住证"]),
            "case_number": f"{center.code}-DEMO-{i:04d}",
            "count": str(rng.randint(1, 3)),
        },
        "ticket_near": lambda i: {
            "number": f"A{rng.randint(1, 199):03d}",
            "ahead": str(rng.randint(2, 5)),
            "center": center.name[:12],
        },
    }
    built: list[Message] = []
    i = 0
    for day in range(days, 0, -1):
        for _n in range(rng.randint(8, 30)):
            i += 1
            roll, acc, code = rng.random(), 0.0, "pickup_ready"
            for candidate, weight in weights:
                acc += weight
                if roll <= acc:
                    code = candidate
                    break
            template = templates.get(code)
            if template is None:
                continue
            at = now - timedelta(days=day, hours=rng.randint(-3, 6), minutes=rng.randint(0, 59))
            phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
            params = samples[code](i)
            text = pipeline.render(signature, template.body, params)
            characters, segments = count_segments(text)
            status = MessageStatus.DELIVERED if rng.random() < 0.97 else MessageStatus.FAILED
            built.append(
                Message(
                    center=center,
                    template=template,
                    template_code=code,
                    phone=phone,
                    phone_index=phone_index(phone),
                    phone_masked=mask_phone(phone),
                    params=params,
                    text=text,
                    characters=characters,
                    segments=segments,
                    dedupe_key=f"demo:{center.code}:{i}",
                    reference=uuid.uuid4().hex,
                    status=status,
                    attempts=1,
                    next_attempt_at=at,
                    claimed_at=at,
                    gateway="console",
                    provider_id=f"console:demo{i}",
                    sent_at=at,
                    delivered_at=at + timedelta(seconds=rng.randint(2, 40))
                    if status == MessageStatus.DELIVERED
                    else None,
                    failed_at=at if status == MessageStatus.FAILED else None,
                    receipt_code="DELIVERED" if status == MessageStatus.DELIVERED else "MK:0001",
                    error_code="" if status == MessageStatus.DELIVERED else "operator_failed",
                    error_message=""
                    if status == MessageStatus.DELIVERED
                    else "运营商回执：空号或停机",
                )
            )
    created = Message.objects.bulk_create(built, batch_size=500)
    # created_at is auto_now_add: move it to the send time so monthly totals look right
    for message in created:
        if message.sent_at is not None:
            message.created_at = message.sent_at
    if created and created[0].pk is not None:
        Message.objects.bulk_update(created, ["created_at"], batch_size=500)
    return len(created)
