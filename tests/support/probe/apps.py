from django.apps import AppConfig


class ProbeConfig(AppConfig):
    name = "tests.support.probe"
    label = "probe"

    def ready(self) -> None:
        # Registered on the product's Huey under the name the test enqueues it by
        # (`tests.support.probe.work.probe_run`).
        from huey.contrib.djhuey import HUEY

        from tests.support.probe.work import probe_run

        HUEY.task()(probe_run)
