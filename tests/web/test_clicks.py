"""``/c/<token>`` over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL.

The redirect goes only to the stored link; forged tokens go nowhere; machine clicks
are counted apart; aggregate mode stores counts and nothing else; a click is counted
before it is answered, and a click that cannot be counted is not followed.
"""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import datetime, timezone

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text

from outreach.config import TrackingConfig
from outreach.store.db import open_db
from outreach.store.schema import click_counts, clicks, deliveries, links, metadata
from outreach.tokens import CLICK_TOKEN_LENGTH, ClickClaims, ClickMode, make_click_token
from tests.helpers import keyring, raw_get

KEYS = keyring(b"web-test-key")
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0"
SENT = int(time.time()) - 3600  # one send time for every token (a message is its number and send time)
MESSAGE = 987_654_321_012_345  # a random per-message number: it must never reach the database in aggregate mode
URLS = {
    1: "https://www.diis.dk/en/research/soldier-defections?utm_source=newsletter&utm_medium=email&utm_campaign=soldier-defections",
    2: "https://www.diis.dk/en/experts/jane-doe?utm_source=newsletter&utm_medium=email&utm_campaign=soldier-defections#bio",
    3: "http://example.org/other-campaign?utm_source=newsletter&utm_campaign=other",
}
UNSAFE = {10: "javascript:alert(document.domain)", 11: "data:text/html,<script>alert(1)</script>", 12: "mailto:a@example.org",
          13: "//evil.example/x", 14: "https:///no-host", 15: "https://example.org/a b", 16: "https://example.org/\r\nSet-Cookie: x=1",
          17: "ftp://example.org/f", 18: " https://example.org/"}


def seed(config, urls: dict[int, str] | None = None, deliveries_n: int = 0) -> None:
    stamp = datetime.now(timezone.utc)
    urls = urls or URLS
    with open_db(config).begin() as conn:
        conn.execute(insert(links), [{"id": i, "campaign": "other" if i == 3 else "soldier-defections", "url": url, "url_hash": f"h{i}",
                                      "label": None, "position": i, "created_at": stamp} for i, url in urls.items()])
        if deliveries_n:
            conn.execute(insert(deliveries), [{"id": i, "campaign": "soldier-defections", "step": 1, "target": f"r{i}@example.org",
                                               "state": "sent", "attempts": 1, "updated_at": stamp} for i in range(1, deliveries_n + 1)])


def token(link_id: int, mode: ClickMode = ClickMode.AGGREGATE, message: int = MESSAGE, sent_at: float | None = None) -> str:
    sent = SENT if sent_at is None else int(sent_at)
    return make_click_token(KEYS, ClickClaims(mode, link_id, sent, message))


def click(server, tok: str, method: str = "GET", agent: str | None = BROWSER, path_extra: str = "") -> httpx.Response:
    headers = {"user-agent": agent} if agent is not None else {"user-agent": ""}
    return httpx.request(method, f"{server.url}/c/{tok}{path_extra}", headers=headers, follow_redirects=False, timeout=30)


