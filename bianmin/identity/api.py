from ninja import Router

router = Router(tags=["刷脸办"])
