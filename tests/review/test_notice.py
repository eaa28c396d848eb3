"""The owner's notice of a request for changes: sent by the server off the request path, to the right owner, never lost."""

from __future__ import annotations

import email
import email.policy
import logging
import time
from pathlib import Path

import httpx

from outreach.config import SmtpConfig
from outreach.review.notice import NoticeRound, notice_message, owner_of, send_notices
from outreach.store.reviews import (DecisionKind, DecisionMethod, NewDecision, add_reviewer, decisions_of, new_round,
                                    record_decision, unnotified_requests)
from tests.mail.conftest import smtp_server  # noqa: F401  (the fixture)
from tests.review.conftest import ADA, BOB, OWNER, ReviewerClient

__all__ = ["smtp_server"]


def wait_for(what, seconds: float = 15.0):  # type: ignore[no-untyped-def]
    """Poll ``what()`` until it is truthy; fail at the deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("not seen before the deadline")


def outbox(setup) -> list[Path]:
    return sorted((setup.config.outbox / "email" / "review").glob("*.eml"))


def read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def ask_for_changes(setup, who: str = BOB, comment: str = "Please fix the title", link=None):  # type: ignore[no-untyped-def]
    """Record a request for changes by ``who``'s link (as the review page does)."""
    link = link or setup.link(who)
    return record_decision(setup.engine, NewDecision(setup.slug, DecisionKind.CHANGES_REQUESTED, DecisionMethod.LINK, link.name,
                                                     setup.version.content_hash, setup.version.hashes, setup.version.id,
                                                     reviewer=link, comment=comment))


def test_a_request_for_changes_on_the_page_reaches_the_owners_outbox(review_setup):
    setup = review_setup(reviewers=(ADA, BOB))
    setup.serve()
    bob = ReviewerClient(setup, BOB)
    assert bob.post("changes", comment="Please fix the title\nand <b>this</b>").status_code == 303
    [path] = wait_for(lambda: outbox(setup))
    message = read(path)
    assert message["To"] == OWNER and message["Subject"] == f"Changes requested: {setup.slug}"
    body = message.get_content().replace("\r\n", "\n")
    assert f"Bob Reviewer <bob@example.org> asked for changes to {setup.slug}" in body
    assert "> Please fix the title\n> and <b>this</b>\n" in body
    assert f"outreach diff {setup.slug}" in body and f"outreach status {setup.slug}" in body
    wait_for(lambda: not unnotified_requests(setup.engine))
    [decision] = decisions_of(setup.engine, setup.slug)
    assert decision.notified_at is not None


def test_an_approval_tells_nobody(review_setup):
    setup = review_setup()
    setup.serve()
    assert ReviewerClient(setup).post("approve").status_code == 303
    assert httpx.get(setup.url()).status_code == 200
    assert outbox(setup) == [] and unnotified_requests(setup.engine) == []


def test_the_rounds_owner_comes_before_the_configured_one(review_setup):
    setup = review_setup(owner=OWNER)
    later = new_round(setup.engine, setup.slug, setup.version.id, "Rita Round <rita@example.org>", "tester")
    rita_link = add_reviewer(setup.engine, later, "Carol Reviewer", "carol@example.org", 14)
    from_round = ask_for_changes(setup, link=rita_link)
    from_config = ask_for_changes(setup, ADA)
    bare = new_round(setup.engine, setup.slug, setup.version.id, None, "tester")
    ownerless_round = ask_for_changes(setup, link=add_reviewer(setup.engine, bare, "Dan", "dan@example.org", 14))
    assert owner_of(setup.config, setup.engine, from_round) == "Rita Round <rita@example.org>"
    assert owner_of(setup.config, setup.engine, from_config) == OWNER
    assert owner_of(setup.config, setup.engine, ownerless_round) == OWNER, "a round without an owner: the configured one"
    assert send_notices(setup.config, setup.engine) == NoticeRound(sent=3)
    assert sorted(read(p)["To"] for p in outbox(setup)) == sorted(["Rita Round <rita@example.org>", OWNER, OWNER])


