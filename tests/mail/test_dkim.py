"""Issue 11, DKIM: outreach's signatures verify with dkimpy, cover what RFC 8058 needs, and break when tampered with.

dkimpy (an independent implementation) verifies every signature against a
stubbed DNS answer: the TXT record outreach itself prints for the key.
"""

from __future__ import annotations

import os
import re
import stat
import time
from datetime import datetime, timezone
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from outreach.config import load_config
from outreach.errors import ConfigError
from outreach.mail.dkim import SIGNED, DkimSigner, relaxed_header, simple_body
from outreach.mail.message import MessageFactory, Recipient
from outreach.render.email import MARKERS, RenderedEmail

SELECTOR, DOMAIN = "s2027", "example.org"
BODY_TEXT = "Dear " + MARKERS["name"] + ",\nThe report is out.\n\nUnsubscribe: " + MARKERS["unsubscribe_url"] + "\n\n\n"
BODY_HTML = "<p>Dear " + MARKERS["name"] + ",</p><p>Zoë’s report</p><a href=\"" + MARKERS["unsubscribe_url"] + "\">unsubscribe</a>"
NAMED = ["from", "to", "subject", "date", "message-id", "mime-version", "content-type", "list-id", "list-unsubscribe", "list-unsubscribe-post"]
HOSTILE_NAMES = [
    None, "Ann", "Zoë Ærø " * 40 + "\r\nBcc: victim@evil.example", "x" * 300 + "\nSubject: second",
    "\"Eve\\\"\r\nBcc: victim@evil.example", "\u202eevE\r\n\tBcc: evil", "李小龍 😀", "  spaced   out  \t",
]
SUBJECTS = ["The report is out", "Myanmar’s soldiers — why they defect, and why most of them stay: a long subject " * 3, "=?utf-8?q?fake?= ünïcode"]
# A throwaway 768-bit key (generated for this test): too short to sign with.
WEAK_768 = """-----BEGIN PRIVATE KEY-----
MIIB5gIBADANBgkqhkiG9w0BAQEFAASCAdAwggHMAgEAAmEAxfLDippBAWtvTX73
0YJZV9i5eIW4D7E9eckPcqfsQ0xW6qcb2VMAdQnUyH+ILT0G/5hhok3ntc2GVsld
IWJzMQ7Pm1RE86I1nQAhhiEhm25ZtqwsotfFjtqY44HxeLetAgMBAAECYFevdU1l
jVw6oiBbGR4WtssCNw6bdXCGG+xh01T/69nX7Dyf7+cyLGasBzUVwVYAzNxiCr/N
MjXz9ZfFXENHW0MJ32NQebyAsR6zOt702uVz5sOxUvORqgIcUn8JW87jZQIxAOP4
PCcUQsDCUKZ6oPcK2GCHJEwN4h96jXNTDuyGzgIIzubRDfnJuTAuk9dEI8kUxwIx
AN5JjQjNHD9588H4gsDoJbJ1dvjkuXejyx+TgPdpr9fgBkmSfNtdqZK4/qSGBEkz
6wIxALJWrpAPzIzJNpiWFDhO1qjk7+NDdSMVF3Uhg+pLJvv2cg2le55uTZ5Awc1E
dA5JXwIxANYFgyFCOzxystvD5kDOQ917c71Ym6oxrlUMtFODEqeLLwKPZF/h4m8+
Zw8Jaf8BWQIxANn6J7PGsssMkB4EE+T9ZFMPE4uHERdqq3jXOEteb/Di0NG9AWMZ
66xOVAhn8ExgNQ==
-----END PRIVATE KEY-----
"""


def pem_of(key) -> bytes:  # type: ignore[no-untyped-def]
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def signer(key: rsa.RSAPrivateKey) -> DkimSigner:
    return DkimSigner(key, DOMAIN, SELECTOR)


def dns_for(txt: str, selector: str = SELECTOR, domain: str = DOMAIN):  # type: ignore[no-untyped-def]
    """A dkimpy ``dnsfunc`` that knows exactly one record."""
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return txt.encode("ascii") if name == f"{selector}._domainkey.{domain}.".encode() else None
    return lookup


