"""Checks run inside Debian's Chromium through Playwright: text contrast and axe-core.

Shared by the email tests (tests/render) and the web page tests (tests/web).
axe-core is the npm package: ``AXE_CORE_JS`` names its ``axe.min.js``, else
``<repo>/.ci/npm/node_modules/axe-core/axe.min.js`` (``npm install --prefix
.ci/npm axe-core@4``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from tests.conftest import CHROMIUM_FLAGS, ROOT, playwright_sync, require

AXE_DEFAULT = ROOT / ".ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SCHEMES = ("light", "dark")
BLOCKING_IMPACTS = ("serious", "critical")


def axe_script() -> Path:
    """The axe-core script to inject; skip (fail under CI=true) when it is not installed."""
    path = Path(os.environ.get("AXE_CORE_JS") or AXE_DEFAULT)
    if not path.is_file():
        require("axe-core", "npm install --prefix .ci/npm axe-core@4")
    return path


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """A Playwright browser on Debian's chromium."""
    exe = shutil.which("chromium")
    if exe is None:
        require("chromium", "install Debian's chromium package")
    playwright = playwright_sync()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class LowContrast:
    """One piece of text below the WCAG AA ratio."""

    text: str
    color: str
    background: str
    ratio: float
    required: float

    def __str__(self) -> str:
        return f"{self.ratio:.2f}:1 < {self.required}:1 for {self.color} on {self.background}: {self.text!r}"


# Every visible text node: its computed colour against the backgrounds of its ancestors,
# composited over the canvas (white, or Chromium's dark canvas rgb(18,18,18)).
_CONTRAST_JS = r"""
(dark) => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]*)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const results = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    const el = node.parentElement;
    if (!text || !el || el.getClientRects().length === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible') continue;
    const chain = [];
    let opacity = 1;
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      chain.push(parse(s.backgroundColor));
      opacity *= Number(s.opacity);
    }
    let bg = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
    for (const layer of chain.reverse()) bg = over(layer, bg);
    const fgRaw = parse(style.color);
    const fg = over([fgRaw[0], fgRaw[1], fgRaw[2], fgRaw[3] * opacity], bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    results.push({text: text.slice(0, 60), color: hex(fg), background: hex(bg),
                  ratio: (hi + 0.05) / (lo + 0.05), required: large ? 3 : 4.5});
  }
  return results;
}
"""


def text_contrast(page: Any, scheme: str) -> tuple[int, list[LowContrast]]:
    """How many visible text nodes the page has, and those below 4.5:1 (3:1 for large text)."""
    measured = page.evaluate(_CONTRAST_JS, scheme == "dark")
    low = [LowContrast(**m) for m in measured if m["ratio"] < m["required"]]
    return len(measured), low


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for v in result["violations"]:
        if v["impact"] in BLOCKING_IMPACTS:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            lines.append(f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {targets})")
    return lines
