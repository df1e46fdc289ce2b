from django.http import HttpRequest
from ninja import Router, Schema

from bianmin.catalogue.selectors import item_list

router = Router(tags=["事项目录"])


class MaterialOut(Schema):
    code: str
    name: str
    required_when: str


class ItemOut(Schema):
    code: str
    name: str
    category: str
    fee_yuan: float
    promised_workdays: int
    materials: list[MaterialOut]


@router.get("/items", response=list[ItemOut], summary="事项目录（公开）")
def items(request: HttpRequest) -> list[dict]:
    return [
        {
            "code": item.code,
            "name": item.name,
            "category": item.category,
            "fee_yuan": item.fee_fen / 100,
            "promised_workdays": item.promised_workdays,
            "materials": [
                {"code": m.code, "name": m.name, "required_when": m.required_when}
                for m in item.materials.all()
            ],
        }
        for item in item_list()
    ]
