from ninja import Router

router = Router(tags=["收费减免"])
