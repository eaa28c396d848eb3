"""`outreach … | head`: when the reader leaves early, outreach stops quietly, never with "internal error"."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_reader_that_leaves_early_is_not_an_internal_error(tmp_path):
    env = {**os.environ, "OUTREACH_DEBUG": "", "CI": ""}
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "dkim", "keygen", "--selector", "s1", "--domain", "example.org",
                             "--out", str(tmp_path / "k.pem")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    proc.stdout.close()  # before the child can print: its first line meets a pipe nobody reads
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert "internal error" not in err and "Traceback" not in err, err
    assert (tmp_path / "k.pem").is_file(), "the work was done; only the printing was cut short"


def test_an_empty_bounce_list_says_so_without_an_empty_table(cli):
    result = cli("bounces", "list")
    assert result.code == 0 and result.out.strip() == "nothing came back yet"
