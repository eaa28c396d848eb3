"""The tests' copy of the institute's sample report page is the shared one, byte for byte."""

from __future__ import annotations

import pytest

from tests.draft.pages.expected import SAMPLE_PAGE, SHARED_SAMPLE_PAGE


@pytest.mark.skipif(not SHARED_SAMPLE_PAGE.exists(), reason="../shared is not checked out beside the repository")
def test_the_copy_is_the_shared_sample() -> None:
    assert SAMPLE_PAGE.read_bytes() == SHARED_SAMPLE_PAGE.read_bytes()
