from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bianmin.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.backends.signals import connection_created

        from bianmin.core import checks  # noqa: F401  (registers the database checks)
        from bianmin.core.files import make_private, on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="core_private_sqlite")
        var_dir = getattr(settings, "VAR_DIR", None)
        if var_dir is not None and var_dir.is_dir():
            # keys, the task queue's database and outboxes written before this version
            for path in var_dir.iterdir():
                if path.is_file() and (path.name.endswith("_key") or ".sqlite3" in path.name):
                    make_private(path)