def verifies(message: bytes, signer: DkimSigner) -> bool:
    return bool(dkim.verify(message, dnsfunc=dns_for(signer.info.txt_value)))


def build(name: str | None = "Ann", subject: str = "The report is out", reply_to: str | None = None,
          extra: dict[str, str] | None = None) -> bytes:
    rendered = RenderedEmail(subject, "", BODY_HTML, BODY_TEXT, "research", "Research", None, None)
    factory = MessageFactory(rendered, sender="DIIS Research <news@example.org>", reply_to=reply_to,
                             list_id='"Research" <research.example.org>', extra_headers=extra)
    to = Recipient("reader@example.org", name, "https://example.org/u/tok.en-1", "mailto:unsubscribe@example.org?subject=unsubscribe%20tok",
                   "<m.1@example.org>")
    return factory.build(to, datetime(2026, 1, 2, tzinfo=timezone.utc))


def tag(signed: bytes, name: str) -> str:
    """A tag's value from the DKIM-Signature header, folding white space removed."""
    header = signed.split(b"\r\n\r\n", 1)[0].decode("ascii")
    value = re.search(rf"[;\s]{name}=([^;]*)", header.split("\r\nFrom:", 1)[0])
    assert value, name
    return re.sub(r"\s+", "", value.group(1))


def add_header(signed: bytes, line: bytes, *, top: bool) -> bytes:
    """``line`` added right after the signature (top) or as the last header."""
    if top:
        at = signed.index(b"\r\nFrom:") + 2
        return signed[:at] + line + b"\r\n" + signed[at:]
    at = signed.index(b"\r\n\r\n") + 2
    return signed[:at] + line + b"\r\n" + signed[at:]


# -- signatures verify --------------------------------------------------------------------------

@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("subject", SUBJECTS)
def test_real_messages_verify_with_dkimpy(signer, name, subject):
    message = build(name, subject, reply_to="Desk <desk@example.org>", extra={"X-Outreach-Campaign": "c", "Feedback-ID": "c:research:outreach"})
    signed = signer.sign(message)
    assert signed.endswith(message) and signed.startswith(b"DKIM-Signature: ")
    assert verifies(signed, signer)


def test_a_real_campaign_message_verifies(signer, config, campaign_copy):
    from outreach.campaign import load_campaign
    from outreach.mail.compose import campaign_factory, recipient
    from outreach.plan import build_plan
    from outreach.tokens import Keyring

    plan = build_plan(load_campaign(campaign_copy()), config)
    factory = campaign_factory(config, plan.campaign, plan.email)
    to = recipient(config, plan.campaign.slug, "research", Keyring.of(b"k"), "sub-1-aaaaaaaaaaaaaaaa", "reader@example.org", "Zoë \"Z\" Ærø")
    assert verifies(signer.sign(factory.build(to, datetime.now(timezone.utc))), signer)


def test_the_signature_header_is_well_formed(signer):
    signed = signer.sign(build(), timestamp=1_800_000_000)
    header = signed[:signed.index(b"\r\nFrom:")].decode("ascii")
    assert all(len(line) <= 78 for line in header.split("\r\n"))
    assert tag(signed, "a") == "rsa-sha256" and tag(signed, "c") == "relaxed/simple"
    assert tag(signed, "d") == DOMAIN and tag(signed, "s") == SELECTOR and tag(signed, "t") == "1800000000"
    assert not re.search(r"[;\s]l=", header), "l= lets anyone append to the body"


def test_h_covers_every_named_header_once_more_than_it_appears(signer):
    signed = signer.sign(build(reply_to="Desk <desk@example.org>", extra={"Feedback-ID": "c:research:outreach"}))
    h = tag(signed, "h").split(":")
    for name in NAMED + ["reply-to", "feedback-id"]:
        assert h.count(name) == 2, (name, h)  # present once, listed twice: a second copy cannot be added
    assert h.count("cc") == 1, "an absent Cc is signed as absent"


