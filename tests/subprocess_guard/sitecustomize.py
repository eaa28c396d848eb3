"""Loaded by every Python process the tests start (the ``outreach`` CLI, dispatchers, ``python -c``): the same
loopback-only guard as the test process (tests/loopback_only.py), so no child can reach a real host either.

tests/conftest.py puts this folder first on ``PYTHONPATH`` and sets ``OUTREACH_TEST_LOOPBACK_ONLY=1``; outside
the tests neither is set and this file is never read.
"""

import importlib.util
import os
from pathlib import Path

if os.environ.get("OUTREACH_TEST_LOOPBACK_ONLY") == "1":
    _spec = importlib.util.spec_from_file_location("_outreach_loopback_only", Path(__file__).resolve().parent.parent / "loopback_only.py")
    if _spec is not None and _spec.loader is not None:
        _guard = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_guard)
        _guard.install()
