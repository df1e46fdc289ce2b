from django.core.management.base import BaseCommand, CommandError

from bianmin.audit.checkpoints import checkpoint_write
from bianmin.audit.models import AuditEntry
from bianmin.audit.selectors import audit_verify_all


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chains and compare them with the signed checkpoints (file "
        "and table); exit non-zero and name the first problem. An intact log gets a new "
        "checkpoint."
    )

    def handle(self, *args: object, **options: object) -> None:
        breaks = audit_verify_all()
        if breaks:
            for other in breaks[1:]:
                self.stderr.write(f"also: chain={other.chain} seq={other.seq}: {other.reason}")
            first = breaks[0]
            raise CommandError(
                f"audit chain broken: chain={first.chain} seq={first.seq} "
                f"entry_id={first.entry_id}: {first.reason}"
            )
        written = checkpoint_write()
        total = AuditEntry.objects.count()
        self.stdout.write(f"audit chain intact: {total} entries; {len(written)} new checkpoint(s)")
