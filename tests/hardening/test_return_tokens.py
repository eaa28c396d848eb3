"""VERP return-path tokens: a bounce maps to its delivery only through a token outreach signed."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from outreach.tokens import BadToken, Keyring, make_return_token, read_return_token, verp_address, verp_token_of

KEYS = Keyring.of(b"old-key", b"current-key")


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_round_trip_fits_a_local_part(delivery_id: int) -> None:
    token = make_return_token(KEYS, delivery_id)
    assert read_return_token(KEYS, token) == delivery_id
    local = verp_address("bounces@news.example.org", token).split("@")[0]
    assert len(local) <= 64 and local == local.lower()


def test_case_changed_by_an_mta_still_reads() -> None:
    token = make_return_token(KEYS, 20783)
    assert read_return_token(KEYS, token.upper()) == 20783


def test_an_older_key_still_verifies_after_rotation() -> None:
    token = make_return_token(Keyring.of(b"old-key"), 7)
    assert read_return_token(KEYS, token) == 7


@pytest.mark.parametrize("forge", [
    lambda t: t.replace(t.split("-")[0], "zz", 1),            # someone else's delivery id, same mac
    lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),         # altered mac
    lambda t: t.split("-")[0] + "-" + "a" * 16,                 # a made-up mac
    lambda t: t + "a", lambda t: "", lambda t: "-", lambda t: t.replace("-", "+"),
    lambda t: "1" * 14 + "-" + t.split("-")[1],                # an id beyond the format
])
def test_forged_or_altered_tokens_are_refused(forge) -> None:  # type: ignore[no-untyped-def]
    token = make_return_token(KEYS, 42)
    with pytest.raises(BadToken):
        read_return_token(KEYS, forge(token))


def test_a_token_signed_with_another_key_is_refused() -> None:
    with pytest.raises(BadToken):
        read_return_token(KEYS, make_return_token(Keyring.of(b"attacker"), 42))


@pytest.mark.parametrize("address,expected", [
    ("bounces+abc-def@news.example.org", "abc-def"),
    ("<BOUNCES+ABC-DEF@News.Example.Org>", "abc-def"),
    ("bounces@news.example.org", None),
    ("bounces+@news.example.org", None),
    ("other+abc@news.example.org", None),
    ("bounces+abc@news.example.org.evil.com", None),
    ("bounces+abc@evil-news.example.org", None),
])
def test_verp_token_of(address: str, expected: str | None) -> None:
    assert verp_token_of(address, "bounces@news.example.org") == expected
