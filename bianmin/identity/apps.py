import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


def schedule_enrollment(person_id: int) -> None:
    """`people.hooks.PHOTO_CHANGED` callback (after commit): enroll the new photo in the
    background. A failure to queue must never break the registry write that triggered it;
    the check page enrolls on demand anyway."""
    from bianmin.identity.tasks import face_enroll_task

    try:
        face_enroll_task(person_id)
    except Exception:
        log.exception("could not enroll the face template of person %s", person_id)


class IdentityConfig(AppConfig):
    name = "bianmin.identity"
    label = "identity"
    verbose_name = _("刷脸办")

    def ready(self) -> None:
        from bianmin.core.navigation import Screen, register_screen
        from bianmin.core.permissions import Perm
        from bianmin.people import hooks

        if schedule_enrollment not in hooks.PHOTO_CHANGED:
            hooks.PHOTO_CHANGED.append(schedule_enrollment)
        register_screen(Screen(_("刷脸核验"), "identity:check", Perm.FACE_VERIFY, order=30))
