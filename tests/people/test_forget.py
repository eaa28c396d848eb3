"""Forgetting a person, issue 13's done-when: "a forgotten person leaves nothing personal behind and cannot be
re-imported by mistake".

One person goes through everything that stores something about them: the web sign-up and its confirmation
(client address and user agent in the consent record), an import with attributes and topics, a real send
to the outbox, an individual-mode click through the live server, and a hard bounce quoting their address.
Then ``forget``; then every cell of every table (text, JSON and bytes, the archive included) is read for
the address, the name, the attribute values, the user agent and the person's link key.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.config import AttributeKind, TrackingConfig
from outreach.inbound.events import InboundSource
from outreach.inbound.receiver import ingest, mail_receipt
from outreach.mail.compose import signing_keys
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.importer import import_csv
from outreach.store.late_events import record_bounce
from outreach.store.privacy import FORGOTTEN, forget, forgotten_in, keyring, mark, person_data
from outreach.store.schema import subscribers, suppressions
from outreach.tokens import make_token
from tests.web.conftest import LiveServer

DISPLAY = "Zelda.Quinterra@Example.org"
ADDRESS = DISPLAY.lower()
NAME = "Zelda Quinterra-Vossberg"
ORG = "Vossberg Foundation"
STAFF = 987654
AGENT = "ZQBrowser/9.1 (forget-me)"
BOUNCE = "bounces@news.example.org"
HARD_BOUNCE = Path(__file__).parents[1] / "inbound" / "fixtures" / "imap" / "hard_bounce.eml"


@pytest.fixture
def live(db_config, monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_SECRET", "people-test-key")
    email_config = db_config.email.model_copy(update={"bounce_address": BOUNCE})
    config = db_config.model_copy(update={"tracking": TrackingConfig(clicks="individual"), "email": email_config,
                                          "attributes": {"staff": AttributeKind.NUMBER, "org": AttributeKind.TEXT}})
    with LiveServer(config) as server:
        yield server


def _sign_up_and_confirm(live) -> None:
    engine = open_db(live.config)
    page = httpx.post(f"{live.url}/subscribe", data={"email": DISPLAY, "name": NAME, "list": "research", "topics": "asia"},
                      headers={"User-Agent": AGENT})
    assert page.status_code == 200, page.text
    with engine.connect() as conn:
        key = conn.execute(sa.select(subscribers.c.token_key).where(subscribers.c.email == ADDRESS)).scalar_one()
    token = make_token(signing_keys(live.config, engine), "confirm", key, "research")
    done = httpx.post(f"{live.url}/confirm/{token}", headers={"User-Agent": AGENT})
    assert done.status_code == 200, done.text


def _import(live, tmp_path: Path, name: str = "people.csv"):
    path = tmp_path / name
    path.write_text(f"email,name,language,country,topics,staff,org\n{DISPLAY},{NAME},da,DK,peace;Defence and security,{STAFF},{ORG}\n"
                    "other@example.org,Other Person,en,GB,asia,3,Other Org\n", encoding="utf-8")
    return import_csv(open_db(live.config), path, "research", config=live.config, basis="the 2026 seminar list", collected_by="jane")


def _send_click_bounce(live, campaign: Path) -> bytes:
    config, engine = live.config, open_db(live.config)
    result = send_email(config, build_plan(load_campaign(campaign), config))
    assert result.ledger["sent"] == 2
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(config.outbox.glob("email/soldier-defections-myanmar/*.eml"))]
    mine = next(m for m in mails if ADDRESS in str(m["To"]).lower())
    link = re.findall(r'href="(' + re.escape(live.url) + r'/c/[^"]+)"', mine.get_body(("html",)).get_content())[0]
    assert httpx.get(link, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}, follow_redirects=False).status_code in (302, 303, 307)
    row = person_data(engine, config, ADDRESS).sections["deliveries"][0]
    sender = str(mine["Return-Path"] or "").strip("<>") or _envelope(engine)
    raw = HARD_BOUNCE.read_text(encoding="utf-8")
    for key, value in {"VERP": sender, "ADDRESS": ADDRESS, "MESSAGE_ID": row["message_id"], "BOUNCE": BOUNCE}.items():
        raw = raw.replace("{{" + key + "}}", value)
    data = raw.replace("\n", "\r\n").encode()
    with engine.connect() as conn:  # first a soft bounce whose reply quotes the address (in the case the person wrote it)
        delivery_id = conn.exec_driver_sql("SELECT id FROM deliveries WHERE target = 'zelda.quinterra@example.org'").scalar_one()
    record_bounce(engine, delivery_id, hard=False, detail=f"452 4.2.2 <{DISPLAY}>: mailbox full")
    ingest(engine, config, signing_keys(config, engine), data, InboundSource.CLI, receipt=mail_receipt(data))
    return data


def _mentions_elsewhere(engine) -> None:
    """Rows that are not theirs but name them: another person's audit row, and a mail matched to no delivery."""
    from datetime import datetime, timezone

    from outreach.store.inbound_store import NewInbound, complete, insert_pending
    from outreach.store.subscribers import suppress

    with engine.begin() as conn:
        suppress(conn, "other@example.org", "research", "unsubscribed", "cli", detail=f"asked for by {DISPLAY}")
        raw = f"From: {NAME} <{DISPLAY}>\r\nSubject: out of office\r\n\r\nback monday\r\n".encode()
        [inbound_id] = insert_pending(conn, [NewInbound(datetime.now(timezone.utc), "cli", "auto_reply", f"auto-reply from {DISPLAY}", None, None,
                                                        None, raw, len(raw))])
        complete(conn, inbound_id, address=None, delivery_id=None, action=f"nothing done for {ADDRESS}", effects={})


