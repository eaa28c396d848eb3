"""The one link finder (channels.facts.link_spans) every platform's text goes through: Bluesky's short links and
facets, LinkedIn's escaping, the preview's anchors. Breaks if it takes what no platform links, or cuts what it does."""

from __future__ import annotations

import pytest

from outreach.channels.bluesky_facts import shorten_links
from outreach.channels.facts import link_spans
from outreach.channels.linkedin_facts import commentary


def links(text: str) -> list[str]:
    return [text[a:b] for a, b in link_spans(text)]


@pytest.mark.parametrize("text, found", [
    ("See https://en.wikipedia.org/wiki/Myanmar_(Burma) now", ["https://en.wikipedia.org/wiki/Myanmar_(Burma)"]),
    ("(see https://diis.dk/a).", ["https://diis.dk/a"]),
    ("voices [https://www.diis.dk].", ["https://www.diis.dk"]),
    ("Read https://diis.dk/r?utm_source=x&utm_medium=social, then", ["https://diis.dk/r?utm_source=x&utm_medium=social"]),
    ("https://evil.com@good.org/x", ["https://evil.com@good.org/x"]),
    ("http://127.0.0.1:8080/archive/x", ["http://127.0.0.1:8080/archive/x"]),
    ("Docs https://(internal) wiki", []),
    ("Template: https://{slug}.example.org/report", []),
    ("Intranet http://intranet/a_(b) and more", []),
    ("Xhttps://e.com/a_(b) rest", []),
    ("see https://e.com/a\u200e_(b)", ["https://e.com/a"]),
    ("https://e.com/@[Acme](urn:li:organization:1) ok", ["https://e.com/@"]),
])
def test_links_are_what_the_platforms_link(text, found):
    assert links(text) == found


def test_bluesky_keeps_a_wikipedia_address_whole_in_its_facet():
    composed = shorten_links("See https://en.wikipedia.org/wiki/Myanmar_(Burma) now")
    [link] = composed.links
    assert link.uri == "https://en.wikipedia.org/wiki/Myanmar_(Burma)"
    assert composed.text == "See en.wikipedia.org/wiki/Myanmar... now"


@pytest.mark.parametrize("text", ["Docs https://(internal) wiki; the rest", "Template: https://{slug}.example.org/report — more",
                                  "Intranet http://intranet/a_(b) and more text", "see https://e.com/@[Acme](urn:li:organization:1) ok"])
def test_linkedin_escapes_every_markup_character_outside_a_real_link(text):
    sent = commentary(text)
    for a, b in link_spans(text):
        sent = sent.replace(text[a:b], "")
    unescaped = [ch for i, ch in enumerate(sent) if ch in "|{}@[]()<>*_~" and (i == 0 or sent[i - 1] != "\\")]
    assert not unescaped, (text, sent)
