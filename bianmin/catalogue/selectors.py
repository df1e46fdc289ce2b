from django.db.models import Prefetch, QuerySet

from bianmin.catalogue.errors import CatalogueError
from bianmin.catalogue.models import Material, ServiceItem
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


def item_codes() -> list[str]:
    return list(ServiceItem.objects.filter(is_active=True).values_list("code", flat=True))
