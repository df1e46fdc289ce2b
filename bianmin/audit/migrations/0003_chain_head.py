"""The chain head row per chain, kept by a trigger on every insert into audit_auditentry."""

from typing import Any

from django.db import migrations, models

FOLLOW_SQLITE = """
CREATE TRIGGER audit_chainhead_follow AFTER INSERT ON audit_auditentry FOR EACH ROW BEGIN
    INSERT INTO audit_auditchainhead (chain, seq, head_hash)
    VALUES (NEW.chain, NEW.seq, NEW.entry_hash)
    ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, head_hash = excluded.head_hash;
END
"""
FOLLOW_POSTGRESQL = [
    """
CREATE FUNCTION audit_chainhead_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_auditchainhead (chain, seq, head_hash)
    VALUES (NEW.chain, NEW.seq, NEW.entry_hash)
    ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, head_hash = EXCLUDED.head_hash;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER audit_chainhead_follow AFTER INSERT ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_chainhead_follow()
""",
]
UNFOLLOW = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_chainhead_follow"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_chainhead_follow ON audit_auditentry",
        "DROP FUNCTION IF EXISTS audit_chainhead_follow()",
    ],
}


def heads_from_entries(apps: Any, schema_editor: Any) -> None:
    entry = apps.get_model("audit", "AuditEntry")
    head = apps.get_model("audit", "AuditChainHead")
    chains = entry.objects.values("chain").annotate(last=models.Max("seq"))
    for row in chains:
        last = entry.objects.get(chain=row["chain"], seq=row["last"])
        head.objects.create(chain=last.chain, seq=last.seq, head_hash=last.entry_hash)


def follow(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": [FOLLOW_SQLITE], "postgresql": FOLLOW_POSTGRESQL}.get(vendor)
    if statements is None:
        raise RuntimeError(f"audit chain head: no trigger for {vendor}")
    for sql in statements:
        schema_editor.execute(sql)


def unfollow(apps: Any, schema_editor: Any) -> None:
    for sql in UNFOLLOW.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_checkpoints")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "chain",
                    models.CharField(
                        max_length=16, primary_key=True, serialize=False, verbose_name="链"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(verbose_name="末条序号")),
                ("head_hash", models.CharField(max_length=64, verbose_name="末条哈希")),
            ],
            options={"verbose_name": "审计链头", "verbose_name_plural": "审计链头"},
        ),
        migrations.RunPython(heads_from_entries, migrations.RunPython.noop),
        migrations.RunPython(follow, unfollow),
    ]
