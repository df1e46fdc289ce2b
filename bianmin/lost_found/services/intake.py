"""Intake (登记), receipt into storage (入库), publication (招领公告) and the document owner SMS."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm
from bianmin.lost_found import pipeline, wording
from bianmin.lost_found.enums import DocumentType, FoundCategory, FoundItemStatus
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import CollectionPoint, FoundItem, FoundItemPhoto, FoundItemToken
from bianmin.lost_found.segment import mask_person_names, tokens
from bianmin.lost_found.services.common import (
    claim_deadline_for,
    create_numbered,
    item_for_update,
    need,
    transition,
)
from bianmin.lost_found.services.matching import match_item_against_reports
from bianmin.notifications.services import sms_enqueue
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.selectors import person_find_by_id_number
from bianmin.people.services import id_number_index

logger = logging.getLogger(__name__)

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_COUNT = 6
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class PhotoUpload:
    name: str
    content: bytes


@dataclass(frozen=True)
class FoundItemInput:
    category: str
    description: str
    found_at: dt.datetime | None
    place: str
    finder_name: str = ""
    finder_team: str = ""
    control_description: str = ""
    document_type: str = ""
    document_number: str = ""
    is_perishable: bool = False
    cash_amount: Decimal | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    photos: list[PhotoUpload] = field(default_factory=list)


def _err(message: str, code: LostFoundError) -> DomainError:
    return DomainError(message, code=code)


def clean_photos(photos: list[PhotoUpload]) -> list[tuple[str, bytes]]:
    """(content type, bytes) for each photo, or a Chinese message for the first bad one."""
    if len(photos) > PHOTO_MAX_COUNT:
        raise _err(
            _("照片最多 %(n)d 张。") % {"n": PHOTO_MAX_COUNT}, LostFoundError.TOO_MANY_PHOTOS
        )
    cleaned = []
    for index, photo in enumerate(photos, start=1):
        if len(photo.content) > PHOTO_MAX_BYTES:
            raise _err(
                _("第 %(i)d 张照片超过 10MB，请重新拍摄或压缩后上传。") % {"i": index},
                LostFoundError.PHOTO_TOO_LARGE,
            )
        try:
            with Image.open(io.BytesIO(photo.content)) as image:
                image.verify()
                kind = PHOTO_TYPES.get(image.format or "")
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            kind = None
        if kind is None:
            raise _err(
                _("第 %(i)d 张照片不是可识别的图片（请上传 JPEG、PNG 或 WebP 照片）。")
                % {"i": index},
                LostFoundError.PHOTO_NOT_IMAGE,
            )
        cleaned.append((kind, photo.content))
    return cleaned


def clean_input(data: FoundItemInput) -> FoundItemInput:
    if data.category not in FoundCategory.values:
        raise _err(_("物品类别不正确，请从列表中选择。"), LostFoundError.INVALID_CATEGORY)
    description = (data.description or "").strip()
    if not description:
        raise _err(_("请填写物品描述。"), LostFoundError.DESCRIPTION_EMPTY)
    place = (data.place or "").strip()
    if not place:
        raise _err(_("请填写拾得地点。"), LostFoundError.PLACE_EMPTY)
    if data.found_at is None:
        raise _err(_("请填写拾得时间。"), LostFoundError.INVALID_DATE)
    if data.found_at > clock.now() + dt.timedelta(minutes=5):
        raise _err(_("拾得时间不能晚于现在。"), LostFoundError.FOUND_IN_FUTURE)
    if data.found_at < clock.now() - dt.timedelta(days=366):
        raise _err(_("拾得时间不能早于一年前。"), LostFoundError.INVALID_DATE)
    document_type, document_number = data.document_type, data.document_number.strip().upper()
    if data.category == FoundCategory.DOCUMENT:
        if document_type not in DocumentType.values:
            raise _err(_("请选择证件类型。"), LostFoundError.INVALID_DOCUMENT)
        if document_type == DocumentType.ID_CARD and document_number:
            check = check_id_number(document_number, today=clock.today())
            if not check.valid:
                raise _err(_("身份证号码有误，请核对后重新输入。"), LostFoundError.INVALID_DOCUMENT)
        elif document_number and not 5 <= len(document_number) <= 24:
            raise _err(_("证件号码长度不正确。"), LostFoundError.INVALID_DOCUMENT)
    else:
        document_type, document_number = "", ""
    for value, limit in ((data.latitude, 90), (data.longitude, 180)):
        if value is not None and not Decimal(-limit) <= value <= Decimal(limit):
            raise _err(_("地图位置不正确。"), LostFoundError.INVALID_POINT)
    return FoundItemInput(
        category=data.category,
        description=description[:500],
        found_at=data.found_at,
        place=place[:200],
        finder_name=data.finder_name.strip()[:50],
        finder_team=data.finder_team.strip()[:60],
        control_description=data.control_description.strip()[:500],
        document_type=document_type,
        document_number=document_number,
        is_perishable=data.is_perishable,
        cash_amount=data.cash_amount,
        latitude=data.latitude,
        longitude=data.longitude,
        photos=data.photos,
    )


def public_text(item: FoundItem) -> str:
    """What the public may search: a document is only its type, never its number or holder."""
    if item.is_document:
        return f"{item.get_document_type_display()} 证件 {item.place}"
    return f"{item.public_description} {item.place} {item.get_category_display()}"


def public_description_of(*, category: str, description: str) -> str:
    """Stored once at intake: amounts, long numbers and person names masked."""
    text = pipeline.public_description(
        category=category, description=description, owner_notified=False
    )
    return mask_person_names(text)[:500]


def index_item(item: FoundItem) -> None:
    """(Re)write the item's search words; public flag follows the item's status."""
    FoundItemToken.objects.filter(item=item).delete()
    is_public = item.status in pipeline.PUBLIC_STATUSES
    FoundItemToken.objects.bulk_create(
        FoundItemToken(
            item=item,
            center_id=item.center_id,
            token=word,
            category=item.category,
            found_on=item.found_on,
            is_public=is_public,
        )
        for word in tokens(public_text(item))
    )


def _notify_document_owner(item: FoundItem, *, actor: StaffActor, document_number: str) -> None:
    """Found ID document: look the owner up by blind index and send one SMS (dedupe per item)."""
    if not document_number:
        return
    person = person_find_by_id_number(actor=actor, id_number=document_number)
    if person is None:
        return
    item.owner_person = person
    item.save(update_fields=["owner_person", "updated_at"])
    if not person.phone:
        return
    try:
        queued = sms_enqueue(
            center_id=item.center_id,
            template_code=wording.FOUND_DOCUMENT,
            phone=person.phone,
            params={
                "item": item.get_document_type_display(),
                "center": item.center.name,
                "case_number": item.number,
            },
            dedupe_key=f"found_item:{item.pk}:{wording.FOUND_DOCUMENT}",
            actor=actor,
        )
    except DomainError as exc:  # the SMS is best effort; the item is registered regardless
        logger.warning("found_document sms not queued for item %s: %s", item.pk, exc.code)
        return
    if queued:
        item.owner_notified_at = clock.now()
        item.save(update_fields=["owner_notified_at", "updated_at"])


def found_item_register(*, actor: StaffActor, data: FoundItemInput) -> FoundItem:
    """登记: a sanitation worker's or an officer's find; an officer's goes straight to storage."""
    need(actor, Perm.FOUND_ITEM_REGISTER, _("您没有登记拾得物的权限。"))
    data = clean_input(data)
    photos = clean_photos(data.photos)
    found_at = data.found_at
    assert found_at is not None
    with transaction.atomic():
        item = create_numbered(
            FoundItem,
            prefix="SW",
            center_id=actor.center_id,
            category=data.category,
            description=data.description,
            public_description=public_description_of(
                category=data.category, description=data.description
            ),
            control_description=data.control_description,
            found_at=found_at,
            found_on=clock.local(found_at).date(),
            place=data.place,
            latitude=data.latitude,
            longitude=data.longitude,
            finder_name=data.finder_name or getattr(actor, "full_name", ""),
            finder_team=data.finder_team,
            registered_by=actor,
            is_perishable=data.is_perishable,
            cash_amount=data.cash_amount,
            document_type=data.document_type,
            document_number_index=id_number_index(data.document_number)
            if data.document_number
            else "",
            document_number_masked=mask_id_number(data.document_number)
            if data.document_number
            else "",
        )
        FoundItemPhoto.objects.bulk_create(
            FoundItemPhoto(item=item, content_type=kind, content=content, size=len(content))
            for kind, content in photos
        )
        audit_record(
            actor=actor,
            action=AuditAction.FOUND_ITEM_REGISTERED,
            target=item,
            center_id=item.center_id,
            after={
                "number": item.number,
                "category": item.category,
                "photos": len(photos),
                "document_type": item.document_type,
                "document_number": item.document_number_masked,
            },
        )
        index_item(item)
        if item.is_document:
            _notify_document_owner(item, actor=actor, document_number=data.document_number)
        match_item_against_reports(item)
    return item


