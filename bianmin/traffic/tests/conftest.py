import pytest

from tests.support.traffic_fake import FAKE_APP_KEY, FAKE_APP_SECRET, FakeTrafficProvider


@pytest.fixture
def provider(settings):
    """The simulated traffic police platform, connected through the settings."""
    with FakeTrafficProvider(port=0) as fake:
        settings.TRAFFIC_PROVIDER_URL = fake.url
        settings.TRAFFIC_PROVIDER_APP_KEY = FAKE_APP_KEY
        settings.TRAFFIC_PROVIDER_APP_SECRET = FAKE_APP_SECRET
        yield fake


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
