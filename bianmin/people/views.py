from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bianmin.core.actors import actor_of
from bianmin.core.errors import DomainError
from bianmin.core.htmx import template_for
from bianmin.core.permissions import Perm, has_perm
from bianmin.people.imports import COLUMNS, person_import_start
from bianmin.people.models import PersonImport
from bianmin.people.selectors import person_get, person_open, person_search
from bianmin.people.services import person_reveal


def _need(request: HttpRequest, perm: Perm) -> None:
    if not has_perm(request.user, perm):
        raise HttpForbidden


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.PERSON_VIEW)
    text = request.GET.get("q", "")[:40]
    page = Paginator(person_search(actor=actor_of(request), text=text), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, template_for(request, "people/list.html", "results"), {"page": page, "q": text}
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, Perm.PERSON_VIEW)
    person = person_open(actor=actor_of(request), pk=pk)  # type: ignore[arg-type]
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "may_reveal": has_perm(request.user, Perm.PERSON_REVEAL),
        },
    )


@login_required
@require_POST
def person_reveal_view(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    try:
        value = person_reveal(actor=actor_of(request), person=person, field=field)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "people/detail.html#revealed", {"value": value})


@login_required
def person_import_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.PERSON_IMPORT)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件")
        else:
            try:
                job = person_import_start(
                    actor=actor_of(request), filename=upload.name or "", content=upload.read()
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("people:import_status", pk=job.pk)
    return render(request, "people/import.html", {"columns": list(COLUMNS)})


@login_required
def person_import_status(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, Perm.PERSON_IMPORT)
    job = PersonImport.objects.filter(pk=pk, uploaded_by_id=request.user.pk).first()
    if job is None:
        raise HttpForbidden
    return render(
        request, template_for(request, "people/import_status.html", "progress"), {"job": job}
    )