def _envelope(engine) -> str:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT envelope_sender FROM deliveries WHERE target = 'zelda.quinterra@example.org'").scalar_one()


def _cells(engine) -> list[tuple[str, str, str]]:
    """(table, column, value as lower-case text) of every cell of every table; bytes decoded, JSON as its text."""
    found = []
    with engine.connect() as conn:
        for name in sa.inspect(conn).get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            for row in conn.execute(sa.select(table)):
                for column, value in row._mapping.items():
                    value = bytes(value) if isinstance(value, memoryview) else value
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    found.append((name, str(column), text.lower()))
    return found


def test_a_forgotten_person_leaves_nothing_personal_behind_and_cannot_be_reimported(live, tmp_path, campaign_copy):
    config, engine = live.config, open_db(live.config)
    _sign_up_and_confirm(live)
    assert _import(live, tmp_path).rejected == []
    bounce = _send_click_bounce(live, campaign_copy())
    _mentions_elsewhere(engine)
    with engine.connect() as conn:
        token_key = conn.execute(sa.select(subscribers.c.token_key).where(subscribers.c.email == ADDRESS)).scalar_one()
    before = person_data(engine, config, DISPLAY)
    assert before.profile["attributes"] == {"staff": STAFF, "org": ORG}
    assert {len(before.sections[s]) for s in ("deliveries", "clicks", "inbound")} == {1}
    assert any(c["user_agent"] == AGENT for c in before.sections["consents"])
    needles = [ADDRESS, "zelda", "quinterra", "vossberg", str(STAFF), AGENT.lower(), token_key.lower()]
    cells = _cells(engine)
    assert {n for n in needles if any(n in text for _, _, text in cells)} == set(needles)  # each is stored somewhere first
    assert {table for table, _, _ in cells} >= {"archive", "audit", "clicks", "consents", "deliveries", "delivery_events", "inbound_messages",
                                                "memberships", "subscriber_topics", "subscribers", "suppressions"}  # each has rows

    done = forget(engine, config, DISPLAY)

    assert done is not None and done.subscriber and done.deliveries == 1 and done.inbound == 2
    left = [(table, column, n) for table, column, text in _cells(engine) for n in needles if n in text]
    assert left == []
    late = bounce.replace(b"<20261127020000.", b"<late-20261127020000.")  # the bounce again, later: its content is not kept
    ingest(engine, config, signing_keys(config, engine), late, InboundSource.CLI, receipt=mail_receipt(late))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT action FROM inbound_messages ORDER BY id DESC").scalars().first().endswith("it is about a person who was forgotten; nothing done")
    assert [(table, column, n) for table, column, text in _cells(engine) for n in needles if n in text] == []
    assert person_data(engine, config, ADDRESS) is None
    other = person_data(engine, config, "other@example.org")
    assert other.profile["attributes"] == {"staff": 3, "org": "Other Org"} and len(other.sections["deliveries"]) == 1
    with engine.connect() as conn:
        kept = conn.execute(sa.select(suppressions).where(suppressions.c.reason == FORGOTTEN)).all()
        counts = dict(conn.exec_driver_sql("SELECT state, count(*) FROM deliveries GROUP BY state").all())
        clicks = conn.exec_driver_sql("SELECT count(*) FROM clicks").scalar_one()
    assert [(r.email, r.list) for r in kept] == [(mark(keyring(config, engine).keys[-1], ADDRESS), "*")]
    assert kept[0].email != mark(signing_keys(config, engine).keys[-1], ADDRESS), "the marks have a key of their own"
    assert counts == {"sent": 1, "bounced": 1} and clicks >= 1  # the counts stay; only who is gone
    with engine.connect() as conn:  # another person's row that named them keeps its own address
        assert conn.exec_driver_sql("SELECT detail FROM audit WHERE email = 'other@example.org' AND action = 'unsubscribed'").scalar_one() \
            == "asked for by [forgotten]"

    again = _import(live, tmp_path, name="again.csv")
    assert [(row, reason.split(":")[0]) for row, _, reason in again.rejected] == [(2, "this address was forgotten at the person's request (subscribers forget)")]
    assert person_data(engine, config, ADDRESS) is None and again.unchanged == 1


