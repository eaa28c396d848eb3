"""Review findings on issue 16, each a test that failed before its fix: a gateway's 5xx after a LinkedIn post was
made is `unknown` (never posted twice), a credential with a line break is a config error (not an `unknown` part),
the outbox writes the fitted thumbnail its request names, and a bracketed link does not crash the preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from outreach.campaign import load_campaign
from outreach.config import load_config
from outreach.plan import build_plan
from outreach.channels import client_class
from outreach.channels.base import OutgoingPart
from outreach.channels.registry import PLATFORMS
from outreach.errors import ConfigError, OutcomeUnknown, Unavailable
from tests.social.linkedin_emulator import LinkedInEmulator, error


class LostAnswerAfterPost(LinkedInEmulator):
    """LinkedIn stores the post, then its gateway answers ``status`` instead of 201."""

    def __init__(self, status: int) -> None:
        super().__init__()
        self.status, self.answered = status, 0

    def create_post(self, request):  # type: ignore[no-untyped-def]
        reply = super().create_post(request)
        self.answered += 1
        if self.answered == 1:
            raise error(self.status, "Gateway Timeout")
        return reply


@pytest.fixture
def lossy(request, monkeypatch):
    emulator = LostAnswerAfterPost(request.param).start()
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", emulator.token)
    yield emulator
    emulator.stop()


def channel_for(emulator):
    return client_class("linkedin").from_config(PLATFORMS["linkedin"].settings(api_base=emulator.url, author=emulator.author))


@pytest.mark.parametrize("lossy", [500, 502, 504], indirect=True)
def test_a_gateway_error_after_the_post_is_unknown_not_retried(lossy):
    with pytest.raises(OutcomeUnknown) as caught:
        channel_for(lossy).publish(OutgoingPart("c", 5, 1, 1, "hello"), None, None)
    assert "check the account before resending" in str(caught.value) and len(lossy.posts) == 1


@pytest.mark.parametrize("lossy", [503], indirect=True)
def test_a_503_is_still_unavailable(lossy):
    with pytest.raises(Unavailable):
        channel_for(lossy).publish(OutgoingPart("c", 5, 1, 1, "hello"), None, None)


@pytest.mark.parametrize("token", ["SECRET-TOKEN\r", "SECRËT-TOKEN", "SECRET TOKEN\n"])
def test_a_credential_with_a_line_break_or_odd_character_is_a_config_error(monkeypatch, token):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", token)
    with pytest.raises(ConfigError) as caught:
        client_class("linkedin").from_config(PLATFORMS["linkedin"].settings(author="urn:li:organization:1"))
    assert "LINKEDIN_ACCESS_TOKEN" in str(caught.value) and "SECR" not in str(caught.value)


def test_the_outbox_writes_the_fitted_thumbnail_it_names(cli, campaign_copy, tmp_path, monkeypatch):
    for c in PLATFORMS["bluesky"].credentials:
        monkeypatch.delenv(c.default_env, raising=False)
    path = campaign_copy()
    cover = path.parent / "soldier-defections-myanmar-cover.png"
    noise = Image.effect_noise((1100, 1100), 120).convert("RGB")
    noise.save(cover)  # noise does not compress: over Bluesky's 1,000,000 bytes, under X's 5,000,000
    assert 1_000_000 < cover.stat().st_size < 5_000_000
    Path("outreach.toml").write_text(f'require_approval = false\ndatabase = "sqlite:///{tmp_path / "o.db"}"\n', encoding="utf-8")
    step = next(s.number for s in build_plan(load_campaign(path), load_config()).steps if s.channel == "bluesky")
    assert cli("post", path, "--now", "--step", step).code == 0
    folder = Path("outbox") / "posts" / "soldier-defections-myanmar"
    request = json.loads(next(folder.glob("step-*-bluesky-part-1.json")).read_text(encoding="utf-8"))["request"]
    thumb = folder / request["embed"]["external"]["thumb"]
    assert thumb.name.endswith("-card.jpg") and 0 < thumb.stat().st_size <= 1_000_000


def test_a_bracketed_link_previews(cli, campaign_copy):
    edit = lambda text: text.replace("drawing on defectors’ own voices.", "drawing on defectors’ voices [https://www.diis.dk].")  # noqa: E731
    result = cli("preview", campaign_copy(edit), "--out", "pv")
    assert result.code == 0, result.err
    assert 'href="https://www.diis.dk"' in Path("pv/index.html").read_text(encoding="utf-8")
