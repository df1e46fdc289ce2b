"""Every write endpoint is covered by a cross-center test.

It enumerates the Django URL patterns whose views accept POST/PUT/PATCH/DELETE and every
non-GET django-ninja operation, and fails for any whose URL name ("namespace:name") or
operation id / "METHOD /api/v1/path" is not named in some ``bianmin/*/tests/test_cross_center.py``
(where that context tests center B's actor against center A's object).
"""

import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_NAMESPACE = "api-1"

# Write endpoints that touch no center's records, with the reason.
EXEMPT = {
    "accounts:login": "signs in; no center object",
    "accounts:totp": "the second factor of one's own session",
    "accounts:logout": "ends one's own session",
    "cases:progress": "a citizen's progress look-up: reads one case by number + phone digits",
    "lost_found:public_report": "a citizen's lost report: no staff actor, no center's object",
    "lost_found:public_follow": "a citizen follows their own report by number + phone digits",
    "family_desk:phone_sign_out": "ends one's own family-member session",
    "notifications:template_preview": "renders a text, writes nothing",
    "bianmin_notifications_api_template_preview": "renders a text, writes nothing",
    "bianmin_people_api_id_number_check": "checks an ID number's form, writes nothing",
    "bianmin_notifications_api_receipt_callback": "the SMS provider's signed delivery receipts",
    "bianmin_lost_found_api_lost_report_create": "a citizen's lost report (public, throttled)",
}


def _methods_from_decorators(view: Callable[..., Any]) -> set[str] | None:
    """The methods allowed by require_http_methods/require_POST on any layer, if any."""
    layer: Any = view
    while layer is not None:
        for cell in getattr(layer, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple | set)
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
            ):
                return {str(v) for v in value}
        layer = getattr(layer, "__wrapped__", None)
    return None


WRITE_HINT = re.compile(
    r"request\.(POST|FILES)\b|request\.method\s*(==|!=|in)|require_POST|\"POST\"|'POST'"
)


def _accepts_writes(view: Callable[..., Any]) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return any(hasattr(view_class, m.lower()) for m in WRITE_METHODS)
    allowed = _methods_from_decorators(view)
    if allowed is not None:
        return bool(allowed & WRITE_METHODS)
    inner = inspect.unwrap(view)
    try:
        source = inspect.getsource(inner)
    except (OSError, TypeError):
        return False
    return bool(WRITE_HINT.search(source))


def _django_patterns(
    patterns: list[Any], namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == API_NAMESPACE:
                continue
            yield from _django_patterns(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or "", prefix + str(entry.pattern), entry.callback


def django_write_endpoints() -> dict[str, str]:
    """{url name (or route when unnamed): route} of every view that accepts a write."""
    found = {}
    for name, route, view in _django_patterns(get_resolver().url_patterns):
        if route.startswith("static/"):
            continue
        if _accepts_writes(view):
            found[name or route] = route
    return found


def api_write_operations() -> dict[str, str]:
    """{operation id: "METHOD /api/v1/path"} of every non-GET django-ninja operation."""
    from config.api import api

    schema = api.get_openapi_schema(path_params={})
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method.upper() in WRITE_METHODS:
                found[operation["operationId"]] = f"{method.upper()} {path}"
    return found


def covered_text() -> str:
    files = sorted(ROOT.glob("bianmin/*/tests/test_cross_center*.py"))
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_the_inventory_finds_known_write_endpoints() -> None:
    django = django_write_endpoints()
    api = api_write_operations()
    assert "accounts:staff_authorizations" in django
    assert "accounts:hours" in django
    assert "accounts:home" not in django  # read-only
    assert any(v == "POST /api/v1/people" for v in api.values())
    assert not any(v.startswith("GET ") for v in api.values())


@pytest.mark.django_db
def test_every_write_endpoint_has_a_cross_center_test() -> None:
    text = covered_text()
    missing = []
    for name, route in sorted(django_write_endpoints().items()):
        if name in EXEMPT or name in text:
            continue
        missing.append(f"  page  {name:45} /{route}")
    for operation_id, label in sorted(api_write_operations().items(), key=lambda kv: kv[1]):
        if operation_id in EXEMPT or operation_id in text or label in text:
            continue
        missing.append(f"  api   {label:45} (operation id {operation_id})")
    assert not missing, (
        f"{len(missing)} write endpoints are named in no bianmin/*/tests/test_cross_center.py "
        "(test center B's actor against center A's object there and name the endpoint):\n"
        + "\n".join(missing)
    )
