"""``outreach review`` and ``outreach diff`` as a person runs them (in-process CLI), on SQLite and PostgreSQL.

Mail goes to the outbox (no SMTP) or to a real SMTP server on 127.0.0.1 (aiosmtpd).
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import Engine, func, select

from outreach.config import Config, load_config
from outreach.mail.compose import signing_keys
from outreach.review.snapshot import preview_files
from outreach.store.db import open_db
from outreach.store.db import current_user
from outreach.store.reviews import reviewers_of, rounds_of, version, version_file, version_file_names
from outreach.store.schema import approvals, review_rounds, review_versions, reviewers
from outreach.tokens import read_review_token
from outreach.validate import check

from tests.helpers import HOSTILE_NAMES
from tests.mail.smtp_server import SmtpServer, free_port

SLUG = "soldier-defections-myanmar"
ANN = "Ann Lee <ann@example.org>"
BOB = "Bob Stone <Bob@Example.org>"
OWNER = "Olive Owner <olive@example.org>"
POST_WORDS = ("Why do most stay?", "Why do many stay?")  # posts[0]


@dataclass
class Env:
    """outreach.toml in the test's folder on the test database, the campaign copy, and the outbox."""

    config_path: Path
    campaign: Path
    outbox: Path

    @property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def engine(self) -> Engine:
        return open_db(self.config)

    def edit(self, old: str, new: str) -> None:
        text = self.campaign.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        self.campaign.write_text(text.replace(old, new), encoding="utf-8")

    def review_mails(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
                for p in sorted((self.outbox / "email" / "review").glob("*.eml"))]


def write_config(path: Path, database: str, outbox: Path, extra: str = "") -> Path:
    """An outreach.toml on ``database`` (the in-process CLI reads ./outreach.toml)."""
    path.write_text(f'database = "{database}"\noutbox = "{outbox}"\n{extra}', encoding="utf-8")
    return path


@pytest.fixture
def relay():  # type: ignore[no-untyped-def]
    """A real SMTP server on 127.0.0.1 (aiosmtpd)."""
    with SmtpServer() as server:
        yield server


