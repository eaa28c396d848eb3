"""Issue 9 items 3 and 16 (config side): header values from outreach.toml are checked when the file is loaded.

A line break in ``from`` would add a header to every message; a non-ASCII sender
address made every delivery ``unknown`` at send time. Both are refused at load,
with file:line: field: reason, before any work starts.
"""

from __future__ import annotations

import json

import pytest

from outreach.config import load_config
from outreach.errors import ConfigError


def _write(tmp_path, table: str, key: str, value: str):
    path = tmp_path / "outreach.toml"
    # json.dumps gives a TOML basic string with \r, \n, \u2028 … escaped, as a person could write them
    path.write_text(f'database = "sqlite:///x.db"\n\n[{table}]\n{key} = {json.dumps(value, ensure_ascii=True)}\n', encoding="utf-8")
    return path


BAD = [
    ("email", "from", "News <news@example.org>\r\nBcc: victim@evil.example", "U+000D"),
    ("email", "from", "News\n<news@example.org>", "U+000A"),
    ("email", "from", "News\u2028 <news@example.org>", "U+2028"),
    ("email", "from", "News\u0085 <news@example.org>", "U+0085"),
    ("email", "from", "News\x00 <news@example.org>", "U+0000"),
    ("email", "reply_to", "desk@example.org\r\nSubject: spam", "U+000D"),
    ("email", "unsubscribe_mailto", "unsubscribe@example.org\nBcc: x@evil.example", "U+000A"),
    ("email", "from", "Zoë <zoë@exämple.org>", "SMTPUTF8"),
    ("email", "from", "zoë@example.org", "SMTPUTF8"),
    ("email", "reply_to", "Ünïcode <ünï@example.org>", "SMTPUTF8"),
    ("email", "unsubscribe_mailto", "désabonner@example.org", "SMTPUTF8"),
    ("email", "from", "not an address", "not an email address"),
    ("email", "from", "News <news@bad_domain!.org>", "domain"),
    ("email", "unsubscribe_mailto", "Unsub <unsubscribe@example.org>", "bare address"),
    ("web", "base_url", "https://example.org/\r\nX: y", "U+000D"),
    ("web", "base_url", "https://exämple.org", "punycode"),
    ("preview", "sample_name", "Sample\r\nBcc: x@evil.example", "U+000D"),
    ("lists.research", "title", "Research\nBcc: x@evil.example", "U+000A"),
]


@pytest.mark.parametrize("table,key,value,reason", BAD, ids=[f"{t}.{k}-{i}" for i, (t, k, _, _) in enumerate(BAD)])
def test_unsafe_or_unsendable_values_are_refused_at_load_with_a_location(tmp_path, table, key, value, reason):
    path = _write(tmp_path, table, key, value)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    message = str(exc.value)
    assert message.startswith(f"{path}:4: {table}.{key}:"), message
    assert reason.lower() in message.lower() or reason in message, message
    assert "\n" not in message and "\r" not in message


@pytest.mark.parametrize("value,expected", [
    ("Zoë Ærø <news@exämple.org>", "Zoë Ærø <news@xn--exmple-cua.org>"),  # a non-ASCII name is fine; the IDN domain becomes punycode
    ("News <news@example.org>", "News <news@example.org>"),
    ("news@example.org", "news@example.org"),
    ('"Research, DIIS" <news@example.org>', '"Research, DIIS" <news@example.org>'),
])
def test_good_senders_are_kept_and_idn_domains_become_ascii(tmp_path, value, expected):
    cfg = load_config(_write(tmp_path, "email", "from", value))
    assert cfg.email.from_ == expected
    assert cfg.email.sender_address.isascii()


def test_the_cli_shows_one_located_line_and_exit_1(tmp_path, cli):
    path = _write(tmp_path, "email", "from", "Zoë <zoë@example.org>")
    result = cli("--config", str(path), "validate", "nothing.toml")
    assert result.code == 1
    assert "Traceback" not in result.err and f"{path}:4: email.from:" in result.out + result.err


def test_a_sender_that_slipped_past_the_loader_is_refused_before_any_work(db_config, campaign_copy, monkeypatch):
    """A Config built in code skips the loader's checks: send checks again, before freezing or publishing."""
    from outreach.campaign import load_campaign
    from outreach.config import SmtpConfig, WebConfig
    from outreach.mail.send import send_email
    from outreach.plan import build_plan
    from outreach.store.archive import archive_entry
    from outreach.store.db import open_db
    from outreach.store.ledger_queries import counts

    monkeypatch.setenv("OUTREACH_SECRET", "k")
    email = db_config.email.model_copy(update={"from_": "Zoë <zoë@exämple.org>"})
    config = db_config.model_copy(update={"email": email, "require_approval": False,
                                          "smtp": SmtpConfig(host="127.0.0.1", port=9, security="none"),
                                          "web": WebConfig(base_url="https://news.example.org")})
    plan = build_plan(load_campaign(campaign_copy()), config)
    with pytest.raises(ConfigError, match="email.from: .*SMTPUTF8"):
        send_email(config, plan)
    engine = open_db(config)
    assert sum(counts(engine, plan.campaign.slug).values()) == 0 and archive_entry(engine, plan.campaign.slug) is None
