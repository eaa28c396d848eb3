from __future__ import annotations

import pytest

from outreach.channels.registry import PLATFORMS

XConfig, MastodonConfig, BlueskyConfig, LinkedInConfig = (PLATFORMS[name].settings for name in ("x", "mastodon", "bluesky", "linkedin"))
from tests.social.emulators import BlueskyEmulator, MastodonEmulator, XEmulator
from tests.social.linkedin_emulator import LinkedInEmulator

X_ENV = {"X_API_KEY": "ck", "X_API_SECRET": "cs", "X_ACCESS_TOKEN": "at", "X_ACCESS_TOKEN_SECRET": "ats"}


def _running(emulator):
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def x_api():
    yield from _running(XEmulator(X_ENV))


@pytest.fixture
def mastodon_api():
    yield from _running(MastodonEmulator())


@pytest.fixture
def bluesky_api():
    yield from _running(BlueskyEmulator())


@pytest.fixture
def linkedin_api():
    yield from _running(LinkedInEmulator())


@pytest.fixture
def social_config(db_config, x_api, mastodon_api, bluesky_api, linkedin_api, monkeypatch):
    """The test database, approval off, every channel pointed at its loopback emulator with credentials set."""
    for k, v in X_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", mastodon_api.token)
    monkeypatch.setenv("BLUESKY_HANDLE", bluesky_api.handle)
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", bluesky_api.password)
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", linkedin_api.token)
    return db_config.model_copy(update={
        "require_approval": False,
        "x": XConfig(api_base=x_api.url),
        "mastodon": MastodonConfig(instance=mastodon_api.url),
        "bluesky": BlueskyConfig(service=bluesky_api.url),
        "linkedin": LinkedInConfig(api_base=linkedin_api.url, author=linkedin_api.author),
    })
