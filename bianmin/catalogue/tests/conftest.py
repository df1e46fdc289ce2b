from typing import Any

import pytest

from bianmin.accounts.models import Staff
from bianmin.core.permissions import Role


@pytest.fixture
def province_director(db: Any) -> Staff:
    """The province-scope account that edits the province-wide catalogue (no center)."""
    return Staff.objects.create(
        username="province_director", full_name="省级事项管理", role=Role.DIRECTOR, center=None
    )
