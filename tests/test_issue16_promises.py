"""README promises of issue 16 that a last look found untested; each test here was seen failing against a broken copy.

LinkedIn never follows a redirect (the token stays with the configured host), the preview-only account settings never
mean a platform is configured, LinkedIn takes no thread and at most 20 images, a transparent cover stays PNG and a
re-encoded one carries none of the original's metadata, Mastodon draws a page card, more images than the grid shows
a "+N", and api_base refuses a query or fragment."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from outreach.campaign import load_campaign
from outreach.channels import client_class
from outreach.channels.base import OutgoingPart
from outreach.channels.registry import PLATFORMS
from outreach.channels.thumbnail import fit
from outreach.errors import CampaignErrors, ChannelError
from outreach.render.feed import CardKind
from tests.social.linkedin_emulator import LinkedInEmulator
from tests.test_preview_feed import feed_of, images_table, linkedin_post, preview, with_posts


class Redirecting(LinkedInEmulator):
    """Answers every post with a redirect to ``elsewhere``."""

    elsewhere = ""

    def create_post(self, request):  # type: ignore[no-untyped-def]
        return 307, b"", {"Location": f"{self.elsewhere}/rest/posts"}


def test_linkedin_never_follows_a_redirect_with_the_token(monkeypatch):
    elsewhere, redirecting = LinkedInEmulator(token="not-this").start(), Redirecting().start()
    try:
        Redirecting.elsewhere = elsewhere.url
        monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", redirecting.token)
        channel = client_class("linkedin").from_config(PLATFORMS["linkedin"].settings(api_base=redirecting.url, author=redirecting.author))
        with pytest.raises(ChannelError):
            channel.publish(OutgoingPart("c", 5, 1, 1, "hello"), None, None)
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()
        redirecting.stop()


@pytest.mark.parametrize("name", list(PLATFORMS))
def test_account_settings_alone_leave_a_platform_on_the_outbox(monkeypatch, name):
    for c in PLATFORMS[name].credentials:
        monkeypatch.delenv(c.default_env, raising=False)
    settings = PLATFORMS[name].settings(account_name="DIIS", account_handle="diis.bsky.social")
    assert client_class(name).from_config(settings) is None


def test_linkedin_takes_no_thread(campaign_copy):
    thread = '[[posts]]\nchannel = "linkedin"\nat = 2027-01-12T11:00:00\nthread = ["One", "Two"]\n'
    with pytest.raises(CampaignErrors, match="LinkedIn has no threads"):
        load_campaign(campaign_copy(lambda text: text + "\n" + thread))


def test_linkedin_takes_at_most_twenty_images(campaign_copy):
    folder = campaign_copy().parent
    with pytest.raises(CampaignErrors, match="21 images on one post; at most 20"):
        load_campaign(campaign_copy(with_posts(linkedin_post(extra=images_table(folder, 21)))))
    assert load_campaign(campaign_copy(with_posts(linkedin_post(extra=images_table(folder, 20)))))


def test_a_transparent_image_too_large_stays_png_and_loses_its_metadata():
    image = Image.new("RGBA", (2600, 1400), (0, 80, 60, 0))
    image.paste((20, 90, 70, 255), (100, 100, 2500, 1300))
    out = io.BytesIO()
    image.save(out, format="PNG", icc_profile=b"\0" * 128)
    fitted = fit(out.getvalue(), 1_000_000)
    assert fitted.kind == "PNG" and fitted.changed
    assert "icc_profile" not in Image.open(io.BytesIO(fitted.data)).info


def test_a_reencoded_jpeg_carries_no_comment():
    out = io.BytesIO()
    Image.effect_noise((2400, 1400), 90).convert("RGB").save(out, format="JPEG", quality=95, comment=b"secret-comment")
    fitted = fit(out.getvalue(), 1_000_000)
    assert fitted.changed and b"secret-comment" not in fitted.data


def test_mastodon_draws_a_page_card_for_a_post_without_media(campaign_copy):
    path = campaign_copy(lambda text: text.replace('channel = "mastodon"\nat = 2027-01-12T10:00:00\nimage = "cover"\n',
                                                   'channel = "mastodon"\nat = 2027-01-12T10:00:00\n'))
    [mastodon] = [f for f in feed_of(path) if f.channel == "mastodon"]
    card = mastodon.parts[0].card
    assert card is not None and card.kind is CardKind.PAGE and card.host == "example.org"


def test_more_images_than_the_grid_show_plus_n_on_the_page(campaign_copy, tmp_path):
    folder = campaign_copy().parent
    index = preview(campaign_copy(with_posts(linkedin_post(extra=images_table(folder, 6)))), tmp_path / "pv")
    assert '<span class="more"' in index.read_text(encoding="utf-8") and "+2" in index.read_text(encoding="utf-8")


@pytest.mark.parametrize("api_base", ["https://api.linkedin.com/?x=1", "https://api.linkedin.com/#x"])
def test_api_base_refuses_a_query_or_fragment(api_base):
    with pytest.raises(ValueError):
        PLATFORMS["linkedin"].settings(api_base=api_base)
