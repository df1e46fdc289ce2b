"""Helpers for views that answer both full page loads and htmx requests."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def template_for(request: HttpRequest, template: str, partial: str) -> str:
    """The whole page, or only the named `{% partialdef %}` fragment for htmx."""
    return f"{template}#{partial}" if is_htmx(request) else template