def test_absent_optional_headers_are_signed_as_absent(signer):
    h = tag(signer.sign(build()), "h").split(":")
    assert h.count("reply-to") == 1 and h.count("feedback-id") == 1 and h.count("list-unsubscribe-post") == 2


def test_relaxed_headers_and_simple_body_survive_harmless_changes(signer):
    signed = signer.sign(build(subject=SUBJECTS[1]))
    refolded = signed.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"list-unsubscribe-post:  List-Unsubscribe=One-Click  ")
    refolded = refolded.replace(b",\r\n <mailto:", b",\r\n\t  <mailto:").replace(b"Subject: ", b"Subject:\r\n  ", 1)
    assert refolded.count(b"\r\n\t  <mailto:") == 1 and b"Subject:\r\n " in refolded and verifies(refolded, signer)
    assert verifies(signed + b"\r\n\r\n", signer), "trailing empty lines are not part of the simple body"
    assert verifies(signer.sign(build() + b"\r\n\r\n"), signer), "... also when the signed message has them"


def test_canonical_forms():
    assert relaxed_header(b"SubJect :  a \t b\r\n  c  ") == b"subject:a b c\r\n"
    assert simple_body(b"a\r\n\r\n\r\n") == b"a\r\n" and simple_body(b"") == b"\r\n" and simple_body(b"a \r\n") == b"a \r\n"


# -- tampering breaks it ------------------------------------------------------------------------

def test_a_changed_body_fails(signer):
    signed = signer.sign(build())
    assert verifies(signed, signer)
    assert not verifies(signed.replace(b"The report is out.", b"The report is OUT."), signer)
    assert not verifies(signed + b"P.S. click http://evil.example\r\n", signer)


def test_a_changed_list_unsubscribe_fails(signer):
    signed = signer.sign(build())
    assert not verifies(signed.replace(b"https://example.org/u/tok.en-1", b"https://evil.example/u/tok.en-1"), signer)


@pytest.mark.parametrize("top", [True, False], ids=["top", "bottom"])
@pytest.mark.parametrize("line", [
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe: <https://evil.example/u/x>",
    b"From: Bank <security@bank.example>", b"Subject: Urgent: verify your account", b"Reply-To: thief@evil.example",
    b"Cc: victim@evil.example",
], ids=["list-unsubscribe-post", "list-unsubscribe", "from", "subject", "reply-to", "cc"])
def test_an_added_header_fails(signer, line, top):
    signed = signer.sign(build())
    assert not verifies(add_header(signed, line, top=top), signer)


def test_an_unsigned_header_may_be_added(signer):
    """What relays add (Received) does not break the signature: the failures above are about what is signed."""
    signed = signer.sign(build())
    assert verifies(add_header(signed, b"Received: from relay.example.org by mx.example.net", top=True), signer)


def test_signing_is_not_pure_python_speed(signer):
    """A pure-Python RSA signature costs ~7 ms here; OpenSSL's about 0.3 ms. The bound is generous."""
    message = build()
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(20):
            signer.sign(message)
        best = min(best, (time.perf_counter() - started) / 20)
    assert best < 0.003, f"{best * 1000:.2f} ms per signature"


# -- keygen -------------------------------------------------------------------------------------

def test_keygen_writes_a_private_key_whose_record_verifies(cli, tmp_path):
    out = tmp_path / "dkim.pem"
    result = cli("dkim", "keygen", "--selector", SELECTOR, "--domain", DOMAIN, "--out", out)
    assert result.code == 0, result.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert f"{SELECTOR}._domainkey.{DOMAIN}" in result.out
    value_line = next(line for line in result.out.splitlines() if line.strip().startswith("value:"))
    strings = re.findall(r'"([^"]*)"', value_line)
    assert len(strings) >= 2 and all(len(s) <= 255 for s in strings)
    txt = "".join(strings)
    assert txt.startswith("v=DKIM1; k=rsa; p=")
    assert "[email.dkim]" in result.out and f'private_key_file = "{out.resolve()}"' in result.out
    assert "PRIVATE KEY" not in result.out
    (tmp_path / "outreach.toml").write_text(f'[email.dkim]\nselector = "{SELECTOR}"\ndomain = "{DOMAIN}"\nprivate_key_file = "{out}"\n')
    signer = DkimSigner.from_config(load_config(tmp_path / "outreach.toml"))
    assert signer is not None and signer.info.bits == 2048
    assert dkim.verify(signer.sign(build()), dnsfunc=dns_for(txt))


