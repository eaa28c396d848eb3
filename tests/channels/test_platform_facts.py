"""Each platform's facts are declared once (channels/<platform>_facts.py, one registry line) and every reader takes
them from there: the campaign model, validate, rendering, the preview, the config defaults and the clients."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from outreach.campaign import CHANNELS, load_campaign
from outreach.channels import client_class
from outreach.channels.registry import PLATFORMS
from outreach.channels.registry import PLATFORMS

XConfig, MastodonConfig, BlueskyConfig = (PLATFORMS[name].settings for name in ("x", "mastodon", "bluesky"))
from outreach.render.posts import render_posts, report_url
from outreach.validate import check

SRC = Path(__file__).resolve().parents[2] / "src" / "outreach"


@pytest.fixture
def sample(campaign_copy, db_config):
    return load_campaign(campaign_copy()), db_config


def with_facts(monkeypatch, name: str, **changes) -> None:
    monkeypatch.setitem(PLATFORMS, name, dataclasses.replace(PLATFORMS[name], **changes))


def messages(checked) -> list[str]:
    return [str(e) for e in checked.errors]


# Breaks if: rendering or validate keeps its own limit table instead of reading the platform's facts.
@pytest.mark.parametrize("name, index", [("x", 0), ("mastodon", 1), ("bluesky", 2)])
def test_the_limit_and_display_name_come_from_the_facts(monkeypatch, sample, name, index):
    campaign, config = sample
    with_facts(monkeypatch, name, limit=40, display=f"Platform-{name}")
    rendered, _ = render_posts(campaign)
    assert {p.limit for p in rendered[index].parts} == {40}
    found = [m for m in messages(check(campaign, config)) if f"posts[{index}]" in m]
    assert found and all(f"Platform-{name}'s count; the limit is 40" in m for m in found)


# Breaks if: the counting rule is not the platform's own length function.
def test_the_counting_rule_comes_from_the_facts(monkeypatch, sample):
    campaign, _ = sample
    with_facts(monkeypatch, "mastodon", length=lambda text: 7)
    rendered, _ = render_posts(campaign)
    assert [p.length for p in rendered[1].parts] == [7]


# Breaks if: validate keeps its own image size, alt-text or format tables.
@pytest.mark.parametrize("changes, message", [
    ({"max_image_bytes": 1000}, "Platform-m takes at most 1,000"),
    ({"max_alt": 10}, "alt text is"),
    ({"image_formats": ("JPEG",)}, "Platform-m takes JPEG"),
])
def test_image_checks_come_from_the_facts(monkeypatch, sample, changes, message):
    campaign, config = sample
    with_facts(monkeypatch, "mastodon", display="Platform-m", **changes)
    found = [m for m in messages(check(campaign, config)) if "posts[1]" in m or "report.cover" in m]
    assert any(message in m for m in found), found


def test_the_utm_source_comes_from_the_facts(monkeypatch, sample):
    campaign, _ = sample
    with_facts(monkeypatch, "bluesky", utm_source="sky-test")
    assert "utm_source=sky-test" in report_url(campaign, "bluesky")


def test_the_registry_is_the_list_of_channels():
    assert CHANNELS == tuple(PLATFORMS) == ("x", "mastodon", "bluesky", "linkedin")
    for name, facts in PLATFORMS.items():
        assert facts.name == name and client_class(name).facts is facts


# Breaks if: a credential's env var name is written in two places (config default and the platform's facts).
@pytest.mark.parametrize("model, name", [(XConfig, "x"), (MastodonConfig, "mastodon"), (BlueskyConfig, "bluesky")])
def test_config_defaults_are_the_facts_credential_names(model, name):
    defaults = model()
    assert PLATFORMS[name].secret_envs(defaults) == [c.default_env for c in PLATFORMS[name].credentials]
    for c in PLATFORMS[name].credentials:
        assert getattr(defaults, c.setting) == c.default_env


# Breaks if: a platform's numbers creep back into a module that should read them (a second copy that can drift).
FACT_VALUES = {"280", "300", "5_000_000", "16_000_000", "1_000_000", "1500", "\"X_API_KEY\"", "\"BLUESKY_HANDLE\"", "\"MASTODON_ACCESS_TOKEN\""}


@pytest.mark.parametrize("module", ["validate.py", "campaign.py", "render/posts.py", "preview.py", "config.py", "channels/x.py",
                                    "channels/x_media.py", "channels/mastodon.py", "channels/bluesky.py", "channels/base.py"])
def test_no_platform_fact_is_written_outside_its_facts_module(module):
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    constants = {ast.get_source_segment((SRC / module).read_text(encoding="utf-8"), n) for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert not constants & FACT_VALUES, (module, constants & FACT_VALUES)


def test_the_campaign_model_does_not_import_the_api_clients():
    """The facts modules stay light: loading a campaign must not import tweepy, mastodon-py or atproto."""
    import subprocess
    import sys
    code = "import sys, outreach.campaign, outreach.validate; print(sorted(m for m in ('tweepy', 'mastodon', 'atproto') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


# Breaks if: config.py declares the platform tables itself again (a new platform would have to edit it).
def test_a_platform_in_the_registry_gets_its_config_table():
    import subprocess
    import sys

    code = """
from outreach.channels import registry
from outreach.channels.facts import Credential, PlatformFacts
registry.PLATFORMS["fakebook"] = PlatformFacts(
    name="fakebook", display="Fakebook", limit=100, length=len, url_weight=None, max_images=1, max_image_bytes=1000,
    image_formats=("PNG",), max_alt=100, credentials=(Credential("token_env", "FAKEBOOK_TOKEN", "Fakebook token"),),
    client="outreach.channels.fakebook:FakebookChannel", options=(("api_base", "https://fakebook.example"),))
from outreach.config import Config
print(Config().fakebook.token_env, Config.model_validate({"fakebook": {"api_base": "https://other.example"}}).fakebook.api_base)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["FAKEBOOK_TOKEN", "https://other.example"]
