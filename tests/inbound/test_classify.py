"""The inbound classifier: every fixture read right, and no bytes that make it raise or hang.

The fixtures in ``fixtures/mail`` are hand-written after the formats real MTAs and
feedback loops send (Postfix, Exim, Exchange Online and Exchange 5.5/2000, Gmail old
and new, Yahoo CFL, Microsoft JMRP, Outlook OOF, vacation(1), Thunderbird and webmail
unsubscribe mails). The VERP tokens have the shape ``make_return_token`` gives.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.inbound.classify import classify
from outreach.inbound.events import Classification, InboundKind

MAIL = Path(__file__).parent / "fixtures" / "mail"
BOUNCES = "bounces@news.example.org"
UNSUBSCRIBE = "unsubscribe@news.example.org"
UNSUB_TOKEN = "WyJRN2ZLMm1Yd0w5cFJ0NHNWYjhuWSIsInJlc2VhcmNoIl0.av2GwA.PpFOtQT3gVLjEMNVBYVtVi8aIJo"
H, S, C, A, U, X = (InboundKind.HARD_BOUNCE, InboundKind.SOFT_BOUNCE, InboundKind.COMPLAINT,
                    InboundKind.AUTO_REPLY, InboundKind.UNSUBSCRIBE, InboundKind.UNKNOWN)


def mid(tag: str) -> str:
    return f"<soldier-defections-myanmar.{tag}@news.example.org>"


@dataclass(frozen=True)
class Expected:
    kind: InboundKind
    reason: str
    address: str | None = None
    status: str | None = None
    verp: tuple[str, ...] = ()
    message_id: str | None = None
    token: str | None = None
    envelope: tuple[str, ...] = ()


EXPECTED = {
    "postfix_hard_user_unknown.eml": Expected(
        H, "5.1.1 user unknown (DSN Status)", "m.okafor@riverside-clinic.example", "5.1.1",
        ("1vc2g-5bmamgpu5rr6xmfi",), mid("3f9a1c0d7e2b4a6c8d0e1f2a")),
    "exim_hard_text.eml": Expected(
        H, "5.1.1 user unknown (flufl.bounce)", "p.nguyen@tidewater.example", "5.1.1",
        ("1m9ft-3l5ud6icuwbn5upo",), mid("5e2f8a1b3c4d6e7f9a0b1c2d")),
    "exchange_ndr_dsn.eml": Expected(
        H, "5.1.10 recipient not found or null MX (DSN Status)", "r.castellanos@kestrel-engineering.example",
        "5.1.10", ("1bxcz-7uolqtpfck3wscze",), mid("7a8b9c0d1e2f3a4b5c6d7e8f")),
    "exchange_ndr_text.eml": Expected(
        H, "permanent failure (flufl.bounce)", "t.mbeki@lakeside-coop.example", None,
        ("gnjd-q6kncaiqokccod4b",), mid("2d3e4f5a6b7c8d9e0f1a2b3c")),
    "gmail_hard_dsn.eml": Expected(
        H, "5.1.1 user unknown (DSN Status)", "samira.elamin@gmail.com", "5.1.1",
        ("2s2s1-nymscn4u5sgi2fwb",), mid("1c2d3e4f5a6b7c8d9e0f1a2b")),
    "gmail_hard_legacy_text.eml": Expected(
        H, "5.2.1 mailbox disabled (flufl.bounce)", "jonas.brekke@northwind-trading.example", "5.2.1",
        ("yohd-k5yssewb3dizg4rx",), mid("8f9e0d1c2b3a4f5e6d7c8b9a")),
    "soft_mailbox_full.eml": Expected(
        S, "4.2.2 mailbox full (DSN Status)", "lars.kjaer@fjordhus.example", "4.2.2",
        ("ub7p-f4taqv4qgvkasmbo",), mid("9b04e6f1a2c3d5e7f8091a2b")),
    "delayed_dsn.eml": Expected(
        X, "4.4.1 delivery delayed, not a failure (DSN Action: delayed)", "a.haddad@harbourlaw.example", "4.4.1",
        ("114gi-d6clblvxlklkpmji",), mid("0c7d2e9f4b1a3c5d6e7f8a9b")),
    "arf_yahoo.eml": Expected(
        C, "abuse complaint (ARF Feedback-Type, Yahoo!-Mail-Feedback/2.0)", "ines.carvalho@yahoo.com", None,
        ("3hwj-aq4kcmsuaqzrd2bl",), mid("6c5d4e3f2a1b0c9d8e7f6a5b")),
    "arf_microsoft_jmrp.eml": Expected(
        C, "abuse complaint (ARF Feedback-Type, Hotmail FBL)", "kwame.asante@outlook.com", None,
        ("5kq2f-wk3ndvuhpzyfsbxq",), mid("4b3a2c1d0e9f8a7b6c5d4e3f")),
    "arf_original_rcpt_headers.eml": Expected(
        C, "abuse complaint (ARF Feedback-Type, SomeGenerator/1.0)", "d.ferreira@isp-feedback.example.net", None,
        ("9ix4-tq2ebmyvdrml4zca",), mid("e1f2a3b4c5d6e7f8a9b0c1d2")),
    "autoreply_exchange_oof.eml": Expected(
        A, "auto-reply: Auto-Submitted: auto-generated", verp=("3w1lq-xq7mb2r4tfyv5jkc",),
        message_id=mid("a0b1c2d3e4f5a6b7c8d9e0f1")),
    "autoreply_vacation_precedence.eml": Expected(A, "auto-reply: Precedence: bulk and a vacation subject"),
    "autoreply_x_autoreply_to_unsubscribe.eml": Expected(
        A, "auto-reply: X-Autoreply header", envelope=(UNSUBSCRIBE,)),
    "unsubscribe_plain.eml": Expected(
        U, "unsubscribe request mailed to unsubscribe@news.example.org (Subject)", token=UNSUB_TOKEN,
        envelope=(UNSUBSCRIBE,)),
    "unsubscribe_re_folded.eml": Expected(
        U, "unsubscribe request mailed to unsubscribe@news.example.org (Subject)", token=UNSUB_TOKEN),
    "unsubscribe_rfc2047.eml": Expected(
        U, "unsubscribe request mailed to unsubscribe@news.example.org (Subject)", token=UNSUB_TOKEN,
        envelope=("<Unsubscribe@News.Example.org>",)),
    "unrelated_human_reply.eml": Expected(
        X, "not a bounce, complaint, auto-reply or unsubscribe", message_id=mid("0c7d2e9f4b1a3c5d6e7f8a9b")),
    "unrelated_newsletter.eml": Expected(X, "not a bounce, complaint, auto-reply or unsubscribe"),
}


def run(raw: bytes, envelope: tuple[str, ...] = (), bounce: str | None = BOUNCES) -> Classification:
    return classify(raw, bounce_address=bounce, unsubscribe_address=UNSUBSCRIBE, envelope_recipients=envelope)


def fixture(name: str) -> bytes:
    return (MAIL / name).read_bytes()


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in MAIL.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_classified(name: str, crlf: bool) -> None:
    want = EXPECTED[name]
    raw = fixture(name)
    if crlf:  # as an SMTP/LMTP receiver or IMAP hands it over
        raw = raw.replace(b"\n", b"\r\n")
    got = run(raw, want.envelope)
    assert (got.kind, got.reason, got.address, got.status) == (want.kind, want.reason, want.address, want.status)
    assert got.verp_tokens == want.verp
    assert got.original_message_id == want.message_id
    assert got.unsubscribe_token == want.token


def test_reports_come_before_auto_replies() -> None:
    """Bounces and ARF reports carry Auto-Submitted too; they are still bounces and complaints."""
    for name in ("postfix_hard_user_unknown.eml", "gmail_hard_dsn.eml", "exim_hard_text.eml",
                 "arf_original_rcpt_headers.eml"):
        assert b"Auto-Submitted: auto-" in fixture(name)
        assert run(fixture(name)).kind in (H, C)


def test_an_auto_reply_to_the_unsubscribe_address_does_not_unsubscribe() -> None:
    raw = fixture("autoreply_x_autoreply_to_unsubscribe.eml")
    assert UNSUB_TOKEN.encode() in raw
    assert run(raw, (UNSUBSCRIBE,)).kind is A
    plain_unsubscribe = raw.replace(b"X-Autoreply: yes\n", b"").replace(b"Subject: Auto: ", b"Subject: ")
    assert run(plain_unsubscribe, (UNSUBSCRIBE,)).kind is U
    assert run(raw.replace(b"X-Autoreply: yes\n", b""), (UNSUBSCRIBE,)).kind is A  # the "Auto:" subject alone
    for header in (b"Auto-Submitted: auto-replied\n", b"Precedence: auto_reply\n", b"X-Autorespond: yes\n",
                   b"X-Autoreply: yes\n"):
        edited = plain_unsubscribe.replace(b"MIME-Version", header + b"MIME-Version")
        assert run(edited, (UNSUBSCRIBE,)).kind is A, header


def test_a_client_generated_unsubscribe_mail_still_unsubscribes() -> None:
    """auto-generated (made by a program, e.g. a mail client's unsubscribe button) is not a reply."""
    raw = fixture("unsubscribe_plain.eml")
    generated = raw.replace(b"MIME-Version", b"Auto-Submitted: auto-generated\nMIME-Version")
    assert run(generated).kind is U
    assert run(generated.replace(b"unsubscribe@news.example.org", b"desk@news.example.org")).kind is A
    assert run(raw.replace(b"MIME-Version", b"Auto-Submitted: auto-replied\nMIME-Version")).kind is A


def test_auto_submitted_no_is_not_an_auto_reply() -> None:
    raw = fixture("unsubscribe_plain.eml").replace(b"MIME-Version", b"Auto-Submitted: no\nMIME-Version")
    assert run(raw).kind is U


# -- DSN grading ------------------------------------------------------------------------------------

def soft(edit_from: bytes, edit_to: bytes) -> Classification:
    raw = fixture("soft_mailbox_full.eml")
    assert edit_from in raw
    return run(raw.replace(edit_from, edit_to))


def test_a_5xx_status_is_hard_and_a_4xx_status_is_soft() -> None:
    assert soft(b"Status: 4.2.2", b"Status: 5.2.2") == Classification(
        H, "5.2.2 mailbox full (DSN Status)", "lars.kjaer@fjordhus.example",
        mid("9b04e6f1a2c3d5e7f8091a2b"), ("ub7p-f4taqv4qgvkasmbo",), None, "5.2.2")
    assert soft(b"Status: 4.2.2", b"Status: 4.7.1").kind is S


@pytest.mark.parametrize("action", ["delayed", "relayed", "delivered", "expanded", "Delayed (comment)"])
def test_actions_other_than_failed_are_not_bounces(action: str) -> None:
    got = soft(b"Action: failed", f"Action: {action}".encode())
    assert got.kind is X
    assert "not a failure" in got.reason
    assert got.address == "lars.kjaer@fjordhus.example"


def test_the_recipient_as_sent_wins_over_the_one_it_was_forwarded_to() -> None:
    got = soft(b"Final-Recipient: rfc822; lars.kjaer@fjordhus.example",
               b"Final-Recipient: rfc822; lars.kjaer.fjordhus@tenant.mail.onmicrosoft.example")
    assert got.address == "lars.kjaer@fjordhus.example"
    got = soft(b"Original-Recipient: rfc822;lars.kjaer@fjordhus.example\n", b"")
    assert got.address == "lars.kjaer@fjordhus.example"


def test_opensmtpd_action_error_is_a_failure() -> None:
    assert soft(b"Action: failed", b"Action: error").kind is S


def test_without_a_status_the_diagnostic_smtp_code_decides() -> None:
    got = soft(b"Status: 4.2.2\n", b"")
    assert got.kind is S and got.status is None and "DSN Diagnostic-Code" in got.reason
    hard = fixture("postfix_hard_user_unknown.eml").replace(b"Status: 5.1.1\n", b"")
    assert run(hard).kind is H


def test_an_unknown_code_takes_its_text_from_the_diagnostic() -> None:
    got = soft(b"Status: 4.2.2", b"Status: 5.9.9")
    assert got.reason == "5.9.9 Mailbox full, quota exceeded (DSN Status)"
    got = soft(b"Status: 4.2.2", b"Status: 5.0.0")
    assert got.reason == "5.0.0 Mailbox full, quota exceeded (DSN Status)"
    # no diagnostic at all: the code's subject
    edited = fixture("soft_mailbox_full.eml").replace(b"Status: 4.2.2", b"Status: 5.6.9")
    edited = re.sub(rb"Diagnostic-Code: [^\n]*\n    quota exceeded\n", b"", edited)
    assert run(edited).reason == "5.6.9 content problem (DSN Status)"


def test_failed_recipient_wins_over_a_delayed_one() -> None:
    delayed = (b"Final-Recipient: rfc822; other@fjordhus.example\nAction: delayed\nStatus: 4.4.1\n\n")
    got = soft(b"Final-Recipient: rfc822; lars", delayed + b"Final-Recipient: rfc822; lars")
    assert (got.kind, got.address) == (S, "lars.kjaer@fjordhus.example")


def test_flufl_warning_is_not_a_bounce() -> None:
    raw = (b"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: bounces+yohd-k5yssewb3dizg4rx"
           b"@news.example.org\nSubject: Delivery Status Notification (Delay)\n\nThis is an automatically generated"
           b" Delivery Status Notification\n\nTHIS IS A WARNING MESSAGE ONLY.\n\nYOU DO NOT NEED TO RESEND YOUR "
           b"MESSAGE.\n\nDelivery to the following recipient has been delayed:\n\n     jonas@northwind.example"
           b"\n\nMessage will be retried for 2 more day(s)\n")
    got = run(raw)
    assert got.kind is X and "not a failure" in got.reason
    assert got.address == "jonas@northwind.example"
    assert got.verp_tokens == ("yohd-k5yssewb3dizg4rx",)


def test_a_mailbox_full_text_bounce_is_soft() -> None:
    raw = fixture("exim_hard_text.eml").replace(b"550 5.1.1", b"452 4.2.2")
    got = run(raw)
    assert (got.kind, got.status, got.reason) == (S, "4.2.2", "4.2.2 mailbox full (flufl.bounce)")


def test_an_auto_reply_with_a_null_return_path_is_not_taken_for_a_bounce() -> None:
    """RFC 3834 auto-replies come from <> like bounces; the OOF fixture is one."""
    raw = fixture("autoreply_exchange_oof.eml")
    assert raw.startswith(b"Return-Path: <>\n")
    assert run(raw).kind is A
    got = run(raw.replace(b"From: Henrik Sorensen <h.sorensen@", b"From: Mail Delivery System <mailer-daemon@"))
    assert (got.kind, got.reason) == (X, "looks like a bounce, but no failed recipient was found")


def test_gmail_names_the_original_in_the_per_message_fields() -> None:
    raw = fixture("gmail_hard_dsn.eml")
    raw = re.sub(rb"\n(In-Reply-To|References|Message-ID): <soldier[^\n]*", b"", raw)
    assert raw.count(b"soldier-defections-myanmar.1c2d3e4f5a6b7c8d9e0f1a2b") == 1
    assert run(raw).original_message_id == mid("1c2d3e4f5a6b7c8d9e0f1a2b")


@pytest.mark.parametrize("sender", [None, "Système de distribution <Mailer-Daemon@mx.tidewater.example>", "\"broken"])
def test_flufl_detectors_run_past_headers_they_trip_over(sender: str | None) -> None:
    """No From, an 8-bit one, or an unparsable one made a detector raise and end flufl.bounce's scan."""
    raw = re.sub(rb"X-Failed-Recipients: [^\n]*\n", b"", fixture("exim_hard_text.eml"))
    replacement = b"" if sender is None else b"From: " + sender.encode() + b"\n"
    raw = re.sub(rb"From: Mail Delivery System [^\n]*\n", replacement, raw)
    got = run(raw)
    assert (got.kind, got.address, got.reason) == (H, "p.nguyen@tidewater.example", "5.1.1 user unknown (flufl.bounce)")


def test_a_detector_that_raises_is_a_bounce_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    import flufl.bounce

    def broken(msg: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(flufl.bounce, "all_failures", broken)
    got = run(fixture("exim_hard_text.eml"))
    assert (got.kind, got.reason) == (X, "looks like a bounce, but no failed recipient was found")
    assert got.original_message_id == mid("5e2f8a1b3c4d6e7f9a0b1c2d")


def test_a_human_mail_with_bounce_words_is_not_read_by_the_heuristics() -> None:
    raw = (b"From: Amira <a.haddad@harbourlaw.example>\nTo: desk@news.example.org\nSubject: question\n\n"
           b"Your message could not be delivered to the printer, ha.\n  x@harbourlaw.example\n")
    assert run(raw).kind is X


@pytest.mark.parametrize("subject", [b"look", b"Undelivered Mail Returned to Sender"])
@pytest.mark.parametrize("name", ["postfix_hard_user_unknown.eml", "arf_yahoo.eml", "exim_hard_text.eml"])
def test_a_report_forwarded_as_an_attachment_is_not_ours(name: str, subject: bytes) -> None:
    raw = (b"From: Amira Haddad <a.haddad@harbourlaw.example>\nTo: desk@news.example.org\nSubject: Fwd: " + subject +
           b"\n"
           b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=fwd\n\n--fwd\nContent-Type: text/plain\n\n"
           b"Is this about your list?\n\n--fwd\nContent-Type: message/rfc822\n\n" + fixture(name) + b"\n--fwd--\n")
    assert run(raw).kind is X


# -- ARF --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("feedback", ["auth-failure", "not-spam"])
def test_feedback_reports_that_are_not_complaints(feedback: str) -> None:
    raw = fixture("arf_yahoo.eml").replace(b"Feedback-Type: abuse", f"Feedback-Type: {feedback}".encode())
    got = run(raw)
    assert got.kind is X and f"{feedback} feedback report, not a complaint" in got.reason


@pytest.mark.parametrize("feedback", ["fraud", "virus", "other", "Abuse; (user clicked spam)"])
def test_other_feedback_types_are_complaints(feedback: str) -> None:
    raw = fixture("arf_yahoo.eml").replace(b"Feedback-Type: abuse", f"Feedback-Type: {feedback}".encode())
    assert run(raw).kind is C


def test_a_report_part_sent_as_text_plain_is_still_read() -> None:
    raw = fixture("arf_original_rcpt_headers.eml").replace(b"Content-Type: message/feedback-report",
                                                           b"Content-Type: text/plain")
    got = run(raw)
    assert (got.kind, got.address) == (C, "d.ferreira@isp-feedback.example.net")


# -- auto-replies and unsubscribes ------------------------------------------------------------------

def plain(subject: str, extra: str = "", to: str = "desk@news.example.org") -> bytes:
    return (f"From: Someone <someone@elsewhere.example>\nTo: {to}\nSubject: {subject}\n{extra}"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello.\n").encode()


@pytest.mark.parametrize("subject", [
    "Out of Office: Soldier defections", "Automatic reply: Soldier defections", "Auto: Soldier defections",
    "Autosvar: Soldier defections", "Fraværende: Soldier defections", "Abwesenheitsnotiz: Soldier defections",
    "Automatische Antwort: Soldier defections", "=?iso-8859-1?q?R=E9ponse_automatique_=3A?= Soldier defections",
    "Absent du bureau", "Respuesta automática: Soldier defections", "Fuera de la oficina", "Afwezig",
])
def test_vacation_subjects_in_several_languages(subject: str) -> None:
    got = run(plain(subject))
    assert got.kind is A and "vacation or out-of-office subject" in got.reason


def test_precedence_bulk_alone_is_a_mailing_list_not_an_auto_reply() -> None:
    assert run(plain("Weekly digest", "Precedence: bulk\n")).kind is X
    assert run(plain("Weekly digest", "Precedence: auto_reply\n")).kind is A


def test_unsubscribe_needs_the_address_and_a_token() -> None:
    subject = f"unsubscribe {UNSUB_TOKEN}"
    assert run(plain(subject)).kind is X  # the token, but not to the unsubscribe address
    assert run(plain(subject), ("desk@news.example.org",)).kind is X
    got = run(plain("please remove me", to=UNSUBSCRIBE))
    assert got.kind is X and "without a token" in got.reason
    assert run(plain("unsubscribe short", to=UNSUBSCRIBE)).kind is X
    got = run(plain(f"unsubscribe%20{UNSUB_TOKEN}", extra=f"Delivered-To: {UNSUBSCRIBE.upper()}\n"))
    assert (got.kind, got.unsubscribe_token) == (U, UNSUB_TOKEN)


def test_unsubscribe_token_stops_at_the_first_character_that_is_not_a_token_character() -> None:
    got = run(plain(f"Re: unsubscribe {UNSUB_TOKEN} (sent from my phone)", to=UNSUBSCRIBE))
    assert got.unsubscribe_token == UNSUB_TOKEN


# -- VERP tokens ------------------------------------------------------------------------------------

def test_verp_tokens_from_every_delivery_header_and_the_envelope() -> None:
    extra = ("Delivered-To: BOUNCES+AAAA-bbbbbbbbbbbbbbbb@NEWS.EXAMPLE.ORG\n"
             "X-Original-To: bounces+cccc-dddddddddddddddd@news.example.org\n"
             "Envelope-To: bounces+eeee-ffffffffffffffff@news.example.org, other@x.example\n")
    got = run(plain("hi", extra, to="bounces+gggg-hhhhhhhhhhhhhhhh@news.example.org"),
              ("<bounces+iiii-jjjjjjjjjjjjjjjj@news.example.org>", "bounces+aaaa-bbbbbbbbbbbbbbbb@news.example.org"))
    assert got.verp_tokens == ("iiii-jjjjjjjjjjjjjjjj", "aaaa-bbbbbbbbbbbbbbbb", "cccc-dddddddddddddddd",
                               "gggg-hhhhhhhhhhhhhhhh", "eeee-ffffffffffffffff")


def test_verp_token_inside_the_returned_original_only() -> None:
    """A relay that rewrote the envelope: the token is only in the returned headers' Return-Path."""
    raw = fixture("postfix_hard_user_unknown.eml")
    raw = re.sub(rb"(Delivered-To|To|X-Postfix-Sender): .*bounces\+1vc2g-5bmamgpu5rr6xmfi@news.example.org\n",
                 rb"\1: desk@news.example.org\n", raw)
    raw = raw.replace(b"for <bounces+1vc2g-5bmamgpu5rr6xmfi@", b"for <desk@")
    assert raw.count(b"1vc2g-5bmamgpu5rr6xmfi") == 1
    assert run(raw).verp_tokens == ("1vc2g-5bmamgpu5rr6xmfi",)


def test_no_bounce_address_means_no_verp_tokens() -> None:
    assert run(fixture("postfix_hard_user_unknown.eml"), bounce=None).verp_tokens == ()


# -- hostile input ----------------------------------------------------------------------------------

def assert_calm(raw: bytes, envelope: tuple[str, ...] = ()) -> Classification:
    """Classified without raising and without falling back to the catch-all."""
    got = run(raw, envelope)
    assert isinstance(got, Classification)
    assert not got.reason.startswith("unreadable"), got.reason
    assert "\n" not in got.reason and len(got.reason) <= 200
    return got


HOSTILE = {
    "nested multiparts": b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i)
                                  for i in range(900)) + b"x\n" * 300_000,
    "many parts": b"From: mailer-daemon@x.example\nContent-Type: multipart/mixed; boundary=b\n\n" + b"--b\n\nx\n" * 100_000,
    "parameter soup": b"Content-Type: multipart/report" + b';"a' * 300_000 + b"\n\nbody\n",
    "folded parameter soup": b"Content-Type: multipart/report;\n" + b' ;"a\n' * 200_000 + b"\nbody\n",
    "huge header": b"Subject: " + b"a" * 2_000_000 + b"\n\nx",
    "many headers": b"To: bounces+a-b@news.example.org\n" * 200_000 + b"\nx",
    "empty lines": b"From: mailer-daemon@x.example\nSubject: Undeliverable\n\n" + b"\n" * 2_000_000,
    "exchange heuristic": b"From: postmaster@x.example\nSubject: Undeliverable\n\ndid not reach the following "
                          b"recipient\n" + (b"a" * 2000 + b" on \n") * 600,
    "base64 postfix heuristic": b"From: postmaster@x.example\nContent-Type: multipart/report; boundary=b\n\n--b\n"
                                b"Content-Type: text/plain\nContent-Description: notification\nContent-Transfer-"
                                b"Encoding: base64\n\n" + __import__("base64").encodebytes(b"the postfix\n" + b"<" * 60_000)
                                + b"\n--b--\n",
    "dsn blocks": b"From: postmaster@x\nContent-Type: multipart/report; boundary=b\n\n--b\nContent-Type: message/"
                  b"delivery-status\n\n" + b"Action: failed\nStatus: 5.1.1\nFinal-Recipient: rfc822; a@b\n\n" * 20_000,
    "address run": b"To: " + b"a" * 5000 + b"\nSubject: unsubscribe " + b"A" * 5000 + b"\n\n",
    "odd charsets": b"Subject: =?a\x00b?q?x?= =?zlib?q?x?= =?hex?q?x?= =?idna?q?=FF?= =?rot13?q?x?=\n\nx\n",
    "broken encodings": b"Subject: =?x-unknown?q?=FF=FE?= =?utf-8?b?////?=\nContent-Type: text/plain; charset=nope\n"
                        b"Content-Transfer-Encoding: base64\n\n!!!!\xff\xfe\n",
    "nested rfc822": b"".join(b"Content-Type: message/rfc822\n\n" for _ in range(3000)) + b"Subject: x\n\nbody\n",
    "global delivery status": b"Content-Type: multipart/report; boundary=b\n\n--b\nContent-Type: message/global-"
                              b"delivery-status\nContent-Transfer-Encoding: base64\n\n" + b"////\n" * 50 + b"--b--\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_classified_quickly(name: str) -> None:
    started = time.monotonic()
    assert_calm(HOSTILE[name])
    assert time.monotonic() - started < 3.0  # each takes well under 0.5 s; unbounded, several take 5-100 s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert_calm(raw, ("unsubscribe@news.example.org",))


_FIXTURES = {name: fixture(name) for name in sorted(EXPECTED)}


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> bytes:
    raw = bytearray(_FIXTURES[draw(st.sampled_from(sorted(_FIXTURES)))])
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "delete"]))
        at = draw(st.integers(0, max(len(raw) - 1, 0)))
        if op == "flip" and raw:
            raw[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del raw[at:]
        elif op == "insert":
            raw[at:at] = draw(st.sampled_from([b"\n", b"\r\n\r\n", b"--", b"=?utf-8?b?", b"\xff\xfe", b";\"",
                                               b"Content-Type: multipart/mixed; boundary=x\n", b"\x00",
                                               b"Status: 9.9.9\n", b"Action: failed\n", b"<>@", b"=?a\x00?q?x?=",
                                               b"Content-Type: message/rfc822\n\n", b"From: \xff\n"]))
        elif op == "duplicate":
            raw[at:at] = raw[at:at + draw(st.integers(1, 400))]
        elif op == "delete":
            del raw[at:at + draw(st.integers(1, 200))]
    return bytes(raw)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_fixtures())
def test_mutated_fixtures_never_raise(raw: bytes) -> None:
    assert_calm(raw, ("unsubscribe@news.example.org",))


def test_non_bytes_and_odd_arguments_never_raise() -> None:
    for raw in (b"", bytearray(b"Subject: x\n\n"), memoryview(b"\xff" * 10)):
        assert run(raw).kind is X
    got = classify(fixture("postfix_hard_user_unknown.eml"), bounce_address="not-an-address",
                   unsubscribe_address="", envelope_recipients=["", "@", "<>"])
    assert got.kind is H and got.verp_tokens == ()
    for envelope in (None, 42, [None, b"x"], UNSUBSCRIBE):
        got = classify(fixture("unsubscribe_rfc2047.eml"), bounce_address=BOUNCES, unsubscribe_address=UNSUBSCRIBE,
                       envelope_recipients=envelope)  # type: ignore[arg-type]
        assert got.kind is (U if envelope == UNSUBSCRIBE else X)
