"""Publishing to the X, Mastodon, Bluesky and LinkedIn emulators over real HTTP: posts, threads, images, resumption."""

from __future__ import annotations

import json
import pytest

from outreach.campaign import load_campaign
from outreach.channels.bluesky_facts import short_url
from outreach.plan import build_plan
from outreach.posting import post_step, post_steps, resolve
from outreach.store.db import open_db
from outreach.store.ledger_queries import deliveries_in

FAST = (0.01, 0.01)
THREAD5 = '''thread = [
    "Part one of five about defections {{ report.url }}",
    "Part two: moral outrage at violence against civilians.",
    "Part three: demoralisation with a corrupt organisation.",
    "Part four: what keeps soldiers from leaving.",
    "Part five: what the opposition can do.",
]'''


@pytest.fixture
def plan_for(campaign_copy, social_config):
    def make(edit=None):
        return build_plan(load_campaign(campaign_copy(edit)), social_config)
    return make


def five_part_x_thread(text: str) -> str:
    start = text.index("thread = [")
    end = text.index("]\n", start) + 2
    return text[:start] + THREAD5 + "\n" + text[end:]


BLUESKY_POST = 'channel = "bluesky"\nat = 2027-01-12T10:00:00\ntext = """'


def bluesky_thread(text: str, *more_parts: str, header: str = "") -> str:
    """Turn the sample's Bluesky post into a thread: its text, then ``more_parts``."""
    extra = "".join(", " + json.dumps(p, ensure_ascii=False) for p in more_parts)  # a TOML basic string
    text = text.replace(BLUESKY_POST, 'channel = "bluesky"\nat = 2027-01-12T10:00:00\n' + header + 'thread = ["""')
    return text.replace('{{ report.url }}\n"""\n', '{{ report.url }}\n"""' + extra + ']\n')


def expire_waits(config) -> None:
    """Pretend every rate-limit reset and backoff time has passed."""
    from sqlalchemy import update

    from outreach.store.schema import deliveries
    with open_db(config).begin() as conn:
        conn.execute(update(deliveries).values(not_before=None))


def step(plan, channel):
    return next(s for s in plan.steps if s.channel == channel)


def test_all_four_channels_publish_the_sample(plan_for, social_config, x_api, mastodon_api, bluesky_api, linkedin_api):
    plan = plan_for()
    results = post_steps(social_config, plan)
    assert [r.done for r in results] == [True, True, True, True]
    # X: a 4-part thread, each replying to the previous, the cover with alt text on the first
    tweets = list(x_api.tweets.values())
    assert len(tweets) == 4
    ids = list(x_api.tweets)
    assert [t["reply_to"] for t in tweets] == [None, *ids[:3]]
    assert tweets[0]["media"][0]["alt"].startswith("Report cover:")
    assert all(r["headers"]["Authorization"].startswith("OAuth ") for r in x_api.requests)
    # Mastodon: one status with a described image and an idempotency key
    [status] = mastodon_api.statuses.values()
    assert status["media"][0]["description"].startswith("Report cover:")
    assert status["idempotency_key"]
    # Bluesky: a link card with the cover as thumbnail, and a clickable link facet
    [record] = [r["record"] for r in bluesky_api.records.values()]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert record["embed"]["external"]["thumb"]["ref"]["$link"] in bluesky_api.blobs
    link = next(f for f in record["facets"] if f["features"][0]["$type"] == "app.bsky.richtext.facet#link")
    data = record["text"].encode()
    assert data[link["index"]["byteStart"]:link["index"]["byteEnd"]].decode() == short_url(link["features"][0]["uri"]) == "example.org/PLACEHOLDER-..."
    assert "utm_source=bluesky" in link["features"][0]["uri"]
    # LinkedIn: one post, the report's article card with the cover uploaded as its thumbnail
    [post] = linkedin_api.posts.values()
    assert post["content"]["article"]["thumbnail"] in linkedin_api.images and not post["truncated"]
    urls = [p.url for r in results for p in r.parts]
    assert all(u.startswith(("https://x.com/i/web/status/", f"{mastodon_api.url}/@diis/", "https://bsky.app/profile/diis.test/post/",
                             "https://www.linkedin.com/feed/update/urn:li:share:")) for u in urls)


def test_running_again_posts_nothing_twice(plan_for, social_config, x_api, mastodon_api, bluesky_api):
    plan = plan_for()
    post_steps(social_config, plan)
    again = post_steps(social_config, plan)
    assert all(r.done for r in again)
    assert (len(x_api.tweets), len(mastodon_api.statuses), len(bluesky_api.records)) == (4, 1, 1)
    assert bluesky_api.sessions == 1, "the Bluesky session is reused, not a login per post"


@pytest.mark.parametrize("failure, state, detail", [
    ("429", "queued", "retry after"),
    ("503", "queued", "503"),  # failed three times: more than the in-run retries
    ("duplicate", "failed", "duplicate"),
    ("401", "queued", "credentials refused"),
    ("drop", "unknown", "no answer"),
])
def test_x_failure_modes_resume_mid_thread(plan_for, social_config, x_api, failure, state, detail):
    plan = plan_for(five_part_x_thread)
    x_step = step(plan, "x")
    x_api.fail("/2/tweets", "ok", "ok", *([failure] * (3 if failure == "503" else 1)))  # parts 1 and 2 go out, part 3 fails
    first = post_step(social_config, plan, x_step, retry_waits=FAST)
    assert [p.state for p in first.parts[:2]] == ["sent", "sent"]
    assert first.parts[2].state == state and detail in (first.parts[2].detail or "")
    assert first.halted
    posted_before = len(x_api.tweets)
    assert posted_before == (3 if failure == "drop" else 2)  # a dropped answer: the tweet exists

    if state == "unknown":
        # never reposted automatically; a person says it was posted
        again = post_step(social_config, plan, x_step, retry_waits=FAST)
        assert again.parts[2].state == "unknown" and len(x_api.tweets) == posted_before
        third_id = list(x_api.tweets)[2]
        resolve(social_config, plan.campaign.slug, x_step.number, 3, posted_url=f"https://x.com/i/web/status/{third_id}", resend=False)
    elif state == "queued":
        expire_waits(social_config)
    else:
        return  # a rejected part stops the thread for good: nothing more is posted
    resumed = post_step(social_config, plan, x_step, retry_waits=FAST)
    assert resumed.done, resumed
    tweets = list(x_api.tweets.values())
    assert len(tweets) == 5, "no part posted twice"
    ids = list(x_api.tweets)
    assert [t["reply_to"] for t in tweets] == [None, *ids[:4]], "part 4 replies to part 3, and so on"