def found_item_receive(
    *,
    actor: StaffActor,
    number: str,
    collection_point_id: int,
    storage_location: str = "",
    condition: str = "",
    control_description: str = "",
) -> FoundItem:
    """入库: the officer receives the item at a collection point (location label printed)."""
    need(actor, Perm.FOUND_ITEM_MANAGE)
    with transaction.atomic():
        item = item_for_update(actor=actor, number=number)
        point = CollectionPoint.objects.filter(
            pk=collection_point_id, center_id=home_center_id(actor), is_active=True
        ).first()
        if point is None:
            raise _err(_("请选择本中心的保管点。"), LostFoundError.NOT_FOUND)
        item.collection_point = point
        item.storage_location = storage_location.strip()[:60]
        item.condition = condition.strip()[:200]
        if control_description.strip():
            item.control_description = control_description.strip()[:500]
        item.received_at = clock.now()
        item.received_by_id = actor.pk
        transition(item, to=FoundItemStatus.STORED, actor=actor, note=point.name)
    return item


def found_item_publish(*, actor: StaffActor, number: str) -> FoundItem:
    """招领公告: published today; the one-year claim period starts the next day."""
    need(actor, Perm.FOUND_ITEM_MANAGE)
    with transaction.atomic():
        item = item_for_update(actor=actor, number=number)
        today = clock.today()
        deadline = claim_deadline_for(today)
        item.published_on = today
        item.claim_deadline = deadline
        transition(item, to=FoundItemStatus.PUBLISHED, actor=actor, note=str(deadline))
        FoundItemToken.objects.filter(item=item).update(is_public=True)
    return item
