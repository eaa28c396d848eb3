"""Fixtures for the ESP webhook tests: the providers' documented payloads, an SNS emulator, signers.

The SNS emulator is a real HTTP server on loopback (port chosen by the OS). It
signs messages with a certificate it made itself and serves that certificate
at ``/SimpleNotificationService-<id>.pem``; it records every GET of a
``SubscribeURL``. Outreach's httpx transport seam sends requests for
``sns.eu-west-1.amazonaws.com`` to it, so the production host only ever
appears in URLs and signatures.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from outreach.config import WebhooksConfig

FIXTURES = Path(__file__).parent / "fixtures"
REGION = "eu-west-1"
SNS_HOST = f"sns.{REGION}.amazonaws.com"
TOPIC = f"arn:aws:sns:{REGION}:123456789012:outreach-ses-events"
CERT_PATH = "/SimpleNotificationService-7c5e1a2b3d4f.pem"
NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)
MAILGUN_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
POSTMARK_USER, POSTMARK_PASSWORD = "outreach-hooks", "correct horse battery staple"


def fixture(name: str) -> Any:
    """A provider's documented example payload, parsed."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def make_certificate(key: rsa.RSAPrivateKey, name: str) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=3650)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def sns_canonical(message: dict[str, Any]) -> bytes:
    """The string SNS signs, written from AWS's documentation (not outreach's code): ``Name\nvalue\n`` per field.

    Notification: Message, MessageId, Subject (only when present), Timestamp, TopicArn, Type.
    SubscriptionConfirmation / UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
    """
    if message["Type"] == "Notification":
        names = ["Message", "MessageId", *(["Subject"] if "Subject" in message else []), "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{name}\n{message[name]}\n" for name in names).encode()


class SnsEmulator:
    """Serves the signing certificate and records subscription confirmations."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.certificate = make_certificate(self.key, SNS_HOST)
        self.confirmed: list[dict[str, list[str]]] = []
        self.certificate_fetches = 0
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path == CERT_PATH:
                    emulator.certificate_fetches += 1
                    self.answer(200, emulator.certificate)
                elif parts.path == "/" and parse_qs(parts.query).get("Action") == ["ConfirmSubscription"]:
                    emulator.confirmed.append(parse_qs(parts.query))
                    self.answer(200, b"<ConfirmSubscriptionResponse/>")
                else:
                    self.answer(404, b"not found")

            def answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport that sends requests for the SNS host to this emulator (plain http on loopback)."""
        return Reroute({SNS_HOST: self.port})

    def sign(self, message: dict[str, Any], version: str = "2", key: rsa.RSAPrivateKey | None = None) -> dict[str, Any]:
        """``message`` with SignatureVersion, SigningCertURL and Signature set, signed by this emulator's key."""
        signed = {**message, "SignatureVersion": version, "SigningCertURL": f"https://{SNS_HOST}{CERT_PATH}"}
        digest = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = (key or self.key).sign(sns_canonical(signed), padding.PKCS1v15(), digest)
        signed["Signature"] = base64.b64encode(signature).decode()
        return signed


class Reroute(httpx.BaseTransport):
    """Sends requests for the given https hosts to 127.0.0.1:<port> over plain http; refuses every other host."""

    def __init__(self, hosts: dict[str, int]) -> None:
        self.hosts = hosts
        self.inner = httpx.HTTPTransport()
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        port = self.hosts.get(request.url.host)
        if port is None or request.url.scheme != "https":
            raise httpx.ConnectError(f"the test network has no route to {request.url.host}")
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
        return self.inner.handle_request(request)


@pytest.fixture(scope="session")
def _sns_server() -> Iterator[SnsEmulator]:
    emulator = SnsEmulator()
    emulator.thread.start()
    try:
        yield emulator
    finally:
        emulator.server.shutdown()
        emulator.server.server_close()
        emulator.thread.join(timeout=10)


@pytest.fixture
def sns_emulator(_sns_server: SnsEmulator) -> SnsEmulator:
    """The session's SNS emulator with its records cleared."""
    _sns_server.confirmed.clear()
    _sns_server.certificate_fetches = 0
    return _sns_server


@functools.cache
def forger_key() -> rsa.RSAPrivateKey:
    """An RSA key that is not the emulator's (a forger's)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def settings() -> WebhooksConfig:
    return WebhooksConfig(sns_topic_arns=[TOPIC], mailgun_signing_key_env="MAILGUN_KEY", sendgrid_public_key_env="SENDGRID_KEY",
                          postmark_username=POSTMARK_USER, postmark_password_env="POSTMARK_PASSWORD", max_age_seconds=300)


def sns_notification(ses_event: dict[str, Any], message_id: str = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
                     when: datetime = NOW) -> dict[str, Any]:
    """SNS's documented Notification envelope carrying ``ses_event``, on our topic, at ``when`` (unsigned)."""
    envelope = fixture("sns_notification.json")
    envelope.update(TopicArn=TOPIC, MessageId=message_id, Message=json.dumps(ses_event),
                    Timestamp=when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
                    UnsubscribeURL=f"https://{SNS_HOST}/?Action=Unsubscribe&SubscriptionArn={TOPIC}:c9135db0")
    return envelope


def sns_confirmation(when: datetime = NOW) -> dict[str, Any]:
    """SNS's documented SubscriptionConfirmation, moved to our topic and region (unsigned)."""
    message = fixture("sns_subscription_confirmation.json")
    token = message["Token"]
    message.update(TopicArn=TOPIC, Timestamp=when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                   Message=message["Message"].replace("arn:aws:sns:us-west-2:123456789012:MyTopic", TOPIC),
                   SubscribeURL=f"https://{SNS_HOST}/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token={token}")
    return message


def mailgun_signed(payload: dict[str, Any], key: str = MAILGUN_KEY, when: datetime = NOW, token: str | None = None) -> bytes:
    """``payload`` with its signature block redone: timestamp ``when``, HMAC-SHA256 of timestamp + token under ``key``."""
    signed = copy.deepcopy(payload)
    block = signed["signature"]
    block["timestamp"] = str(int(when.timestamp()))
    if token:
        block["token"] = token
    block["signature"] = hmac.new(key.encode(), (block["timestamp"] + block["token"]).encode(), hashlib.sha256).hexdigest()
    return json.dumps(signed).encode()


class SendGridSigner:
    """An ECDSA P-256 key pair standing in for SendGrid's, with the public key in SendGrid's base64 DER form."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        der = self.key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.public = base64.b64encode(der).decode()

    def headers(self, body: bytes, when: datetime = NOW, key: ec.EllipticCurvePrivateKey | None = None) -> dict[str, str]:
        stamp = str(int(when.timestamp()))
        signature = (key or self.key).sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
                "X-Twilio-Email-Event-Webhook-Timestamp": stamp, "Content-Type": "application/json"}


@pytest.fixture
def sendgrid_signer() -> SendGridSigner:
    return SendGridSigner()


def basic_auth(user: str = POSTMARK_USER, password: str = POSTMARK_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