def counts(config) -> dict[int, tuple[int, int]]:
    with open_db(config).connect() as conn:
        rows = conn.execute(select(click_counts.c.link_id, func.sum(click_counts.c.human), func.sum(click_counts.c.machine))
                            .group_by(click_counts.c.link_id)).all()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def every_row(config) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), to compare before and after."""
    with open_db(config).connect() as conn:
        return {t.name: sorted((tuple(map(repr, r)) for r in conn.execute(select(t))), key=repr) for t in metadata.sorted_tables}


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.status_code
    assert "location" not in response.headers and not response.is_redirect


def test_redirects_to_the_stored_url_exactly_and_counts_a_person(live):
    seed(live.config)
    response = click(live, token(1))
    assert response.status_code == 302
    assert response.headers["location"] == URLS[1]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert counts(live.config) == {1: (1, 0)}


def test_the_target_comes_only_from_the_stored_link(live):
    seed(live.config)
    # each token goes to its own link's URL, whatever campaign it belongs to and whatever the request adds
    for link_id in (1, 2, 3):
        assert click(live, token(link_id, message=link_id), path_extra="?url=https://evil.example/&next=//evil.example").headers["location"] == URLS[link_id]
    assert_not_found(click(live, token(1, message=1), path_extra="/https://evil.example/"))
    assert counts(live.config) == {1: (1, 0), 2: (1, 0), 3: (1, 0)}


def _flip(tok: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(tok))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode()


def test_forged_altered_and_malformed_tokens_redirect_nowhere(live):
    seed(live.config)
    before = every_row(live.config)
    good = token(1)
    bad = [
        make_click_token(keyring(b"not-the-key"), ClickClaims(ClickMode.AGGREGATE, 1, int(time.time()) - 3600, MESSAGE)),  # forged
        *(_flip(good, i) for i in range(39)),  # every byte of the tag and the sealed body altered
        good[:-1], good[:-4], good[1:], good + "A", good + "AAAA", "",  # truncated, extended
        "+" + good[1:], good[:-1] + "/", good.lower(), good.upper(), "x" * CLICK_TOKEN_LENGTH, "A" * CLICK_TOKEN_LENGTH, "../" * 10, "%00" * 20,
        token(999),  # valid signature, no such link
    ]
    for tok in (t for t in bad if t != good):
        response = click(live, tok)
        assert response.status_code in (404,), (tok, response.status_code)
        assert "location" not in response.headers
    assert every_row(live.config) == before


def test_unsafe_stored_urls_are_never_redirected_to(live):
    seed(live.config, UNSAFE)
    before = every_row(live.config)
    for link_id in UNSAFE:
        assert_not_found(click(live, token(link_id)))
    assert every_row(live.config) == before


@pytest.fixture
def fuzz_server(live):
    seed(live.config)
    with httpx.Client(base_url=live.url, timeout=30, follow_redirects=False) as client:
        yield live, client


@given(st.one_of(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=40, max_size=48),
                 st.binary(min_size=33, max_size=33).map(lambda b: base64.urlsafe_b64encode(b).decode()),
                 st.text(max_size=80)),
       st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzzed_tokens_never_redirect(fuzz_server, tok, slashes):
    server, client = fuzz_server
    from urllib.parse import quote

    response = client.get(f"/c/{quote(tok, safe='/' if slashes else '')}", headers={"user-agent": BROWSER})
    assert response.status_code == 404, response.status_code
    assert "location" not in response.headers
    assert counts(server.config) == {}


def test_head_is_counted_as_a_machine(live):
    seed(live.config)
    response = click(live, token(1), method="HEAD")
    assert response.status_code == 302 and response.headers["location"] == URLS[1]
    assert counts(live.config) == {1: (0, 1)}


@pytest.mark.parametrize("agent", ["Barracuda Sentinel (EE)", "Mozilla/5.0 (compatible) BingPreview/1.0b", "curl/8.5.0", None])
def test_scanner_user_agents_are_machines(live, agent):
    seed(live.config)
    assert click(live, token(2), agent=agent).status_code == 302
    assert counts(live.config) == {2: (0, 1)}


def endpoint(server):
    """The server's click endpoint (its clock can be set, so the timing rules do not depend on how busy the machine is)."""
    return next(r.endpoint.__self__ for r in server.server.config.app.router.routes if getattr(r, "path", "") == "/c/{token:path}")


def test_a_click_right_after_the_send_is_a_machine(live):
    seed(live.config)
    clock = endpoint(live)
    clock.clock = lambda: SENT + 9.5  # machine_seconds is 10 by default
    assert click(live, token(1)).status_code == 302
    clock.clock = lambda: SENT + 10.0
    assert click(live, token(1, message=5)).status_code == 302
    assert counts(live.config) == {1: (1, 1)}


def test_a_burst_across_links_moves_the_earlier_click_to_machine(live):
    seed(live.config)
    clock = endpoint(live)
    clock.clock = lambda: SENT + 600.0
    assert click(live, token(1)).status_code == 302
    assert counts(live.config) == {1: (1, 0)}  # a person, until...
    clock.clock = lambda: SENT + 601.9
    assert click(live, token(2)).status_code == 302  # ...another link of the same message follows at once
    assert counts(live.config) == {1: (0, 1), 2: (0, 1)}
    assert click(live, token(3, message=MESSAGE + 1)).status_code == 302  # another message is a person
    clock.clock = lambda: SENT + 604.0
    assert click(live, token(3)).status_code == 302  # the same message, but more than 2 seconds later
    assert counts(live.config) == {1: (0, 1), 2: (0, 1), 3: (2, 0)}


