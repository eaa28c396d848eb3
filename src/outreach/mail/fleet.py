"""``outreach send --workers N``: N sending processes on one email step, coordinated by PostgreSQL alone.

The command starts N-1 more ``outreach send`` processes and sends from itself as
the N-th. Each is an ordinary worker: it reserves batches of rows (``FOR UPDATE
SKIP LOCKED``), keeps its own connections to the relay, takes its send slots from
the step's shared pace, and takes over the rows of a worker that died. Nothing
here coordinates them; it only starts them and says how they ended.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import ConfigError


@dataclass(frozen=True)
class WorkerExit:
    """How one extra worker process ended: its exit status and its last line of errors."""

    number: int
    status: int
    last_error: str


def check_workers(config: Config, workers: int) -> None:
    """Several workers need a database several processes can write at once: PostgreSQL."""
    if workers < 1 or workers > 64:
        raise ConfigError(f"--workers {workers}: must be between 1 and 64")
    if workers > 1 and not config.database.startswith("postgresql"):
        raise ConfigError(f"--workers {workers}: several workers share a step through PostgreSQL; "
                          "database is SQLite, which has one writer (use one worker, or more [smtp] connections)")


@dataclass
class Worker:
    """An extra worker process and the file its errors go to (a file, not a pipe: it outlives this process)."""

    process: subprocess.Popen
    errors: Path


def start_workers(count: int, config_path: str | None, campaign: str, flags: list[str]) -> list[Worker]:
    """Start ``count`` more ``outreach send`` processes for ``campaign`` (``flags``: the options they share).

    Their errors go to temporary files, not pipes: if this process is killed, they carry on sending.
    They share its process group, so Ctrl-C in a terminal stops them all the same way (each
    connection finishes its message, the rest stay queued).
    """
    command = [sys.executable, "-m", "outreach", *(["--config", config_path] if config_path else []), "send", campaign, *flags, "--workers", "1"]
    env = {**os.environ, "OUTREACH_WORKER": "1"}
    workers = []
    for _ in range(count):
        fd, name = tempfile.mkstemp(prefix="outreach-worker-", suffix=".log")
        with os.fdopen(fd, "wb") as errors:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        workers.append(Worker(proc, Path(name)))
    return workers


def wait_workers(workers: list[Worker]) -> list[WorkerExit]:
    """Wait for every extra worker; how each ended (its last line of errors)."""
    ended = []
    for number, worker in enumerate(workers, start=2):
        worker.process.wait()
        text = worker.errors.read_text(encoding="utf-8", errors="replace")
        worker.errors.unlink(missing_ok=True)
        lines = [line for line in text.splitlines() if line.strip()]
        ended.append(WorkerExit(number, worker.process.returncode, lines[-1] if lines else ""))
    return ended
