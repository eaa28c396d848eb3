"""README: every subscription change is audited with its source (one-click, web, import, bounce, cli), and confirming a
sign-up does not lift a bounce or a complaint (the all-lists suppression)."""

from __future__ import annotations

import email
import email.policy
import re
import time

import httpx
import pytest
from sqlalchemy import select

from outreach.store.db import open_db
from outreach.store.schema import audit, suppressions
from tests.claims.conftest import write_people


def _unsubscribe_path(delivery) -> str:
    """The /u/<token> path of a delivered message's List-Unsubscribe link."""
    return re.search(r"<https?://[^/>]+(/u/[^>]+)>", delivery.message["List-Unsubscribe"]).group(1)


def _audit(config) -> set[tuple[str, str, str]]:
    with open_db(config).connect() as conn:
        return {(r.action, r.email, r.source) for r in conn.execute(select(audit.c.action, audit.c.email, audit.c.source))}


def _confirmation_path(config, timeout: float = 20) -> str:
    """The /confirm/<token> path in the confirmation mail the web server's worker wrote to the outbox."""
    deadline = time.monotonic() + timeout
    while not (files := sorted((config.outbox / "email").rglob("*.eml"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert files, "no confirmation mail"
    body = email.message_from_bytes(files[-1].read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
    return re.search(r"(/confirm/\S+)", body).group(1)


@pytest.fixture
def setup(cli, config_file, smtp_server, live, campaign_copy):
    """A config (same database as the live web server, the loopback SMTP server) and a campaign per list."""
    config = config_file(smtp_port=smtp_server.port)
    briefing = campaign_copy(lambda t: t.replace('list = "research"', 'list = "briefing"'), name="briefing-note.toml")
    return config, campaign_copy(), briefing


# Breaks if: any path writes another source: web/app.unsubscribe ("one-click" vs "web" from the page's form),
# resubscribe/sign-up ("web"), subscribers.import_csv ("import"), the bounce in mail/send ("bounce"),
# `subscribers remove` ("cli").
def test_audit_rows_carry_the_source_of_each_path(cli, setup, smtp_server, live, tmp_path):
    config, research, _ = setup
    people = ["click@example.org", "page@example.org", "removed@example.org", "bounces@example.org"]
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "p.csv", people), "--list", "research", "--consent", "test subscribers").code == 0
    smtp_server.when("bounces@example.org", "550 5.1.1 no such user")
    assert cli("--config", config, "send", research, "--now").code == 0
    links = {d.rcpt: _unsubscribe_path(d) for d in smtp_server.deliveries}
    assert httpx.post(live.url + links["click@example.org"], data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert httpx.post(live.url + links["page@example.org"], data={"List-Unsubscribe": "One-Click", "source": "web"}).status_code == 200
    assert httpx.post(live.url + links["page@example.org"] + "/resubscribe").status_code == 200
    assert cli("--config", config, "subscribers", "remove", "removed@example.org", "--list", "research").code == 0
    assert httpx.post(f"{live.url}/subscribe", data={"email": "new@example.org", "list": "research"}).status_code == 200
    assert httpx.post(live.url + _confirmation_path(live.config)).status_code == 200

    rows = _audit(live.config)
    expected = {
        ("imported", None, "import"),
        ("bounced", "bounces@example.org", "bounce"),
        ("unsubscribed", "click@example.org", "one-click"),
        ("unsubscribed", "page@example.org", "web"),
        ("resubscribed", "page@example.org", "web"),
        ("removed", "removed@example.org", "cli"),
        ("subscribed", "new@example.org", "web"),
        ("confirmed", "new@example.org", "web"),
    }
    imported = {r for r in rows if r[0] == "imported"}
    assert imported and {r[2] for r in imported} == {"import"}, imported
    missing = {e for e in expected - {("imported", None, "import")} if e not in rows}
    assert not missing, f"audit rows missing or with the wrong source: {missing}; have {sorted(map(str, rows))}"
    # no path wrote a source outside the documented five
    assert {r[2] for r in rows} <= {"one-click", "web", "import", "bounce", "cli"}, rows


def _complain(config, address: str) -> None:
    from outreach.store.subscribers import ALL_LISTS, suppress

    with open_db(config).begin() as conn:
        suppress(conn, address, ALL_LISTS, "complained", "cli", "feedback loop report")


# Breaks if: membership.confirm lifts or ignores the all-lists suppression (bounced, complained) when a person confirms.
@pytest.mark.parametrize("reason", ["bounced", "complained"])
def test_confirming_a_sign_up_does_not_lift_a_bounce_or_complaint(cli, setup, smtp_server, live, tmp_path, reason):
    config, research, briefing = setup
    person = "person@example.org"
    assert httpx.post(f"{live.url}/subscribe", data={"email": person, "list": "research"}).status_code == 200
    link = _confirmation_path(live.config)
    if reason == "bounced":  # on another list, a campaign bounces
        assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "b.csv", [person]), "--list", "briefing", "--consent", "test subscribers").code == 0
        smtp_server.when(person, "550 5.1.1 no such user")
        assert cli("--config", config, "send", briefing, "--now").code == 0
    else:
        _complain(live.config, person)
    with open_db(live.config).connect() as conn:
        before = conn.execute(select(suppressions.c.list, suppressions.c.reason).where(suppressions.c.email == person)).all()
    assert [(r.list, r.reason) for r in before] == [("*", reason)]

    httpx.post(live.url + link)  # the person confirms the research sign-up afterwards
    with open_db(live.config).connect() as conn:
        after = conn.execute(select(suppressions.c.list, suppressions.c.reason).where(suppressions.c.email == person)).all()
    assert [(r.list, r.reason) for r in after] == [("*", reason)], "confirming lifted the suppression"
    suppressed = cli("--config", config, "subscribers", "suppressed")
    assert reason in suppressed.out
    smtp_server.handler.deliveries.clear()
    assert cli("--config", config, "send", research, "--now").code == 0
    assert person not in smtp_server.handler.counts(), "a suppressed address was sent the campaign after confirming"
