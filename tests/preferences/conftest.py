"""The live uvicorn server fixtures of tests/web, for the preference centre's tests."""

from tests.web.conftest import live, live_with

__all__ = ["live", "live_with"]
