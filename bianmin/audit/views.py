from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bianmin.audit.enums import AuditAction
from bianmin.audit.selectors import audit_entries_described, audit_entry_search, audit_verify_all
from bianmin.core.htmx import template_for
from bianmin.core.permissions import Perm, has_perm


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    """The inspector's audit view: who did what to which record, searchable."""
    if not has_perm(request.user, Perm.AUDIT_VIEW):
        raise HttpForbidden
    action = request.GET.get("action", "")
    filters = {
        "text": request.GET.get("q", "")[:64],
        "action": action if action in AuditAction.values else "",
        "day_from": _date(request.GET.get("from", "")),
        "day_to": _date(request.GET.get("to", "")),
    }
    entries = audit_entry_search(user=request.user, **filters)  # type: ignore[arg-type]
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context: dict[str, object] = {
        "page": page,
        "rows": audit_entries_described(list(page.object_list)),
        "actions": AuditAction.choices,
        "filters": filters,
        "query": request.GET.urlencode(),
    }
    if request.GET.get("verify"):
        context["breaks"] = audit_verify_all()
        context["verified"] = True
    return render(request, template_for(request, "audit/search.html", "results"), context)
