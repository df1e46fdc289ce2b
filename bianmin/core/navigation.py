"""The one navigation of the product: which screens each role sees, in which order.

Contexts register their screens here (in their AppConfig.ready) so that the layout never
imports them. `panels` are fragments on a role's home page (the director's console, the shift
leader's hall view …), rendered from a template with a context function.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from bianmin.core.permissions import Perm, Role, has_perm


@dataclass(frozen=True)
class Screen:
    label: str | Promise
    url_name: str
    perm: Perm | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    order: int = 100
    icon: str = ""


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Any], dict[str, Any]]
    roles: frozenset[Role]
    order: int = 100


SCREENS: list[Screen] = []
PANELS: list[Panel] = []


def register_screen(screen: Screen) -> None:
    if all(s.url_name != screen.url_name for s in SCREENS):
        SCREENS.append(screen)


def register_panel(panel: Panel) -> None:
    if all(p.template != panel.template for p in PANELS):
        PANELS.append(panel)


def screens_for(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for screen in sorted(SCREENS, key=lambda s: s.order):
        if screen.roles and user.role not in screen.roles:
            continue
        if screen.perm is not None and not has_perm(user, screen.perm):
            continue
        try:
            out.append(
                {
                    "label": screen.label,
                    "url": reverse(screen.url_name),
                    "name": screen.url_name,
                    "icon": screen.icon,
                }
            )
        except NoReverseMatch:
            continue
    return out


def panels_for(user: Any) -> list[tuple[str, dict[str, Any]]]:
    return [
        (panel.template, panel.context(user))
        for panel in sorted(PANELS, key=lambda p: p.order)
        if user.role in panel.roles
    ]
