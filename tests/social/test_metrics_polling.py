"""Reading reactions at their checkpoints, storing samples and failures, and ``outreach metrics``, on SQLite and PostgreSQL.

Posts are published to the emulators the real way; time is injected (``now``)
into the poller, and the emulators' clocks are moved with it so counts grow.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from outreach.campaign import load_campaign
from outreach.cli import main
from outreach.metrics import Checkpoint, Poller, SkipReason, checkpoint_label, due_checkpoint, platform_of, read_now, skip_reason
from outreach.plan import build_plan
from outreach.posting import post_steps
from outreach.store.db import open_db
from outreach.store.metrics_store import PublishedPost, Sample, published_posts, samples_for
from outreach.store.schema import post_metrics
from outreach.channels.reactions import Reactions
from tests.social.emulators import MISSING
from tests.social.test_publish import plan_for  # noqa: F401  (fixture)

H = timedelta(hours=1)
MARKS = [Checkpoint("1h", H), Checkpoint("24h", 24 * H), Checkpoint("7d", 168 * H)]
RETRY = timedelta(minutes=30)
S = datetime(2027, 1, 12, 9, 0, tzinfo=timezone.utc)


def sample(checkpoint: str, at: timedelta, ok: bool = True) -> Sample:
    return Sample(1, 1, S + at, checkpoint, Reactions(1, 1, 1, 1, None, None) if ok else None, None if ok else "X reactions read: HTTP 503")


# -- the checkpoint rule, alone ----------------------------------------------------------------

@pytest.mark.parametrize("samples, at, expected", [
    ([], 30 * timedelta(minutes=1), None),  # nothing reached yet
    ([], H, "1h"),
    ([sample("1h", H)], 2 * H, None),  # done once it has a successful sample
    ([sample("manual", 30 * timedelta(minutes=1))], H, "1h"),  # a read by hand is not a checkpoint
    ([], 8 * 24 * H - H, "7d"),  # down for a week: the latest reached, once, never the earlier ones
    ([sample("7d", 168 * H)], 8 * 24 * H, None),
    ([sample("1h", H, ok=False)], H + 10 * timedelta(minutes=1), None),  # a failure waits retry_minutes
    ([sample("1h", H, ok=False)], H + 31 * timedelta(minutes=1), "1h"),
    ([sample("1h", H, ok=False), sample("1h", H + RETRY, ok=False)], H + 40 * timedelta(minutes=1), None),  # from the last failure
    ([sample("1h", H, ok=False)], 25 * H, "24h"),  # the next checkpoint takes over
    ([sample("7d", 168 * H, ok=False)], 168 * H + 23 * H, "7d"),  # the last is retried for a day
    ([sample("7d", 168 * H, ok=False)], 168 * H + 25 * H, None),  # and no more
    ([], 168 * H + 25 * H, None),
])
def test_due_checkpoint(samples, at, expected):
    mark = due_checkpoint(S, samples, MARKS, S + at, RETRY)
    assert (mark.label if mark else None) == expected


def test_checkpoint_labels():
    assert [checkpoint_label(h) for h in (1, 24, 168, 48, 36, 0.5, 1 / 120)] == ["1h", "24h", "7d", "2d", "36h", "30m", "30s"]


def test_which_platform_a_post_went_to(config):
    def post(remote_id: str, url: str, channel: str | None = None) -> PublishedPost:
        return PublishedPost(1, "c", 2, 1, remote_id, url, S, channel, {})

    assert platform_of(post("1001", "https://x.com/i/web/status/1001", channel="mastodon"), config) == "mastodon"  # the schedule says
    assert platform_of(post("1001", "https://x.com/i/web/status/1001"), config) == "x"
    assert platform_of(post("1001", "https://twitter.com/diis/status/1001"), config) == "x"
    assert platform_of(post("at://did:plc:a/app.bsky.feed.post/3l1", "https://bsky.app/profile/a/post/3l1"), config) == "bluesky"
    assert platform_of(post("3l1", "https://bsky.app/profile/a/post/3l1"), config) == "bluesky"  # marked posted by a person
    assert platform_of(post("111", "https://mastodon.social/@diis/111"), config) == "mastodon"  # the configured instance
    assert platform_of(post("111", "https://elsewhere.example/@diis/111"), config) is None
    assert skip_reason(post("111", "https://elsewhere.example/@diis/111"), config) == SkipReason.UNKNOWN_PLATFORM
    assert skip_reason(post("outbox:c/2/1", "file:///tmp/outbox/posts/c/step-02-x-part-1.json"), config) == SkipReason.OUTBOX


# -- polling against the emulators ---------------------------------------------------------------

@pytest.fixture
def published(plan_for, social_config):  # noqa: F811
    """Publish the sample (4 tweets, 1 status, 1 Bluesky post); return the time the last went out."""
    assert all(r.done for r in post_steps(social_config, plan_for()))
    posts = published_posts(open_db(social_config))
    assert len(posts) == 7
    return max(p.sent_at for p in posts)


@pytest.fixture
def apis(x_api, mastodon_api, bluesky_api, linkedin_api):
    return (x_api, mastodon_api, bluesky_api, linkedin_api)


def advance(apis, delta: timedelta) -> None:
    for api in apis:
        api.advance(delta.total_seconds())


def stored(config) -> dict[int, list[Sample]]:
    return samples_for(open_db(config), [p.delivery_id for p in published_posts(open_db(config))])


def gets(api, path: str) -> int:
    return sum(1 for r in api.requests if r["method"] == "GET" and r["path"].startswith(path))


def test_each_checkpoint_is_read_once_and_counts_grow(social_config, published, apis):
    poller = Poller(social_config)
    sessions = apis[2].sessions
    assert poller.poll(now=lambda: published + 30 * timedelta(minutes=1)) == []
    first = poller.poll(now=lambda: published + H + timedelta(minutes=1))
    assert len(first) == 7 and all(r.ok and r.checkpoint == "1h" for r in first)
    assert poller.poll(now=lambda: published + 2 * H) == [], "a checkpoint with a sample is done"
    advance(apis, 24 * H)
    second = poller.poll(now=lambda: published + 24 * H + timedelta(minutes=1))
    assert len(second) == 7 and all(r.ok and r.checkpoint == "24h" for r in second)
    assert apis[2].sessions == sessions + 1, "the poller logs in to Bluesky once, not every round"
    series = stored(social_config)
    assert all([s.checkpoint for s in v] == ["1h", "24h"] for v in series.values()) and len(series) == 7
    for samples in series.values():
        assert samples[1].reactions.likes > samples[0].reactions.likes, "the counts grew between the two reads"
        assert samples[1].taken_at > samples[0].taken_at


def test_a_dispatcher_down_for_a_week_reads_the_latest_checkpoint_once(social_config, published, apis):
    poller = Poller(social_config)
    late = poller.poll(now=lambda: published + 7 * 24 * H + 12 * H)
    assert sorted({r.checkpoint for r in late}) == ["7d"] and len(late) == 7
    assert poller.poll(now=lambda: published + 7 * 24 * H + 13 * H) == []
    with open_db(social_config).connect() as conn:
        assert conn.execute(select(func.count()).select_from(post_metrics)).scalar_one() == 7


def test_a_post_another_dispatcher_read_meanwhile_is_not_read_again(social_config, published, apis):
    at = published + H + timedelta(minutes=1)
    other, calls = Poller(social_config), []

    def clock():  # the first dispatcher's second look at the time: the other one has just done its round
        calls.append(1)
        if len(calls) == 2:
            assert len(other.poll(now=lambda: at)) == 7
        return at

    requests = sum(len(api.requests) for api in apis)
    assert Poller(social_config).poll(now=clock) == []
    assert sum(len(api.requests) for api in apis) - requests == 7 + 1, "seven reads, and the other's Bluesky login"
    with open_db(social_config).connect() as conn:
        assert conn.execute(select(func.count()).select_from(post_metrics)).scalar_one() == 7


@pytest.mark.parametrize("failure, words", [("503", "HTTP 503"), ("drop", "no answer"), ("garbage", "not JSON"), ("401", "401")])
def test_a_failed_read_is_stored_then_retried_after_retry_minutes(social_config, published, apis, failure, words):
    x_api, mastodon_api, bluesky_api, _ = apis
    status_id = mastodon_api.statuses and next(iter(mastodon_api.statuses))
    mastodon_api.fail(f"/api/v1/statuses/{status_id}", failure)
    poller = Poller(social_config, say=lambda line: said.append(line))
    said: list[str] = []
    at = published + H + timedelta(minutes=1)
    readings = poller.poll(now=lambda: at)
    [bad] = [r for r in readings if not r.ok]
    assert words in bad.error and "\n" not in bad.error and mastodon_api.token not in bad.error
    assert len(said) == 1 and words in said[0], said
    assert poller.poll(now=lambda: at + 10 * timedelta(minutes=1)) == [], "not before retry_minutes"
    again = poller.poll(now=lambda: at + 31 * timedelta(minutes=1))
    assert [r.post.delivery_id for r in again] == [bad.post.delivery_id] and again[0].ok
    [series] = [v for k, v in stored(social_config).items() if k == bad.post.delivery_id]
    assert [(s.checkpoint, s.ok) for s in series] == [("1h", False), ("1h", True)]
    assert series[0].error == bad.error and series[0].reactions is None


def test_a_rate_limit_holds_the_platform_until_its_reset(social_config, published, apis):
    x_api = apis[0]
    reset = int(time.time()) + 6 * 3600
    x_api.fail("/2/tweets", f"429 x-rate-limit-reset={reset}")
    poller = Poller(social_config)
    before = gets(x_api, "/2/tweets")
    first = poller.poll(now=lambda: published + H + timedelta(minutes=1))
    assert gets(x_api, "/2/tweets") - before == 1, "the other tweets are not asked for once X said 429"
    assert len(first) == 4 and sum(not r.ok for r in first) == 1 and "retry after" in next(r.error for r in first if not r.ok)
    assert poller.poll(now=lambda: published + 2 * H) == [] and gets(x_api, "/2/tweets") - before == 1, "held until the reset"
    later = poller.poll(now=lambda: published + 7 * H)
    assert len(later) == 4 and all(r.ok and r.checkpoint == "1h" for r in later)


def test_a_deleted_post_and_hostile_counts_are_stored(social_config, published, apis):
    x_api, mastodon_api, bluesky_api, _ = apis
    bluesky_api.delete(next(iter(bluesky_api.records)))
    mastodon_api.set_reactions(next(iter(mastodon_api.statuses)), likes="many", reposts=-1, replies=10**40, quotes=MISSING)
    Poller(social_config).poll(now=lambda: published + H + timedelta(minutes=1))
    with open_db(social_config).connect() as conn:
        rows = conn.execute(select(post_metrics).order_by(post_metrics.c.id)).all()
    assert len(rows) == 7
    gone = [r for r in rows if r.error]
    assert len(gone) == 1 and "the post was deleted" in gone[0].error and gone[0].likes is None
    hostile = [r for r in rows if not r.error and r.likes is None]
    assert len(hostile) == 1 and (hostile[0].reposts, hostile[0].replies, hostile[0].quotes) == (None, None, None)
    assert gone[0].gone and not any(r.gone for r in rows if not r.error)
    # a deleted post is not asked about again: not at its retry time, not at the next checkpoints
    asked = gets(bluesky_api, "/xrpc/app.bsky.feed.getPosts")
    poller = Poller(social_config)
    for later in (H + 40 * timedelta(minutes=1), 24 * H + timedelta(minutes=1), 168 * H + timedelta(minutes=1), 168 * H + 2 * H):
        advance(apis, timedelta(hours=1))
        poller.poll(now=lambda: published + later)
    assert gets(bluesky_api, "/xrpc/app.bsky.feed.getPosts") == asked
    with open_db(social_config).connect() as conn:
        assert conn.execute(select(func.count()).select_from(post_metrics).where(post_metrics.c.gone)).scalar_one() == 1


def test_outbox_posts_are_skipped_with_a_reason(plan_for, db_config, monkeypatch):  # noqa: F811
    for name in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET", "MASTODON_ACCESS_TOKEN", "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD",
                 "LINKEDIN_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config = db_config.model_copy(update={"require_approval": False})
    from tests.conftest import SAMPLE
    assert all(r.done for r in post_steps(config, build_plan(load_campaign(SAMPLE), config)))
    posts = published_posts(open_db(config))
    assert posts and all(p.remote_id.startswith("outbox:") for p in posts)
    later = max(p.sent_at for p in posts) + 8 * 24 * H
    assert Poller(config).poll(now=lambda: later) == []
    readings = read_now(config)
    assert {r.skipped for r in readings} == {SkipReason.OUTBOX} and len(readings) == len(posts)
    with open_db(config).connect() as conn:
        assert conn.execute(select(func.count()).select_from(post_metrics)).scalar_one() == 0


# -- outreach metrics ---------------------------------------------------------------------------------

def _config_file(tmp_path, config, apis) -> str:
    x_api, mastodon_api, bluesky_api, linkedin_api = apis
    path = tmp_path / "metrics.toml"
    path.write_text(f'database = "{config.database}"\noutbox = "{config.outbox}"\n'
                    f'[x]\napi_base = "{x_api.url}"\n[mastodon]\ninstance = "{mastodon_api.url}"\n[bluesky]\nservice = "{bluesky_api.url}"\n'
                    f'[linkedin]\napi_base = "{linkedin_api.url}"\nauthor = "{linkedin_api.author}"\n',
                    encoding="utf-8")
    return str(path)


def test_outreach_metrics_reads_every_post_now(social_config, published, apis, tmp_path, capsys):
    x_api, mastodon_api, bluesky_api, _ = apis
    config_file = _config_file(tmp_path, social_config, apis)
    x_api.set_reactions(next(iter(x_api.tweets)), likes=4242)
    assert main(["--config", config_file, "metrics", "soldier-defections-myanmar"]) == 0
    shown = capsys.readouterr()
    assert "4242" in shown.out and "https://bsky.app/profile/diis.test/post/" in shown.out and f"{mastodon_api.url}/@diis/" in shown.out
    assert shown.err == ""
    series = stored(social_config)
    assert len(series) == 7 and all([s.checkpoint for s in v] == ["manual"] and v[0].ok for v in series.values())
    # a read that fails: shown in the table, said in one line, exit 1; and a campaign with no posts
    mastodon_api.token = "revoked"
    assert main(["--config", config_file, "metrics"]) == 1
    shown = capsys.readouterr()
    assert "401" in shown.out and shown.err.strip() == "1 of 7 posts could not be read (see the note column); run it again later"
    assert "revoked" not in shown.out + shown.err
    assert main(["--config", config_file, "metrics", "no-such-campaign"]) == 0
    assert "no published posts in no-such-campaign" in capsys.readouterr().out


def test_outreach_metrics_asks_a_rate_limited_platform_nothing_more(social_config, published, apis, tmp_path, capsys):
    x_api = apis[0]
    x_api.fail("/2/tweets", "429")
    before = gets(x_api, "/2/tweets")
    assert main(["--config", _config_file(tmp_path, social_config, apis), "metrics"]) == 1
    shown = capsys.readouterr()
    assert gets(x_api, "/2/tweets") - before == 1, "after X's 429 the other tweets are not asked for"
    assert shown.out.count("not asked: X reactions read: HTTP 429") == 3 and "4 of 7 posts could not be read" in shown.err
    series = stored(social_config)
    assert sum(len(v) for v in series.values()) == 4, "the 429 and the three other platforms' reads are stored; what was not asked is not"
