from ninja import Router

router = Router(tags=["叫号大厅"])
