"""The preview's feed cards in Chromium, light and dark, at desktop and mobile widths: no text or image leaves its
card (long URLs, long names, many images), the fold opens without script, and axe-core finds nothing serious.

Set OUTREACH_PREVIEW_SHOTS to a folder to keep the screenshots (posts-<scheme>-<width>.png) for looking at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from outreach.channels.registry import facts
from outreach.config import Config
from tests.render.browser_checks import SCHEMES, axe_script, axe_violations, chromium_browser, text_contrast
from tests.test_preview_feed import images_table, linkedin_post, preview, with_posts

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
LONG_URL = "https://example.org/" + "a-very-long-path-segment/" * 12 + "?q=" + "x" * 120

# Every text node's and element's box against its post card's; and the page's own width.
_OVERFLOW_JS = r"""
() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
  for (const post of document.querySelectorAll('article.post')) {
    const box = post.getBoundingClientRect();
    const outside = (r) => r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
    for (const el of post.querySelectorAll('*')) {
      if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY' && el.tagName !== 'DETAILS') continue;
      if (outside(el.getBoundingClientRect())) out.push(`${post.id || post.getAttribute('aria-labelledby')}: <${el.tagName.toLowerCase()} class="${el.className}">`);
    }
    const walker = document.createTreeWalker(post, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects())
        if (outside(r)) { out.push(`${post.getAttribute('aria-labelledby')}: text "${node.textContent.slice(0, 40)}" ends at ${Math.round(r.right)} > ${Math.round(box.right)}`); break; }
    }
  }
  return out;
}
"""


@pytest.fixture
def busy_preview(campaign_copy, tmp_path) -> Path:
    """The sample with a LinkedIn post (six images where LinkedIn takes them), a Mastodon post with three images
    and a very long URL, and account names and handles long enough to wrap."""
    folder = campaign_copy().parent
    many = 6 if facts("linkedin").max_images >= 6 else facts("linkedin").max_images
    mastodon = (f'\n[[posts]]\nchannel = "mastodon"\nat = 2027-01-12T12:00:00\n{images_table(folder, 3)}'
                f'text = "The data behind the report, all of it: {LONG_URL} #OpenData"\n')
    path = campaign_copy(with_posts(linkedin_post(), linkedin_post(extra=images_table(folder, many)), mastodon))
    config = Config.model_validate({
        "x": {"account_name": "Danish Institute for International Studies " * 3, "account_handle": "diis_" + "x" * 70},
        "bluesky": {"account_name": "DIIS", "account_handle": "diis.bsky.social"},
    })
    return preview(path, tmp_path / "pv", config)


def test_feed_cards_keep_inside_their_cards_and_pass_axe(busy_preview, tmp_path):
    axe_script()
    keep = os.environ.get("OUTREACH_PREVIEW_SHOTS")
    with chromium_browser() as browser:
        for scheme in SCHEMES:
            for width in WIDTHS:
                page = browser.new_page(color_scheme=scheme, viewport={"width": width, "height": 900}, bypass_csp=True)
                page.goto(busy_preview.as_uri())
                page.wait_for_load_state("load")
                where = f"{scheme}, {width} px"
                assert page.evaluate(_OVERFLOW_JS) == [], where
                shot = tmp_path / f"posts-{scheme}-{width}.png"
                page.locator("section[aria-labelledby=posts]").screenshot(path=str(shot))
                if keep:
                    Path(keep).mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(shot, Path(keep) / shot.name)
                counted, low = text_contrast(page, scheme)
                assert counted > 100 and low == [], f"{where}: " + "; ".join(str(x) for x in low)
                assert axe_violations(page) == [], where
                page.close()


def test_the_fold_opens_without_script(busy_preview):
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
        page.goto(busy_preview.as_uri())
        fold = page.locator("details.fold").last  # the fixture's own LinkedIn post
        assert fold.evaluate("(d) => d.open") is False
        assert fold.inner_text() == "…see more", "the text behind the fold is not drawn"
        fold.locator("summary").click()
        assert fold.evaluate("(d) => d.open") is True
        assert "What drives defection" in fold.inner_text()
