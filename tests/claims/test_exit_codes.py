"""README: an unexpected failure (a bug) prints `internal error: …` and exits 70; OUTREACH_DEBUG=1 shows the traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# A bug planted at the one place every command passes through (loading the config), in a real `outreach` process.
PLANT = """
import runpy, sys
import outreach.config
def broken(*args, **kwargs):
    raise {exc}
outreach.config.load_config = broken
sys.argv = ["outreach", *sys.argv[1:]]
runpy.run_module("outreach", run_name="__main__")
"""
BUGS = {"RuntimeError": "RuntimeError('kaboom in the code')", "KeyError": "KeyError('kaboom')", "TypeError": "TypeError('kaboom: unsupported operand')"}


def _run(bug: str, debug: bool, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "OUTREACH_DEBUG"}
    if debug:
        env["OUTREACH_DEBUG"] = "1"
    return subprocess.run([sys.executable, "-c", PLANT.format(exc=BUGS[bug]), *args], capture_output=True, text=True, env=env, timeout=120)


# Breaks if: cli.main's last handler returns anything but 70, prints a traceback without OUTREACH_DEBUG, or stops
# showing it with OUTREACH_DEBUG=1.
@pytest.mark.parametrize("command", [("status",), ("validate", "campaigns/x.toml"), ("subscribers", "count", "--list", "research")])
@pytest.mark.parametrize("bug", BUGS)
def test_an_internal_error_exits_70_and_debug_shows_the_traceback(bug, command):
    quiet = _run(bug, False, *command)
    assert quiet.returncode == 70, (quiet.returncode, quiet.stderr)
    assert "internal error:" in quiet.stderr and "kaboom" in quiet.stderr and bug in quiet.stderr
    assert "Traceback" not in quiet.stderr and "OUTREACH_DEBUG=1" in quiet.stderr
    debug = _run(bug, True, *command)
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr and "kaboom" in debug.stderr and "def broken" not in quiet.stderr


def test_bad_input_is_exit_1_not_70(tmp_path):
    """The control: a user's mistake is not a bug."""
    result = subprocess.run([sys.executable, "-m", "outreach", "validate", str(tmp_path / "missing.toml")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "internal error" not in result.stderr and "Traceback" not in result.stderr
