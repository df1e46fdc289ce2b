"""The SMS wording: valid for the notifications context, within two segments at worst, and
the data migration seeds exactly the wording of `lost_found.wording`."""

import importlib

import pytest

from bianmin.lost_found.wording import TEMPLATES
from bianmin.notifications import pipeline

migration = importlib.import_module("bianmin.lost_found.migrations.0002_sms_templates")


@pytest.mark.parametrize(("code", "name", "body", "purpose"), TEMPLATES)
def test_each_template_is_valid_and_fits_two_segments(code, name, body, purpose):
    assert pipeline.check_body(body)
    assert pipeline.worst_case("潼关县公安局", body).segments <= 2


def test_the_migration_seeds_the_same_wording():
    assert migration.TEMPLATES == TEMPLATES
