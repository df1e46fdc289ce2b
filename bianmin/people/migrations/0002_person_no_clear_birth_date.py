"""Drop the clear birth-date column: with the stored mask (6 + 4 characters) it rebuilt every
full ID number without the key (security review C1). The age shown on the person page comes
from the encrypted ID number. On SQLite the freed pages are wiped by a VACUUM so the old dates
do not linger in the file."""

from typing import Any

from django.db import migrations


def _vacuum(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="person",
            name="birth_date",
        ),
        migrations.RunPython(_vacuum, migrations.RunPython.noop, elidable=True),
    ]