def test_a_forgotten_address_stays_refused_whatever_happens_to_the_link_signing_key(db_config, monkeypatch, tmp_path):
    from outreach.config import PrivacyConfig

    monkeypatch.setenv("OUTREACH_SECRET", "first-key")
    engine = open_db(db_config)
    path = tmp_path / "p.csv"
    path.write_text("email,name\nann@example.org,Ann\n", encoding="utf-8")
    import_csv(engine, path, "research", config=db_config, basis="b")
    assert forget(engine, db_config, "Ann@Example.org") is not None
    monkeypatch.setenv("OUTREACH_SECRET", "second-key")  # rotated, and the old key dropped at once
    assert forgotten_in(engine, keyring(db_config, engine), ["ann@example.org", "bob@example.org"]) == {"ann@example.org"}
    report = import_csv(engine, path, "research", config=db_config, basis="b")
    assert [row for row, _, _ in report.rejected] == [2] and report.added == 0
    monkeypatch.setenv("OUTREACH_FORGET_KEY", "kept-outside-the-database")
    own = db_config.model_copy(update={"privacy": PrivacyConfig(forget_key_env="OUTREACH_FORGET_KEY")})
    assert keyring(own, engine).keys == (b"kept-outside-the-database",)
    assert forget(engine, own, "bob@example.org") is None  # nothing stored about bob: no mark is made
    monkeypatch.delenv("OUTREACH_FORGET_KEY")
    with pytest.raises(Exception, match="OUTREACH_FORGET_KEY"):
        keyring(own, engine)  # configured but unset: an error naming the variable, never a silent other key


def test_forget_cli_and_an_unknown_address(cli, db_config, tmp_path, monkeypatch):
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{db_config.database}"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(config_file))
    path = tmp_path / "p.csv"
    path.write_text("email,name\nann@example.org,Ann\n", encoding="utf-8")
    assert cli("subscribers", "import", path, "--list", "research", "--consent", "b").code == 0
    done = cli("subscribers", "forget", "ANN@example.org")
    assert done.code == 0 and done.out.startswith("forgotten: the subscriber, 0 deliveries made anonymous")
    unknown = cli("subscribers", "forget", "ann@example.org")
    assert unknown.code == 1 and "nothing is stored about this address; nothing was done" in unknown.err
    bad = cli("subscribers", "forget", "not an address")
    assert bad.code == 1 and "Traceback" not in bad.err
    again = cli("subscribers", "import", path, "--list", "research", "--consent", "b")
    assert again.code == 1 and f"rejected: {path}:2: 'ann@example.org': this address was forgotten" in again.err
    suppressed = cli("subscribers", "suppressed")
    assert "forgotten" in suppressed.out and "ann@" not in suppressed.out


def test_a_person_forgotten_while_a_send_is_queued_is_never_sent_to(db_config, tmp_path):
    from outreach.store.delivery import DeliveryState
    from outreach.store.ledger import enqueue_audience
    from outreach.store.ledger_queries import deliveries_in

    engine = open_db(db_config)
    path = tmp_path / "p.csv"
    path.write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n", encoding="utf-8")
    import_csv(engine, path, "research", config=db_config, basis="b")
    assert enqueue_audience(engine, "c", "research", 1) == 2
    forget(engine, db_config, "ann@example.org")
    assert [d.target for d in deliveries_in(engine, "c", [DeliveryState.QUEUED])] == ["bob@example.org"]
    gone = deliveries_in(engine, "c", [DeliveryState.SUPPRESSED])
    assert [(d.target.startswith("forgotten-"), d.subscriber_id, d.detail) for d in gone] == [(True, None, "forgotten")]


def test_someone_forgotten_who_signs_up_again_may_be_imported_again(live, tmp_path):
    config, engine = live.config, open_db(live.config)
    assert _import(live, tmp_path).rejected == []
    assert forget(engine, config, DISPLAY) is not None
    assert [row for row, _, _ in _import(live, tmp_path, name="refused.csv").rejected] == [2]
    _sign_up_and_confirm(live)  # they come back on their own, with a new consent
    again = _import(live, tmp_path, name="again.csv")
    assert again.rejected == [] and forgotten_in(engine, keyring(config, engine), [ADDRESS]) == set()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM audit WHERE action = 'unforgotten'").scalar_one() == 1


def test_forget_waits_for_a_message_in_flight_to_the_person(db_config, tmp_path):
    """Found by review: the relay's reply to a message in flight (it quotes the address) was written after the erasure."""
    from outreach.errors import SubscriberError
    from outreach.store.ledger import enqueue_audience

    engine = open_db(db_config)
    path = tmp_path / "p.csv"
    path.write_text("email,name\nann@example.org,Ann\n", encoding="utf-8")
    import_csv(engine, path, "research", config=db_config, basis="b")
    enqueue_audience(engine, "c", "research", 1)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE deliveries SET state = 'sending'")
    with pytest.raises(SubscriberError, match="being sent to this address right now; nothing was done"):
        forget(engine, db_config, "ann@example.org")
    assert person_data(engine, db_config, "ann@example.org").profile is not None
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE deliveries SET state = 'sent', detail = '250 ok <ann@example.org>'")
    assert forget(engine, db_config, "ann@example.org") is not None
