"""LinkedIn's facts and config: the escaped commentary and its count, where links are, the [linkedin] table's checks."""

from __future__ import annotations

import pytest

from outreach.channels import channel_for, client_class
from outreach.channels.linkedin import LinkedInChannel, content, next_midnight_utc, post_url, reaction_total
from outreach.channels.facts import plain_links as linkedin_links
from outreach.channels.linkedin_facts import LINKEDIN, commentary, linkedin_length
from outreach.channels.outbox import OutboxChannel
from outreach.config import load_config
from outreach.errors import ConfigError

LinkedInConfig = LINKEDIN.settings


@pytest.mark.parametrize("text, sent", [
    ("Plain", "Plain"),
    ("a (b) [c] {d} <e> *f* _g_ ~h~ |i| @j \\k", "a \\(b\\) \\[c\\] \\{d\\} \\<e\\> \\*f\\* \\_g\\_ \\~h\\~ \\|i\\| \\@j \\\\k"),
    ("#DIIS and C# and a#b", "#DIIS and C\\# and a\\#b"),  # a hashtag stays clickable; a '#' that starts none is plain
    ("https://x.org/a_b?utm_source=linkedin#top.", "https://x.org/a_b?utm_source=linkedin#top."),
    ("(https://en.wikipedia.org/wiki/Coup_(2021))", "\\(https://en.wikipedia.org/wiki/Coup_(2021)\\)"),
    ("https://x.org/a\\b_c", "https://x.org/a\\\\b\\_c"),  # a backslash ends a link: no escape lands inside an address
])
def test_commentary_escapes_reserved_characters_outside_links_and_hashtags(text, sent):
    assert commentary(text) == sent


def test_the_count_is_utf16_units_of_the_escaped_commentary():
    assert linkedin_length("(a)") == 5
    assert linkedin_length("🇩🇰") == 4  # two regional indicators outside the BMP: two surrogate pairs
    assert linkedin_length("x" * 3000) == 3000 and linkedin_length("x" * 2999 + "_") == 3001


def test_links_are_found_where_commentary_keeps_them_whole():
    composed = linkedin_links("See (https://x.org/a_(b)) and https://y.org/c.")
    assert [(composed.text[s.start:s.end], s.uri) for s in composed.links] == [("https://x.org/a_(b)",) * 2, ("https://y.org/c",) * 2]
    assert LINKEDIN.compose is linkedin_links


@pytest.mark.parametrize("api_base", ["https://api.linkedin.com", "https://api.linkedin.com/", "http://127.0.0.1:8123"])
def test_an_api_base_is_https_or_this_machine(api_base):
    assert LinkedInConfig(api_base=api_base).api_base == api_base


@pytest.mark.parametrize("author", ["urn:li:organization:2414183", "urn:li:person:Ab-9_x"])
def test_a_page_or_a_member_is_an_author(author):
    assert LinkedInConfig(author=author).author == author


def write_config(tmp_path, table: str):
    path = tmp_path / "outreach.toml"
    path.write_text(f"[linkedin]\n{table}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("table, words", [
    ('author = "urn:li:company:1"', "urn:li:organization"),
    ('author = "2414183"', "urn:li:organization"),
    ('version = "2026-10"', "YYYYMM"),
    ('version = "202613"', "YYYYMM"),
    ('token = "abc"', "token"),
    ('api_base = "http://api.linkedin.com"', "https://"),
    ('api_base = "ftp://api.linkedin.com"', "https://"),
    ('api_base = "https://user:pw@api.linkedin.com"', "https://"),
    ('api_base = "https://api.linkedin.com/rest"', "https://"),
    ('api_base = "https://api.linkedin.com:99999"', "https://"),
    ('api_base = "https://"', "https://"),
])
def test_a_bad_linkedin_table_is_a_located_config_error(tmp_path, table, words):
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, table))
    message = str(caught.value)
    assert words in message and "linkedin" in message and "\n" not in message.strip(), message


def test_a_token_without_an_author_names_the_setting(monkeypatch):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", "a-linkedin-token-value")
    with pytest.raises(ConfigError, match=r"\[linkedin\] author") as caught:
        client_class("linkedin").from_config(LinkedInConfig())
    assert "a-linkedin-token-value" not in str(caught.value)


def test_no_token_and_no_table_is_the_outbox(monkeypatch, tmp_path):
    monkeypatch.delenv("LINKEDIN_ACCESS_TOKEN", raising=False)
    assert isinstance(channel_for(load_config(), "linkedin"), OutboxChannel)


def test_an_author_without_a_token_names_the_variable(monkeypatch):
    """A written [linkedin] table means LinkedIn is meant to be used: the missing token is said, not silently the outbox."""
    monkeypatch.delenv("LINKEDIN_ACCESS_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="LINKEDIN_ACCESS_TOKEN"):
        client_class("linkedin").from_config(LinkedInConfig(author="urn:li:organization:1"))


def test_the_token_never_reaches_the_outbox_request(monkeypatch):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", "a-linkedin-token-value")
    channel = LinkedInChannel.from_config(LinkedInConfig(author="urn:li:organization:1"))
    from outreach.channels.base import OutgoingPart
    request = channel.prepare(OutgoingPart("c", 1, 1, 1, "Hi"), None, None)
    assert "a-linkedin-token-value" not in repr(request) and request["author"] == "urn:li:organization:1"
    assert channel.headers()["Authorization"] == "Bearer a-linkedin-token-value"


def test_content_shapes():
    from pathlib import Path

    from outreach.channels.base import LinkCard, Media, OutgoingPart
    one = OutgoingPart("c", 1, 1, 1, "t", (Media(Path("a.png"), ""),))
    assert content(one, ["urn:li:image:A"]) == {"media": {"id": "urn:li:image:A"}}  # no alt text: no altText key
    card = OutgoingPart("c", 1, 1, 1, "t", card=LinkCard("https://x.org", "T", "D", Media(Path("c.png"), "C")))
    assert content(card, ["urn:li:image:C"]) == {"article": {"source": "https://x.org", "title": "T", "description": "D",
                                                             "thumbnail": "urn:li:image:C", "thumbnailAltText": "C"}}
    assert content(OutgoingPart("c", 1, 1, 1, "t"), []) is None


def test_small_helpers():
    from datetime import datetime, timezone
    assert post_url("urn:li:share:123") == "https://www.linkedin.com/feed/update/urn:li:share:123/"
    assert next_midnight_utc(datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc)) == datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert reaction_total({}) == 0 and reaction_total(None) is None and reaction_total({"LIKE": {"count": 2**31}}) is None
