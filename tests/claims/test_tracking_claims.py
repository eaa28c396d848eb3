"""README promises about tracking: opens are never tracked (no pixel, no per-reader image in any mail).

Break: a per-recipient query on the cover image's URL (an open pixel by another name) fails this test.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest


@pytest.mark.parametrize("mode", ["aggregate", "individual", "off"])
def test_no_mail_carries_an_open_pixel_or_a_per_reader_image(mode, campaign_copy, cli, tmp_path) -> None:
    config = tmp_path / "outreach.toml"
    config.write_text(f'require_approval = false\n[tracking]\nclicks = "{mode}"\n', encoding="utf-8")
    campaign = campaign_copy()
    Path("people.csv").write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n", encoding="utf-8")
    assert cli("--config", config, "subscribers", "import", "people.csv", "--list", "research", "--consent", "test subscribers").code == 0
    assert cli("--config", config, "send", campaign, "--now").code == 0
    images = []
    for path in sorted(Path("outbox/email").glob("*/*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        html = message.get_body(("html",)).get_content()
        tags = re.findall(r"<img\b[^>]*>", html, flags=re.I)
        assert tags, "the cover is the one image"
        for tag in tags:
            assert not re.search(r'\b(width|height)="?[01](px)?"?[\s/>]', tag), f"a 1-pixel image: {tag}"
        images.append(sorted(re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', html, flags=re.I)))
        assert not re.search(r"url\(", html.split("<style", 1)[0]), "no CSS background image before the styles"
    assert len(images) == 2 and images[0] == images[1], "every reader loads exactly the same images: nothing tells who opened"
    assert not any("/c/" in src for src in images[0])
