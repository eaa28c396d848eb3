"""In headless Chromium: the HTML report opens from a file, asks for nothing, and every chart draws its marks (light and dark)."""

from __future__ import annotations

import pytest

from outreach.config import Config
from outreach.report.charts import HUMAN, MACHINE, SERIES
from outreach.report.data import gather
from outreach.report.html import write_html
from outreach.store.db import forget_engines, open_db
from tests.render.browser_checks import SCHEMES, axe_script, axe_violations, chromium_browser, text_contrast
from tests.report.seed import seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Per chart: its drawn size, its title, and per series colour the data marks (bars, lines, markers; the legend
# left out) that have a non-zero size on screen.
_CHARTS_JS = r"""
(colours) => [...document.querySelectorAll('figure.chart')].map((fig) => {
  const svg = fig.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const marks = Object.fromEntries(colours.map((c) => [c, 0]));
  for (const el of svg.querySelectorAll('path, use')) {
    if (el.closest('g[id*="legend"]')) continue;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) continue;
    for (const c of new Set([s.fill, s.stroke])) if (c in marks) marks[c] += 1;
  }
  const title = svg.querySelector('title');
  return {key: fig.dataset.chart, width: box.width, height: box.height, marks,
          title: title ? title.textContent : null, labelled: svg.getAttribute('aria-labelledby') === (title && title.id)};
})
"""

_VIOLATIONS_JS = ("window.__violations = []; document.addEventListener('securitypolicyviolation',"
                  " (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_html_report_draws_its_charts_offline(tmp_path):
    config = Config(database=f"sqlite:///{tmp_path / 'report.db'}")
    try:
        engine = open_db(config)
        seed(engine)
        report = gather(engine, "spring", "individual", {3: "mastodon"})
    finally:
        forget_engines()
    page_file = tmp_path / "report.html"
    write_html(report, page_file)
    axe_script()  # skip (fail under CI) before any work when axe-core is not installed
    colours = [_rgb(c) for c in (HUMAN, MACHINE, *SERIES.values())]
    drawn = {"clicks": {_rgb(HUMAN), _rgb(MACHINE)},  # the series the seed gives numbers for, per chart
             "post1": {_rgb(SERIES[m]) for m in ("likes", "reposts", "replies", "quotes")},
             "post2": {_rgb(SERIES[m]) for m in ("likes", "reposts", "replies", "quotes")}}
    with chromium_browser() as browser:
        for scheme in SCHEMES:
            context = browser.new_context(color_scheme=scheme, viewport={"width": 1100, "height": 900})
            asked: list[str] = []
            context.on("request", lambda r: asked.append(r.url))
            context.add_init_script(_VIOLATIONS_JS)
            page = context.new_page()
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            charts = page.evaluate(_CHARTS_JS, colours)
            assert [c["key"] for c in charts] == ["clicks", "post1", "post2"]
            for c in charts:
                assert c["width"] > 200 and c["height"] > 80, c
                assert {colour for colour, n in c["marks"].items() if n > 0} == drawn[c["key"]], f"chart {c['key']} ({scheme}): {c['marks']}"
                assert c["title"] and c["labelled"], c
            assert asked == [page_file.as_uri()], f"the report asked for more than itself: {asked}"
            assert page.evaluate("window.__violations") == []
            counted, low = text_contrast(page, scheme)
            assert counted > 50 and low == [], [str(x) for x in low]
            shot = tmp_path / f"report-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            context.close()
            checked = browser.new_context(color_scheme=scheme, bypass_csp=True)  # axe-core is a script: the page's own policy refuses it
            page = checked.new_page()
            page.goto(page_file.as_uri())
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")  # check the numbers' tables too
            assert axe_violations(page) == []
            checked.close()
