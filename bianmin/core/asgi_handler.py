"""Django's ASGI handler with the middleware chain run in one thread hop.

Served through ASGI, Django builds an async middleware chain, and every middleware built on
`MiddlewareMixin` (security, sessions, locale, common, CSRF, auth, messages, clickjacking, CSP)
then runs its `process_request` and `process_response` through `sync_to_async`: about twenty
hand-offs to a worker thread per request before a sync view runs in yet another. Our views are
all synchronous, so this handler builds the chain synchronously and enters it once: one hop,
the whole chain and the view on the request's own thread (Django's per-request thread-sensitive
context, so database connections stay per request exactly as before). An async view would
still work (Django runs it with `async_to_sync`), only without the benefit.
"""

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        chain: Any = self._middleware_chain  # type: ignore[has-type]
        self._middleware_chain = sync_to_async(chain, thread_sensitive=True)
