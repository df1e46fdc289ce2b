"""The waiting tally (`WaitingTally`) and the triggers that keep it, on SQLite and PostgreSQL.

A ticket is in the line while its status is 'waiting'; its bucket is (center, day, item,
priority weight, transferred to a named officer). Four triggers move the tally in the ticket's
own transaction: a ticket inserted waiting enters its bucket, a deleted one leaves it, and an
update that moves a ticket into, out of or between buckets leaves the old one and enters the
new one (an update within the same bucket — a phone added — touches nothing).

SQLite rebuilds a table to alter it and drops its triggers with it: a later migration that
alters `hall_ticket` must create them again (`install_triggers` below);
`test_waiting_tally.py` fails when they are missing.
"""

import django.db.models.deletion
from django.db import migrations, models

BUCKET = "center_id, service_day, item_id, priority_weight, targeted"
SAME_BUCKET = (
    "OLD.status = 'waiting' AND NEW.status = 'waiting' AND NEW.center_id = OLD.center_id"
    " AND NEW.service_day = OLD.service_day AND NEW.item_id = OLD.item_id"
    " AND NEW.priority_weight = OLD.priority_weight"
    " AND (NEW.target_officer_id IS NULL) = (OLD.target_officer_id IS NULL)"
)


def _enter(row: str) -> str:
    return (
        f"INSERT INTO hall_waitingtally ({BUCKET}, n) VALUES ({row}.center_id, {row}.service_day,"
        f" {row}.item_id, {row}.priority_weight, {row}.target_officer_id IS NOT NULL, 1)"
        f" ON CONFLICT ({BUCKET}) DO UPDATE SET n = hall_waitingtally.n + 1"
    )


def _leave(row: str) -> str:
    return (
        f"UPDATE hall_waitingtally SET n = n - 1 WHERE center_id = {row}.center_id"
        f" AND service_day = {row}.service_day AND item_id = {row}.item_id"
        f" AND priority_weight = {row}.priority_weight"
        f" AND targeted = ({row}.target_officer_id IS NOT NULL)"
    )


# (name, event, condition, the row the bucket is read from, statement)
TRIGGERS = [
    ("hall_tally_enter_ins", "INSERT", "NEW.status = 'waiting'", "NEW", _enter),
    ("hall_tally_enter_upd", "UPDATE", f"NEW.status = 'waiting' AND NOT ({SAME_BUCKET})", "NEW", _enter),
    ("hall_tally_leave_upd", "UPDATE", f"OLD.status = 'waiting' AND NOT ({SAME_BUCKET})", "OLD", _leave),
    ("hall_tally_leave_del", "DELETE", "OLD.status = 'waiting'", "OLD", _leave),
]


def _statements(vendor: str) -> list[str]:
    out = []
    if vendor == "postgresql":
        for row, make in (("NEW", _enter), ("OLD", _leave)):
            name = "hall_tally_enter" if make is _enter else "hall_tally_leave"
            out.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                f" BEGIN {make(row)}; RETURN NULL; END $$"
            )
        for name, event, condition, row, make in TRIGGERS:
            function = "hall_tally_enter" if make is _enter else "hall_tally_leave"
            out.append(f"DROP TRIGGER IF EXISTS {name} ON hall_ticket")
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON hall_ticket FOR EACH ROW"
                f" WHEN ({condition}) EXECUTE FUNCTION {function}()"
            )
    else:
        for name, event, condition, row, make in TRIGGERS:
            out.append(f"DROP TRIGGER IF EXISTS {name}")
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON hall_ticket FOR EACH ROW"
                f" WHEN {condition} BEGIN {make(row)}; END"
            )
    return out


def install_triggers(apps, schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def _backfill(apps, schema_editor) -> None:
    schema_editor.execute(
        f"INSERT INTO hall_waitingtally ({BUCKET}, n)"
        " SELECT center_id, service_day, item_id, priority_weight,"
        " target_officer_id IS NOT NULL, COUNT(*) FROM hall_ticket WHERE status = 'waiting'"
        " GROUP BY center_id, service_day, item_id, priority_weight, target_officer_id IS NOT NULL",
        params=None,
    )


def forward(apps, schema_editor) -> None:
    install_triggers(apps, schema_editor)
    _backfill(apps, schema_editor)


def backward(apps, schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, *_rest in TRIGGERS:
        on = " ON hall_ticket" if postgresql else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}", params=None)
    if postgresql:
        for name in ("hall_tally_enter", "hall_tally_leave"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_desk_officer_role'),
        ('catalogue', '0001_initial'),
        ('hall', '0004_guide_call'),
    ]

    operations = [
        migrations.CreateModel(
            name='WaitingTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('service_day', models.DateField()),
                ('priority_weight', models.PositiveSmallIntegerField()),
                ('targeted', models.BooleanField()),
                ('n', models.IntegerField(default=0)),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.center')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalogue.serviceitem')),
            ],
            options={
                'verbose_name': '候号人数',
                'verbose_name_plural': '候号人数',
                'constraints': [models.UniqueConstraint(fields=('center', 'service_day', 'item', 'priority_weight', 'targeted'), name='waiting_tally_unique')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
