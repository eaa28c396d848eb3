"""Click tokens: a click names a stored link and one message only through a token outreach sealed,
and a click URL seen in a log says nothing about the message it came from."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, strategies as st

from outreach.tokens import CLICK_TOKEN_LENGTH, BadToken, ClickClaims, ClickMode, Keyring, make_click_token, read_click_token

KEYS = Keyring.of(b"old-key", b"current-key")
CLAIMS = ClickClaims(ClickMode.AGGREGATE, 42, 1_800_000_000, 987_654_321)


@given(st.sampled_from(list(ClickMode)), st.integers(0, 2**64 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**64 - 1))
def test_round_trip_is_url_safe_and_fixed_length(mode, link_id, sent_at, message) -> None:
    claims = ClickClaims(mode, link_id, sent_at, message)
    token = make_click_token(KEYS, claims)
    assert len(token) == CLICK_TOKEN_LENGTH and token.replace("-", "").replace("_", "").isalnum()
    assert read_click_token(KEYS, token) == claims


def test_an_older_key_still_verifies_after_rotation_and_a_dropped_one_does_not() -> None:
    token = make_click_token(Keyring.of(b"old-key"), CLAIMS)
    assert read_click_token(KEYS, token) == CLAIMS
    with pytest.raises(BadToken):
        read_click_token(Keyring.of(b"current-key"), token)


def test_a_token_shows_nothing_of_what_it_says() -> None:
    """Two messages sent a second apart, with the same link: nothing in common a log reader could use."""
    first = base64.urlsafe_b64decode(make_click_token(KEYS, CLAIMS))
    later = base64.urlsafe_b64decode(make_click_token(KEYS, ClickClaims(ClickMode.AGGREGATE, 42, CLAIMS.sent_at + 1, CLAIMS.message)))
    for value in (CLAIMS.sent_at, CLAIMS.link_id, CLAIMS.message):
        for size in (4, 8):
            assert value.to_bytes(size, "big") not in first
    same = sum(a == b for a, b in zip(first, later))
    assert same < 8, f"{same} of {len(first)} bytes equal: the sealed tokens should look unrelated"


@pytest.mark.parametrize("index", range(39))
def test_every_byte_is_covered(index: int) -> None:
    raw = bytearray(base64.urlsafe_b64decode(make_click_token(KEYS, CLAIMS)))
    raw[index] ^= 0x40
    with pytest.raises(BadToken):
        read_click_token(KEYS, base64.urlsafe_b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("forge", [
    lambda t: t[:-2], lambda t: t + "A", lambda t: "", lambda t: "A" * CLICK_TOKEN_LENGTH,
    lambda t: t.replace("-", "+").replace("_", "/") if ("-" in t or "_" in t) else t[:-1] + "+",  # standard base64 alphabet
    lambda t: t[:20] + "=" + t[21:], lambda t: t[:-1] + "\n",
])
def test_forged_or_malformed_tokens_are_refused(forge) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadToken):
        read_click_token(KEYS, forge(make_click_token(KEYS, CLAIMS)))


def test_a_sealed_but_unknown_mode_is_refused() -> None:
    from outreach.tokens import _CLICK_CONTEXT, _CLICK_LAYOUT, _click_cipher  # the one place that seals

    body = _CLICK_LAYOUT.pack(9, 1, 2, 3)
    token = base64.urlsafe_b64encode(_click_cipher(KEYS.keys[-1]).encrypt(body, _CLICK_CONTEXT)).decode()
    with pytest.raises(BadToken):
        read_click_token(KEYS, token)


@given(st.text(max_size=80))
def test_any_text_is_a_bad_token_or_a_valid_one_never_an_error(text: str) -> None:
    try:
        read_click_token(KEYS, text)
    except BadToken:
        pass
