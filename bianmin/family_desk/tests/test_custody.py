import datetime as dt

import pytest

from bianmin.core.errors import DomainError
from bianmin.family_desk.models import CustodyEntry
from bianmin.family_desk.services import (
    Asker,
    custody_outstanding,
    custody_pdf,
    custody_record,
    request_create,
    request_take,
)


@pytest.fixture
def on_behalf(daytime, officer, desk, procedure):
    created = request_create(
        asker=Asker.of_staff(officer), type="on_behalf", procedure_id=procedure.pk, question="代办"
    )
    return request_take(actor=desk, number=created.number)


def _link(desk, number, action, source, target, **extra):
    return custody_record(
        actor=desk,
        number=number,
        document="购房合同原件",
        action=action,
        from_party=source,
        to_party=target,
        signed_by="张三",
        **extra,
    )


def test_a_complete_chain_prints(on_behalf, desk):
    number = on_behalf.number
    _link(desk, number, "received", "民警王某", "服务台")
    _link(desk, number, "handed_to_unit", "服务台", "公积金管理部")
    assert custody_outstanding(on_behalf) == ["购房合同原件"]
    _link(desk, number, "returned_from_unit", "公积金管理部", "服务台")
    _link(desk, number, "returned_to_requester", "服务台", "民警王某")
    assert custody_outstanding(on_behalf) == []
    assert list(CustodyEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    pdf = custody_pdf(request=on_behalf, center_name="潼关县公安便民服务中心")
    assert pdf.startswith(b"%PDF")


def test_the_chain_starts_with_the_desk_receiving(on_behalf, desk):
    with pytest.raises(DomainError) as caught:
        _link(desk, on_behalf.number, "handed_to_unit", "服务台", "公积金管理部")
    assert caught.value.code == "custody_gap"
    assert CustodyEntry.objects.count() == 0


def test_a_gap_in_the_chain_is_refused(on_behalf, desk):
    _link(desk, on_behalf.number, "received", "民警王某", "服务台")
    with pytest.raises(DomainError, match="交接链断开"):
        _link(desk, on_behalf.number, "handed_to_unit", "税务局", "公积金管理部")
    assert CustodyEntry.objects.count() == 1


def test_time_never_runs_backwards_and_a_closed_chain_stays_closed(on_behalf, desk):
    from bianmin.core import clock

    _link(desk, on_behalf.number, "received", "民警王某", "服务台")
    with pytest.raises(DomainError):
        _link(
            desk,
            on_behalf.number,
            "handed_to_unit",
            "服务台",
            "单位",
            at=clock.now() - dt.timedelta(days=1),
        )
    _link(desk, on_behalf.number, "returned_to_requester", "服务台", "民警王某")
    with pytest.raises(DomainError, match="已交还"):
        _link(desk, on_behalf.number, "received", "民警王某", "服务台")


def test_custody_only_for_on_behalf_and_only_by_the_desk_side(daytime, officer, desk):
    consult = request_create(asker=Asker.of_staff(officer), type="consult", question="问")
    request_take(actor=desk, number=consult.number)
    with pytest.raises(DomainError):
        _link(desk, consult.number, "received", "民警", "服务台")
    on_behalf = request_create(asker=Asker.of_staff(officer), type="on_behalf", question="代办")
    with pytest.raises(DomainError) as caught:
        _link(officer, on_behalf.number, "received", "民警", "服务台")
    assert caught.value.status == 404
    assert CustodyEntry.objects.count() == 0


def test_an_on_behalf_request_closes_only_when_every_document_is_back(on_behalf, desk):
    from bianmin.family_desk.services import request_close

    _link(desk, on_behalf.number, "received", "民警王某", "服务台")
    with pytest.raises(DomainError, match="购房合同原件"):
        request_close(actor=desk, number=on_behalf.number, body="办好了")
    _link(desk, on_behalf.number, "returned_to_requester", "服务台", "民警王某")
    assert request_close(actor=desk, number=on_behalf.number, body="办好了").status == "closed"
