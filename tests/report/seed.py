"""A campaign's aftermath written straight into the tables, with every number known in advance.

Campaign ``spring`` (email step 1 to list ``research``, posts in steps 2 and 3) and a later campaign
``summer`` to the same list. What each address stands for (the attribution rule's edge cases):

- a: sent; left ``research`` by the one-click page after spring, after a ``briefing`` campaign (another list)
  reached it in between: spring's unsubscribe;
- b: sent; left another list after spring: not spring's;
- c: refused at send time (hard bounce);   d (and b, h): soft bounces;
- e: complained, and the complaint unsubscribed it: a complaint, not an unsubscribe;   m: complained;
- f: suppressed before sending (not sent);
- g: outcome unknown; unsubscribed by mail answering spring (event + audit row): spring's, once;
- h: hard bounce undone by a person (not counted); got summer later, then left: summer's, not spring's;
- i: left ``research`` before spring was enqueued: not spring's;
- j: an unsubscribe event answering spring with no audit row (an ESP's event): spring's;
- k: left ``research`` after summer went out, but summer did not go to k: spring was the last touch.

Summer's one link has clicks too: none of them may count for spring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, insert, select

from outreach.store.schema import audiences, audit, click_counts, clicks, deliveries, delivery_events, links, post_metrics, steps, subscribers

T0 = datetime(2027, 1, 12, 8, 0, tzinfo=timezone.utc)  # spring's email step enqueued
T1 = T0 + timedelta(days=3)  # summer's
HOSTILE_LABEL = "<script>alert('label')</script>\x1b[31mred"
HOSTILE_POST_URL = "javascript:alert(document.domain)"
HOSTILE_ERROR = "HTTP 429 \x1b[2J\x1b[31mrate limited <img src=x onerror=alert(1)>"
FORMULA_URL = "=HYPERLINK(\"http://evil.example\")"
SAFE_URL = "https://example.org/report?utm_source=newsletter&utm_medium=email&utm_campaign=spring"


@dataclass(frozen=True)
class Expected:
    """What the report must say about spring."""

    audience: int = 12
    sent: int = 11  # all but f (went out: sent, bounced, complained, unknown)
    bounced_hard: int = 1  # c (h's was undone)
    bounced_soft: int = 3  # b d h
    complaints: int = 2  # e m
    unsubscribed: frozenset[str] = frozenset({"a@example.org", "g@example.org", "j@example.org", "k@example.org"})
    human: int = 9
    machine: int = 6
    hours: tuple[tuple[datetime, int, int], ...] = ((T0 + timedelta(hours=1), 6, 6), (T0 + timedelta(hours=2), 3, 0))
    link_clicks: tuple[tuple[int, int, int], ...] = ((1, 8, 2), (2, 1, 4), (3, 0, 0))  # position, human, machine
    unique_per_link: tuple[int, ...] = (2, 1, 0)
    unique_total: int = 2


EXPECTED = Expected()
STATES = {"a": "sent", "b": "sent", "c": "bounced", "d": "bounced", "e": "complained", "f": "suppressed", "g": "unknown", "h": "sent",
          "i": "sent", "j": "sent", "k": "sent", "m": "complained"}


def _ids(conn, table, rows):  # type: ignore[no-untyped-def]
    return [conn.execute(insert(table).values(**r).returning(table.c.id)).scalar_one() for r in rows]


def seed(engine: Engine) -> None:
    """Write spring and summer into the database."""
    with engine.begin() as conn:
        people = {p: _ids(conn, subscribers, [{"email": f"{p}@example.org", "display_email": f"{p}@example.org", "attrs": {},
                                               "created_at": T0, "updated_at": T0, "token_key": f"key-{p}"}])[0] for p in STATES}
        conn.execute(insert(audiences), [{"campaign": "spring", "step": 1, "list": "research", "total": 12, "enqueued_at": T0},
                                         {"campaign": "summer", "step": 1, "list": "research", "total": 1, "enqueued_at": T1},
                                         {"campaign": "note", "step": 1, "list": "briefing", "total": 1, "enqueued_at": T0 + timedelta(hours=1)}])
        spring = {p: _ids(conn, deliveries, [{"campaign": "spring", "step": 1, "target": f"{p}@example.org", "subscriber_id": people[p],
                                              "state": s, "attempts": 1, "updated_at": T0 + timedelta(minutes=5)}])[0]
                  for p, s in STATES.items()}
        _ids(conn, deliveries, [{"campaign": "summer", "step": 1, "target": "h@example.org", "subscriber_id": people["h"], "state": "sent",
                                 "attempts": 1, "updated_at": T1},
                                {"campaign": "note", "step": 1, "target": "a@example.org", "subscriber_id": people["a"], "state": "sent",
                                 "attempts": 1, "updated_at": T0 + timedelta(hours=1)}])
        _events(conn, spring)
        _audit(conn)
        _clicks(conn, spring)
        _posts(conn)


def _events(conn, spring) -> None:  # type: ignore[no-untyped-def]
    at = T0 + timedelta(minutes=10)
    rows = [("c", "bounced_hard", "550 5.1.1 user unknown"), ("d", "bounced_soft", "452 mailbox full"), ("e", "complained", "abuse"),
            ("g", "unsubscribed", "unsubscribed from research by mailto"), ("j", "unsubscribed", "unsubscribed from research by sendgrid"),
            ("h", "bounced_hard", "550 wrong"),
            ("h", "undone", "bounced_hard undone: inbound message 7, by Jane"), ("b", "bounced_soft", "452 over quota"),
            ("h", "bounced_soft", "421 try later"), ("m", "complained", "abuse")]
    conn.execute(insert(delivery_events), [{"delivery_id": spring[p], "kind": k, "detail": d, "source": "bounce", "occurred_at": at}
                                           for p, k, d in rows])


def _audit(conn) -> None:  # type: ignore[no-untyped-def]
    rows = [("a", "research", "one-click", T0 + timedelta(hours=2)), ("b", "briefing", "one-click", T0 + timedelta(hours=2)),
            ("e", "research", "complaint", T0 + timedelta(hours=1)), ("g", "research", "mailto", T0 + timedelta(hours=3)),
            ("h", "research", "one-click", T1 + timedelta(hours=1)), ("i", "research", "web", T0 - timedelta(hours=1)),
            ("k", "research", "one-click", T1 + timedelta(hours=2))]
    conn.execute(insert(audit), [{"at": at, "action": "unsubscribed", "email": f"{p}@example.org", "list": lst, "source": src}
                                 for p, lst, src, at in rows])


def _clicks(conn, spring) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(conn, links, [
        {"campaign": "spring", "url": SAFE_URL, "url_hash": "1" * 64, "label": "Read the report", "position": 1, "created_at": T0, "individual": True},
        {"campaign": "spring", "url": "javascript:alert('link')", "url_hash": "2" * 64, "label": HOSTILE_LABEL, "position": 2, "created_at": T0, "individual": True},
        {"campaign": "spring", "url": FORMULA_URL, "url_hash": "3" * 64, "label": None, "position": 3, "created_at": T0, "individual": True},
        {"campaign": "summer", "url": SAFE_URL, "url_hash": "1" * 64, "label": "Summer's link", "position": 1, "created_at": T1, "individual": True},
    ])
    h1, h2 = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    conn.execute(insert(click_counts), [{"link_id": ids[0], "hour": h1, "human": 5, "machine": 2}, {"link_id": ids[0], "hour": h2, "human": 3, "machine": 0},
                                        {"link_id": ids[1], "hour": h1, "human": 1, "machine": 4}, {"link_id": ids[3], "hour": h1, "human": 7, "machine": 7}])
    conn.execute(insert(clicks), [{"link_id": ids[0], "delivery_id": spring["a"], "at": h1, "machine_reason": None},
                                  {"link_id": ids[0], "delivery_id": spring["a"], "at": h2, "machine_reason": None},
                                  {"link_id": ids[0], "delivery_id": spring["b"], "at": h1, "machine_reason": None},
                                  {"link_id": ids[0], "delivery_id": spring["c"], "at": h1, "machine_reason": "scanner"},
                                  {"link_id": ids[1], "delivery_id": spring["a"], "at": h1, "machine_reason": None},
                                  {"link_id": ids[3], "delivery_id": spring["d"], "at": h1, "machine_reason": None}])


POSTS = [  # step, part, remote id, remote url
    (2, 1, "1001", "https://x.example/diis/status/1001"),
    (2, 2, "1002", HOSTILE_POST_URL),
    (3, 1, "outbox:spring/3/1", "file:///tmp/outbox/posts/spring/step-03-mastodon-part-1.json"),
]


def _posts(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute(insert(steps), [{"campaign": "spring", "step": 2, "campaign_path": "campaigns/spring.toml", "kind": "post", "channel": "x",
                                  "field": "posts[0]", "due_utc": T0, "state": "done", "updated_at": T0}])
    ids = _ids(conn, deliveries, [{"campaign": "spring", "step": s, "target": f"part-{p}", "part": p, "state": "sent", "attempts": 1,
                                   "remote_id": rid, "remote_url": url, "updated_at": T0, "payload": {"text": "t", "of": 2}}
                                  for s, p, rid, url in POSTS])
    readings = [(ids[0], T0 + timedelta(hours=1), "1h", (2, 1, 0, 0, None, 100), None),
                (ids[0], T0 + timedelta(hours=24), "24h", (10, 4, 3, 1, None, 900), None),
                (ids[0], T0 + timedelta(days=7), "7d", (None,) * 6, HOSTILE_ERROR),
                (ids[1], T0 + timedelta(hours=1), "1h", (1, 0, 0, 0, None, 20), None)]
    names = ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions")
    conn.execute(insert(post_metrics), [{"delivery_id": d, "taken_at": t, "checkpoint": c, "error": e, **dict(zip(names, counts))}
                                        for d, t, c, counts, e in readings])


def subscriber_count(engine: Engine) -> int:
    """How many subscribers the seed wrote (a sanity check)."""
    with engine.connect() as conn:
        return len(conn.execute(select(subscribers.c.id)).all())
