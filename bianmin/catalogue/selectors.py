from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from bianmin.catalogue.errors import CatalogueError
from bianmin.catalogue.models import Material, ServiceItem
from bianmin.core import clock
from bianmin.core.caching import Generation, KeptHere
from bianmin.core.errors import NotFound


def item_list(*, active_only: bool = True) -> QuerySet[ServiceItem]:
    qs = ServiceItem.objects.prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("sort_order", "code")),
        "fee_variants",
    )
    return qs.filter(is_active=True) if active_only else qs


def item_get(*, code: str) -> ServiceItem:
    item = item_list(active_only=False).filter(code=code.strip().upper()).first()
    if item is None:
        raise NotFound(f"没有编码为 {code} 的事项", code=CatalogueError.UNKNOWN_ITEM)
    return item


def item_get_plain(*, code: str) -> ServiceItem:
    """The item alone, without its materials and fee variants: for hot paths that need only its
    id, code, category and state (issuing a ticket). Read once per guide generation (every
    change of an item moves it) and kept; callers read it and never change it."""
    code = code.strip().upper()
    generation = _GUIDE_GENERATION.current()
    key = f"catalogue:item:{generation}:{code}"
    item = _ITEMS_HERE.get(key)
    if item is None:
        try:
            item = ServiceItem.objects.get(code=code)
        except ServiceItem.DoesNotExist:
            raise NotFound(f"没有编码为 {code} 的事项", code=CatalogueError.UNKNOWN_ITEM) from None
        cache.set(key, item, GUIDE_CACHE_SECONDS)
        _ITEMS_HERE.keep(key, item)
    return item


def item_codes() -> list[str]:
    return list(ServiceItem.objects.filter(is_active=True).values_list("code", flat=True))


# --- the price a citizen pays today (the public guide) -----------------------------------------
#
# The catalogue knows the standard fee; waivers live in fees, a context above this one. fees
# registers a hook in its apps.ready() that turns standard fees into what the citizen will
# actually pay today ("免费（免费户籍窗口）"); without one the guide shows the standard fee.

PriceKey = tuple[str, str]  # (item code, variant code or "")
PriceHook = Callable[[Sequence[tuple[str, str, int]], str], Mapping[PriceKey, str]]
_price_hooks: list[PriceHook] = []


def price_display_register(hook: PriceHook) -> None:
    """Register `hook(fees, center_code) -> {(item, variant): text}` (fees calls this once)."""
    if hook not in _price_hooks:
        _price_hooks.append(hook)


PriceScope = Callable[[str], str]
_price_scopes: list[PriceScope] = []


def price_scope_register(scope: PriceScope) -> None:
    """Register `scope(center_code) -> key`: which centers' guides show the same prices (fees
    answers the code of an existing center, "" for an unknown one: the province's prices)."""
    if scope not in _price_scopes:
        _price_scopes.append(scope)


def price_scope(center_code: str) -> str:
    """The part of the guide's cache key that the center decides ("" without a hook)."""
    return "|".join(scope(center_code) for scope in _price_scopes)


def price_texts(
    *, fees: Sequence[tuple[str, str, int]], center_code: str = ""
) -> dict[PriceKey, str]:
    """The text to show for each (item, variant, standard fen): the hooks' answer, else the
    standard fee ("10 元", "免费")."""
    texts: dict[PriceKey, str] = {}
    for hook in _price_hooks:
        texts.update(hook(fees, center_code))
    for code, variant, fen in fees:
        if (code, variant) not in texts:
            yuan, cents = divmod(fen, 100)
            texts[code, variant] = (
                "免费" if fen == 0 else (f"{yuan} 元" if not cents else f"{yuan}.{cents:02d} 元")
            )
    return texts


def guide_groups(*, center_code: str = "") -> list[tuple[Any, list[ServiceItem]]]:
    """办事指南 (phone and kiosk alike): the active items by category, each with `price_text`
    (the list shows no materials: only the fee variants are fetched with the items)."""
    from bianmin.catalogue.enums import Category

    items = list(ServiceItem.objects.filter(is_active=True).prefetch_related("fee_variants"))
    texts = price_texts(fees=[(i.code, "", i.fee_fen) for i in items], center_code=center_code)
    for item in items:
        item.price_text = texts[item.code, ""]  # type: ignore[attr-defined]
    return [(label, [i for i in items if i.category == value]) for value, label in Category.choices]


def guide_item(*, code: str, center_code: str = "") -> tuple[ServiceItem, list[object]]:
    """One item of the guide with its fee variants, each with `price_text`."""
    item = item_get(code=code)
    variants = list(item.fee_variants.all())
    texts = price_texts(
        fees=[(item.code, "", item.fee_fen)] + [(item.code, v.code, v.fee_fen) for v in variants],
        center_code=center_code,
    )
    item.price_text = texts[item.code, ""]  # type: ignore[attr-defined]
    for variant in variants:
        variant.price_text = texts[item.code, variant.code]  # type: ignore[attr-defined]
    return item, list(variants)


# --- the public guide's list, rendered once per version ----------------------------------------
#
# `/items/` is public and read by every phone; its list costs every active item with its fee
# variants, a price quote each and a long template. The rendered list is cached per guide
# generation, center (its own waivers) and the center's day (a waiver may start or end on a
# date). Any change that shows on it bumps the generation: an item, a material or a fee
# variant (catalogue signals) and a waiver policy (fees connects its model in apps.ready).

GUIDE_CACHE_SECONDS = 3600
_GUIDE_GENERATION = Generation("catalogue:guide:gen", read_together=True)


def guide_forget() -> None:
    """Every cached guide list and plain item is stale."""
    _GUIDE_GENERATION.bump()


# The lists this process has read, by their key: a key names one rendered list (a change moves
# the generation, so a changed list has another key), so a read skips fetching and unpickling
# the list from the cache when the process already holds it.
_GUIDES_HERE: KeptHere[str] = KeptHere(max_entries=64)
# The plain items issuing reads (`item_get_plain`), by generation and code.
_ITEMS_HERE: KeptHere[ServiceItem] = KeptHere(max_entries=512)


def guide_list_key(*, center_code: str) -> str:
    """The key that names the guide's list for `center_code` today: it moves with the guide's
    generation and the day. Keyed by the price scope, not the raw `?center=`: any unknown code
    shares the province's entry, so made-up codes cannot fill the cache."""
    generation = _GUIDE_GENERATION.current()
    return f"catalogue:guide:{generation}:{clock.today().isoformat()}:{price_scope(center_code)}"


def guide_list_cached(*, key: str, build: Callable[[], str]) -> str:
    """The guide's rendered list under `key` (`guide_list_key`): cached, else `build()` (which
    reads the guide through `guide_groups`) and kept until the generation moves or the day
    ends."""
    html = _GUIDES_HERE.get(key)
    if html is None:
        html = build()
        cache.set(key, html, GUIDE_CACHE_SECONDS)
        _GUIDES_HERE.keep(key, html)
    return html
