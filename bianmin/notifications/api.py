from ninja import Router

router = Router(tags=["短信平台"])
