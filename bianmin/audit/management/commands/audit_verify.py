from django.core.management.base import BaseCommand, CommandError

from bianmin.audit.models import AuditEntry
from bianmin.audit.selectors import audit_verify_chains


class Command(BaseCommand):
    help = "Verify the audit log's hash chains; exit non-zero and name the first broken entry."

    def handle(self, *args: object, **options: object) -> None:
        breaks = audit_verify_chains()
        if breaks:
            first = breaks[0]
            raise CommandError(
                f"audit chain broken: chain={first.chain} seq={first.seq} "
                f"entry_id={first.entry_id}: {first.reason}"
            )
        total = AuditEntry.objects.count()
        self.stdout.write(f"audit chain intact: {total} entries")