def test_a_single_503_is_retried_within_the_run(plan_for, social_config, x_api):
    plan = plan_for(five_part_x_thread)
    x_api.fail("/2/tweets", "ok", "503")
    result = post_step(social_config, plan, step(plan, "x"), retry_waits=FAST)
    assert result.done and len(x_api.tweets) == 5
    assert len(x_api.posted("/2/tweets")) == 6


def test_mastodon_rate_limit_and_idempotent_retry(plan_for, social_config, mastodon_api):
    plan = plan_for()
    m_step = step(plan, "mastodon")
    mastodon_api.fail("/api/v1/statuses", "429")
    first = post_step(social_config, plan, m_step, retry_waits=FAST)
    assert first.parts[0].state == "queued" and "retry after" in first.parts[0].detail
    [row] = deliveries_in(open_db(social_config), plan.campaign.slug, ["queued"], step=m_step.number)
    assert row.not_before is not None
    # a dropped answer is retried with the same Idempotency-Key: the instance returns the first status
    expire_waits(social_config)
    mastodon_api.fail("/api/v1/statuses", "drop")
    second = post_step(social_config, plan, m_step, retry_waits=FAST)
    assert second.done
    assert len(mastodon_api.statuses) == 1
    keys = {r["headers"].get("Idempotency-Key") for r in mastodon_api.posted("/api/v1/statuses")}
    assert len(keys) == 1


def test_mastodon_instance_limit_is_honoured(plan_for, social_config, mastodon_api):
    mastodon_api.limit = 100
    plan = plan_for()
    result = post_step(social_config, plan, step(plan, "mastodon"), retry_waits=FAST)
    assert result.parts[0].state == "failed" and "this instance allows 100" in result.parts[0].detail
    assert not mastodon_api.statuses


def test_bluesky_thread_with_images_and_reply_refs(plan_for, social_config, bluesky_api):
    images = 'image = "cover"\nimages = [{ path = "soldier-defections-myanmar-cover.png", alt = "Second copy of the cover" }]\n'
    plan = plan_for(lambda t: bluesky_thread(t, "Second part 🇩🇰 Søren, ဗမာ: https://example.org/x #Myanmar", header=images))
    result = post_step(social_config, plan, step(plan, "bluesky"), retry_waits=FAST)
    assert result.done, result
    first, second = [bluesky_api.records[u]["record"] for u in bluesky_api.records]
    assert [i["alt"] for i in first["embed"]["images"]] == [first["embed"]["images"][0]["alt"], "Second copy of the cover"]
    assert first["embed"]["images"][0]["alt"].startswith("Report cover:")
    uris = list(bluesky_api.records)
    assert second["reply"]["root"]["uri"] == uris[0] and second["reply"]["parent"]["uri"] == uris[0]
    data = second["text"].encode("utf-8")
    spans = {f["features"][0]["$type"].rsplit("#")[1]: data[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in second["facets"]}
    assert spans == {"link": "example.org/x", "tag": "#Myanmar"}
    assert [f["features"][0]["uri"] for f in second["facets"] if f["features"][0]["$type"].endswith("#link")] == ["https://example.org/x"]


def test_bluesky_bad_password_is_auth_failure(plan_for, social_config, bluesky_api, monkeypatch):
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "wrong")
    plan = plan_for()
    result = post_step(social_config, plan, step(plan, "bluesky"), retry_waits=FAST)
    assert result.parts[0].state == "queued" and "refused the login" in result.parts[0].detail
    assert not bluesky_api.records
    [row] = deliveries_in(open_db(social_config), plan.campaign.slug, ["queued"], step=step(plan, "bluesky").number)
    assert row.not_before is not None and (row.not_before - row.updated_at).total_seconds() > 600, "waits for a person, not every poll"


def test_bluesky_thread_resumes_after_a_part_a_person_marked_posted(plan_for, social_config, bluesky_api):
    plan = plan_for(lambda t: bluesky_thread(t, "Second part", "Third part"))
    b_step = step(plan, "bluesky")
    bluesky_api.fail("/xrpc/com.atproto.repo.createRecord", "ok", "drop")  # part 2 is created, its answer lost
    first = post_step(social_config, plan, b_step, retry_waits=FAST)
    assert [p.state for p in first.parts] == ["sent", "unknown", "queued"]
    second_uri = list(bluesky_api.records)[1]
    resolve(social_config, plan.campaign.slug, b_step.number, 2, posted_url=f"https://bsky.app/profile/diis.test/post/{second_uri.rsplit('/', 1)[1]}", resend=False)
    resumed = post_step(social_config, plan, b_step, retry_waits=FAST)
    assert resumed.done and len(bluesky_api.records) == 3
    third = bluesky_api.records[list(bluesky_api.records)[2]]["record"]
    assert third["reply"]["parent"]["uri"] == second_uri and third["reply"]["root"]["uri"] == list(bluesky_api.records)[0]
