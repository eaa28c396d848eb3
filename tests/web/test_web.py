"""The public web over real HTTP: one-click unsubscribe, double opt-in, archive, bad tokens."""

from __future__ import annotations

import email
import email.policy
import re
import time

import httpx
import pytest
from sqlalchemy import select

from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.schema import audit, memberships
from outreach.store.subscribers import count, import_csv
from outreach.tokens import make_token
from tests.helpers import keyring, subscriber_key


def _subscribe(config, tmp_path, n=3):
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email,name\n" + "".join(f"reader{i}@example.org,Reader {i}\n" for i in range(n)), encoding="utf-8")
    import_csv(open_db(config), csv_file, "research")


def _token(config, sid: int, purpose: str = "unsubscribe", list_name: str = "research", now: float | None = None) -> str:
    return make_token(keyring(b"web-test-key"), purpose, subscriber_key(config, sid), list_name, now=now)


def _audit(config):
    with open_db(config).connect() as conn:
        return [(r.action, r.email, r.source) for r in conn.execute(select(audit).order_by(audit.c.id))]


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_post_unsubscribes_at_once(live, tmp_path, encoding, campaign_copy):
    _subscribe(live.config, tmp_path)
    url = f"{live.url}/u/{_token(live.config, 2)}"
    if encoding == "urlencoded":
        response = httpx.post(url, data={"List-Unsubscribe": "One-Click"})
    else:
        response = httpx.post(url, files={"List-Unsubscribe": (None, "One-Click")})
    assert response.status_code == 200 and not response.is_redirect
    assert "set-cookie" not in response.headers
    assert count(open_db(live.config), "research")["active"] == 2
    assert ("unsubscribed", "reader1@example.org", "one-click") in _audit(live.config)
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    result = send_email(live.config, plan)
    assert result.ledger["sent"] == 2
    assert not (live.config.outbox / "email" / plan.campaign.slug / "000000002.eml").exists()


def test_get_never_unsubscribes_and_shows_list_and_masked_address(live, tmp_path):
    _subscribe(live.config, tmp_path)
    page = httpx.get(f"{live.url}/u/{_token(live.config, 1)}")
    assert page.status_code == 200
    assert "DIIS research newsletter" in page.text and "r***@example.org" in page.text and "reader0@example.org" not in page.text
    assert '<button type="submit">Unsubscribe</button>' in page.text
    assert count(open_db(live.config), "research")["active"] == 3
    assert page.headers["referrer-policy"] == "no-referrer"


def test_resubscribe_undoes_it(live, tmp_path):
    _subscribe(live.config, tmp_path)
    token = _token(live.config, 1)
    done = httpx.post(f"{live.url}/u/{token}", data={"List-Unsubscribe": "One-Click", "source": "web"})
    assert "You are unsubscribed" in done.text and f'action="/u/{token}/resubscribe"' in done.text
    again = httpx.post(f"{live.url}/u/{token}/resubscribe")
    assert again.status_code == 200 and "subscribed again" in again.text
    assert count(open_db(live.config), "research")["active"] == 3
    actions = [a for a, _, _ in _audit(live.config)]
    assert actions[-2:] == ["unsubscribed", "resubscribed"]


def test_bad_tokens_get_one_page_that_reveals_nothing(live, tmp_path):
    _subscribe(live.config, tmp_path)
    good = _token(live.config, 1)
    payload, stamp, mac = good.split(".")
    bad = {
        "forged": f"{payload}.{stamp}.{'A' * len(mac)}",
        "altered": _token(live.config, 2).split(".")[0] + f".{stamp}.{mac}",
        "expired": _token(live.config, 1, now=time.time() - 400 * 86400),
        "other purpose": _token(live.config, 1, purpose="confirm"),
        "unknown list": _token(live.config, 1, list_name="secret-list"),
        "garbage": "x" * 30,
        "nonexistent subscriber": _token(live.config, 999),
    }
    bodies = set()
    for name, token in bad.items():
        for method in ("GET", "POST"):
            response = httpx.request(method, f"{live.url}/u/{token}", data={"List-Unsubscribe": "One-Click"} if method == "POST" else None)
            assert response.status_code == 400, (name, method)
            bodies.add(response.text)
    assert len(bodies) == 1 and "example.org" not in bodies.pop()
    assert count(open_db(live.config), "research")["active"] == 3


