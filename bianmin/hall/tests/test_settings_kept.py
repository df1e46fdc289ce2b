"""The hall settings are kept in each process under a generation shared by every center
(`hall.selectors.hall_settings_get`): a change is read by the next request once it commits, in
this process or any other. (The settings screen edits a copy of the kept instance:
`test_views.test_settings_screen_saves_and_audits` fails when it edits the shared one.)"""

from typing import Any

from django.core.cache import cache

from bianmin.core import caching
from bianmin.hall.models import HallSettings
from bianmin.hall.selectors import hall_settings_get
from bianmin.hall.services import hall_settings_update
from bianmin.hall.tests.factories import HallSettingsFactory


def _saved(commits: Any, **values: Any) -> Any:
    """Settings saved and committed (their generation's bump made, as after a real commit)."""
    with commits(execute=True):
        return HallSettingsFactory(**values)


def test_a_change_is_read_by_the_next_request_once_committed(
    db, hall, director, django_capture_on_commit_callbacks
) -> None:
    _saved(django_capture_on_commit_callbacks, center=hall, near_position=2)
    with caching.generations_read_together():
        assert hall_settings_get(center_id=hall.pk).near_position == 2  # kept from here on
    with django_capture_on_commit_callbacks(execute=True):
        hall_settings_update(actor=director, center_id=hall.pk, changes={"near_position": 4})
    with caching.generations_read_together():
        assert hall_settings_get(center_id=hall.pk).near_position == 4


def test_a_change_made_by_another_process_is_read_by_the_next_request(
    db, hall, django_capture_on_commit_callbacks
) -> None:
    kept = _saved(django_capture_on_commit_callbacks, center=hall, near_position=2)
    with caching.generations_read_together():
        assert hall_settings_get(center_id=hall.pk).near_position == 2
    HallSettings.objects.filter(pk=kept.pk).update(near_position=5)  # written elsewhere,
    cache.incr("hall:settings:gen")  # whose commit moved the shared generation
    with caching.generations_read_together():
        assert hall_settings_get(center_id=hall.pk).near_position == 5
