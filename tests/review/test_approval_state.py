"""Counting approvals: distinct reviewers, the content as it renders now, each reviewer's latest word, CLI approvals.

The store and ``approval`` are driven directly (the web pages and commands that record decisions have tests of
their own); both databases.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import update

from outreach.approval import approval_state, approve, require_approval
from outreach.campaign import load_campaign
from outreach.config import ReviewConfig
from outreach.errors import ApprovalError
from outreach.plan import build_plan
from outreach.review.snapshot import snapshot
from outreach.store.db import now, open_db
from outreach.store.reviews import DecisionKind, DecisionMethod, NewDecision, add_reviewer, new_round, record_decision
from outreach.store.schema import reviewers
from outreach.validate import check
from tests.helpers import replace_once

EDITED_WORDS = ("drawing on defectors’ own voices", "drawing on interviews with defectors")


@pytest.fixture
def setup(db_config, campaign_copy):
    """A campaign copy, its checked plan, the engine, and a maker of review links."""
    path = campaign_copy()

    def configured(required: int = 1, count_cli: bool = False):
        return db_config.model_copy(update={"review": ReviewConfig(approvals_required=required, count_cli_approvals=count_cli)})

    engine = open_db(db_config)
    checked = check(load_campaign(path), db_config)
    stored = snapshot(engine, checked, db_config)
    round_ = new_round(engine, checked.plan.campaign.slug, stored.id, None, "tester")

    def link(name: str, address: str):
        return add_reviewer(engine, round_, name, address, 14)

    return path, checked.plan, engine, configured, link, stored


def _decide(engine, plan, link, kind=DecisionKind.APPROVED, version_id=None, comment=None):
    return record_decision(engine, NewDecision(plan.campaign.slug, kind, DecisionMethod.LINK, link.name, plan.content_hash,
                                               plan.hashes, version_id, reviewer=link, client_ip="127.0.0.1", comment=comment))


def test_one_cli_approval_is_enough_when_one_is_required(setup) -> None:
    _, plan, engine, configured, _, _ = setup
    assert not approval_state(configured(), engine, plan).ready
    approve(engine, plan, "Jane Doe")
    state = approval_state(configured(), engine, plan)
    assert state.ready and [d.by for d in state.counted] == ["Jane Doe"] and state.missing() is None
    assert state.counted[0].os_user, "a CLI approval records the OS user"


def test_above_one_cli_approvals_count_only_when_the_config_allows_it(setup) -> None:
    _, plan, engine, configured, link, _ = setup
    _decide(engine, plan, link("Ann", "ann@example.org"))
    approve(engine, plan, "Jane Doe")
    state = approval_state(configured(2), engine, plan)
    assert not state.ready and len(state.counted) == 1 and [d.by for d in state.not_counted] == ["Jane Doe"]
    assert "1 more approval" in state.missing() and "count_cli_approvals" in state.missing()
    assert approval_state(configured(2, count_cli=True), engine, plan).ready


def test_two_links_of_one_person_are_one_reviewer(setup) -> None:
    _, plan, engine, configured, link, _ = setup
    _decide(engine, plan, link("Ann", "ann@example.org"))
    _decide(engine, plan, link("Ann again", "ANN@example.org"))
    assert len(approval_state(configured(2), engine, plan).counted) == 1
    _decide(engine, plan, link("Bob", "bob@example.org"))
    assert approval_state(configured(2), engine, plan).ready


def test_a_reviewers_latest_word_wins(setup) -> None:
    _, plan, engine, configured, link, _ = setup
    ann = link("Ann", "ann@example.org")
    _decide(engine, plan, ann)
    assert approval_state(configured(), engine, plan).ready
    _decide(engine, plan, ann, DecisionKind.CHANGES_REQUESTED, comment="the date is wrong")
    state = approval_state(configured(), engine, plan)
    assert not state.ready and "changes requested by Ann" in state.missing()
    with pytest.raises(ApprovalError, match="changes requested by Ann"):
        require_approval(configured(), engine, plan)


def test_a_request_for_changes_by_one_reviewer_blocks_what_others_approved(setup) -> None:
    _, plan, engine, configured, link, _ = setup
    _decide(engine, plan, link("Ann", "ann@example.org"))
    _decide(engine, plan, link("Bob", "bob@example.org"), DecisionKind.CHANGES_REQUESTED, comment="no")
    assert not approval_state(configured(), engine, plan).ready


def test_waiting_names_the_reviewers_asked_who_have_not_approved(setup) -> None:
    _, plan, engine, configured, link, _ = setup
    ann, bob, cat = link("Ann", "ann@example.org"), link("Bob", "bob@example.org"), link("Cat", "cat@example.org")
    _decide(engine, plan, ann)
    with engine.begin() as conn:
        conn.execute(update(reviewers).where(reviewers.c.id == cat.id).values(revoked_at=now()))
    state = approval_state(configured(2), engine, plan)
    assert [w.name for w in state.waiting] == ["Bob"] and "waiting on Bob" in state.missing()
    with engine.begin() as conn:
        conn.execute(update(reviewers).where(reviewers.c.id == bob.id).values(expires_at=now() - timedelta(seconds=1)))
    assert approval_state(configured(2), engine, plan).waiting == ()


def test_an_edit_voids_every_approval_and_the_refusal_names_the_words(setup) -> None:
    path, plan, engine, configured, link, stored = setup
    _decide(engine, plan, link("Ann", "ann@example.org"), version_id=stored.id)
    path.write_text(replace_once(*EDITED_WORDS)(path.read_text(encoding="utf-8")), encoding="utf-8")
    edited = build_plan(load_campaign(path), configured())
    state = approval_state(configured(), engine, edited)
    assert not state.ready and state.counted == () and state.last_approval is not None
    with pytest.raises(ApprovalError) as refused:
        require_approval(configured(), engine, edited)
    message = str(refused.value)
    assert "changed since approval by Ann" in message and "posts[2]" in message
    assert "drawing on {+interviews with +}defectors[-’ own voices-]" in message
    assert "\n" not in message


def test_an_old_approval_without_pieces_still_names_the_changed_piece(setup) -> None:
    path, plan, engine, configured, _, _ = setup
    approve(engine, plan, "Jane Doe")  # no version: like every approval made before revision 0008
    path.write_text(replace_once(*EDITED_WORDS)(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ApprovalError, match=r"posts\[2\]: changed \(the earlier words were not stored\)"):
        require_approval(configured(), engine, build_plan(load_campaign(path), configured()))


def test_cli_approvals_from_one_login_are_one_reviewer_whatever_names_they_give(setup) -> None:
    _, plan, engine, configured, _, _ = setup
    for name in ("Alice", "alice ", "Bob"):
        approve(engine, plan, name)
    state = approval_state(configured(2, count_cli=True), engine, plan)
    assert not state.ready and len(state.counted) == 1, "one OS user cannot meet approvals_required = 2 by typing names"


def test_a_revoked_links_decisions_count_for_nothing(setup) -> None:
    _, plan, engine, configured, link, _ = setup
    leaked, bob = link("Ann", "ann@example.org"), link("Bob", "bob@example.org")
    _decide(engine, plan, leaked)
    _decide(engine, plan, bob, DecisionKind.CHANGES_REQUESTED, comment="wait")
    assert not approval_state(configured(), engine, plan).ready
    with engine.begin() as conn:
        conn.execute(update(reviewers).where(reviewers.c.id == bob.id).values(revoked_at=now()))
    assert approval_state(configured(), engine, plan).ready, "a revoked link's request for changes no longer blocks"
    with engine.begin() as conn:
        conn.execute(update(reviewers).where(reviewers.c.id == leaked.id).values(revoked_at=now()))
    state = approval_state(configured(), engine, plan)
    assert not state.ready and state.counted == (), "an approval made with a link revoked since does not count"
    again = link("Ann", "ann@example.org")  # a new link for the same person
    _decide(engine, plan, again)
    assert approval_state(configured(), engine, plan).ready


def test_the_os_user_is_the_processs_login_not_an_environment_variable(setup, monkeypatch) -> None:
    import pwd

    _, plan, engine, configured, _, _ = setup
    approve(engine, plan, "Alice")
    for variable in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "mallory")
    second = approve(engine, plan, "Bob")
    assert second.os_user == pwd.getpwuid(os.getuid()).pw_name != "mallory"
    assert len(approval_state(configured(2, count_cli=True), engine, plan).counted) == 1


def test_an_expired_links_decisions_still_count(setup) -> None:
    _, plan, engine, configured, link, _ = setup
    ann = link("Ann", "ann@example.org")
    _decide(engine, plan, ann)
    with engine.begin() as conn:
        conn.execute(update(reviewers).where(reviewers.c.id == ann.id).values(expires_at=now() - timedelta(seconds=1)))
    assert approval_state(configured(), engine, plan).ready, "expiry ends the link, not what was decided with it"
