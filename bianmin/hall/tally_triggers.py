"""The triggers that keep the waiting tally (`WaitingTally`), on SQLite and PostgreSQL.

A ticket is in the line while its status is 'waiting'; its bucket is (center, day, item,
priority weight, transferred to a named officer). Four triggers move the tally in the ticket's
own transaction: a ticket inserted waiting enters its bucket, a deleted one leaves it, and an
update that moves a ticket into, out of or between buckets leaves the old one and enters the
new one (an update within the same bucket — a phone added — touches nothing).

Installed by migration `hall/0005_waiting_tally`. SQLite rebuilds a table to alter it and
drops its triggers with it: a later migration that alters `hall_ticket` calls `install` again
(`test_waiting_tally.py` fails when they are missing).
"""

from typing import Any

SAME_BUCKET = (
    "OLD.status = 'waiting' AND NEW.status = 'waiting' AND NEW.center_id = OLD.center_id"
    " AND NEW.service_day = OLD.service_day AND NEW.item_id = OLD.item_id"
    " AND NEW.priority_weight = OLD.priority_weight"
    " AND (NEW.target_officer_id IS NULL) = (OLD.target_officer_id IS NULL)"
)
ENTER = (
    "INSERT INTO hall_waitingtally (center_id, service_day, item_id, priority_weight, targeted, n)"
    " VALUES (NEW.center_id, NEW.service_day, NEW.item_id, NEW.priority_weight,"
    " NEW.target_officer_id IS NOT NULL, 1)"
    " ON CONFLICT (center_id, service_day, item_id, priority_weight, targeted)"
    " DO UPDATE SET n = hall_waitingtally.n + 1"
)
LEAVE = (
    "UPDATE hall_waitingtally SET n = n - 1 WHERE center_id = OLD.center_id"
    " AND service_day = OLD.service_day AND item_id = OLD.item_id"
    " AND priority_weight = OLD.priority_weight"
    " AND targeted = (OLD.target_officer_id IS NOT NULL)"
)
BACKFILL = (
    "INSERT INTO hall_waitingtally (center_id, service_day, item_id, priority_weight, targeted, n)"
    " SELECT center_id, service_day, item_id, priority_weight, target_officer_id IS NOT NULL,"
    " COUNT(*) FROM hall_ticket WHERE status = 'waiting'"
    " GROUP BY center_id, service_day, item_id, priority_weight, target_officer_id IS NOT NULL"
)


# What each trigger function does: a ticket enters its new bucket, or leaves its old one.
ACTIONS = {"enter": ENTER, "leave": LEAVE}
# (name, event, condition, action)
TRIGGERS = [
    ("hall_tally_enter_ins", "INSERT", "NEW.status = 'waiting'", "enter"),
    ("hall_tally_enter_upd", "UPDATE", f"NEW.status = 'waiting' AND NOT ({SAME_BUCKET})", "enter"),
    ("hall_tally_leave_upd", "UPDATE", f"OLD.status = 'waiting' AND NOT ({SAME_BUCKET})", "leave"),
    ("hall_tally_leave_del", "DELETE", "OLD.status = 'waiting'", "leave"),
]


def _statements(vendor: str) -> list[str]:
    out = []
    if vendor == "postgresql":
        for action, statement in ACTIONS.items():
            out.append(
                f"CREATE OR REPLACE FUNCTION hall_tally_{action}() RETURNS trigger"
                f" LANGUAGE plpgsql AS $$ BEGIN {statement}; RETURN NULL; END $$"
            )
        for name, event, condition, action in TRIGGERS:
            out.append(f"DROP TRIGGER IF EXISTS {name} ON hall_ticket")
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON hall_ticket FOR EACH ROW"
                f" WHEN ({condition}) EXECUTE FUNCTION hall_tally_{action}()"
            )
        return out
    for name, event, condition, action in TRIGGERS:  # SQLite: the statement in the trigger
        out.append(f"DROP TRIGGER IF EXISTS {name}")
        out.append(
            f"CREATE TRIGGER {name} AFTER {event} ON hall_ticket FOR EACH ROW"
            f" WHEN {condition} BEGIN {ACTIONS[action]}; END"
        )
    return out


def install(schema_editor: Any) -> None:
    """Create (or create again) the four triggers for the connection's database."""
    for statement in _statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def backfill(schema_editor: Any) -> None:
    """The tally counted from the tickets waiting now (when the triggers start)."""
    schema_editor.execute(BACKFILL, params=None)


def remove(schema_editor: Any) -> None:
    """Drop the triggers (and PostgreSQL's functions): the migration's way back."""
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, *_rest in TRIGGERS:
        on = " ON hall_ticket" if postgresql else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}", params=None)
    if postgresql:
        for action in ACTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS hall_tally_{action}()", params=None)
