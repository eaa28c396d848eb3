"""Done when: a campaign to a segment reaches exactly the subscribers that match (a real ``outreach send`` into the
outbox, SQLite and PostgreSQL); the audience is frozen at the first send with its words and filter; every
unsubscribe link names the audience's list; a changed audience needs a new approval."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from sqlalchemy import delete, insert, select

from outreach.mail.compose import signing_keys
from outreach.store.db import forget_engines, open_db
from outreach.store.schema import audiences, subscriber_topics
from outreach.tokens import read_token
from tests.audience.conftest import EVERYONE, MATCHING, SEGMENT, Person, add_people
from tests.helpers import replace_once

SLUG = "soldier-defections-myanmar"
WORDS = "research subscribers interested in Asia or Peace and conflict, in English"


def segment_campaign(campaign_copy, audience: str = SEGMENT) -> Path:
    return campaign_copy(replace_once('list = "research"\n', f"audience = {audience}\n"))


def outbox_messages(tmp_path: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in sorted((tmp_path / "outbox" / "email" / SLUG).glob("*.eml"))]


def test_a_segment_send_reaches_exactly_the_matching_subscribers(cli, db_config, audience_config, campaign_copy, tmp_path):
    config = audience_config()
    add_people(open_db(db_config), EVERYONE)
    campaign = segment_campaign(campaign_copy)
    checked = cli("--config", config, "validate", campaign)
    assert checked.code == 0, checked.err
    assert f"email audience: {WORDS}" in checked.out
    sent = cli("--config", config, "send", campaign, "--now")
    assert sent.code == 0, sent.err
    messages = outbox_messages(tmp_path)
    assert sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in messages) == sorted(MATCHING)
    engine = open_db(db_config)
    keys = signing_keys(db_config, engine)
    for message in messages:
        url = re.search(r"<(https?://[^>]+/u/([^>]+))>", str(message["List-Unsubscribe"]))
        assert url is not None, message["List-Unsubscribe"]
        assert read_token(keys, "unsubscribe", url.group(2), 365).list_name == "research"
        # the links in both parts too: unsubscribe and the preference centre name the audience's list
        bodies = " ".join(part.get_content() for part in message.walk() if part.get_content_type() in ("text/plain", "text/html"))
        found = re.findall(r"/(u|p)/([A-Za-z0-9_.-]{20,})", bodies)
        assert {kind for kind, _ in found} == {"u", "p"}, found
        for kind, token in found:
            assert read_token(keys, "unsubscribe" if kind == "u" else "preferences", token, 365).list_name == "research"
    with engine.connect() as conn:
        frozen = conn.execute(select(audiences)).one()
    assert (frozen.list, frozen.total, frozen.description) == ("research", len(MATCHING), WORDS)
    assert frozen.filter == {"list": "research", "topics": {"any": ["asia", "peace"]}, "language": ["en"]}


def test_the_audience_is_frozen_at_the_first_send(cli, db_config, audience_config, campaign_copy, tmp_path):
    """A resumed send never re-reads the filter: someone who starts to match later is not added, nobody is dropped."""
    config = audience_config()
    engine = open_db(db_config)
    ids = add_people(engine, [Person("asia@example.org", topics=("asia",), language="en"), Person("later@example.org", language="en")])
    campaign = segment_campaign(campaign_copy)
    assert cli("--config", config, "send", campaign, "--now").code == 0
    with engine.begin() as conn:
        conn.execute(insert(subscriber_topics), [{"subscriber_id": ids["later@example.org"], "topic": "peace"}])
        conn.execute(delete(subscriber_topics).where(subscriber_topics.c.subscriber_id == ids["asia@example.org"]))
    again = cli("--config", config, "send", campaign, "--now")
    assert again.code == 0, again.err
    assert [str(m["To"]) for m in outbox_messages(tmp_path)] == ["Asia <asia@example.org>"]


def test_the_whole_list_still_works_with_list_and_audience_as_a_name(cli, db_config, audience_config, campaign_copy, tmp_path):
    config = audience_config()
    add_people(open_db(db_config), EVERYONE)
    campaign = segment_campaign(campaign_copy, '"research"')
    sent = cli("--config", config, "send", campaign, "--now")
    assert sent.code == 0, sent.err
    received = {str(m["To"]).split("<")[-1].rstrip(">") for m in outbox_messages(tmp_path)}
    paused = {"paused@example.org"}  # whole list: active, unsuppressed, not paused
    assert received == {p.email for p in EVERYONE if p.lists.get("research") == "active" and not p.suppressed} - paused
    with open_db(db_config).connect() as conn:
        row = conn.execute(select(audiences.c.description, audiences.c.filter.is_(None))).one()
    assert tuple(row) == ("research subscribers", True)


def test_a_changed_audience_needs_a_new_approval(cli, tmp_path, campaign_copy):
    campaign = segment_campaign(campaign_copy)
    assert cli("approve", campaign, "--by", "Jane Doe").code == 0
    campaign.write_text(campaign.read_text(encoding="utf-8").replace('"asia", "peace"', '"asia"'), encoding="utf-8")
    refused = cli("send", campaign, "--now")
    assert refused.code == 1
    assert "changed since approval" in refused.err and "email audience" in refused.err and "email html" not in refused.err


def test_the_preview_states_the_audience_and_its_size(cli, db_config, audience_config, campaign_copy, tmp_path):
    config = audience_config()
    campaign = segment_campaign(campaign_copy)
    before = cli("--config", config, "preview", campaign, "--out", tmp_path / "p1")
    assert before.code == 0, before.err
    # an SQLite file not created yet: the words only; PostgreSQL: the empty database's size
    expected = f"{WORDS}\n" if db_config.database.startswith("sqlite") else f"{WORDS}: 0 of 0\n"
    assert f"Email audience: {expected}" in before.out
    add_people(open_db(db_config), EVERYONE)
    after = cli("--config", config, "preview", campaign, "--out", tmp_path / "p2")
    assert after.code == 0, after.err
    size = f"{WORDS}: {len(MATCHING)} of 8"
    assert f"Email audience: {size}" in after.out
    assert f"<dt>Audience</dt><dd>{size}</dd>" in (tmp_path / "p2" / "index.html").read_text(encoding="utf-8")


def test_the_preview_never_creates_a_database(cli, campaign_copy, tmp_path):
    campaign = segment_campaign(campaign_copy)
    result = cli("preview", campaign, "--out", tmp_path / "p")
    assert result.code == 0, result.err
    assert f"Email audience: {WORDS}\n" in result.out
    assert not Path("outreach.db").exists()
    forget_engines()