def test_aggregate_mode_writes_only_click_counts_and_nothing_about_the_reader(live):
    seed(live.config, deliveries_n=2)
    before = every_row(live.config)
    for link_id, mode in ((1, ClickMode.AGGREGATE), (2, ClickMode.AGGREGATE), (1, ClickMode.INDIVIDUAL)):  # config says aggregate: that wins
        assert click(live, token(link_id, mode=mode, message=MESSAGE if mode is ClickMode.AGGREGATE else 1)).status_code == 302
    after = every_row(live.config)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"click_counts"}
    assert after["clicks"] == []
    cells = " ".join(" ".join(row) for rows in after.values() for row in rows)
    assert str(MESSAGE) not in cells and "127.0.0.1" not in cells and "Firefox" not in cells
    assert set(c.name for c in click_counts.columns) == {"link_id", "hour", "human", "machine"}
    with open_db(live.config).connect() as conn:
        hours = conn.execute(select(click_counts.c.hour)).scalars().all()
    assert all(h.minute == 0 and h.second == 0 and h.microsecond == 0 for h in hours)


def test_individual_mode_records_who_clicked(live_with):
    server = live_with(tracking=TrackingConfig(clicks="individual"))
    seed(server.config, deliveries_n=2)
    assert click(server, token(1, ClickMode.INDIVIDUAL, message=2)).status_code == 302
    assert click(server, token(2, ClickMode.INDIVIDUAL, message=404, sent_at=time.time() - 5)).status_code == 302  # no such delivery, too soon
    assert click(server, token(3, ClickMode.AGGREGATE, message=1)).status_code == 302  # an aggregate token stays aggregate
    with open_db(server.config).connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(clicks.c.link_id, clicks.c.delivery_id, clicks.c.machine_reason).order_by(clicks.c.id))]
    assert rows == [(1, 2, None), (2, None, "too-soon")]
    assert counts(server.config) == {1: (1, 0), 2: (0, 1), 3: (1, 0)}


@pytest.mark.parametrize("tracking", ["aggregate", "individual"])
def test_test_copies_redirect_and_record_nothing(live_with, tracking):
    server = live_with(tracking=TrackingConfig(clicks=tracking))
    seed(server.config, deliveries_n=1)
    before = every_row(server.config)
    for method in ("GET", "HEAD"):
        response = click(server, token(1, ClickMode.TEST, message=1), method=method)
        assert response.status_code == 302 and response.headers["location"] == URLS[1]
    assert every_row(server.config) == before


def test_tracking_off_still_follows_links_already_sent_and_records_nothing(live_with):
    server = live_with(tracking=TrackingConfig(clicks="off"))
    seed(server.config)
    before = every_row(server.config)
    assert click(server, token(1)).headers["location"] == URLS[1]
    assert every_row(server.config) == before


async def _get(port: int, path: str) -> int:
    return await raw_get(port, path, BROWSER)


def test_concurrent_clicks_are_all_counted(live):
    seed(live.config)
    n = 300

    async def fire() -> list[int]:
        gate = asyncio.Semaphore(100)

        async def one(i: int) -> int:
            async with gate:
                return await asyncio.wait_for(_get(live.port, f"/c/{token(1 + i % 3, message=i)}"), 60)

        return await asyncio.gather(*(one(i) for i in range(n)))

    statuses = asyncio.run(fire())
    assert statuses == [302] * n
    assert counts(live.config) == {1: (100, 0), 2: (100, 0), 3: (100, 0)}


def test_the_same_link_of_one_message_clicked_again_and_again_counts_once(live):
    """A double click, a reload or a script hammering one link: every request redirects, one person is counted."""
    seed(live.config)
    for _ in range(30):
        assert click(live, token(1)).status_code == 302
    assert click(live, token(1, message=MESSAGE + 1)).status_code == 302  # another reader of the same link
    assert counts(live.config) == {1: (2, 0)}


def test_a_click_that_cannot_be_recorded_is_answered_503_not_redirected(live, caplog):
    seed(live.config)
    assert click(live, token(1)).status_code == 302  # the link is cached; now the counts cannot be written
    with open_db(live.config).begin() as conn:
        conn.execute(text("DROP TABLE click_counts"))
    response = click(live, token(1, message=2))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5" and "location" not in response.headers
    assert "clicks not recorded (1 clicks, 0 moves):" in caplog.text and str(MESSAGE) not in caplog.text
