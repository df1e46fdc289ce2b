from dataclasses import dataclass

import pytest
from django.db import transaction

from bianmin.accounts.tests.factories import CenterFactory
from bianmin.core import events


@dataclass(frozen=True)
class _Happened:
    value: int


@dataclass(frozen=True)
class _Other:
    value: int


def test_subscribers_receive_only_their_event_type_in_order():
    seen: list[tuple[str, int]] = []

    def first(event: _Happened) -> None:
        seen.append(("first", event.value))

    def second(event: _Happened) -> None:
        seen.append(("second", event.value))

    events.subscribe(_Happened, first)
    events.subscribe(_Happened, second)
    events.subscribe(_Happened, first)  # a second ready() changes nothing
    events.publish(_Happened(7))
    events.publish(_Other(8))
    assert seen == [("first", 7), ("second", 7)]
    assert events.subscribers(_Happened) == (first, second)


@pytest.mark.django_db
def test_a_failing_handler_rolls_back_the_publishers_change():
    @dataclass(frozen=True)
    class _Renamed:
        center_id: int

    def refuse(event: _Renamed) -> None:
        raise RuntimeError("handler failed")

    events.subscribe(_Renamed, refuse)
    center = CenterFactory(name="事件中心")

    def rename_and_publish() -> None:
        with transaction.atomic():
            type(center).objects.filter(pk=center.pk).update(name="改名")
            events.publish(_Renamed(center.pk))

    with pytest.raises(RuntimeError):
        rename_and_publish()
    center.refresh_from_db()
    assert center.name == "事件中心"
