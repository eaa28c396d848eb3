"""Posting to the LinkedIn emulator over real HTTP: text, one image, several, the report's card, the outbox, and every failure."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from outreach.campaign import load_campaign
from outreach.channels import channel_for, client_class
from outreach.channels.base import LinkCard, Media, OutgoingPart
from outreach.channels.registry import PLATFORMS
from outreach.errors import AuthFailed, ChannelError, OutcomeUnknown, RateLimited, Rejected, Unavailable
from outreach.plan import build_plan
from outreach.posting import post_step, resolve
from tests.conftest import SAMPLE_COVER
from tests.social.linkedin_emulator import LinkedInEmulator

LinkedInConfig = PLATFORMS["linkedin"].settings
FAST = (0.01, 0.01)
TEXT = ("Why do Myanmar’s soldiers defect (and why do most stay)? New #DIIS report by Ah Lynn and {{ experts[0].name }}: "
        "moral outrage, *demoralisation*, [support] from the opposition, and fear_for_families @home.\n\n{{ report.url }}\n\n#Myanmar")


def with_linkedin(image: str | None = None, text: str = TEXT):
    """An edit adding a LinkedIn post to the sample campaign (with the cover, or the report's card)."""
    def edit(campaign: str) -> str:
        picture = f'image = "{image}"\n' if image else ""
        return campaign + f'\n[[posts]]\nchannel = "linkedin"\nat = 2027-01-12T11:00:00\n{picture}text = """\n{text}\n"""\n'
    return edit


@pytest.fixture
def channel(linkedin_api, monkeypatch):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", linkedin_api.token)
    return client_class("linkedin").from_config(LinkedInConfig(api_base=linkedin_api.url, author=linkedin_api.author))


def part(text: str = "Plain words", images=(), card=None) -> OutgoingPart:
    return OutgoingPart("li-tests", 5, 1, 1, text, tuple(images), card)


def linkedin_step(plan):
    """The LinkedIn post ``with_linkedin`` added: the last one (the sample has its own before it)."""
    return [s for s in plan.steps if s.channel == "linkedin"][-1]


def test_the_sample_with_a_linkedin_post_posts_through_the_plan(campaign_copy, social_config, linkedin_api):
    plan = build_plan(load_campaign(campaign_copy(with_linkedin())), social_config)
    result = post_step(social_config, plan, linkedin_step(plan), retry_waits=FAST)
    assert result.done, result
    [(urn, post)] = linkedin_api.posts.items()
    assert result.parts[0].url == f"https://www.linkedin.com/feed/update/{urn}/"
    assert not post["truncated"] and "(and why do most stay)?" in post["text"] and "fear_for_families @home" in post["text"]
    assert "utm_source=linkedin" in post["text"] and "#DIIS" in post["text"]
    article = post["content"]["article"]  # no image: the report's card, with the cover uploaded as its thumbnail
    assert article["title"] == "Soldier Defections in Myanmar" and "utm_source=linkedin" in article["source"]
    assert article["thumbnail"] in linkedin_api.images and article["thumbnailAltText"].startswith("Report cover:")
    request = linkedin_api.posted("/rest/posts")[0]
    assert request["headers"]["LinkedIn-Version"] == "202610" and request["headers"]["X-Restli-Protocol-Version"] == "2.0.0"
    assert post_step(social_config, plan, linkedin_step(plan), retry_waits=FAST).done and len(linkedin_api.posts) == 1  # not twice


def test_one_image_is_media_with_its_alt_text(channel, linkedin_api):
    posted = channel.publish(part("With a picture", [Media(SAMPLE_COVER, "The cover")]), None, None)
    media = linkedin_api.posts[posted.remote_id]["content"]["media"]
    assert media == {"id": media["id"], "altText": "The cover"}
    assert linkedin_api.images[media["id"]]["bytes"] == SAMPLE_COVER.read_bytes()
    init, put = [r for r in linkedin_api.requests if r["path"] != "/rest/posts"]
    assert (init["method"], put["method"]) == ("POST", "PUT") and put["headers"]["Authorization"] == f"Bearer {linkedin_api.token}"


def test_several_images_are_a_multi_image_post(channel, linkedin_api):
    images = [Media(SAMPLE_COVER, f"Picture {i}") for i in range(3)]
    posted = channel.publish(part("Three pictures", images), None, None)
    entries = linkedin_api.posts[posted.remote_id]["content"]["multiImage"]["images"]
    assert [e["altText"] for e in entries] == ["Picture 0", "Picture 1", "Picture 2"] and len({e["id"] for e in entries}) == 3


def test_a_card_without_a_thumbnail_is_an_article_alone(channel, linkedin_api):
    posted = channel.publish(part("Read it", card=LinkCard("https://example.org/r?utm_source=linkedin", "Title", "")), None, None)
    assert linkedin_api.posts[posted.remote_id]["content"] == {"article": {"source": "https://example.org/r?utm_source=linkedin", "title": "Title"}}


# Breaks if: a reserved character goes out unescaped (LinkedIn cuts the post there) or a link or hashtag gets a backslash.
@pytest.mark.parametrize("text", [
    "Plain words only",
    "All of them: \\ | { } @ [ ] ( ) < > # * _ ~ and C# and a#b",
    "(see https://en.wikipedia.org/wiki/Coup_(2021)) then https://example.org/r?utm_source=linkedin&utm_medium=social.",
    "A link at the end https://example.org/a_b#part",
    "#DIIS #Myanmar_2021 *bold* _it_ ~strike~ @[Name](urn:li:person:1)",
    "Emoji 🇩🇰 and é and ü (a)",
])
def test_the_emulator_reads_back_exactly_the_text(channel, linkedin_api, text):
    posted = channel.publish(part(text), None, None)
    stored = linkedin_api.posts[posted.remote_id]
    assert not stored["truncated"] and stored["text"] == text, stored["commentary"]
    if "wikipedia" in text:  # the whole address is the link, its own parentheses included
        assert stored["links"] == ["https://en.wikipedia.org/wiki/Coup_(2021)", "https://example.org/r?utm_source=linkedin&utm_medium=social"]


def test_the_emulator_cuts_an_unescaped_post_like_linkedin(linkedin_api, monkeypatch):
    """The round trip above is only a check if the emulator really cuts text at an unescaped character."""
    import outreach.channels.linkedin as module
    monkeypatch.setattr(module, "commentary", lambda text: text)
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", linkedin_api.token)
    channel = module.LinkedInChannel.from_config(LinkedInConfig(api_base=linkedin_api.url, author=linkedin_api.author))
    posted = channel.publish(part("Before (after)"), None, None)
    assert linkedin_api.posts[posted.remote_id]["truncated"]
    assert linkedin_api.posts[posted.remote_id]["text"] == "Before "


@pytest.mark.parametrize("failure, expected", [("401", AuthFailed), ("403", Rejected), ("422", Rejected), ("503", Unavailable)])
def test_an_error_answer_is_mapped_by_its_status(channel, linkedin_api, failure, expected):
    linkedin_api.fail("/rest/posts", failure)
    with pytest.raises(ChannelError) as caught:
        channel.publish(part(), None, None)
    assert type(caught.value) is expected and caught.value.status == int(failure) and caught.value.platform == "LinkedIn"
    assert linkedin_api.token not in str(caught.value) + (caught.value.body or "")


def test_a_429_waits_for_midnight_utc_unless_a_reset_header_says_sooner(channel, linkedin_api):
    linkedin_api.fail("/rest/posts", "429")
    with pytest.raises(RateLimited) as caught:
        channel.publish(part(), None, None)
    now = datetime.now(timezone.utc)
    assert caught.value.retry_at == datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    linkedin_api.fail("/rest/posts", "429 Retry-After=30")
    with pytest.raises(RateLimited) as caught:
        channel.publish(part(), None, None)
    assert timedelta(seconds=20) < caught.value.retry_at - now < timedelta(seconds=60)


def test_a_retired_version_is_refused_with_the_setting_to_change(linkedin_api, monkeypatch):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", linkedin_api.token)
    channel = client_class("linkedin").from_config(LinkedInConfig(api_base=linkedin_api.url, author=linkedin_api.author, version="202510"))
    with pytest.raises(Rejected) as caught:
        channel.publish(part(), None, None)
    assert caught.value.status == 426 and "20251001 is not active" in str(caught.value) and "[linkedin] version" in str(caught.value)
    assert not linkedin_api.posts


def test_another_author_than_the_token_may_use_is_refused(linkedin_api, monkeypatch):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", linkedin_api.token)
    channel = client_class("linkedin").from_config(LinkedInConfig(api_base=linkedin_api.url, author="urn:li:organization:999"))
    with pytest.raises(Rejected) as caught:
        channel.publish(part(), None, None)
    assert caught.value.status == 403 and not linkedin_api.posts


def test_a_lost_answer_is_unknown_and_never_resent(campaign_copy, social_config, linkedin_api):
    plan = build_plan(load_campaign(campaign_copy(with_linkedin("cover"))), social_config)
    linkedin_api.fail("/rest/posts", "drop")
    first = post_step(social_config, plan, linkedin_step(plan), retry_waits=FAST)
    assert first.parts[0].state == "unknown" and "no answer" in first.parts[0].detail and len(linkedin_api.posts) == 1
    again = post_step(social_config, plan, linkedin_step(plan), retry_waits=FAST)
    assert again.parts[0].state == "unknown" and len(linkedin_api.posts) == 1
    urn = next(iter(linkedin_api.posts))
    resolve(social_config, plan.campaign.slug, linkedin_step(plan).number, 1, posted_url=f"https://www.linkedin.com/feed/update/{urn}/",
            resend=False)
    assert post_step(social_config, plan, linkedin_step(plan), retry_waits=FAST).done and len(linkedin_api.posts) == 1


def test_a_201_without_the_post_id_is_unknown(channel, linkedin_api):
    linkedin_api.omit_post_id = True
    with pytest.raises(OutcomeUnknown, match="x-restli-id"):
        channel.publish(part(), None, None)
    assert len(linkedin_api.posts) == 1


@pytest.mark.parametrize("address", [
    "https://evil.example/dms-uploads/1", "http://www.linkedin.com/dms-uploads/1", "https://www.linkedin.com.evil.example/x",
    "https://user@www.linkedin.com/x", "https://www.linkedin.com:8443/x", "not a url", "https://evil.example\\@www.linkedin.com/",
])
def test_an_upload_address_off_linkedin_never_gets_the_token(channel, linkedin_api, address):
    linkedin_api.upload_address = address
    with pytest.raises(Rejected, match="token was not sent"):
        channel.publish(part("Picture", [Media(SAMPLE_COVER, "alt")]), None, None)
    assert not any(r["method"] == "PUT" for r in linkedin_api.requests) and not linkedin_api.posts


def test_linkedin_hosts_are_upload_addresses(channel):
    for address in ("https://www.linkedin.com/dms-uploads/sp/D4E10AQ/0?ca=vector_ads&cn=uploads", "https://api.linkedin.com/x"):
        channel.check_upload_address(address)


@pytest.mark.parametrize("answer", [b"<html>busy</html>", {"value": {"uploadUrl": "https://www.linkedin.com/x"}},
                                    {"value": {"uploadUrl": 5, "image": "urn:li:image:ok"}}, {"value": "x"},
                                    {"value": {"uploadUrl": "https://www.linkedin.com/x", "image": "urn:li:share:1\"}"}}])
def test_a_garbled_initialize_upload_answer_is_unavailable(channel, linkedin_api, answer):
    linkedin_api.routes[("POST", "/rest/images")] = lambda request: (200, answer, {})
    with pytest.raises(Unavailable, match="initializeUpload"):
        channel.publish(part("Picture", [Media(SAMPLE_COVER, "alt")]), None, None)


def test_an_image_must_be_uploaded_before_a_post_names_it(linkedin_api, monkeypatch):
    """The emulator refuses an image URN whose bytes never arrived (so the test above it means something)."""
    import outreach.channels.linkedin as module
    monkeypatch.setattr(module.LinkedInChannel, "check_upload_address", lambda self, address: (_ for _ in ()).throw(RuntimeError))
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", linkedin_api.token)
    channel = module.LinkedInChannel.from_config(LinkedInConfig(api_base=linkedin_api.url, author=linkedin_api.author))
    with pytest.raises(RuntimeError):
        channel.publish(part("Picture", [Media(SAMPLE_COVER, "alt")]), None, None)
    urn = next(iter(linkedin_api.images))
    body = {"author": linkedin_api.author, "commentary": "x", "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
            "distribution": {"feedDistribution": "MAIN_FEED"}, "content": {"media": {"id": urn}}}
    import httpx
    with pytest.raises(httpx.HTTPStatusError) as caught:
        channel.post(part("Picture", [Media(SAMPLE_COVER, "alt")]), body, [urn])
    assert caught.value.response.status_code == 422 and "never uploaded" in caught.value.response.text and not linkedin_api.posts


def test_without_credentials_the_outbox_has_the_request_and_no_token(campaign_copy, db_config, monkeypatch):
    monkeypatch.delenv("LINKEDIN_ACCESS_TOKEN", raising=False)
    plan = build_plan(load_campaign(campaign_copy(with_linkedin("cover"))), db_config)
    result = post_step(db_config, plan, linkedin_step(plan), channel_for(db_config, "linkedin"))
    assert result.done
    [path] = (db_config.outbox / "posts" / plan.campaign.slug).glob("step-*-linkedin-part-1.json")
    request = json.loads(path.read_text(encoding="utf-8"))["request"]
    assert set(request) == {"author", "commentary", "visibility", "distribution", "lifecycleState", "isReshareDisabledByAuthor", "content"}
    assert request["author"] == "" and request["content"]["media"]["id"] == SAMPLE_COVER.name
    assert "\\(and why do most stay\\)?" in request["commentary"] and "Bearer" not in path.read_text(encoding="utf-8")


def test_the_request_carries_the_configured_author(monkeypatch):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", "a-token")
    channel = client_class("linkedin").from_config(LinkedInConfig(author="urn:li:person:abc-123"))
    request = channel.prepare(part("Hi (there)"), None, None)  # builds the request; nothing is sent
    assert request["author"] == "urn:li:person:abc-123" and request["commentary"] == "Hi \\(there\\)"


def test_the_emulator_checks_the_version_and_protocol_headers(linkedin_api):
    import httpx
    good = {"Authorization": f"Bearer {linkedin_api.token}", "LinkedIn-Version": "202610", "X-Restli-Protocol-Version": "2.0.0"}
    url = f"{linkedin_api.url}/rest/socialMetadata/urn%3Ali%3Ashare%3A1"
    cases = [({k: v for k, v in good.items() if k != "LinkedIn-Version"}, 400, "VERSION_MISSING"),
             ({**good, "LinkedIn-Version": "202612"}, 426, "NONEXISTENT_VERSION"),  # a month that has not come yet
             ({**good, "LinkedIn-Version": "2026-10"}, 400, "INVALID_VERSION"),
             ({**good, "X-Restli-Protocol-Version": "1.0.0"}, 400, "INVALID_PROTOCOL_VERSION"),
             ({**good, "Authorization": "Bearer nope"}, 401, "INVALID_ACCESS_TOKEN")]
    for headers, status, code in cases:
        answer = httpx.get(url, headers=headers)
        assert (answer.status_code, answer.json().get("code")) == (status, code)


def test_the_emulator_today_is_configurable():
    api = LinkedInEmulator(today=datetime(2027, 10, 1).date())
    from outreach.channels.linkedin import LinkedInChannel  # noqa: F401  (the channel's default version is retired by then)
    from tests.social.linkedin_emulator import ApiError
    with pytest.raises(ApiError) as caught:
        api.check({"headers": {"Authorization": f"Bearer {api.token}", "LinkedIn-Version": "202610", "X-Restli-Protocol-Version": "2.0.0",
                               "Content-Type": "application/json"}})
    assert caught.value.status == 426
    api.server.server_close()


def test_the_emulator_counts_3000_utf16_units_of_the_commentary_itself(channel, linkedin_api):
    """Its own count, not outreach's: 3,000 units pass, one more is LinkedIn's 422 (validate refuses it before that)."""
    assert channel.publish(part("x" * 2998 + "🙂"), None, None)  # a surrogate pair: two units
    with pytest.raises(Rejected) as caught:
        channel.publish(part("x" * 2999 + "🙂"), None, None)
    assert caught.value.status == 422 and "3001" in str(caught.value)
    with pytest.raises(Rejected):
        channel.publish(part("x" * 2999 + "("), None, None)  # 3,000 characters, 3,001 once escaped


def test_the_emulator_refuses_alt_text_over_its_limit(channel, linkedin_api):
    channel.publish(part("Alt at the limit", [Media(SAMPLE_COVER, "a" * 4086)]), None, None)
    with pytest.raises(Rejected, match="4086"):
        channel.publish(part("Alt over it", [Media(SAMPLE_COVER, "a" * 4087)]), None, None)


def test_a_missing_image_is_rejected_before_linkedin_is_asked(channel, linkedin_api, tmp_path):
    with pytest.raises(Rejected, match="gone.png"):
        channel.publish(part("Picture", [Media(tmp_path / "gone.png", "alt")]), None, None)
    assert not linkedin_api.requests
