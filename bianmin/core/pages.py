"""A public page rendered once and served many times, each request's own values put in.

Some public pages are the same for every anonymous visitor — the guide list (`/items/`) is
the same until the catalogue changes or the day ends — but for two values the layout carries:
the CSP nonce of its script tag and the CSRF token that htmx sends back. Rendering the layout
around an already cached list was most of such a request's work. `public_page` renders the
page once with a placeholder for each of the two, keeps it under a key that names its content
(the caller's: a generation, a day, a scope), and answers each request with a copy where the
placeholders are replaced by the request's own nonce and token — a string replace instead of
a template render. The nonce is then in the response's CSP header as when rendered.

Only for anonymous visitors without a message waiting (a flash message is per visitor); any
other request is rendered as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string

from bianmin.core.caching import KeptHere

# Placeholders made of characters HTML escaping leaves alone, never in a page otherwise.
NONCE_HOLE = "bm-nonce-hole-5f0c2e"
CSRF_HOLE = "bm-csrf-hole-5f0c2e"
PAGE_SECONDS = 3600

# The pages this process has rendered or read, by their key (a key names one page for good).
_PAGES_HERE: KeptHere[str] = KeptHere(max_entries=64)


def public_page(
    request: HttpRequest, template: str, context: Callable[[], dict[str, Any]], *, key: str
) -> HttpResponse:
    """`render(request, template, context())` for a page whose content `key` names entirely,
    rendered once per key for anonymous visitors (see the module)."""
    if request.user.is_authenticated or len(get_messages(request)):
        return render(request, template, context())
    page_key = f"page:{key}"
    page = _PAGES_HERE.get(page_key)
    if page is None:
        holes = {"csp_nonce": NONCE_HOLE, "csrf_token": CSRF_HOLE}
        page = render_to_string(template, {**context(), **holes}, request=request)
        cache.set(page_key, page, PAGE_SECONDS)
        _PAGES_HERE.keep(page_key, page)
    nonce = get_nonce(request)
    html = page.replace(NONCE_HOLE, str(nonce) if nonce is not None else "")
    return HttpResponse(html.replace(CSRF_HOLE, get_token(request)))
