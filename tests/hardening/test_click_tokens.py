"""Click tokens: a click names a stored link and one message only through a token outreach signed."""

from __future__ import annotations

import base64
import struct

import pytest
from hypothesis import given, strategies as st

from outreach.tokens import BadToken, ClickClaims, ClickMode, Keyring, make_click_token, read_click_token

KEYS = Keyring.of(b"old-key", b"current-key")
CLAIMS = ClickClaims(ClickMode.AGGREGATE, 42, 1_800_000_000, 987_654_321)


@given(st.sampled_from(list(ClickMode)), st.integers(0, 2**64 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**64 - 1))
def test_round_trip_is_url_safe_and_fixed_length(mode, link_id, sent_at, message) -> None:
    claims = ClickClaims(mode, link_id, sent_at, message)
    token = make_click_token(KEYS, claims)
    assert len(token) == 44 and token.replace("-", "").replace("_", "").isalnum()
    assert read_click_token(KEYS, token) == claims


def test_an_older_key_still_verifies_after_rotation_and_a_dropped_one_does_not() -> None:
    token = make_click_token(Keyring.of(b"old-key"), CLAIMS)
    assert read_click_token(KEYS, token) == CLAIMS
    with pytest.raises(BadToken):
        read_click_token(Keyring.of(b"current-key"), token)


def _body_with(**changes: int) -> bytes:
    values = {"mode": int(CLAIMS.mode), "link_id": CLAIMS.link_id, "sent_at": CLAIMS.sent_at, "message": CLAIMS.message, **changes}
    return struct.pack(">BQIQ", values["mode"], values["link_id"], values["sent_at"], values["message"])


@pytest.mark.parametrize("field", ["mode", "link_id", "sent_at", "message"])
def test_each_field_is_covered_by_the_signature(field: str) -> None:
    raw = base64.urlsafe_b64decode(make_click_token(KEYS, CLAIMS))
    changed = {"mode": 2, "link_id": 43, "sent_at": CLAIMS.sent_at + 1, "message": 1}[field]
    forged = base64.urlsafe_b64encode(_body_with(**{field: changed}) + raw[21:]).decode()
    with pytest.raises(BadToken):
        read_click_token(KEYS, forged)


@pytest.mark.parametrize("forge", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # altered mac
    lambda t: t[:-2], lambda t: t + "A", lambda t: "", lambda t: "A" * 44,
    lambda t: t.replace("-", "+").replace("_", "/") if ("-" in t or "_" in t) else t[:43] + "+",  # standard base64 alphabet
    lambda t: t[:20] + "=" + t[21:], lambda t: t[:43] + "\n",
])
def test_forged_or_altered_tokens_are_refused(forge) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadToken):
        read_click_token(KEYS, forge(make_click_token(KEYS, CLAIMS)))


def test_a_signed_but_unknown_mode_is_refused() -> None:
    body = _body_with(mode=9)
    from outreach.tokens import _click_mac  # the one place that signs: a token only outreach could have made

    token = base64.urlsafe_b64encode(body + _click_mac(KEYS.keys[-1], body)).decode()
    with pytest.raises(BadToken):
        read_click_token(KEYS, token)


@given(st.text(max_size=80))
def test_any_text_is_a_bad_token_or_a_valid_one_never_an_error(text: str) -> None:
    try:
        read_click_token(KEYS, text)
    except BadToken:
        pass
