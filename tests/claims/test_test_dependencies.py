"""README (tests): a missing dependency is skipped with its reason, except under CI=true, where a missing server,
Chromium or Playwright fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, playwright_sync

pytestmark = pytest.mark.slow


@pytest.fixture
def no_playwright(tmp_path: Path) -> Path:
    """A folder that, first on PYTHONPATH, makes ``import playwright`` fail as if it were not installed."""
    fake = tmp_path / "blocked" / "playwright"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ModuleNotFoundError("No module named \'playwright\' (blocked by the test)", name="playwright")\n', encoding="utf-8")
    return fake.parent


def _pytest(no_playwright: Path, ci: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(no_playwright), os.environ.get("PYTHONPATH", ""), str(ROOT)]), "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", "-rs"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


# Breaks if: a browser test goes back to pytest.importorskip("playwright.sync_api") (a skip even under CI=true), or
# tests/conftest.playwright_sync stops routing through require().
def test_missing_playwright_fails_the_browser_test_under_ci(no_playwright):
    ci = _pytest(no_playwright, "true", "tests/web/test_browser.py", "-k", "sqlite")
    assert ci.returncode == 1, ci.stdout[-2000:]
    assert "1 failed" in ci.stdout and "playwright is required in CI" in ci.stdout, ci.stdout[-2000:]
    local = _pytest(no_playwright, "", "tests/web/test_browser.py", "-k", "sqlite")
    assert local.returncode == 0 and "1 skipped" in local.stdout and "playwright unavailable" in local.stdout, local.stdout[-2000:]


def test_playwright_sync_returns_the_module_when_installed():
    assert playwright_sync().sync_playwright is not None
