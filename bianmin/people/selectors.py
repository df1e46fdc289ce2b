from typing import Any

from django.db.models import Q, QuerySet

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.errors import NotFound
from bianmin.people.models import Person
from bianmin.people.services import id_number_index, phone_index


def person_list(*, user: Any, text: str = "") -> QuerySet[Person]:
    """Persons registered at the user's center; search by name, or exactly by ID number/phone."""
    qs = Person.objects.defer("photo", "address")
    if user.center_id is not None:
        qs = qs.filter(center_id=user.center_id)
    text = text.strip()
    if text:
        qs = qs.filter(
            Q(name__startswith=text)
            | Q(id_number_index=id_number_index(text))
            | Q(phone_index=phone_index(text))
        )
    return qs.order_by("name", "pk")


def person_find_by_id_number(*, actor: Any, id_number: str) -> Person | None:
    """An exact lookup across the province (a resident may be served at any center); audited."""
    person = Person.objects.filter(id_number_index=id_number_index(id_number)).first()
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_SEARCHED,
        target_type="people.person",
        target_id=person.pk if person else "",
        after={"found": person is not None},
    )
    return person


def person_get(*, user: Any, pk: int) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None or (user.center_id is not None and person.center_id != user.center_id):
        raise NotFound("没有找到这个人员")
    return person


def person_for_enrollment(*, person_id: int, lock: bool = False) -> Person | None:
    """A person with the registry photo, for the face enrollment task (no actor, no audit:
    the photo is turned into a template, nothing is shown). ``lock`` inside a transaction."""
    qs = Person.objects.all()
    if lock:
        qs = qs.select_for_update()
    return qs.filter(pk=person_id).first()


def person_photo_digests() -> QuerySet[Person, tuple[int, str]]:
    """(person id, photo SHA-256) of every person with a registry photo."""
    return Person.objects.exclude(photo_sha256="").values_list("pk", "photo_sha256")
