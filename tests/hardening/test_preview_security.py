"""Issue 9 item 1: file names and campaign text are data in the preview; no script runs in index.html.

The preview names its image copies itself (``images/NN-stem.ext`` from safe
characters), escapes everything it shows, sandboxes the email frames (no
scripts, no same origin) and carries a Content-Security-Policy without
inline script. Each hostile name below ran script in the reviewer's page
before: the raw cover name was pasted into the email HTML of an unsandboxed
``<iframe srcdoc>``.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine

from outreach.campaign import load_campaign
from outreach.preview import write_preview
from outreach.validate import check
from tests.conftest import CHROMIUM_FLAGS, SAMPLE_COVER, playwright_sync, require

MARK = "PWNED"
HOSTILE_NAMES = [
    pytest.param(f'c" onerror="parent.document.title=\'{MARK}\'" x=".png', id="quote-onerror"),
    pytest.param(f"c' onerror='parent.document.title=\"{MARK}\"' x='.png", id="single-quote"),
    pytest.param(f"<img src=x onerror=parent.document.title='{MARK}'>.png", id="img-tag"),
    pytest.param(f"c</script><svg onload=parent.document.title='{MARK}'>.png", id="script-close-in-a-folder"),
    pytest.param(f"c&quot; onerror=&quot;parent.document.title='{MARK}'&quot;.png", id="entity"),
    pytest.param("Überblick – 報告 ✓.png", id="unicode"),  # a bidi override in a name is refused by validate
    pytest.param(f"c\" onload=\"{MARK}\" data-x=\"&amp;{{{{ 7*7 }}}}.png", id="template-and-entities"),
]
SAFE_COPY = re.compile(r"^\d\d-[A-Za-z0-9_-]+\.[a-z0-9]+$")


def _with_cover(campaign_copy, name: str, cover_on_posts: bool = True) -> Path:
    """The sample campaign with its cover stored under ``name`` (the post images may or may not use it)."""

    def edit(text: str) -> str:
        text = text.replace('image = "soldier-defections-myanmar-cover.png"', f"image = {json.dumps(name)}")
        return text if cover_on_posts else text.replace('image = "cover"\n', "")

    path = campaign_copy(edit)
    (path.parent / name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE_COVER, path.parent / name)
    return path


def _preview(path: Path, out: Path, config) -> Path:
    with time_machine.travel("2026-11-24T12:00:00Z", tick=False):
        checked = check(load_campaign(path), config)
    assert checked.ok, checked.errors
    return write_preview(checked, config, out).index


class _Markup(HTMLParser):
    """Collects what could run script: script elements, event-handler attributes, javascript: URLs, iframes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.handlers: list[str] = []
        self.iframes: list[dict[str, str | None]] = []
        self.meta: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        for key, value in attrs:
            if key.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append(f"<{tag} {key}={value!r}>")
        if tag == "iframe":
            self.iframes.append(dict(attrs))
        if tag == "meta":
            self.meta.append(dict(attrs))


def _parse(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.mark.parametrize("cover_on_posts", [True, False], ids=["cover-on-posts", "cover-in-email-only"])
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_stay_data(campaign_copy, tmp_path, config, name, cover_on_posts):
    index = _preview(_with_cover(campaign_copy, name, cover_on_posts), tmp_path / "pv", config)
    folder = index.parent
    copies = [p.name for p in (folder / "images").iterdir()] if (folder / "images").exists() else []
    assert all(SAFE_COPY.match(c) for c in copies), copies
    assert bool(copies) == cover_on_posts
    page = index.read_text(encoding="utf-8")
    top = _parse(page)
    assert top.scripts == 0 and top.handlers == []
    assert len(top.iframes) == 2
    for frame in top.iframes:
        inner = _parse(frame["srcdoc"] or "")
        assert inner.scripts == 0 and inner.handlers == [], inner.handlers
        assert 'src="data:image/png;base64,' in (frame["srcdoc"] or ""), "the email frame shows the cover from the preview itself"
    for file in folder.rglob("*"):
        if file.is_file() and file.suffix in {".html", ".json", ".txt"}:
            assert name not in file.read_text(encoding="utf-8"), f"the raw file name is in {file.name}"


def test_email_frames_are_sandboxed_and_the_page_forbids_inline_script(campaign_copy, tmp_path, config):
    page = _preview(campaign_copy(), tmp_path / "pv", config).read_text(encoding="utf-8")
    parsed = _parse(page)
    for frame in parsed.iframes:
        assert "sandbox" in frame, frame.keys()
        assert "allow-scripts" not in (frame["sandbox"] or "") and "allow-same-origin" not in (frame["sandbox"] or "")
    [csp] = [m["content"] or "" for m in parsed.meta if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    script = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'none'" in script


# --- in a real browser -------------------------------------------------------

@pytest.fixture
def browser():
    exe = shutil.which("chromium")
    if exe is None:
        require("chromium", "install Debian's chromium package")
    playwright = playwright_sync()
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        yield b
        b.close()


def _open(browser, index: Path):
    """Open ``index`` and return the page and the dialogs (alert, confirm) it tried to show."""
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(index.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # let late onerror/onload handlers fire, if any could
    return page, dialogs


@pytest.mark.browser
@pytest.mark.parametrize("name", [HOSTILE_NAMES[0], HOSTILE_NAMES[2], HOSTILE_NAMES[3]])
def test_no_script_runs_in_the_preview_with_a_hostile_name(browser, campaign_copy, tmp_path, config, name):
    index = _preview(_with_cover(campaign_copy, name, cover_on_posts=False), tmp_path / "pv", config)
    page, dialogs = _open(browser, index)
    assert MARK not in page.title()
    assert dialogs == []
    # the cover still shows in the sandboxed email frames, from the preview's own copy
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 2
    for frame in frames:
        sizes = frame.eval_on_selector_all("img", "imgs => imgs.map(i => [i.getAttribute('src'), i.naturalWidth])")
        cover = [s for s in sizes if s[0].startswith("data:image/png")]
        assert cover and all(width > 0 for _, width in cover), sizes


@pytest.mark.browser
def test_the_policy_blocks_injected_inline_script(browser, campaign_copy, tmp_path, config):
    """Defence in depth: even markup that got into index.html could not run script."""
    index = _preview(campaign_copy(), tmp_path / "pv", config)
    page_text = index.read_text(encoding="utf-8")
    injected = (f"<script>document.title='{MARK}'</script><img src=nope onerror=\"document.title='{MARK}'\">"
                f"<iframe srcdoc=\"<script>parent.document.title='{MARK}'</script>\"></iframe>")
    index.write_text(page_text.replace("<main>", "<main>" + injected, 1), encoding="utf-8")
    page, dialogs = _open(browser, index)
    assert page.title().startswith("Preview:"), page.title()
    assert MARK not in page.title()
    assert dialogs == []
