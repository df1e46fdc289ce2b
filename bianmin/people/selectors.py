from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import NotFound
from bianmin.core.masking import mask_name
from bianmin.people.errors import PersonErrorCode
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


def person_search(*, actor: StaffActor, text: str) -> QuerySet[Person]:
    """The people list; a search (name, ID number or phone) is a lookup of personal data and
    is audited with the number of matches, never with the searched text."""
    people = person_list(user=actor, text=text)
    if text.strip():
        audit_record(
            actor=actor,
            action=AuditAction.PERSON_SEARCHED,
            target_type="people.person",
            after={"found": people.count()},
        )
    return people


def person_find_by_id_number(*, actor: StaffActor | None, id_number: str) -> Person | None:
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
        raise NotFound(_("没有找到这个人员"), code=PersonErrorCode.NOT_FOUND)
    return person


@transaction.atomic
def person_open(*, actor: StaffActor, pk: int) -> Person:
    """The person page: scoped like `person_get`, and every opening is audited (the page shows
    the age, derived from the encrypted ID number)."""
    person = person_get(user=actor, pk=pk)
    audit_record(
        actor=actor, action=AuditAction.PERSON_VIEWED, target=person, center_id=person.center_id
    )
    return person


def person_audit_labels(ids: list[str]) -> dict[str, str]:
    """The inspector's log names a person by the masked name only ("张*三")."""
    pks = [int(i) for i in ids if i.isdigit()]
    return {
        str(pk): mask_name(name)
        for pk, name in Person.objects.filter(pk__in=pks).values_list("pk", "name")
    }


def person_audit_find(text: str) -> list[str]:
    """Persons an inspector's search text names: an ID number (blind index) or a full name."""
    text = text.strip()
    if not text:
        return []
    found = Person.objects.filter(Q(id_number_index=id_number_index(text)) | Q(name=text))
    return [str(pk) for pk in found.values_list("pk", flat=True)[:500]]


def person_count(*, center_id: int) -> int:
    """Residents registered by a center."""
    return Person.objects.filter(center_id=center_id).count()


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


def person_registry_lookup(
    *, actor: StaffActor, name: str = "", birth_date: Any = None, phone: str = ""
) -> list[Person]:
    """The window's fill-from-registry: residents of the actor's center by exact name and birth
    date, or by mobile number (blind index). At most ten; audited with the number of matches,
    never with the searched values. The caller shows only masked numbers."""
    qs = Person.objects.defer("photo", "address")
    if actor.center_id is not None:
        qs = qs.filter(center_id=actor.center_id)
    name = (name or "").strip()
    phone = (phone or "").strip()
    found: list[Person] = []
    if phone:
        found = list(qs.filter(phone_index=phone_index(phone)).order_by("name", "pk")[:10])
    elif name and birth_date is not None:
        stamp = birth_date.strftime("%Y%m%d")
        found = [
            p
            for p in qs.filter(name=name).order_by("pk")[:200]
            if (p.id_number or "")[6:14] == stamp
        ][:10]
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_SEARCHED,
        target_type="people.person",
        after={"found": len(found), "by": "phone" if phone else "name_birth_date"},
    )
    return found
