"""The sample email in Chromium, light and dark: every visible text has WCAG AA contrast on what is behind it."""

from __future__ import annotations

import pytest

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.render.email import personalise, render_email
from tests.conftest import SAMPLE_COVER
from tests.render.browser_checks import SCHEMES, chromium_browser, text_contrast

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sample_html(campaign_path) -> str:
    """The sample email's HTML part as one subscriber receives it."""
    rendered = render_email(load_campaign(campaign_path), Config())
    return personalise(rendered.html, {"name": "Ann Reader", "unsubscribe_url": "https://news.example.org/u/TOKEN"}, is_html=True)


def open_email(browser, html: str, scheme: str):  # type: ignore[no-untyped-def]
    """A page showing ``html`` with ``scheme`` emulated; the cover is served from the sample, nothing else loads."""
    page = browser.new_page(viewport={"width": 700, "height": 900}, color_scheme=scheme)

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.endswith("/cover.png"):
            route.fulfill(body=SAMPLE_COVER.read_bytes(), content_type="image/png")
        else:
            route.abort()

    page.route("http*://**", serve)
    page.set_content(html, wait_until="load")
    return page


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    with chromium_browser() as b:
        yield b


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_text_is_readable_on_its_surface(browser, campaign_copy, scheme):
    page = open_email(browser, sample_html(campaign_copy()), scheme)
    assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
    checked, low = text_contrast(page, scheme)
    assert checked >= 20, f"only {checked} text nodes measured: the email did not render"
    assert not low, f"{len(low)} of {checked} texts below WCAG AA in {scheme} mode:\n" + "\n".join(map(str, low))


def test_dark_mode_switches_the_surfaces(browser, campaign_copy):
    """The white sections and the tinted contact box turn dark with the text, not only the page behind them."""
    page = open_email(browser, sample_html(campaign_copy()), "dark")
    backgrounds = page.evaluate("[...document.querySelectorAll('.surface, .tint')].map(e => getComputedStyle(e).backgroundColor)")
    assert len(backgrounds) >= 5
    for colour in backgrounds:
        r, g, b = (int(v) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])
        assert max(r, g, b) < 64, f"a section stays light in dark mode: {colour}"
