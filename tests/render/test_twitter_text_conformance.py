"""X's weighted length must match twitter-text's own conformance suite (v3 config).

The suite is vendored under tests/conformance/twitter-text (with its licence) and read from there only, so the
test runs the same on every machine and never skips. Its SHA-256 is pinned: replacing or trimming the copy fails.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from outreach.render.posts import LIMITS, x_length
from twitter_text import parse_tweet
from twitter_text.config import config as library_config

HERE = Path(__file__).resolve().parents[1] / "conformance" / "twitter-text"
PINNED = {  # twitter-text's conformance/validate.yml and config/v3.json, as vendored
    "validate.yml": "29fa1be663676f3d0bb0a67f393b32c15d92c5dd10db9be401bf7708d7c5b703",
    "config-v3.json": "2aca8d4a5d1f10e2d680a7d7421ca3afe446c879c19d0fe835c1df7aa19c124a",
}
CASES = yaml.safe_load((HERE / "validate.yml").read_text(encoding="utf-8"))["tests"]["WeightedTweetsWithDiscountedEmojiCounterTest"]


@pytest.mark.parametrize("name", PINNED)
def test_vendored_suite_is_the_pinned_copy(name):
    assert hashlib.sha256((HERE / name).read_bytes()).hexdigest() == PINNED[name], f"tests/conformance/twitter-text/{name} changed"
    assert (HERE / "LICENSE").is_file()


def test_the_library_uses_the_vendored_v3_config():
    vendored = json.loads((HERE / "config-v3.json").read_text(encoding="utf-8"))
    ours = library_config["version3"]
    assert ours["max_weighted_tweet_length"] == vendored["maxWeightedTweetLength"] == LIMITS["x"]
    assert (ours["scale"], ours["default_weight"], ours["transformed_url_length"]) == (vendored["scale"], vendored["defaultWeight"], vendored["transformedURLLength"])
    assert ours["ranges"] == vendored["ranges"] and ours["emoji_parsing_enabled"] is vendored["emojiParsingEnabled"]


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
