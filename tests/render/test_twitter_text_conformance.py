"""X's weighted length must match twitter-text's own conformance suite (v3 config)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outreach.render.posts import LIMITS, x_length
from twitter_text import parse_tweet

HERE = Path(__file__).resolve().parents[1] / "conformance" / "twitter-text"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "twitter-text" / "validate.yml"
CASES = yaml.safe_load((HERE / "validate.yml").read_text(encoding="utf-8"))["tests"]["WeightedTweetsWithDiscountedEmojiCounterTest"]


def test_vendored_suite_matches_shared_copy():
    if not SHARED.is_file():
        pytest.skip(f"no shared copy at {SHARED} to compare with")
    assert SHARED.read_bytes() == (HERE / "validate.yml").read_bytes()


def test_suite_is_not_empty():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["description"] for c in CASES])
def test_weighted_length(case):
    expected = case["expected"]
    result = parse_tweet(case["text"])
    assert x_length(case["text"]) == expected["weightedLength"]
    assert result.valid is expected["valid"]
    assert result.permillage == expected["permillage"]
    assert (result.validRangeStart, result.validRangeEnd) == (expected["validRangeStart"], expected["validRangeEnd"])
    assert (result.displayRangeStart, result.displayRangeEnd) == (expected["displayRangeStart"], expected["displayRangeEnd"])
    assert (expected["weightedLength"] <= LIMITS["x"]) or not expected["valid"]
