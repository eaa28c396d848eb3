"""Progress for long runs: a rich bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import threading
import time

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from ..display import cell, visible

FAILED = ("failed", "bounced", "unknown")


class TerminalProgress:
    """A rich progress bar: sent / failed / rate / ETA."""

    def __init__(self, label: str) -> None:
        self.console = Console(stderr=True)
        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                            TextColumn("{task.fields[failed]} failed · {task.fields[rate]:.0f}/s"), TimeRemainingColumn(), console=self.console)
        self.label = label
        self.failed = 0
        self.started = time.monotonic()
        self.done = 0
        self._lock = threading.Lock()

    def start(self, total: int, already_done: int) -> None:
        """Begin (already_done counts messages finished by earlier runs)."""
        self.bar.start()
        self.task = self.bar.add_task(escape(visible(self.label)), total=total, completed=already_done, failed=0, rate=0.0)

    def advance(self, state: str) -> None:
        """One message finished in ``state``."""
        with self._lock:
            if state == "retry":
                return
            self.done += 1
            self.failed += state in FAILED
            rate = self.done / max(time.monotonic() - self.started, 1e-6)
            self.bar.update(self.task, advance=1, failed=self.failed, rate=rate)

    def note(self, message: str) -> None:
        """A line above the bar."""
        self.console.log(cell(message))

    def stop(self) -> None:
        """Remove the live display."""
        self.bar.stop()


class LogProgress:
    """One log line every few seconds, for cron, systemd and CI."""

    def __init__(self, label: str, every: float = 5.0) -> None:
        self.label, self.every = label, every
        self.counts: dict[str, int] = {}
        self.total = self.base = 0
        self.started = self.last = time.monotonic()
        self.closed = False  # the log went away: keep counting, stop writing
        self._lock = threading.Lock()

    def start(self, total: int, already_done: int) -> None:
        """Begin."""
        self.total, self.base = total, already_done
        self._line(f"{self.label}: {total} recipients, {already_done} already done")

    def advance(self, state: str) -> None:
        """Count one outcome; print when due."""
        with self._lock:
            self.counts[state] = self.counts.get(state, 0) + 1
            if time.monotonic() - self.last >= self.every:
                self.last = time.monotonic()
                done = sum(v for k, v in self.counts.items() if k != "retry")
                rate = done / max(self.last - self.started, 1e-6)
                self._line(f"{self.label}: {self.base + done}/{self.total} done, {self.counts.get('sent', 0)} sent, "
                           f"{sum(self.counts.get(k, 0) for k in FAILED)} failed, {rate:.0f}/s")

    def note(self, message: str) -> None:
        """A log line (whole, even when threads write at once)."""
        with self._lock:
            self._line(message)

    def stop(self) -> None:
        """Nothing to tear down."""

    def _line(self, message: str) -> None:
        if self.closed:
            return
        try:
            print(f"{time.strftime('%H:%M:%S')} {visible(message)}", file=sys.stderr, flush=True)
        except (OSError, ValueError):  # a log nobody reads any more (a closed pipe) must never stop a send
            self.closed = True


def progress_for(label: str) -> TerminalProgress | LogProgress:
    """A bar on a terminal, log lines otherwise."""
    return TerminalProgress(label) if sys.stderr.isatty() else LogProgress(label)
