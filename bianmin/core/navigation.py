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


@dataclass(frozen=True)
class Landing:
    """The screen a role starts its day on after signing in. The highest `priority` whose
    URL exists and whose permission the user holds wins; none → the home page."""

    role: Role
    url_name: str
    perm: Perm | None = None
    priority: int = 0


SCREENS: list[Screen] = []
PANELS: list[Panel] = []
LANDINGS: list[Landing] = []


def register_screen(screen: Screen) -> None:
    if all(s.url_name != screen.url_name for s in SCREENS):
        SCREENS.append(screen)


def register_panel(panel: Panel) -> None:
    if all(p.template != panel.template for p in PANELS):
        PANELS.append(panel)


def register_landing(landing: Landing) -> None:
    if landing not in LANDINGS:
        LANDINGS.append(landing)


def landing_for(user: Any) -> str | None:
    """The URL of the user's work screen, or None (then the home page)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "role", None):
        return None
    for landing in sorted(LANDINGS, key=lambda item: -item.priority):
        if landing.role != user.role:
            continue
        if landing.perm is not None and not has_perm(user, landing.perm):
            continue
        try:
            return reverse(landing.url_name)
        except NoReverseMatch:
            continue
    return None


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


@dataclass(frozen=True)
class KioskTile:
    """One function of the self-service kiosk's start screen. `url_name` takes the center
    code as its only argument; `voice` is the Mandarin prompt read when the tile opens."""

    key: str
    label: str | Promise
    url_name: str
    icon: str = ""
    order: int = 100
    voice: str | Promise = ""


KIOSK_TILES: list[KioskTile] = []


def register_kiosk_tile(tile: KioskTile) -> None:
    if all(t.key != tile.key for t in KIOSK_TILES):
        KIOSK_TILES.append(tile)


def kiosk_tiles(center_code: str) -> list[dict[str, Any]]:
    out = []
    for tile in sorted(KIOSK_TILES, key=lambda t: t.order):
        try:
            url = reverse(tile.url_name, args=[center_code])
        except NoReverseMatch:
            continue
        out.append(
            {
                "key": tile.key,
                "label": tile.label,
                "url": url,
                "icon": tile.icon,
                "voice": tile.voice,
            }
        )
    return out


@dataclass(frozen=True)
class Fragment:
    """A piece a higher context adds to a lower context's page (a named `slot`), so the
    lower page never imports, nor `{% url %}`s, the higher one. `render(request, **kwargs)`
    returns HTML (already escaped, e.g. from `render_to_string`) or "" for nothing."""

    slot: str
    key: str
    render: Callable[..., str]
    order: int = 100


FRAGMENTS: list[Fragment] = []


def register_fragment(fragment: Fragment) -> None:
    if all((f.slot, f.key) != (fragment.slot, fragment.key) for f in FRAGMENTS):
        FRAGMENTS.append(fragment)


def render_fragments(slot: str, request: Any, **kwargs: Any) -> str:
    """The slot's fragments, in order, as one safe string for the page's template."""
    from django.utils.safestring import mark_safe

    parts = [
        f.render(request, **kwargs)
        for f in sorted(FRAGMENTS, key=lambda f: f.order)
        if f.slot == slot
    ]
    return mark_safe("".join(p for p in parts if p))  # noqa: S308 - rendered templates
