"""The one config loader: where the file comes from, defaults, located errors, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.config import Config, load_config, secret
from outreach.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_no_file_gives_fresh_machine_defaults():
    cfg = load_config()
    assert cfg.database == "sqlite:///outreach.db"
    assert cfg.outbox == Path("outbox")
    assert cfg.smtp is None
    assert cfg.source is None


def test_example_documents_the_defaults():
    example = load_config(ROOT / "config.example.toml")
    assert example.model_dump(exclude={"source"}) == Config().model_dump(exclude={"source"})


def test_every_key_in_the_example_has_a_comment():
    for line in (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines():
        stripped = line.lstrip("# ").strip()
        if "=" in stripped and not line.startswith("#") and not stripped.startswith("["):
            key = stripped.split("=", 1)[0].strip()
            assert "#" in line or _commented_above(line), f"key {key!r} has no comment"


def _commented_above(line: str) -> bool:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines()
    i = text.index(line)
    return i > 0 and text[i - 1].startswith("#")


def test_lookup_order(tmp_path, monkeypatch):
    (Path.cwd() / "outreach.toml").write_text('outbox = "from-cwd"\n', encoding="utf-8")
    assert load_config().outbox == Path("from-cwd")
    env_file = tmp_path / "env.toml"
    env_file.write_text('outbox = "from-env"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(env_file))
    assert load_config().outbox == Path("from-env")
    flag_file = tmp_path / "flag.toml"
    flag_file.write_text('outbox = "from-flag"\n', encoding="utf-8")
    assert load_config(flag_file).outbox == Path("from-flag")


@pytest.mark.parametrize(
    "text, message",
    [
        ('[smtp]\nhost = "h"\nsecurity = "ssl"\n', "outreach.toml:3: smtp.security: Input should be 'none', 'starttls' or 'tls'"),
        ('[smtp]\nhots = "h"\n', "outreach.toml:2: smtp.hots: unknown field 'hots' (did you mean 'host'?)"),
        ('databse = "x"\n', "outreach.toml:1: databse: unknown field 'databse' (did you mean 'database'?)"),
        ('[web\n', "outreach.toml:1: malformed TOML"),
    ],
)
def test_bad_config_is_located(cli, text, message):
    Path("outreach.toml").write_text(text, encoding="utf-8")
    result = cli("validate", "nothing.toml")
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_missing_explicit_config_file(cli):
    result = cli("--config", "nope.toml", "validate", "x.toml")
    assert result.code == 1
    assert "nope.toml: config file not found" in result.err


def test_secret_names_the_variable_never_the_value(monkeypatch):
    monkeypatch.delenv("OUTREACH_TEST_SECRET", raising=False)
    with pytest.raises(ConfigError, match="environment variable OUTREACH_TEST_SECRET \\(SMTP password\\) is not set"):
        secret("OUTREACH_TEST_SECRET", "SMTP password")
    monkeypatch.setenv("OUTREACH_TEST_SECRET", "hunter2")
    assert secret("OUTREACH_TEST_SECRET", "SMTP password") == "hunter2"


@pytest.mark.parametrize("name", ["A b:c", "Research", "news letter", "x;y", "-lead", "ok\u202e"])
def test_list_names_are_plain_identifiers(tmp_path, name):
    """A list's name goes into List-Id, Feedback-ID and signed links."""
    path = tmp_path / "outreach.toml"
    path.write_text(f'[lists."{name}"]\ntitle = "T"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="lists: list name"):
        load_config(path)


def test_a_bad_dkim_key_stops_serve_at_start(tmp_path, monkeypatch):
    from outreach.web.app import create_app

    monkeypatch.setenv("OUTREACH_SECRET", "k")
    monkeypatch.setenv("DKIM_KEY", "not a key")
    path = tmp_path / "outreach.toml"
    path.write_text(f'database = "sqlite:///{tmp_path / "o.db"}"\n[email.dkim]\nselector = "s1"\ndomain = "example.org"\nprivate_key_env = "DKIM_KEY"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="DKIM_KEY") as caught:
        create_app(load_config(path))
    assert "not a key" not in str(caught.value)
