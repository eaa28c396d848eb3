"""Text no encoder takes (lone surrogates from JSON escapes) never reaches a campaign file or a traceback."""

from __future__ import annotations

from pathlib import Path

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.draft.run import draft_campaign
from outreach.validate import check

SURROGATE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<script type="application/ld+json">{"@type": "Report", "name": "Sanctions \\ud800 work",
 "alternativeHeadline": "Why \\udfff they", "description": "A lead \\ud83d with a half emoji.",
 "author": [{"@type": "Person", "name": "Ann \\udc00 Analyst"}], "keywords": "Trade, \\ud800Aid",
 "url": "https://www.inst.example/reports/sanctions"}</script></head>
<body><main><h1>Sanctions work</h1><p>The report argues that sanctions \\ud800 have worked in part.</p></main></body></html>
"""


def test_lone_surrogates_in_a_page_are_dropped_and_the_draft_validates(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "surrogates.html"
    page.write_text(SURROGATE_PAGE, encoding="utf-8")
    result = draft_campaign(str(page), Config(), out=tmp_path / "campaigns")
    text = result.path.read_bytes().decode("utf-8")  # strict: a surrogate could not have been written
    assert 'title = "Sanctions work"' in text
    checked = check(load_campaign(result.path), Config())
    assert not checked.errors, [str(e) for e in checked.errors]
    said = cli("draft", page, "--out", tmp_path / "again", "--slug", "again")
    assert said.code == 0 and "internal error" not in said.err, said.err
