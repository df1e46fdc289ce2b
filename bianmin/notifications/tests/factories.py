"""factory-boy factories of the SMS platform's rows (templates come from the reference
data: use the ``templates`` fixture, then ``SmsTemplate`` rows exist to point at)."""

from __future__ import annotations

import uuid
from typing import Any

import factory

from bianmin.core import clock
from bianmin.core.masking import mask_phone
from bianmin.notifications.enums import BatchKind, BatchRowStatus, BatchStatus, MessageStatus
from bianmin.notifications.models import Batch, BatchRow, Message, SmsTemplate
from bianmin.notifications.services import phone_index


def _approved(code: str) -> SmsTemplate:
    return SmsTemplate.objects.filter(code=code, status="approved").get()


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    """A message row as the services leave it (queued by default), never sent by itself."""

    class Meta:
        model = Message

    class Params:
        code = "pickup_ready"

    template = factory.LazyAttribute(lambda o: _approved(o.code))
    template_code = factory.SelfAttribute("template.code")
    phone = "13912345678"
    phone_index = factory.LazyAttribute(lambda o: phone_index(o.phone))
    phone_masked = factory.LazyAttribute(lambda o: mask_phone(o.phone))
    params = factory.LazyFunction(lambda: {"item": "居民身份证", "case_number": "TG-1"})
    text = "【潼关县公安局】您申请的居民身份证已制作完成。"
    characters = 24
    segments = 1
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    reference = factory.LazyFunction(lambda: uuid.uuid4().hex)
    status = MessageStatus.QUEUED
    next_attempt_at = factory.LazyFunction(clock.now)


class BatchFactory(factory.django.DjangoModelFactory[Batch]):
    class Meta:
        model = Batch

    kind = BatchKind.ARRIVAL_LIST
    template_code = "pickup_ready"
    status = BatchStatus.DRAFT
    filename = "到证清单.csv"


class BatchRowFactory(factory.django.DjangoModelFactory[BatchRow]):
    class Meta:
        model = BatchRow

    batch = factory.SubFactory(BatchFactory)
    row_number = factory.Sequence(lambda n: n + 1)
    case_id = factory.Sequence(lambda n: 1000 + n)
    case_number = factory.LazyAttribute(lambda o: f"TG-20260312-{o.case_id:04d}")
    value_masked = factory.SelfAttribute("case_number")
    status = BatchRowStatus.MATCHED


def matched_batch(*, center: Any, created_by: Any, rows: int = 1) -> Batch:
    """A draft batch of ``rows`` matched rows, as an import leaves it before the one click."""
    batch: Batch = BatchFactory.create(
        center=center, created_by=created_by, rows_total=rows, rows_matched=rows
    )
    BatchRowFactory.create_batch(rows, batch=batch)
    return batch