def test_keygen_refuses_to_overwrite(cli, tmp_path):
    out = tmp_path / "dkim.pem"
    out.write_text("the key in use")
    result = cli("dkim", "keygen", "--selector", SELECTOR, "--domain", DOMAIN, "--out", out)
    assert result.code == 1 and "already exists" in result.err and len(result.err.strip().splitlines()) == 1
    assert out.read_text() == "the key in use"


def test_keygen_refuses_a_bad_selector(cli, tmp_path):
    result = cli("dkim", "keygen", "--selector", "a b", "--domain", DOMAIN, "--out", tmp_path / "k.pem")
    assert result.code == 1 and "--selector" in result.err and not (tmp_path / "k.pem").exists()


def test_check_prints_the_record_and_a_signature(cli, tmp_path, key):
    (tmp_path / "k.pem").write_bytes(pem_of(key))
    (tmp_path / "outreach.toml").write_text(f'[email]\nfrom = "News <news@{DOMAIN}>"\n[email.dkim]\nselector = "{SELECTOR}"\n'
                                            f'domain = "{DOMAIN}"\nprivate_key_file = "{tmp_path / "k.pem"}"\n')
    result = cli("--config", tmp_path / "outreach.toml", "dkim", "check")
    assert result.code == 0, result.err
    assert "DKIM-Signature:" in result.out and "list-unsubscribe-post" in result.out and "aligns with" in result.out
    assert DkimSigner(key, DOMAIN, SELECTOR).info.txt_value[-60:] in result.out.replace('" "', "")


# -- configuration errors -----------------------------------------------------------------------

def config_with(tmp_path: Path, setting: str) -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text(f'[email]\nfrom = "News <news@{DOMAIN}>"\n\n[email.dkim]\nselector = "{SELECTOR}"\ndomain = "{DOMAIN}"\n{setting}\n')
    return path


def assert_config_error(path: Path, setting: str, *, secret: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DkimSigner.from_config(load_config(path))
    message = str(caught.value)
    assert "\n" not in message.strip(), message
    assert message.startswith(f"{path}:7: email.dkim.{setting}"), message
    assert words in message, message
    for line in secret.splitlines():
        if len(line) > 8 and "-----" not in line:
            assert line not in message, "key material in the error"


def test_no_dkim_table_means_no_signer(tmp_path):
    (tmp_path / "outreach.toml").write_text("")
    assert DkimSigner.from_config(load_config(tmp_path / "outreach.toml")) is None


def test_missing_key_file(tmp_path):
    assert_config_error(config_with(tmp_path, 'private_key_file = "missing.pem"'), "private_key_file", secret="", words="missing.pem")


def test_unreadable_key_file(tmp_path):
    (tmp_path / "adir").mkdir()  # root reads any file whatever its mode; a folder is unreadable for everyone
    assert_config_error(config_with(tmp_path, f'private_key_file = "{tmp_path / "adir"}"'), "private_key_file", secret="", words="cannot read")


@pytest.mark.parametrize("kind", ["garbage", "ec", "short", "encrypted", "public"])
def test_bad_key_in_a_file(tmp_path, kind, key):
    pem = {
        "garbage": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nnot a key at all\n",
        "ec": pem_of(ec.generate_private_key(ec.SECP256R1())).decode(),
        "short": WEAK_768,
        "encrypted": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(b"pw")).decode(),
        "public": key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
    }[kind]
    (tmp_path / "k.pem").write_text(pem)
    words = {"garbage": "does not hold a PEM private key", "ec": "not an RSA key", "short": "768 bits", "encrypted": "encrypted",
             "public": "does not hold a PEM private key"}[kind]
    assert_config_error(config_with(tmp_path, f'private_key_file = "{tmp_path / "k.pem"}"'), "private_key_file", secret=pem, words=words)


