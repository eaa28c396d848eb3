"""The review section of ``outreach status CAMPAIGN``: who was asked, who decided what, untold requests, what is missing.

Reviews are asked for with the real command; decisions through a link are recorded in the store as the review page
records them. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from outreach.campaign import load_campaign
from outreach.plan import Plan
from outreach.store.db import now
from outreach.store.reviews import (DecisionKind, DecisionMethod, NewDecision, mark_notified, record_decision, reviewers_of,
                                    unnotified_requests, version_by_hash)
from outreach.store.schema import reviewers
from outreach.validate import check

from tests.review.test_review_cli import ANN, BOB, OWNER, SLUG, Env, make_env, write_config

HOSTILE_COMMENT = "fix \x1b[31mred\x1b[0m [bold]now[/bold]\nBcc: x\u202e <script>"


def _plan(env: Env) -> Plan:
    checked = check(load_campaign(env.campaign), env.config)
    assert not checked.errors
    return checked.plan


def _decide(env: Env, address: str, kind: DecisionKind = DecisionKind.APPROVED, comment: str | None = None) -> None:
    """What the review page records when ``address`` presses a button on their newest link."""
    plan = _plan(env)
    link = [link for link in reviewers_of(env.engine, SLUG) if link.address == address][-1]
    stored = version_by_hash(env.engine, SLUG, plan.content_hash)
    record_decision(env.engine, NewDecision(SLUG, kind, DecisionMethod.LINK, link.name, plan.content_hash, plan.hashes,
                                            stored.id if stored else None, reviewer=link, client_ip="127.0.0.1", comment=comment))


@pytest.fixture
def env(db_config, campaign_copy, tmp_path, monkeypatch) -> Env:  # type: ignore[no-untyped-def]
    return make_env(db_config, campaign_copy, tmp_path, monkeypatch)


def _status(cli, env: Env, *args: str) -> str:  # type: ignore[no-untyped-def]
    done = cli("status", env.campaign, *args)
    assert done.code == 0, done.err
    return done.out


def test_who_was_asked_and_whether_their_link_still_opens(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN, "--reviewer", BOB, "--reviewer", "Cy <cy@example.org>").code == 0
    assert cli("review", env.campaign, "--revoke", "bob stone").code == 0
    cy = [link for link in reviewers_of(env.engine, SLUG) if link.address == "cy@example.org"][0]
    with env.engine.begin() as conn:
        conn.execute(update(reviewers).where(reviewers.c.id == cy.id).values(expires_at=now() - timedelta(minutes=1)))
    text = _status(cli, env)
    assert "review of soldier-defections-myanmar: asked" in text
    lines = {line.split("│")[1].strip(): line for line in text.splitlines() if "@example.org" in line and "│" in line}
    assert "usable until" in lines["Ann Lee <ann@example.org>"] and "│ 1 " in lines["Ann Lee <ann@example.org>"]
    assert "revoked " in lines["Bob Stone <bob@example.org>"]
    assert "expired " in lines["Cy <cy@example.org>"]
    assert "still missing before dispatch: 1 more approval of the current content (has 0 of 1); waiting on Ann Lee" in text


def test_a_decision_made_with_a_link_revoked_since_is_shown_void(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    _decide(env, "ann@example.org")
    assert "before dispatch: nothing is missing" in _status(cli, env)
    assert cli("review", env.campaign, "--revoke", "ann@example.org").code == 0
    text = _status(cli, env)
    row = next(line for line in text.splitlines() if "approved" in line and "Ann Lee" in line)
    assert "void: link revoked" in row and "still missing before dispatch: 1 more approval" in text
    assert json.loads(_status(cli, env, "--json"))["review"]["decisions"][0]["void"] is True


def test_nobody_asked_is_said(env: Env, cli) -> None:
    text = _status(cli, env)
    assert "review: nobody was asked" in text
    assert "still missing before dispatch: 1 more approval" in text


def test_decisions_with_their_comment_escaped_and_what_is_missing(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN, "--reviewer", BOB, "--owner", OWNER).code == 0
    _decide(env, "ann@example.org")
    _decide(env, "bob@example.org", DecisionKind.CHANGES_REQUESTED, HOSTILE_COMMENT)
    text = _status(cli, env)
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31mred\\x1b[0m" in text and "\\u202e" in text
    assert "Ann Lee <ann@example.org>" in text and "approved" in text and "changes-requested" in text
    assert "still missing before dispatch: changes requested by Bob Stone" in text
    data = json.loads(_status(cli, env, "--json"))["review"]
    decisions = {d["by"]: d for d in data["decisions"]}
    assert decisions["Bob Stone <bob@example.org>"]["comment"] == HOSTILE_COMMENT, "JSON keeps the comment as it is (escaped by JSON)"
    assert decisions["Ann Lee <ann@example.org>"]["decision"] == "approved" and decisions["Ann Lee <ann@example.org>"]["current"]
    assert decisions["Ann Lee <ann@example.org>"]["method"] == "link"
    assert data["ready"] is False and data["missing"].startswith("changes requested by Bob Stone")


def test_the_comment_line_is_escaped_in_the_table(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", BOB).code == 0
    _decide(env, "bob@example.org", DecisionKind.CHANGES_REQUESTED, "[red]x[/red] \x1b[2J\nline two")
    text = _status(cli, env)
    row = next(line for line in text.splitlines() if "changes-requested" in line)
    assert "[red]x[/red] \\x1b[2J\\nline two" in row, "markup shown, not obeyed; the line break escaped, so one row"


def test_an_approval_is_ready_and_an_edit_makes_it_earlier(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    _decide(env, "ann@example.org")
    assert "before dispatch: nothing is missing" in _status(cli, env)
    env.edit("Why do most stay?", "Why do many stay?")
    text = _status(cli, env)
    assert "(earlier)" in text and "(current)" not in text
    assert "still missing before dispatch: 1 more approval of the current content (has 0 of 1); waiting on Ann Lee" in text


def test_a_cli_approval_shows_the_os_user_and_whether_it_counts(env: Env, cli, db_config) -> None:
    write_config(env.config_path, db_config.database, env.outbox, "[review]\napprovals_required = 2\n")
    assert cli("approve", env.campaign, "--by", "Jane Doe").code == 0
    text = _status(cli, env)
    assert "Jane Doe (OS user " in text and "cli" in text
    assert "CLI approvals do not count towards approvals_required above 1" in text


def test_requests_whose_owner_was_not_told(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN, "--owner", OWNER).code == 0
    assert cli("review", env.campaign, "--reviewer", BOB).code == 0  # round 2: no owner in the round or the config
    _decide(env, "ann@example.org", DecisionKind.CHANGES_REQUESTED, "too long")
    _decide(env, "bob@example.org", DecisionKind.CHANGES_REQUESTED, "typo")
    text = _status(cli, env)
    assert "request for changes by Ann Lee at " in text and f"UTC: {OWNER} not told yet" in text
    assert "request for changes by Bob Stone at " in text and "nobody is set to be told" in text
    mark_notified(env.engine, [d.id for d in unnotified_requests(env.engine, SLUG) if d.by == "Ann Lee"])
    text = _status(cli, env)
    assert "request for changes by Ann Lee" not in text and "request for changes by Bob Stone" in text


def test_a_campaign_that_no_longer_validates_still_lists_the_review(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    env.edit('list = "research"', 'list = "no-such-list"')
    text = _status(cli, env)
    assert "Ann Lee <ann@example.org>" in text
    assert "cannot tell what is missing before dispatch: it does not validate (" in text
    data = json.loads(_status(cli, env, "--json"))["review"]
    assert data["ready"] is None and data["missing"] is None


def test_status_of_every_campaign_has_no_review_section(env: Env, cli) -> None:
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    done = cli("status")
    assert done.code == 0 and "review" not in done.out and "Ann Lee" not in done.out
    assert "review" not in json.loads(cli("status", "--json").out)


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")


def test_with_approval_not_required_nothing_is_missing(env: Env, cli) -> None:
    """require_approval = false: status says so, and does not also say an approval is missing (it was both)."""
    write_config(env.config_path, env.config.database, env.outbox, "require_approval = false\n")
    assert cli("review", env.campaign, "--reviewer", ANN).code == 0
    text = _status(cli, env)
    assert "approval is not required (require_approval = false)" in text
    assert "still missing" not in text and "before dispatch: nothing is missing" in text
