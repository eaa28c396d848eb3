"""README: a channel whose variables are all unset posts to the outbox; one with only some of them set is an error
naming the missing variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.claims.conftest import write_people

X_VARS = ["X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"]
BLUESKY_VARS = ["BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"]
ALL_VARS = X_VARS + BLUESKY_VARS + ["MASTODON_ACCESS_TOKEN", "SMTP_USERNAME", "SMTP_PASSWORD"]
CASES = [("x", 2, X_VARS, missing) for missing in X_VARS] + [("bluesky", 4, BLUESKY_VARS, missing) for missing in BLUESKY_VARS]


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch):
    for name in ALL_VARS:
        monkeypatch.delenv(name, raising=False)


# Breaks if: channels/x.XChannel.from_config or channels/bluesky.BlueskyChannel.from_config treat a partly set channel as
# unset (falling back to the outbox) or build a client with a missing secret, or the message stops naming the variable.
@pytest.mark.parametrize("channel, step, names, missing", CASES, ids=[f"{c}-without-{m}" for c, _, _, m in CASES])
def test_partly_set_social_credentials_are_an_error_naming_the_missing_variable(cli, campaign_copy, monkeypatch, channel, step, names, missing):
    for name in names:
        if name != missing:
            monkeypatch.setenv(name, "set-" + name.lower())
    Path("outreach.toml").write_text("require_approval = false\n", encoding="utf-8")
    result = cli("post", campaign_copy(), "--now", "--step", step)
    assert result.code == 1, result
    assert missing in result.err, result.err
    assert not any(f"set-{n.lower()}" in result.out + result.err for n in names), "a secret's value was printed"
    assert not list(Path("outbox").rglob("*.json")), "a partly configured channel fell back to the outbox"


def test_no_social_credentials_at_all_is_the_outbox(cli, campaign_copy):
    """The control: nothing set is not an error."""
    Path("outreach.toml").write_text("require_approval = false\n", encoding="utf-8")
    result = cli("post", campaign_copy(), "--now")
    assert result.code == 0, result.err
    assert len(list(Path("outbox/posts").rglob("*.json"))) == 7


# Breaks if: mail/transport.SmtpTransport reads a configured secret as optional (logs in with no password or skips login).
@pytest.mark.parametrize("missing", ["SMTP_USERNAME", "SMTP_PASSWORD"])
def test_partly_set_smtp_credentials_are_an_error_naming_the_missing_variable(cli, config_file, smtp_server, campaign_copy, tmp_path, monkeypatch, missing):
    monkeypatch.setenv("OUTREACH_SECRET", "claims-key")
    config = config_file('username_env = "SMTP_USERNAME"\npassword_env = "SMTP_PASSWORD"\n', smtp_port=smtp_server.port)
    monkeypatch.setenv({"SMTP_USERNAME": "SMTP_PASSWORD", "SMTP_PASSWORD": "SMTP_USERNAME"}[missing], "value-that-is-set")
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "p.csv", ["a@example.org"]), "--list", "research", "--consent", "test subscribers").code == 0
    result = cli("--config", config, "send", campaign_copy(), "--now")
    assert result.code == 1, result
    assert missing in result.err and "value-that-is-set" not in result.err, result.err
    assert not smtp_server.deliveries


# Breaks if: read_credentials ignores connection settings written in the config (an instance with no token goes to the outbox).
def test_a_mastodon_instance_without_its_token_is_an_error(cli, campaign_copy):
    Path("outreach.toml").write_text('require_approval = false\n[mastodon]\ninstance = "https://social.example.org"\n', encoding="utf-8")
    result = cli("post", campaign_copy(), "--now", "--step", "3")
    assert result.code == 1 and "MASTODON_ACCESS_TOKEN" in result.err, result


def test_the_example_config_copied_as_is_still_posts_to_the_outbox(cli, campaign_copy):
    example = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text(encoding="utf-8")
    Path("outreach.toml").write_text(example.replace("require_approval = true", "require_approval = false"), encoding="utf-8")
    result = cli("post", campaign_copy(), "--now", "--step", "3")
    assert result.code == 0, result