def test_with_no_owner_the_request_stays_untold_and_the_log_says_so_once(review_setup, caplog):
    setup = review_setup(owner=None)
    decision = ask_for_changes(setup, ADA)
    logged: set[int] = set()
    with caplog.at_level(logging.WARNING, logger="outreach.review.notice"):
        assert send_notices(setup.config, setup.engine, ownerless_logged=logged) == NoticeRound(no_owner=1)
        assert send_notices(setup.config, setup.engine, ownerless_logged=logged) == NoticeRound(no_owner=1)
    said = [r.getMessage() for r in caplog.records if "no owner to tell" in r.getMessage()]
    assert said == [f"changes requested for {setup.slug}: no owner to tell (set [review] owner or outreach review --owner)"]
    assert [d.id for d in unnotified_requests(setup.engine)] == [decision.id] and outbox(setup) == []
    # the owner is configured later: the next round tells them
    configured = setup.config.model_copy(update={"review": setup.config.review.model_copy(update={"owner": OWNER})})
    assert send_notices(configured, setup.engine) == NoticeRound(sent=1)
    assert unnotified_requests(setup.engine) == []


def test_a_failed_send_is_retried_and_never_lost(review_setup, smtp_server):  # noqa: F811
    setup = review_setup()
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_server.port, security="none", connections=1, timeout=10)
    config = setup.config.model_copy(update={"smtp": smtp})
    smtp_server.when("olive@example.org", "451 4.3.0 try again later")
    ask_for_changes(setup, ADA, comment="first")
    assert send_notices(config, setup.engine) == NoticeRound(failed=1)
    assert len(unnotified_requests(setup.engine)) == 1 and smtp_server.deliveries == []
    assert send_notices(config, setup.engine) == NoticeRound(sent=1)
    assert send_notices(config, setup.engine) == NoticeRound(), "sent once"
    [delivery] = smtp_server.deliveries
    assert delivery.rcpt == "olive@example.org" and delivery.mail_from == config.email.sender_address
    assert "> first\r\n" in delivery.message.get_content()


def test_nothing_a_reviewer_wrote_becomes_a_header(review_setup):
    setup = review_setup()
    hostile = ask_for_changes(setup, ADA, comment="ok\r\nBcc: evil@example.org\r\n\r\nSubject: x")
    message = email.message_from_bytes(notice_message(setup.config, hostile, OWNER), policy=email.policy.default)
    assert message["Bcc"] is None and message["Subject"] == f"Changes requested: {setup.slug}"
    assert "> Bcc: evil@example.org\n" in message.get_content().replace("\r\n", "\n")


def test_two_servers_sending_at_once_tell_the_owner_once(review_setup):
    import threading

    setup = review_setup(reviewers=(ADA, BOB))
    for _ in range(5):
        ask_for_changes(setup)
    start = threading.Barrier(4)
    rounds: list[NoticeRound] = []

    def server() -> None:
        start.wait()
        rounds.append(send_notices(setup.config, setup.engine))

    threads = [threading.Thread(target=server) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r.sent for r in rounds) == 5 and len(outbox(setup)) == 5, "each notice sent once, by one of the servers"
    assert unnotified_requests(setup.engine) == []


def test_a_claim_left_by_a_dead_server_is_taken_over_after_its_lease(review_setup):
    from datetime import timedelta

    from sqlalchemy import update

    from outreach.store.db import now
    from outreach.store.reviews import NOTICE_LEASE, claim_notice
    from outreach.store.schema import approvals

    setup = review_setup()
    decision = ask_for_changes(setup, ADA)
    assert claim_notice(setup.engine, decision.id)  # a server claimed it, then died before sending
    assert send_notices(setup.config, setup.engine).sent == 0 and outbox(setup) == [], "a live claim is left alone"
    with setup.engine.begin() as conn:
        conn.execute(update(approvals).where(approvals.c.id == decision.id)
                     .values(notice_claimed_at=now() - NOTICE_LEASE - timedelta(seconds=1)))
    assert send_notices(setup.config, setup.engine).sent == 1 and len(outbox(setup)) == 1
