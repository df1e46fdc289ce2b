"""Two centers: the traffic context holds no center's records; its writes are queries that a
center's kiosk sends to the platform, audited under that center.

* Forms: traffic:kiosk (POST: a query from the center named in the URL)
* API: traffic_violations (POST /api/v1/traffic/violations, the center named in the body)
"""

import pytest
from django.test import Client

from bianmin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_each_centers_kiosk_queries_are_audited_under_that_center(center, other_center, provider):
    Client().post(
        "/kiosk/HY/traffic/",
        {"by": "vehicle", "province": "陕", "plate": "E12345", "vin_last6": "123456"},
    )
    Client().post(
        "/api/v1/traffic/violations",
        {"center": "TG", "plate": "陕E12345", "vin_last6": "123456"},
        content_type="application/json",
    )
    centers = list(
        AuditEntry.objects.filter(action="traffic_queried")
        .order_by("pk")
        .values_list("center_id", flat=True)
    )
    assert centers == [other_center.pk, center.pk]
