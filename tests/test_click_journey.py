"""A newcomer's journey on the embedded defaults: send the sample to the outbox, click its links through
``outreach serve``, read the clicks in ``outreach report``; and in aggregate mode nothing in the database
ties a click to a person.

No config file anywhere: the database is ``outreach.db`` and the mail goes to ``outbox/``, exactly what a
fresh machine gets. The links in the mail name ``web.base_url``'s default (127.0.0.1:8080); the server
runs on a free port and the test sends each click there with the link's own path.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import sqlalchemy as sa

from outreach.config import Config
from outreach.store.db import forget_engines, make_engine
from outreach.tokens import ClickMode

pytestmark = pytest.mark.slow

DEFAULT_BASE = Config().web.base_url
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
CLICK_URL = re.compile(re.escape(DEFAULT_BASE) + r"/c/[A-Za-z0-9_-]+")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sent_sample(campaign_copy, cli) -> tuple[Path, float]:
    """The sample campaign approved and sent to three subscribers through the outbox; returns (campaign, when)."""
    campaign = campaign_copy()
    Path("people.csv").write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\ncai@example.org,Cai\n", encoding="utf-8")
    assert cli("subscribers", "import", "people.csv", "--list", "research", "--consent", "test subscribers").code == 0
    assert cli("approve", campaign, "--by", "Jane Doe").code == 0
    result = cli("send", campaign, "--now")
    assert result.code == 0, result.err
    forget_engines()  # the server process opens the same file
    return campaign, time.time()


@pytest.fixture
def server() -> Iterator[str]:
    """``outreach serve`` as its own process, on the defaults but a free port; yields its address."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{address}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "serve ended"
            assert time.monotonic() < deadline, "outreach serve did not answer within 60 s"
            time.sleep(0.1)
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _mails() -> list[email.message.EmailMessage]:
    files = sorted(Path("outbox/email").glob("*/*.eml"))
    assert len(files) == 3, files
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def _click_links(message: email.message.EmailMessage) -> tuple[list[str], list[str]]:
    """The click links of the HTML part (href order) and of the text part."""
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    hrefs = [h for h in re.findall(r'href="([^"]+)"', html) if h.startswith(DEFAULT_BASE + "/c/")]
    return hrefs, CLICK_URL.findall(text)


def _report(cli, campaign: Path) -> dict:
    result = cli("report", campaign, "--json", "-")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _every_cell(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cells = []
            for name in sa.inspect(conn).get_table_names():
                table = sa.Table(name, sa.MetaData(), autoload_with=conn)
                for row in conn.execute(sa.select(table)):
                    cells += [str(v) for v in row]
            return cells
    finally:
        engine.dispose()


def test_a_newcomer_sends_clicks_and_reads_the_clicks_in_the_report(sent_sample, server, cli) -> None:
    campaign, sent_at = sent_sample
    mails = _mails()
    for message in mails:
        hrefs, text_links = _click_links(message)
        assert hrefs and text_links, "both parts carry tracked links"
        assert "/u/" in message["List-Unsubscribe"] and "/c/" not in message["List-Unsubscribe"]
    # a person reads the mail a little later than a security gateway would
    time.sleep(max(0.0, sent_at + Config().tracking.machine_seconds + 1 - time.time()))
    report_link = None
    for message in mails:  # each reader clicks the first link to the report, once
        hrefs, _ = _click_links(message)
        answer = httpx.get(hrefs[-1].replace(DEFAULT_BASE, server), headers=BROWSER)
        assert answer.status_code == 302
        report_link = answer.headers["location"]
        assert "utm_campaign=soldier-defections-myanmar" in report_link
    scanner = httpx.head(_click_links(mails[0])[1][0].replace(DEFAULT_BASE, server), headers=BROWSER)  # a link checker's HEAD
    assert scanner.status_code == 302

    report = _report(cli, campaign)
    assert report["email"]["sent"] == 3
    clicks = report["clicks"]
    assert clicks["mode"] == "aggregate" and clicks["unique_clickers"] is None
    assert (clicks["human"], clicks["machine"]) == (3, 1)
    per_link = {link["url"]: link for link in clicks["links"]}
    assert per_link[report_link]["human"] == 3
    terminal = cli("report", campaign)
    assert terminal.code == 0 and "unique clickers are not known" in terminal.out


def test_in_aggregate_mode_no_row_ties_a_click_to_a_person(sent_sample, server, cli) -> None:
    from outreach.commands.web_commands import __name__ as _  # noqa: F401  (the CLI module imports cleanly)
    from outreach.mail.compose import signing_keys
    from outreach.tokens import read_click_token

    mails = _mails()
    engine = make_engine(Config().database)
    try:
        keys = signing_keys(Config(), engine)
    finally:
        engine.dispose()
    messages = []
    for message in mails:
        hrefs, text_links = _click_links(message)
        for link in hrefs + text_links:
            claims = read_click_token(keys, link.rsplit("/", 1)[1])
            assert claims.mode is ClickMode.AGGREGATE
            messages.append(claims.message)
            assert httpx.get(link.replace(DEFAULT_BASE, server), headers=BROWSER).status_code == 302
    assert len(set(messages)) == len(mails), "one random number per message, the same for each of its links"

    url = Config().database
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM clicks")).scalar_one() == 0
            columns = {c["name"] for c in sa.inspect(conn).get_columns("click_counts")}
            subscribers = [tuple(r) for r in conn.execute(sa.text("SELECT id, token_key, email FROM subscribers"))]
            deliveries = [r[0] for r in conn.execute(sa.text("SELECT id FROM deliveries"))]
            counted = conn.execute(sa.text("SELECT sum(human) + sum(machine) FROM click_counts")).scalar_one()
    finally:
        engine.dispose()
    assert columns == {"link_id", "hour", "human", "machine"}, "click counts hold a link, an hour and two numbers: nobody"
    clicked = sum(len(_click_links(m)[0]) + len(_click_links(m)[1]) for m in mails)
    assert len(mails) <= counted <= clicked, "every message's clicks were counted (a person's repeat of a link counts once)"
    cells = set(_every_cell(url))
    assert not cells & {str(m) for m in messages}, "no message number is kept anywhere"
    assert not cells & {os.path.basename(link) for m in mails for link in _click_links(m)[0]}, "no token is kept"
    assert subscribers and deliveries  # the people and their deliveries exist, but no click row points at them


def test_a_forged_click_token_redirects_nowhere(sent_sample, server) -> None:
    hrefs, _ = _click_links(_mails()[0])
    token = hrefs[0].rsplit("/", 1)[1]
    forged = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    for candidate in (forged, token[:-1], token + "A", "x" * 44, token + "/../../evil"):
        answer = httpx.get(f"{server}/c/{candidate}", headers=BROWSER)
        assert answer.status_code == 404 and "location" not in answer.headers, candidate
