from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "bianmin.people"
    label = "people"
    verbose_name = _("人口信息")

    def ready(self) -> None:
        from bianmin.core.navigation import Screen, register_screen
        from bianmin.core.permissions import Perm

        register_screen(Screen(_("人口信息"), "people:list", Perm.PERSON_VIEW, order=60))

        from bianmin.audit.targets import register_target
        from bianmin.people.selectors import person_audit_find, person_audit_labels

        register_target(
            "people.person", noun=_("人员"), label=person_audit_labels, find=person_audit_find
        )
