"""The guide desk's material checklist (导办台): the chosen items' materials for the citizen's
situation — the same conditional materials as the window's pre-review — printed on the 80 mm
printer or taken away by phone (the QR code opens the same list, no personal data in it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from bianmin.cases.checklist import DECLARED_FACTS, MaterialSpec, required_codes
from bianmin.cases.views.base import _need
from bianmin.catalogue.conditions import CONDITIONS
from bianmin.catalogue.selectors import item_list
from bianmin.core.permissions import Perm
from bianmin.core.public_urls import public_url
from bianmin.core.qr import qr_svg

AGES = {"adult": 30, "teen": 17, "child": 10}
AGE_LABELS = {"adult": "年满18周岁", "teen": "16至17周岁", "child": "未满16周岁"}
MAX_ITEMS = 5


def _situation(query: QueryDict) -> tuple[list[str], dict[str, Any], str]:
    codes = [c for c in query.getlist("items") if c][:MAX_ITEMS]
    declared = {k: k in query.getlist("f") for k in DECLARED_FACTS}
    age_group = query.get("age", "adult") if query.get("age") in AGES else "adult"
    facts: dict[str, Any] = dict(declared)
    facts["age"] = AGES[age_group]
    facts["non_local"] = query.get("non_local") == "1"
    return codes, facts, age_group


def checklist_rows(codes: list[str], facts: dict[str, Any]) -> list[dict[str, Any]]:
    by_code = {i.code: i for i in item_list()}
    rows = []
    for code in codes:
        item = by_code.get(code)
        if item is None:
            continue
        specs = [MaterialSpec.of(m) for m in item.materials.all()]
        needed = required_codes(specs, facts)
        rows.append(
            {
                "item": item,
                "materials": [
                    {"spec": s, "when": CONDITIONS[s.required_when].label}
                    for s in sorted(specs, key=lambda s: s.sort_order)
                    if s.code in needed
                ],
            }
        )
    return rows


def _context(request: HttpRequest) -> dict[str, Any]:
    codes, facts, age_group = _situation(request.GET)
    params: list[tuple[str, str]] = [("items", c) for c in codes]
    params += [("f", k) for k in DECLARED_FACTS if facts.get(k)]
    params += [("age", age_group)] + ([("non_local", "1")] if facts["non_local"] else [])
    link = public_url(reverse("cases:checklist") + "?" + urlencode(params), request)
    return {
        "rows": checklist_rows(codes, facts),
        "situation": "、".join(
            [AGE_LABELS[age_group]]
            + (["非本地户籍"] if facts["non_local"] else [])
            + [label for k, label in DECLARED_FACTS.items() if facts.get(k)]
        ),
        "print_url": reverse("cases:checklist") + "?" + urlencode([*params, ("print", "1")]),
        "qr": qr_svg(link, scale=3) if codes else "",
    }


@login_required
def guide_checklist(request: HttpRequest) -> HttpResponse:
    """The guide desk's fragment: the list for the items ticked in the ticket form."""
    _need(request, Perm.TICKET_ISSUE)
    if request.GET.get("form") == "1":
        return render(
            request, "cases/guide_checklist.html#form", {"declared_facts": DECLARED_FACTS}
        )
    return render(request, "cases/guide_checklist.html#list", _context(request))


def checklist(request: HttpRequest) -> HttpResponse:
    """The same list on its own page (public, no personal data): the 80 mm print and the page
    the citizen's phone opens from the QR code."""
    ctx = _context(request)
    ctx["autoprint"] = request.GET.get("print") == "1"
    return render(request, "cases/guide_checklist.html", ctx)
