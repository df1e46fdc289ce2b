"""Two centers and the window's devices on the cases side:

* Forms: cases:kiosk_progress (center B's kiosk never shows center A's cases by card)
* Reads: cases:applicant_lookup (center B's officer never finds center A's residents)
"""

import pytest
from django.test import Client

from bianmin.core.permissions import Role
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE

pytestmark = pytest.mark.django_db


def test_center_b_kiosk_and_officer_see_nothing_of_center_a(
    setup, new_case, other_center, make_staff, pinned
) -> None:
    case = new_case()
    by_card = Client().post(
        "/kiosk/HY/progress/", {"mode": "card", "id_number": ADULT_ID, "name": ADULT_NAME}
    )
    assert case.number not in by_card.content.decode()
    assert "没有查到您在本中心正在办理的业务" in by_card.content.decode()
    b_officer = make_staff(Role.OFFICER, center_=other_center)
    client = Client()
    client.force_login(b_officer)
    found = client.get("/cases/window/applicant-lookup/", {"lookup_phone": PHONE})
    assert "没有找到" in found.content.decode()
