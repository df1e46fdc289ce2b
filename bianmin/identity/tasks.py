"""Background work of the identity context: thin, idempotent entrypoints calling one service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bianmin.identity.services import face_enroll_person, face_frames_purge


@db_task()
def face_enroll_task(person_id: int) -> str | None:
    """Enroll the person's current registry photo (scheduled when the photo changes)."""
    enrollment = face_enroll_person(person_id=person_id)
    return None if enrollment is None else str(enrollment.status)


@db_periodic_task(crontab(minute="17"))
def face_frames_purge_task() -> int:
    """Hourly: delete frames kept for a case once that case has closed."""
    return face_frames_purge()