def make_env(db_config: Config, campaign_copy: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    """./outreach.toml on the test database, a campaign copy, a signing key in the environment."""
    monkeypatch.setenv("OUTREACH_SECRET", "review-cli-key")
    outbox = tmp_path / "outbox"
    return Env(write_config(Path("outreach.toml"), db_config.database, outbox), campaign_copy(), outbox)


@pytest.fixture
def env(db_config: Config, campaign_copy: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    return make_env(db_config, campaign_copy, tmp_path, monkeypatch)


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _url_of(message: email.message.EmailMessage) -> str:
    body = message.get_content()
    found = re.findall(r"^(http://\S+/review/\S+)\r?$", body, flags=re.M)
    assert len(found) == 1, body
    return found[0]


# -- outreach review -------------------------------------------------------------------------------

def test_review_mails_each_reviewer_a_signed_link_of_their_own(env: Env, cli) -> None:
    done = cli("review", env.campaign, "--reviewer", ANN, "--reviewer", BOB, "--owner", OWNER)
    assert done.code == 0, done.err
    engine, config = env.engine, env.config
    [round_] = rounds_of(engine, SLUG)
    assert (round_.number, round_.owner, round_.requested_by) == (1, OWNER, current_user())
    links = reviewers_of(engine, SLUG)
    assert [(link.name, link.address) for link in links] == [("Ann Lee", "ann@example.org"), ("Bob Stone", "bob@example.org")]
    assert links[0].link_key != links[1].link_key and all(link.round_id == round_.id for link in links)
    mails = env.review_mails()
    assert [m["To"] for m in mails] == ["Ann Lee <ann@example.org>", "Bob Stone <bob@example.org>"]
    keys = signing_keys(config, engine)
    for mail, link in zip(mails, links):
        url = _url_of(mail)
        assert url.startswith(f"{config.web.base_url}/review/")
        claims = read_review_token(keys, url.rsplit("/", 1)[1], config.review.link_days)
        assert (claims.link_key, claims.campaign) == (link.link_key, SLUG), "each mail carries its own reviewer's link"
        assert url in done.out, "with no SMTP the link is printed for the person who ran the command"
        assert mail["Subject"] == "Please review: Soldier Defections in Myanmar"
    assert "Ann Lee <ann@example.org>: written to " in done.out
    assert f"requests for changes are mailed to {OWNER}" in done.out
    # what the reviewers will see is stored: the preview's files, byte for byte, and the pieces
    stored = version(engine, round_.version_id)
    assert stored is not None and stored.pieces.texts["posts[0]"]
    checked = check(_load(env.campaign), config)
    assert stored.content_hash == checked.plan.content_hash
    files = preview_files(checked, config)
    assert version_file_names(engine, stored.id) == sorted(files)
    # index.html says the approval state, which the links just made changed ("waiting on …"): every other file is as stored
    assert all(version_file(engine, stored.id, name) == body for name, body in files.items() if name != "index.html")


def _load(path: Path):  # type: ignore[no-untyped-def]
    from outreach.campaign import load_campaign

    return load_campaign(path)


def test_the_owner_defaults_to_the_config_and_its_absence_is_said(env: Env, cli, db_config: Config, tmp_path: Path) -> None:
    done = cli("review", env.campaign, "--reviewer", ANN)
    assert done.code == 0 and "nobody is told of requests for changes" in done.out
    assert rounds_of(env.engine, SLUG)[0].owner is None
    write_config(env.config_path, db_config.database, env.outbox, f'[review]\nowner = "{OWNER}"\n')
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    assert rounds_of(env.engine, SLUG)[1].owner == OWNER


@pytest.mark.parametrize("bad", ["ann.example.org", "Ann <ann@>", "Ann <ánn@example.org>", *HOSTILE_NAMES.values()],
                         ids=["no-at", "no-domain", "non-ascii-local", *HOSTILE_NAMES])
def test_a_bad_reviewer_creates_nothing_and_is_named_on_one_line(env: Env, cli, bad: str) -> None:
    value = bad if "@" in bad or "." in bad else f"{bad} <x@example.org>"
    done = cli("review", env.campaign, "--reviewer", ANN, "--reviewer", value)
    assert done.code == 1
    [line] = done.err.splitlines()
    assert line.startswith("error: --reviewer ") and "\x1b" not in line and "\r" not in line
    engine = env.engine
    assert [_count(engine, t) for t in (review_versions, review_rounds, reviewers)] == [0, 0, 0]
    assert not (env.outbox / "email" / "review").exists()


def test_a_reviewer_given_twice_or_a_bad_owner_or_too_many_days_is_refused(env: Env, cli) -> None:
    twice = cli("review", env.campaign, "--reviewer", ANN, "--reviewer", "ANN@example.org")
    assert twice.code == 1 and "ann@example.org is given twice" in twice.err
    owner = cli("review", env.campaign, "--reviewer", ANN, "--owner", "nobody")
    assert owner.code == 1 and "--owner 'nobody'" in owner.err
    days = cli("review", env.campaign, "--reviewer", ANN, "--days", "15")
    assert days.code == 1 and "--days 15: must be between 1 and [review] link_days (14)" in days.err
    with pytest.raises(SystemExit):  # argparse: either --reviewer or --revoke
        cli("review", env.campaign)
    assert _count(env.engine, review_rounds) == 0


def test_names_with_commas_and_accents_reach_the_to_header_intact(env: Env, cli) -> None:
    done = cli("review", env.campaign, "--reviewer", '"Doe, Jane" <jane@example.org>', "--reviewer", "Zoë Çelik <zoe@example.org>")
    assert done.code == 0, done.err
    assert [(link.name, link.address) for link in reviewers_of(env.engine, SLUG)] == [("Doe, Jane", "jane@example.org"),
                                                                                       ("Zoë Çelik", "zoe@example.org")]
    to = [m["To"].addresses[0] for m in env.review_mails()]
    assert [(a.display_name, a.addr_spec) for a in to] == [("Doe, Jane", "jane@example.org"), ("Zoë Çelik", "zoe@example.org")]


def test_days_set_when_the_link_expires(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN, "--days", "3").code == 0
    [link] = reviewers_of(env.engine, SLUG)
    assert link.expires_at - link.created_at == timedelta(days=3)


def test_asking_again_gives_a_new_link_and_the_old_one_keeps_working(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    env.edit(*POST_WORDS)
    second = cli("review", env.campaign, "--reviewer", ANN)
    assert second.code == 0 and "review round 2" in second.out
    first, again = reviewers_of(env.engine, SLUG)
    assert first.address == again.address and first.link_key != again.link_key
    from outreach.store.db import now

    assert first.usable(now()) and again.usable(now())
    rounds = rounds_of(env.engine, SLUG)
    assert rounds[0].version_id != rounds[1].version_id, "the edited campaign is a new version"


def test_over_smtp_the_link_is_mailed_and_not_printed(env: Env, cli, db_config: Config, relay) -> None:
    write_config(env.config_path, db_config.database, env.outbox,
                 f'[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\nsecurity = "none"\ntimeout = 10\n'
                 '[web]\nbase_url = "https://news.example.org"\n')
    done = cli("review", env.campaign, "--reviewer", ANN, "--reviewer", BOB)
    assert done.code == 0, done.err
    assert [d.rcpt for d in relay.deliveries] == ["ann@example.org", "bob@example.org"]
    urls = [re.findall(r"^(https://news\.example\.org/review/\S+)\r?$", d.message.get_content(), flags=re.M) for d in relay.deliveries]
    assert [len(u) for u in urls] == [1, 1] and urls[0] != urls[1]
    assert "/review/" not in done.out, "over SMTP the link goes only to the reviewer"
    assert done.err == "", "a public base_url: no warning"
    assert not (env.outbox / "email" / "review").exists()


def test_a_mail_that_fails_is_reported_and_the_exit_is_1(env: Env, cli, db_config: Config) -> None:
    write_config(env.config_path, db_config.database, env.outbox,
                 f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\ntimeout = 2\n')
    done = cli("review", env.campaign, "--reviewer", ANN)
    assert done.code == 1
    assert "error: Ann Lee <ann@example.org>: not mailed (" in done.err and "/review/" not in done.out + done.err


def test_over_smtp_without_a_signing_key_nothing_is_created(env: Env, cli, db_config: Config, relay,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTREACH_SECRET")
    write_config(env.config_path, db_config.database, env.outbox,
                 f'[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\nsecurity = "none"\ntimeout = 10\n')
    done = cli("review", env.campaign, "--reviewer", ANN)
    warning, error = done.err.splitlines()
    assert warning == "warning: web.base_url http://127.0.0.1:8080: its host 127.0.0.1 is this machine; reviewers may not be able to open their links"
    assert done.code == 1 and error.startswith("error: ") and "OUTREACH_SECRET" in error
    engine = env.engine
    assert [_count(engine, t) for t in (review_versions, review_rounds, reviewers)] == [0, 0, 0] and not relay.deliveries


def test_the_printed_link_opens_the_review_page_and_revoking_closes_it(env: Env, cli, db_config: Config) -> None:
    """The command and ``outreach serve`` agree: same keys, same link rows (a real server on loopback)."""
    import httpx

    from tests.review.conftest import ReviewServer
    from tests.web.conftest import free_port

    port = free_port()
    write_config(env.config_path, db_config.database, env.outbox,
                 f'[web]\nhost = "127.0.0.1"\nport = {port}\nbase_url = "http://127.0.0.1:{port}"\n')
    done = cli("review", env.campaign, "--reviewer", ANN)
    assert done.code == 0, done.err
    [url] = re.findall(r"^    (http://\S+)$", done.out, flags=re.M)
    server = ReviewServer(env.config).__enter__()
    try:
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200 and "Ann Lee" in page.text and SLUG in page.text
        assert cli("review", env.campaign, "--revoke", "Ann Lee").code == 0
        gone = httpx.get(url, timeout=30)
        assert gone.status_code == 400
    finally:
        server.__exit__(None, None, None)


# -- outreach review --revoke ----------------------------------------------------------------------

def test_revoke_by_name_or_address_in_any_case(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN, "--reviewer", BOB).code == 0
    by_name = cli("review", SLUG, "--revoke", "ann LEE")
    assert by_name.code == 0 and "revoked: Ann Lee <ann@example.org>" in by_name.out
    by_address = cli("review", env.campaign, "--revoke", "BOB@example.ORG")
    assert by_address.code == 0
    assert all(link.revoked_at is not None for link in reviewers_of(env.engine, SLUG))
    again = cli("review", env.campaign, "--revoke", "Ann Lee")
    assert again.code == 1 and again.err.count("\n") == 1 and "no usable review link" in again.err


def test_revoke_works_when_the_campaign_file_is_gone(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    env.campaign.unlink()
    assert cli("review", SLUG, "--revoke", "ann@example.org").code == 0
    assert reviewers_of(env.engine, SLUG)[0].revoked_at is not None


def test_revoke_touches_only_that_reviewer_of_that_campaign(env: Env, cli, campaign_copy) -> None:
    other = campaign_copy(name="other-campaign.toml")  # the slug is the file's name
    assert cli("review", env.campaign, "--reviewer", ANN, "--reviewer", BOB).code == 0
    assert cli("review", other, "--reviewer", ANN).code == 0
    assert cli("review", env.campaign, "--revoke", "ann@example.org").code == 0
    states = {(link.campaign, link.address): link.revoked_at is not None
              for link in reviewers_of(env.engine, SLUG) + reviewers_of(env.engine, "other-campaign")}
    assert states == {(SLUG, "ann@example.org"): True, (SLUG, "bob@example.org"): False, ("other-campaign", "ann@example.org"): False}


# -- outreach diff ---------------------------------------------------------------------------------

def test_diff_with_nothing_approved_says_so_on_one_line(env: Env, cli) -> None:
    done = cli("diff", env.campaign)
    assert done.code == 1 and done.err == f"error: {SLUG} was never approved: nothing to compare with; use --since N to compare with review round N\n"


def test_diff_against_the_last_approval_shows_the_words(env: Env, cli) -> None:
    assert cli("approve", env.campaign, "--by", "Jane Doe").code == 0
    same = cli("diff", env.campaign)
    assert same.code == 0 and "nothing changed" in same.out and "against the approval by Jane Doe" in same.out
    env.edit(*POST_WORDS)
    env.edit("send_at = 2027-01-12T09:00:00", "send_at = 2027-01-12T08:15:00")
    done = cli("diff", env.campaign)
    assert done.code == 0, "a diff is a report: changes are not an error"
    assert "posts[0]: " in done.out and "Why do [-most-]{+many+} stay?" in done.out
    assert "time of email: 2027-01-12 09:00 Europe/Copenhagen → 2027-01-12 08:15 Europe/Copenhagen" in done.out
    assert "posts[1]" not in done.out and "email subject" not in done.out


def test_diff_since_a_review_round(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    env.edit(*POST_WORDS)
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    env.edit("Why do many stay?", "Why do some stay?")
    first = cli("diff", env.campaign, "--since", "1")
    assert first.code == 0 and "against review round 1" in first.out and "[-most-]{+some+}" in first.out
    second = cli("diff", env.campaign, "--since", "2")
    assert "[-many-]{+some+}" in second.out
    missing = cli("diff", env.campaign, "--since", "3")
    assert missing.code == 1 and f"--since 3: {SLUG} has no review round 3 (rounds: 1, 2)" in missing.err


def test_diff_of_an_approval_without_stored_pieces_names_the_pieces(env: Env, cli) -> None:
    from outreach.approval import approve

    approve(env.engine, check(_load(env.campaign), env.config).plan, "Old Times")  # as release 1 did: no version kept
    env.edit(*POST_WORDS)
    done = cli("diff", env.campaign)
    assert done.code == 0
    assert "that approval kept no words" in done.out
    assert "posts[0]: changed (the earlier words were not stored)" in done.out
    assert "posts[1]" not in done.out


def test_diff_html_is_a_standalone_page_with_both_images(env: Env, cli, tmp_path: Path) -> None:
    assert cli("approve", env.campaign, "--by", "Jane Doe").code == 0
    env.edit(*POST_WORDS)
    _replace_cover(env.campaign)
    page_path = tmp_path / "diff.html"
    done = cli("diff", env.campaign, "--html", page_path)
    assert done.code == 0 and f"written: {page_path}" in done.out
    assert "cover image: image " in done.out
    page = page_path.read_text(encoding="utf-8")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">' in page
    assert "Why do <del>most</del><ins>many</ins> stay?" in page
    images = re.findall(r'<img src="([^"]*)"', page)
    assert len(images) >= 2 and all(src.startswith("data:image/png;base64,") for src in images)
    assert len(set(images)) >= 2, "the old and the new cover are both shown"
    assert not re.search(r"<(script|link|iframe|object|embed|base)\b", page), "the page asks for nothing"
    assert not re.search(r"""\b(href|action|srcset|formaction)=|src="(?!data:image/png;base64,)""", page)


def _replace_cover(campaign: Path) -> None:
    """Another image, same name: a reviewer must see the content change."""
    from PIL import Image

    cover = campaign.parent / "soldier-defections-myanmar-cover.png"
    with Image.open(cover) as img:
        Image.new("RGB", img.size, (200, 30, 30)).save(cover)


def test_diff_escapes_hostile_campaign_text(env: Env, cli, tmp_path: Path) -> None:
    assert cli("approve", env.campaign, "--by", "Jane \x1b[31mDoe").code == 0
    env.edit("Why do most stay?", "Why do <script>alert(1)</script> \x1b[2J stay?".replace("\x1b", "\\u001b"))
    page_path = tmp_path / "d.html"
    done = cli("diff", env.campaign, "--html", page_path)
    assert done.code == 0
    assert "\x1b" not in done.out and "\\x1b[2J" in done.out and "Jane \\x1b[31mDoe" in done.out
    page = page_path.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_diff_of_a_renamed_image_with_the_same_bytes_shows_no_image_change(env: Env, cli) -> None:
    assert cli("approve", env.campaign, "--by", "Jane Doe").code == 0
    folder = env.campaign.parent
    shutil.copy(folder / "soldier-defections-myanmar-cover.png", folder / "renamed-cover.png")
    env.edit('cover = { image = "soldier-defections-myanmar-cover.png"', 'cover = { image = "renamed-cover.png"')
    done = cli("diff", env.campaign)
    assert done.code == 0
    assert "image " not in done.out.replace("cover image", ""), done.out


def test_a_cli_approval_records_the_os_user(env: Env, cli) -> None:
    assert cli("approve", env.campaign, "--by", "Jane Doe").code == 0
    with env.engine.connect() as conn:
        row = conn.execute(select(approvals.c.method, approvals.c.os_user, approvals.c.version_id)).one()
    assert row.method == "cli" and row.os_user == current_user() and row.version_id is not None
