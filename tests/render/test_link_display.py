"""Links shown as each platform shows them: Bluesky's short link text (its facet keeps the full address),
X's display_url and Mastodon's shortened link text; the counts of X and Mastodon unchanged."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from outreach.campaign import load_campaign
from outreach.channels.bluesky_facts import short_url, shorten_links
from outreach.channels.mastodon_facts import shown_url
from outreach.channels.registry import facts
from outreach.channels.web_url import parse
from outreach.channels.x_facts import display_url
from outreach.render.posts import render_posts, report_url

HOSTILE = [
    "https://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar?utm_source=bluesky&utm_medium=social&utm_campaign=c",
    "https://bücher.example/ä/ö?q=ü#frag",  # IDN host, non-ASCII path, query and fragment
    "https://xn--bcher-kva.example/x",
    "https://EXAMPLE.ORG:8443/Path",  # upper case, a port
    "https://example.org:443/",  # the scheme's default port
    "https://example.org/?" + "a=" + "x" * 500,  # a very long query
    "https://example.org",  # only a host
    "https://example.org/",
    "https://example.org/#top",
    "https://evil.com@good.org/",  # user info: the host is good.org
    "https://evil.com:pw@good.org/path/to/something/long",
    "https://[2001:db8::1]:8080/x",
    "http://0x7f.1/a/../b/./c",
    "https://example.org/a%2e%2E/b/%2e/c",
    "https://example.org/{x}^`y`",
    "https://ex%61mple.org/",
    "https://a_b.example.org/x",
    "https://example.org/exactly-15-chr",
    "https://example.org/exactly-16-char",
    "https://example.org\\back\\slash",
    "https://08.1/",  # a host the browser refuses: shown as written
]


@pytest.fixture
def sample(campaign_copy):
    return load_campaign(campaign_copy())


def bluesky_part(campaign):
    posts, errors = render_posts(campaign)
    assert errors == []
    return next(p for p in posts if p.channel == "bluesky").parts[0]


def test_the_sample_bluesky_post_shows_its_link_as_the_app_would(sample):
    part = bluesky_part(sample)
    [link] = part.links
    assert part.text[link.start:link.end] == "example.org/PLACEHOLDER-..."
    assert link.uri == report_url(sample, "bluesky"), "the facet opens the full address with its UTM tags"
    assert "utm_source=bluesky" in link.uri and "utm_source" not in part.text
    assert part.length == facts("bluesky").length(part.text) < 200, "counted after shortening, well under 300"


def test_every_link_span_covers_exactly_the_short_text():
    text = "A https://example.org/a-long-path-indeed?x=1, then https://bücher.example/ä and http://x.org."
    composed = shorten_links(text)
    assert [composed.text[s.start:s.end] for s in composed.links] == ["example.org/a-long-path-...", "xn--bcher-kva.example/%C3%A4", "x.org"]
    assert [s.uri for s in composed.links] == ["https://example.org/a-long-path-indeed?x=1", "https://bücher.example/ä", "http://x.org"]
    assert composed.text.endswith("and x.org."), "the sentence's full stop is not the link's"


@pytest.mark.parametrize("url", HOSTILE)
def test_the_short_text_starts_with_the_real_host(url):
    """The app warns when a link's text names another host than its address (linkRequiresWarning)."""
    shown = short_url(url)
    target = parse(url)
    label = parse("https://" + shown) or parse(shown)
    assert label is not None and target is not None or shown == url
    if target is not None:
        assert label.hostname == target.hostname, (url, shown)
        assert shown.startswith(target.host)


def test_hostile_addresses_give_the_short_text_the_app_would():
    assert short_url("https://example.org") == "example.org"
    assert short_url("https://example.org/") == "example.org"
    assert short_url("https://evil.com@good.org/") == "good.org"
    assert short_url("https://EXAMPLE.ORG:8443/Path") == "example.org:8443/Path"
    assert short_url("https://example.org:443/") == "example.org"
    assert short_url("https://bücher.example/x") == "xn--bcher-kva.example/x"
    assert short_url("https://example.org/?" + "a=" + "x" * 500) == "example.org?a=xxxxxxxxxx...", "a path of just / is left out"
    assert short_url("https://example.org/exactly-15-chr") == "example.org/exactly-15-chr"
    assert short_url("https://example.org/exactly-16-char") == "example.org/exactly-16-c..."
    assert short_url("https://08.1/") == "https://08.1/", "an address a browser refuses is shown as written"


