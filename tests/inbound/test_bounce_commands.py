"""``outreach bounces list|show|undo`` through the CLI: the table, the original shown safely, undo once. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.inbound.events import InboundKind, InboundSource
from outreach.inbound.record import record
from outreach.store.db import open_db
from outreach.store.subscribers import suppression_list
from tests.inbound.test_record import KEYS, msg, send


@pytest.fixture
def kept(db_config, tmp_path):
    """A database with a hard bounce (ada, campaign c1) and an auto-reply; the CLI reads it through outreach.toml."""
    Path("outreach.toml").write_text(f"database = {db_config.database!r}\n".replace("'", '"'), encoding="utf-8")
    engine = open_db(db_config)
    rows = send(engine, tmp_path, "c1", "research", ["ada@example.org"])
    hostile = b"Subject: \x1b[31mred\x1b[0m [bold]x[/bold]\r\n\r\n5.1.1 user unknown\r\nbidi \xe2\x80\xae here\r\n"
    hard = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=rows["ada@example.org"].message_id, raw=hostile, receipt="r-hard"))
    auto = record(engine, db_config, KEYS, msg(InboundKind.AUTO_REPLY, address="bob@example.org", reason="vacation (Auto-Submitted)",
                                                 source=InboundSource.IMAP))
    return engine, hard, auto


def test_list_shows_each_message_with_its_campaign_and_filters_by_kind(cli, kept):
    _, hard, auto = kept
    result = cli("bounces", "list")
    assert result.code == 0, result.err
    assert "ada@example.org" in result.out and "c1" in result.out and "hard_bounce" in result.out and "auto_reply" in result.out
    only = cli("bounces", "list", "--kind", "auto_reply", "--limit", "5")
    assert only.code == 0 and "auto_reply" in only.out and "hard_bounce" not in only.out
    with pytest.raises(SystemExit) as refused:
        cli("bounces", "list", "--limit", "0")
    assert refused.value.code == 2


def test_show_prints_every_field_and_the_original_with_control_characters_escaped(cli, kept):
    _, hard, _ = kept
    result = cli("bounces", "show", str(hard.id))
    assert result.code == 0, result.err
    for text in ("hard_bounce", "5.1.1 user unknown (DSN Status)", "suppressed ada@example.org on every list (hard bounce)", "c1", "r-hard"):
        assert text in result.out
    assert "\x1b" not in result.out and "\\x1b[31mred" in result.out and "[bold]x[/bold]" in result.out
    assert "\u202e" not in result.out and "\\u202e" in result.out and "\r" not in result.out


def test_undo_lifts_once_then_refuses_and_an_unknown_id_is_one_line(cli, kept):
    engine, hard, _ = kept
    first = cli("bounces", "undo", str(hard.id), "--by", "ops")
    assert first.code == 0, first.err
    assert "lifted the suppression of ada@example.org" in first.out and suppression_list(engine) == []
    listed = cli("bounces", "list")
    assert "by ops" in listed.out
    again = cli("bounces", "undo", str(hard.id))
    assert again.code == 1 and "already undone" in again.err and len(again.err.strip().splitlines()) == 1
    missing = cli("bounces", "show", "9999")
    assert missing.code == 1 and missing.err.strip() == "error: no inbound message 9999 (see 'outreach bounces list')"
    assert cli("bounces", "undo", "9999").code == 1


def test_undo_of_a_message_that_changed_nothing_says_so(cli, kept):
    _, _, auto = kept
    result = cli("bounces", "undo", str(auto.id))
    assert result.code == 1 and "changed nothing" in result.err