def test_one_click_without_the_body_changes_nothing(live, tmp_path):
    _subscribe(live.config, tmp_path)
    assert httpx.post(f"{live.url}/u/{_token(live.config, 1)}", data={"something": "else"}).status_code == 400
    assert count(open_db(live.config), "research")["active"] == 3


def _confirmations(config, n: int, timeout: float = 20.0) -> list:
    """The confirmation mails in the outbox, once there are ``n`` (the server's worker sends them after the answer)."""
    deadline = time.monotonic() + timeout
    while True:
        files = sorted((config.outbox / "email" / "confirmations").glob("*.eml"))
        if len(files) >= n or time.monotonic() > deadline:
            return files
        time.sleep(0.05)


def _confirmation_link(config, n: int = 1) -> str:
    files = _confirmations(config, n)
    message = email.message_from_bytes(files[n - 1].read_bytes(), policy=email.policy.default)
    return re.search(r"(/confirm/\S+)", message.get_content()).group(1)


def test_double_opt_in(live, tmp_path, campaign_copy):
    form = {"email": "New.Person@Example.org", "name": "New Person", "list": "research"}
    first = httpx.post(f"{live.url}/subscribe", data=form)
    assert first.status_code == 200 and "Check your inbox" in first.text
    engine = open_db(live.config)
    assert count(engine, "research") == {"active": 0, "pending": 1, "unsubscribed": 0, "suppressed": 0}
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    # pending addresses receive no campaign (a second campaign slug keeps the audiences apart)
    link = _confirmation_link(live.config)
    assert httpx.get(f"{live.url}{link}").status_code == 200
    assert count(engine, "research")["pending"] == 1, "a GET never confirms"
    confirmed = httpx.post(f"{live.url}{link}")
    assert "You are subscribed" in confirmed.text
    assert count(engine, "research")["active"] == 1
    # re-submitting: same answer, no duplicate subscriber, no second confirmation needed
    again = httpx.post(f"{live.url}/subscribe", data={**form, "email": "new.person@example.org"})
    assert again.text == first.text
    with engine.connect() as conn:
        assert conn.execute(select(memberships)).all().__len__() == 1
    time.sleep(1.5)  # give the worker time to send a second mail, which it must not
    assert len(_confirmations(live.config, 1)) == 1
    assert send_email(live.config, plan).ledger["sent"] == 1


def test_pending_gets_no_campaign(live, tmp_path, campaign_copy):
    httpx.post(f"{live.url}/subscribe", data={"email": "p@example.org", "list": "research"})
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    assert send_email(live.config, plan).audience == 0


def test_subscribe_rejects_bad_input_without_500(live):
    assert httpx.post(f"{live.url}/subscribe", data={"email": "not-an-address", "list": "research"}).status_code == 400
    assert httpx.post(f"{live.url}/subscribe", data={"email": "a@example.org", "list": "nope"}).status_code == 400
    assert httpx.post(f"{live.url}/subscribe", content=b"\xff\xfe" * 10, headers={"content-type": "application/x-www-form-urlencoded"}).status_code in (200, 400)


def test_archive_shows_sent_campaigns_without_personal_data(live, tmp_path, campaign_copy):
    _subscribe(live.config, tmp_path)
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    assert httpx.get(f"{live.url}/archive/").text.count("<li>") == 0
    send_email(live.config, plan)
    index = httpx.get(f"{live.url}/archive/")
    assert plan.email.subject in index.text and f'href="/archive/{plan.campaign.slug}"' in index.text
    page = httpx.get(f"{live.url}/archive/{plan.campaign.slug}")
    assert page.status_code == 200 and "Defecting soldiers" in page.text
    assert "Reader" not in page.text and "/u/" not in page.text and "@@OUTREACH" not in page.text
    assert f"{live.url}/archive/{plan.campaign.slug}" in page.text  # the email's own "view in browser" link lands here
    cover = httpx.get(f"{live.url}/archive/{plan.campaign.slug}/cover.png")
    assert cover.status_code == 200 and cover.headers["content-type"] == "image/png" and cover.content.startswith(b"\x89PNG")
    assert httpx.get(f"{live.url}/archive/nothing-here").status_code == 404
