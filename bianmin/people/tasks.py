from huey.contrib.djhuey import db_task

from bianmin.people.imports import person_import_run


@db_task()
def person_import_run_task(import_id: int) -> None:
    person_import_run(import_id=import_id)