def test_key_from_an_environment_variable(tmp_path, monkeypatch, key):
    path = config_with(tmp_path, 'private_key_env = "DKIM_KEY_TEST"')
    monkeypatch.delenv("DKIM_KEY_TEST", raising=False)
    assert_config_error(path, "private_key_env", secret="", words="DKIM_KEY_TEST")
    monkeypatch.setenv("DKIM_KEY_TEST", "hunter2-secret-value")
    assert_config_error(path, "private_key_env", secret="hunter2-secret-value", words="DKIM_KEY_TEST")
    monkeypatch.setenv("DKIM_KEY_TEST", pem_of(key).decode())
    signer = DkimSigner.from_config(load_config(path))
    assert signer is not None and verifies(signer.sign(build()), signer)
    monkeypatch.setenv("DKIM_KEY_TEST", pem_of(key).decode().replace("\n", "\\n"))  # one line, as some secret stores keep it
    assert DkimSigner.from_config(load_config(path)) is not None


def test_the_signer_reads_the_key_once(tmp_path, key):
    (tmp_path / "k.pem").write_bytes(pem_of(key))
    signer = DkimSigner.from_config(load_config(config_with(tmp_path, f'private_key_file = "{tmp_path / "k.pem"}"')))
    os.remove(tmp_path / "k.pem")
    assert signer is not None and verifies(signer.sign(build()), signer)


def test_signed_list_matches_the_issue():
    assert set(NAMED) <= set(SIGNED)


# -- through the send path, to a real SMTP server -------------------------------------------------

@pytest.fixture
def dkim_smtp_config(smtp_config, tmp_path, key):  # type: ignore[no-untyped-def]
    from outreach.config import DkimConfig, WebConfig

    (tmp_path / "dkim.pem").write_bytes(pem_of(key))
    dkim_table = DkimConfig(selector=SELECTOR, domain="outreach.invalid", private_key_file=tmp_path / "dkim.pem")
    return smtp_config.model_copy(update={"email": smtp_config.email.model_copy(update={"dkim": dkim_table}),
                                          "web": WebConfig(base_url="https://news.example.org")})  # links as a real send needs them


def test_every_message_sent_over_smtp_is_signed_and_verifies(dkim_smtp_config, smtp_server, tmp_path, campaign_copy, key):
    from outreach.campaign import load_campaign
    from outreach.mail.send import send_email, send_test
    from outreach.plan import build_plan
    from outreach.store.db import open_db
    from outreach.store.subscribers import import_csv
    from tests.mail.conftest import write_csv

    rows = [(f"reader{i:03d}@example.org", f"Reader {i}") for i in range(8)] + [("aase@example.dk", "Åse \"Ærø\"\\ 😀 " * 5)]
    import_csv(open_db(dkim_smtp_config), write_csv(tmp_path / "subs.csv", rows), "research")
    plan = build_plan(load_campaign(campaign_copy()), dkim_smtp_config)
    result = send_email(dkim_smtp_config, plan, backoff=(0.05,), max_attempts=2)
    assert result.this_run == {"sent": len(rows)}
    send_test(dkim_smtp_config, plan, ["checker@example.org"])
    lookup = dns_for(DkimSigner(key, "outreach.invalid", SELECTOR).info.txt_value, domain="outreach.invalid")
    assert len(smtp_server.deliveries) == len(rows) + 1
    assert all(b"\r\nFeedback-ID:" in d.data for d in smtp_server.deliveries), "campaign mail carries a Feedback-ID to sign"
    for delivery in smtp_server.deliveries:
        assert delivery.data.startswith(b"DKIM-Signature: "), delivery.rcpt
        assert delivery.data.count(b"DKIM-Signature:") == 1, "signed once, also when a message is retried"
        assert dkim.verify(delivery.data, dnsfunc=lookup), delivery.rcpt
        h = tag(delivery.data, "h").split(":")
        for name in NAMED + ["feedback-id"] * (b"\r\nFeedback-ID:" in delivery.data):
            assert h.count(name) == 2, (name, h)  # each header there is signed, and over-signed
