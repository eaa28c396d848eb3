"""The preview page renders in headless Chromium at desktop and mobile widths."""

from __future__ import annotations

import json

import pytest
import time_machine
from PIL import Image, ImageStat

from outreach.campaign import load_campaign
from outreach.preview import write_preview
from outreach.validate import check

pytestmark = pytest.mark.browser


@pytest.fixture
def preview_index(campaign_copy, tmp_path, config):
    with time_machine.travel("2026-11-24T12:00:00Z", tick=False):
        checked = check(load_campaign(campaign_copy()), config)
    return write_preview(checked, config, tmp_path / "preview").index


@pytest.mark.parametrize("width, height", [(1280, 2400), (375, 2400)])
def test_preview_renders_at_width(chromium, preview_index, tmp_path, width, height):
    shot = tmp_path / f"preview-{width}.png"
    proc = chromium(f"--window-size={width},{height}", f"--screenshot={shot}", preview_index.as_uri())
    assert shot.is_file(), proc.stderr[-2000:]
    with Image.open(shot) as img:
        assert img.size == (width, height)
        stddev = ImageStat.Stat(img.convert("L")).stddev[0]
    assert stddev > 10, "the screenshot is blank"


def test_preview_dom_has_the_email_frames_and_posts(chromium, preview_index):
    proc = chromium("--virtual-time-budget=5000", "--dump-dom", preview_index.as_uri())
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert dom.count("<iframe") == 2
    assert 'class="desktop"' in dom and 'class="mobile"' in dom
    posts = json.loads((preview_index.parent / "posts.json").read_text(encoding="utf-8"))
    assert dom.count('<article class="post on-') == len(posts) == 4  # one card per post: X, Mastodon, Bluesky, LinkedIn
    assert "Timeline" in dom
