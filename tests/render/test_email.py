"""The email: MJML -> HTML with everything a subscriber needs; campaign text escaped."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.render.email import MARKERS, personalise, render_email
from tests.helpers import replace_once


def test_email_has_every_part_a_subscriber_needs(campaign_copy):
    campaign = load_campaign(campaign_copy())
    email = render_email(campaign, Config())
    html = email.html
    assert re.search(r'<meta name="color-scheme" content="light dark" ?/?>', html)
    assert campaign.email.preheader in html  # the hidden preheader block
    assert "Defecting soldiers are a significant symbolic blow" in html
    assert "Motivations and obstacles following the 2021 military coup" in html
    assert "Key arguments" in html and html.count("<li ") == len(campaign.report.key_arguments)
    assert "Read the full report" in html
    assert 'alt="Report cover:' in html
    assert "Helene Maria Kyed" in html and 'href="tel:+4540963309"' in html
    assert MARKERS["unsubscribe_url"] in html and MARKERS["unsubscribe_url"] in email.text
    assert '<html lang="en"' in html


def test_report_links_carry_email_utm(campaign_copy):
    campaign = load_campaign(campaign_copy())
    email = render_email(campaign, Config())
    report_links = [l for l in email.links() if l.url.startswith(campaign.report.url)]
    assert report_links, "no link to the report"
    for link in report_links:
        q = parse_qs(urlsplit(link.url).query)
        assert (q["utm_source"], q["utm_medium"], q["utm_campaign"]) == (["newsletter"], ["email"], [campaign.slug])
    assert any(l.url.startswith(campaign.report.url) for l in [*email.links()])
    assert re.search(r"utm_campaign=soldier-defections-myanmar", email.text)


def test_html_in_campaign_text_is_escaped(campaign_copy):
    path = campaign_copy(replace_once("Since Myanmar’s military leaders", "<script>alert(1)</script> {{ 7*7 }} Since Myanmar’s military leaders"))
    email = render_email(load_campaign(path), Config())
    assert "<script>alert(1)</script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert "{{ 7*7 }}" in email.html and "{{ 7*7 }}" in email.text


def test_personalise_escapes_names_in_html_only():
    body = f"Dear {MARKERS['name']}, <a href=\"{MARKERS['unsubscribe_url']}\">u</a>"
    values = {"name": "Ann <b>&</b>", "unsubscribe_url": "https://x.org/u/T"}
    assert personalise(body, values, is_html=True) == 'Dear Ann &lt;b&gt;&amp;&lt;/b&gt;, <a href="https://x.org/u/T">u</a>'
    assert personalise(body, values, is_html=False).startswith("Dear Ann <b>&</b>,")
    assert personalise(body, {"unsubscribe_url": "u"}, is_html=False).startswith("Dear reader,")


def test_campaign_folder_template_overrides_default(campaign_copy):
    path = campaign_copy()
    custom = path.parent / "templates" / "email"
    custom.mkdir(parents=True)
    (custom / "report.txt.j2").write_text("Custom text for {{ report.title }} {{ unsubscribe_url }}\n", encoding="utf-8")
    email = render_email(load_campaign(path), Config())
    assert email.text.startswith("Custom text for Soldier Defections in Myanmar")


# -- issue 9 item 17: campaign text cannot forge the personal markers -----------------------------

import pytest  # noqa: E402

FORGED = [
    MARKERS["unsubscribe_url"],
    MARKERS["name"],
    MARKERS["name"][:-2],  # a prefix that would run into a real marker
    "@@OUTREACH:NAME:1@@ @@OUTREACH:UNSUBSCRIBE_URL:1@@",  # the numbered fallbacks too
    MARKERS["unsubscribe_url"] + MARKERS["name"] + "@",
]


def _edits(forged: str):
    edits = [
        replace_once("Since Myanmar’s military leaders", forged + " Since Myanmar’s military leaders"),  # abstract
        replace_once("Moral concerns about", forged + " Moral concerns about"),  # a key argument
        replace_once('subject = "New DIIS report:', f'subject = "{forged} New DIIS report:'),
        replace_once('headline = "Defecting soldiers', f'headline = "{forged} Defecting soldiers'),
    ]

    def edit(text: str) -> str:
        for e in edits:
            text = e(text)
        return text

    return edit


@pytest.mark.parametrize("forged", FORGED)
def test_marker_text_in_the_campaign_is_shown_literally(campaign_copy, forged):
    from email import message_from_bytes, policy
    from datetime import datetime, timezone

    from outreach.mail.message import MessageFactory, Recipient

    email = render_email(load_campaign(campaign_copy(_edits(forged))), Config())
    values = {"name": "Ada", "unsubscribe_url": "https://x.org/u/REAL-TOKEN"}
    html_out, text_out = personalise(email.html, values, is_html=True), personalise(email.text, values, is_html=False)
    for out in (html_out, text_out):
        assert out.count(forged) >= 2, "the abstract and the headline keep the text as written"
        assert "https://x.org/u/REAL-TOKEN" in out, "the real link is still there"
    assert "Ada" in text_out
    factory = MessageFactory(email, sender="News <news@example.org>", reply_to=None, list_id="<research.example.org>")
    data = factory.build(Recipient("r@example.org", "Ada", "https://x.org/u/REAL-TOKEN", "mailto:u@example.org", "<m@example.org>"),
                         datetime(2026, 1, 1, tzinfo=timezone.utc))
    msg = message_from_bytes(data, policy=policy.default)
    assert forged in msg["Subject"]
    text, html = (p.get_content() for p in msg.iter_parts())
    assert text.replace("\r\n", "\n") == text_out.replace("\r\n", "\n") and html.replace("\r\n", "\n") == html_out.replace("\r\n", "\n")


def test_ordinary_campaigns_keep_the_canonical_markers(campaign_copy):
    email = render_email(load_campaign(campaign_copy()), Config())
    assert email.html.markers == MARKERS and MARKERS["name"] in email.text
    assert "OUTREACH-LIVE" not in email.html + email.text
