"""README: `send`, `post` and `schedule` refuse a campaign that is not approved or changed since approval,
and "changed" covers every reviewable piece: texts, times and image bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import replace_once

SLUG = "soldier-defections-myanmar"
COMMANDS = {"send": ("send", "--now"), "post": ("post", "--now"), "schedule": ("schedule",)}


def _subscribe(cli, tmp_path: Path) -> None:
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email\nann@example.org\n", encoding="utf-8")
    assert cli("subscribers", "import", csv_file, "--list", "research", "--consent", "test subscribers").code == 0


def _png(path: Path, colour: tuple[int, int, int]) -> None:
    Image.new("RGB", (64, 40), colour).save(path, format="PNG")


def _nothing_went_out(cli) -> None:
    assert not list(Path("outbox").rglob("*.eml")) and not list(Path("outbox").rglob("*.json")), "something was sent"
    status = cli("status", SLUG, "--json")
    assert '"state": "scheduled"' not in status.out, "something was scheduled"


def _no_cover_on_posts(text: str) -> str:
    """Posts without the cover: then the cover is only in the email, and only its own hash can see a change."""
    return text.replace('image = "cover"\n', "")


def _extra_image_on_mastodon(text: str) -> str:
    """An image only the Mastodon post (posts[1]) carries."""
    return replace_once('channel = "mastodon"\nat = 2027-01-12T10:00:00\nimage = "cover"\n',
                        'channel = "mastodon"\nat = 2027-01-12T10:00:00\nimage = "cover"\nimages = [{ path = "extra.png", alt = "A green square" }]\n')(text)


# Each change: (how to make the campaign, what to change after approval, the piece the refusal must name).
CHANGES = {
    "email time": (None, lambda p: p.write_text(p.read_text(encoding="utf-8").replace("send_at = 2027-01-12T09:00:00", "send_at = 2027-01-12T09:05:00"), encoding="utf-8"), "time of email"),
    "post time": (None, lambda p: p.write_text(p.read_text(encoding="utf-8").replace("at = 2027-01-12T09:30:00", "at = 2027-01-12T09:45:00"), encoding="utf-8"), "time of posts[0]"),
    "post image bytes": (_extra_image_on_mastodon, lambda p: _png(p.parent / "extra.png", (200, 0, 0)), "posts[1]"),
    "email cover bytes": (_no_cover_on_posts, lambda p: _png(p.parent / "soldier-defections-myanmar-cover.png", (0, 0, 200)), "cover image"),
}


# Breaks if: plan.py stops hashing step times ("time of ..." entries), post images (_file_digest in posts[i]) or the
# email cover ("cover image"), or approval.require_approval stops comparing them; or send/post/schedule skip guard_dispatch.
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("change", CHANGES)
def test_changed_time_or_image_since_approval_is_refused(cli, campaign_copy, tmp_path, command, change):
    make, edit, piece = CHANGES[change]
    path = campaign_copy(make)
    _png(path.parent / "extra.png", (0, 160, 0))
    _subscribe(cli, tmp_path)
    assert cli("approve", path, "--by", "Jane Doe").code == 0
    edit(path)
    refused = cli(*COMMANDS[command][:1], path, *COMMANDS[command][1:])
    assert refused.code == 1, refused
    assert "changed since approval by Jane Doe" in refused.err and piece in refused.err, refused.err
    _nothing_went_out(cli)


# Breaks if: `outreach post` skips guard_dispatch (commands/post_commands.py) or require_approval lets it through.
@pytest.mark.parametrize("case", ["never approved", "text changed", "approved then re-approved"])
def test_post_refuses_unapproved_or_changed(cli, campaign_copy, tmp_path, case):
    path = campaign_copy()
    if case != "never approved":
        assert cli("approve", path, "--by", "Jane Doe").code == 0
        path.write_text(path.read_text(encoding="utf-8").replace("Why do most stay?", "Why do many stay?"), encoding="utf-8")
    if case == "approved then re-approved":
        assert cli("approve", path, "--by", "Jane Doe").code == 0
        posted = cli("post", path, "--now")
        assert posted.code == 0, posted.err
        assert len(list(Path("outbox/posts").rglob("*.json"))) >= 6, "the control: an approved campaign does post"
        return
    refused = cli("post", path, "--now")
    assert refused.code == 1
    if case == "never approved":
        assert "is not approved" in refused.err
    else:
        assert "changed since approval by Jane Doe" in refused.err and "posts[0]" in refused.err
    assert not list(Path("outbox").rglob("*.json")), "a post was published"
    for step in ("2", "3", "4"):  # each step alone is refused too
        assert cli("post", path, "--now", "--step", step).code == 1
    assert not list(Path("outbox").rglob("*.json"))