# The reference: the browser's own URL object (Node's WHATWG URL) with the app's rule, written out here.
_NODE = """
const urls = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = urls.map(u => {
  let p; try { p = new URL(u); } catch (e) { return [u, null]; }
  if (p.protocol !== 'http:' && p.protocol !== 'https:') return [u, null];
  const rest = (p.pathname === '/' ? '' : p.pathname) + p.search + p.hash;
  return [rest.length > 15 ? p.host + rest.slice(0, 13) + '...' : p.host + rest, [p.hostname, p.port, p.pathname, p.search, p.hash]];
});
process.stdout.write(JSON.stringify(out));
"""


def _node(urls: list[str]) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: no browser URL parser to compare with")
    done = subprocess.run([node, "-e", _NODE], input=json.dumps(urls), capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def test_the_url_parts_and_short_text_agree_with_a_browser():
    for url, (shown, parts) in zip(HOSTILE, _node(HOSTILE)):
        ours = parse(url)
        if parts is None:
            assert ours is None and short_url(url) == url, url
            continue
        assert ours is not None, url
        assert [ours.hostname, "" if ours.port is None else str(ours.port), ours.pathname, ours.search, ours.hash] == parts, url
        assert short_url(url) == shown, url


def test_any_address_is_shortened_as_a_browser_would():
    """Four hundred generated addresses (seeded: the same every run), compared in one call to the browser's parser."""
    rng = random.Random(16)
    alphabet = "aZ09-._~%/?#&=+@:!$'()*,;ä€😀{}^`|\\"
    hosts = ["example.org", "EXAMPLE.org", "bücher.example", "a.b.c.example", "127.0.0.1", "[::1]", "0x7f.1", "x--y.org", "ex%41mple.org"]
    urls = [f"{rng.choice(['http', 'https', 'HTTPS'])}://{rng.choice(['', 'user@', 'u:p@'])}{rng.choice(hosts)}"
            f"{rng.choice(['', ':80', ':443', ':8080'])}/{''.join(rng.choice(alphabet) for _ in range(rng.randrange(40)))}"
            for _ in range(400)]
    for url, (shown, _parts) in zip(urls, _node(urls)):
        assert short_url(url) == shown, url


def test_x_shows_its_display_url():
    """Pairs of expanded_url → display_url from X's own API answers."""
    pairs = {
        "https://www.flickr.com/photos/145861347@N06/": "flickr.com/photos/1458613…",
        "https://www.youtube.com/channel/UCvRALvKBx3DUKpkukyHDjJQ": "youtube.com/channel/UCvRAL…",
        "https://www.instagram.com/p/BsgzCkbB8qy/?utm_source=ig_twitter_share&igshid=1mmt9wzhp0aez": "instagram.com/p/BsgzCkbB8qy/…",
        "https://www.instagram.com/andrewnguyen03/": "instagram.com/andrewnguyen03/",
        "https://about.me/brian_krassenstein": "about.me/brian_krassens…",
        "https://dev.twitter.com/terms/display-guidelines": "dev.twitter.com/terms/display-…",
        "https://www.quesnelobserver.com/": "quesnelobserver.com",
        "http://HillReporter.com": "HillReporter.com",
        "https://www.businessinsider.com/reviews": "businessinsider.com/reviews",
    }
    assert {url: display_url(url) for url in pairs} == pairs
    assert facts("x").shown_link is display_url


def test_mastodon_shows_thirty_characters_after_the_hidden_prefix():
    assert shown_url("https://www.example.org/" + "a" * 40) == "example.org/" + "a" * 18 + "…"
    assert shown_url("https://example.org/short") == "example.org/short"
    assert shown_url("http://www.example.org/" + "b" * 18) == "example.org/" + "b" * 18, "exactly 30: nothing cut"
    assert shown_url("HTTPS://example.org/x") == "HTTPS://example.org/x", "Mastodon's prefix match is case-sensitive"
    assert facts("mastodon").shown_link is shown_url


def test_x_and_mastodon_send_and_count_the_text_as_written(sample):
    posts, _ = render_posts(sample)
    for post in (p for p in posts if p.channel in ("x", "mastodon")):
        part = next(p for p in post.parts if p.links)
        [link] = part.links
        assert part.text[link.start:link.end] == link.uri == report_url(sample, post.channel)
        assert part.length == facts(post.channel).length(part.text)
    long_link = "see https://example.org/" + "a" * 200
    assert facts("x").length(long_link) == 4 + 23 and facts("mastodon").length(long_link) == 4 + 23
