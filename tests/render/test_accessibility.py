"""axe-core (npm) in Chromium on the sample email: no serious or critical violation, light or dark."""

from __future__ import annotations

import pytest

from tests.render.browser_checks import SCHEMES, axe_script, axe_violations, chromium_browser
from tests.render.test_dark_mode import open_email, sample_html

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_serious_in_the_email(campaign_copy, scheme):
    axe_script()  # skip (fail in CI) before starting a browser when axe-core is missing
    with chromium_browser() as browser:
        page = open_email(browser, sample_html(campaign_copy()), scheme)
        violations = axe_violations(page)
    assert not violations, f"axe-core in {scheme} mode:\n" + "\n".join(violations)
