"""The report's numbers, read from rows written straight into the tables (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from outreach.report.data import TrackingMode, UnknownCampaign, gather
from outreach.store.db import open_db
from outreach.store.report_queries import unsubscribed_addresses
from outreach.store.schema import audit, deliveries, links
from tests.report.seed import EXPECTED, HOSTILE_ERROR, HOSTILE_POST_URL, T0, seed


@pytest.fixture
def engine(db_config):
    engine = open_db(db_config)
    seed(engine)
    return engine


def test_email_numbers(engine):
    email = gather(engine, "spring", "aggregate").email
    assert email is not None
    assert (email.audience_total, email.sent) == (EXPECTED.audience, EXPECTED.sent)
    assert [(a.step, a.list_name, a.total) for a in email.audiences] == [(1, "research", EXPECTED.audience)]
    assert (email.bounced_hard, email.bounced_soft, email.complaints) == (EXPECTED.bounced_hard, EXPECTED.bounced_soft, EXPECTED.complaints)
    assert email.unsubscribes == len(EXPECTED.unsubscribed)
    assert email.states["suppressed"] == 1 and email.states["unknown"] == 1


def test_unsubscribes_are_attributed_by_last_touch_on_the_list(engine):
    # a: left research after spring; g: by mail (event and audit row, once); b: another list; e: the complaint's
    # unsubscribe; h: left after summer reached it; i: left before spring was enqueued
    assert unsubscribed_addresses(engine, "spring") == EXPECTED.unsubscribed
    assert unsubscribed_addresses(engine, "summer") == {"h@example.org"}


def test_an_unsubscribe_between_the_send_and_the_next_campaign_stays_with_the_first(engine):
    with engine.begin() as conn:  # h left research before summer was enqueued: spring's
        conn.execute(insert(audit), [{"at": T0 + timedelta(days=1), "action": "unsubscribed", "email": "h@example.org", "list": "research",
                                      "source": "one-click"}])
    assert "h@example.org" in unsubscribed_addresses(engine, "spring")


def test_an_unknown_campaign_is_refused_and_a_posts_only_one_has_no_email_section(engine):
    with pytest.raises(UnknownCampaign, match="no campaign 'autumn'"):
        gather(engine, "autumn", "aggregate")
    with engine.begin() as conn:
        conn.execute(insert(deliveries), [{"campaign": "winter", "step": 1, "target": "part-1", "part": 1, "state": "queued", "attempts": 0,
                                           "updated_at": T0}])
    report = gather(engine, "winter", "aggregate")
    assert report.email is None and [p.state for p in report.posts] == ["queued"]
    assert report.posts[0].note == "not published (queued): no reactions"


def test_clicks_per_link_and_hour(engine):
    clicks = gather(engine, "spring", "aggregate").clicks
    assert [(link.position, link.human, link.machine) for link in clicks.links] == list(EXPECTED.link_clicks)
    assert (clicks.human, clicks.machine) == (EXPECTED.human, EXPECTED.machine)
    assert [(h.hour, h.human, h.machine) for h in clicks.hours] == list(EXPECTED.hours)


def test_aggregate_mode_knows_no_unique_clickers(engine):
    clicks = gather(engine, "spring", "aggregate").clicks
    assert clicks.mode == TrackingMode.AGGREGATE
    assert clicks.unique_total is None and all(link.unique is None for link in clicks.links)
    assert "unique clickers are not known, by design" in clicks.note


def test_individual_mode_counts_people_once_and_leaves_machines_out(engine):
    clicks = gather(engine, "spring", "individual").clicks
    assert tuple(link.unique for link in clicks.links) == EXPECTED.unique_per_link
    assert clicks.unique_total == EXPECTED.unique_total


def test_tracking_off_is_said(engine):
    clicks = gather(engine, "spring", "off").clicks
    assert clicks.note.startswith("click tracking is off")
    assert clicks.unique_total is None


def test_posts_and_their_reactions_over_time(engine):
    posts = gather(engine, "spring", "aggregate", {3: "mastodon"}).posts
    assert [(p.step, p.part, p.channel) for p in posts] == [(2, 1, "x"), (2, 2, "x"), (3, 1, "mastodon")]
    first, second, outbox = posts
    assert [r.checkpoint for r in first.readings] == ["1h", "24h", "7d"]
    assert first.latest is not None and (first.latest.likes, first.latest.reposts, first.latest.impressions) == (10, 4, 900)
    assert first.failed is not None and first.failed.error == HOSTILE_ERROR and "tried again later" in (first.note or "")
    assert first.measures == ("likes", "reposts", "replies", "quotes", "impressions")  # bookmarks: never exposed
    assert second.url == HOSTILE_POST_URL
    assert outbox.outbox and outbox.readings == () and "outbox" in (outbox.note or "")


def test_a_campaign_sent_in_aggregate_mode_never_shows_unique_clickers_whatever_the_setting_now(db_config):
    """The setting changed to individual after the send: the counts cannot name anybody, and the report says so."""
    engine = open_db(db_config)
    seed(engine)
    with engine.begin() as conn:
        conn.execute(update(links).where(links.c.campaign == "spring", links.c.position == 2).values(individual=False))
    clicks = gather(engine, "spring", "individual").clicks
    assert clicks.mode.value == "aggregate" and clicks.unique_total is None
    assert all(link.unique is None for link in clicks.links)
    assert "went out with aggregate click tracking" in clicks.note
    assert gather(engine, "summer", "individual").clicks.unique_total is not None, "a campaign sent individually still counts them"
