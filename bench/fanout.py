"""Fan-out benchmark: outreach send vs the floor of plain smtplib, same machine, same run.

    python bench/fanout.py --recipients 100000 [--connections 4] [--database URL] [--dkim] [--clicks MODE]
    python bench/fanout.py --rtt-ms 20 --connections 8 [--recipients 20000] [--dkim]
    python bench/fanout.py --rtt-ms 20 --workers 3 --database postgresql+psycopg://postgres@127.0.0.1:5432/test

Starts Debian postfix's /usr/sbin/smtp-sink on loopback, then measures
(a) the floor: identical pre-built message bytes sent with smtplib over the same
number of connections, and (b) a real `outreach send` (as a subprocess) of the
sample campaign to N subscribers, with personalisation, ledger writes and
progress lines. Prints both rates, their ratio and outreach's peak RSS, ending
with one line: ratio=<float> floor=<msg/s> outreach=<msg/s> peak_rss_mb=<int>

With ``--rtt-ms MS`` (a relay MS milliseconds away) a delay proxy
(bench/delay_proxy.py, a process of its own) sits between the senders and
smtp-sink and holds every chunk for MS/2 in each direction. What bounds a send
there is round trips, not CPU: with one round trip per message per connection
the physical limit is connections / RTT (8 / 0.020 s = 400 msg/s). The floor is
plain smtplib through the same proxy (several round trips per message, no
PIPELINING), timed on ``--floor-messages`` messages; a raw-socket client that
needs one round trip per message shows what the proxy and smtp-sink carry on
this machine (``ideal``). The last line is then
ratio_to_limit=<outreach/limit> limit=<msg/s> outreach=<msg/s> smtplib=<msg/s> rtt_ms=<n> connections=<n> ideal=<msg/s> ...
``--floor-only`` times smtplib and that client alone (does the proxy scale with connections?).

With ``--workers N`` (N > 1, on PostgreSQL) the same run also times N
``outreach send`` processes started at once on one freshly seeded database, each
with ``connections`` connections: the rate is recipients / (first start to last
exit), the limit N x connections / RTT, and the last line adds
``workers=<N> workers_rate=<msg/s> workers_ratio=<N-rate / 1-rate>``.

On PostgreSQL each send gets a fresh schema in the database the URL names,
created, seeded and dropped by the bench. smtp-sink counts what it receives:
each send reports ``delivered=`` (more than the recipients means duplicates).

With ``--dkim`` a second ``outreach send`` runs on a second, identically seeded
database with ``[email.dkim]`` set to a throwaway 2048-bit key (``--dkim-bits``), and the last
line adds ``dkim=<msg/s> dkim_ratio=<signed/floor> dkim_vs_unsigned=<signed/unsigned>``
(with ``--rtt-ms``: ``dkim=<msg/s> dkim_ratio_to_limit=<signed/limit>``).
The floor stays unsigned (pre-built bytes, plain smtplib): it is what the
machine can do at all, signing is outreach's cost.

``--clicks`` sets ``[tracking] clicks`` for the sends (default ``aggregate``, the
embedded default: every link wrapped, one click token per link per message).
``--clicks compare`` times four sends, ``off``, ``aggregate``, ``aggregate``, ``off``, each
on an identically seeded database, and adds the means ``clicks_off=<msg/s>
clicks_aggregate=<msg/s> clicks_vs_off=<aggregate/off>`` and the CPU per message of each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import delay_proxy  # noqa: E402
from outreach.campaign import load_campaign  # noqa: E402
from outreach.config import Config, SmtpConfig  # noqa: E402
from outreach.mail.compose import campaign_factory, sample_recipient  # noqa: E402
from outreach.plan import build_plan  # noqa: E402
from outreach.store.db import forget_engines, open_db  # noqa: E402
from outreach.store.schema import memberships, subscribers  # noqa: E402

SINK = os.environ.get("SMTP_SINK", "/usr/sbin/smtp-sink")  # a smtp-sink unpacked elsewhere (dpkg -x) works too
CAMPAIGN = ROOT / "campaigns" / "soldier-defections-myanmar.toml"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int, counts: Path | None = None) -> subprocess.Popen:
    """smtp-sink on 127.0.0.1:port; with ``counts``, its running counters (-c) go to that file."""
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    count = ["-c"] if counts is not None else []
    out = open(counts, "wb") if counts is not None else subprocess.DEVNULL
    proc = subprocess.Popen([SINK, *user, *count, f"127.0.0.1:{port}", "1000"], stdout=out, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("smtp-sink did not start")


def delivered(counts: Path) -> int:
    """Messages smtp-sink has received so far: the last ``mesg=`` of its -c counters."""
    with open(counts, "rb") as f:
        f.seek(max(0, f.seek(0, os.SEEK_END) - 200))
        tail = f.read().decode("ascii", "replace")
    found = [part for part in tail.replace("\r", " ").replace("\n", " ").split() if part.startswith("mesg=")]
    return int(found[-1][5:]) if found else 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed(config: Config, n: int) -> None:
    """``n`` active subscribers of the sample's list, in chunks of executemany (20k in about a second on PostgreSQL)."""
    engine = open_db(config)
    stamp = datetime.now(timezone.utc)
    chunk = 20_000
    with engine.begin() as conn:
        for start in range(0, n, chunk):
            ids = range(start + 1, min(n, start + chunk) + 1)
            conn.execute(insert(subscribers), [{"id": i, "email": f"r{i:07d}@example.org", "display_email": f"r{i:07d}@example.org", "name": f"Reader {i}", "attrs": {}, "created_at": stamp, "updated_at": stamp} for i in ids])
            conn.execute(insert(memberships), [{"subscriber_id": i, "list": "research", "status": "active", "source": "import", "updated_at": stamp} for i in ids])


def is_postgres(url: str | None) -> bool:
    """Whether a database URL names PostgreSQL."""
    return bool(url) and url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


@contextlib.contextmanager
def fresh_database(base: str | None, work: Path, name: str) -> Iterator[str]:
    """A fresh database for one send: a SQLite file in ``work``, a schema of its own on PostgreSQL (dropped after),
    or the user's own non-PostgreSQL URL as given."""
    if base is None:
        yield f"sqlite:///{work / f'{name}.db'}"
        return
    if not is_postgres(base):
        yield base
        return
    import sqlalchemy

    schema = f"bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        forget_engines()
        drop_schema(admin, schema)
        admin.dispose()


def drop_schema(admin, schema: str) -> None:  # type: ignore[no-untyped-def]
    """Drop a send's schema; sessions a killed sender left holding locks on its tables are ended first."""
    import sqlalchemy

    with admin.connect() as conn:
        conn.exec_driver_sql("SET lock_timeout = '20s'")
        try:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            return
        except sqlalchemy.exc.OperationalError:
            pass
        conn.exec_driver_sql("SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                             "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND l.pid <> pg_backend_pid()", (schema,))
        conn.exec_driver_sql("SET lock_timeout = 0")
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def floor(port: int, connections: int, n: int, data: bytes) -> float:
    """Plain smtplib's rate: ``n`` copies of ``data`` over ``connections`` connections, one thread each."""
    per = [n // connections + (1 if i < n % connections else 0) for i in range(connections)]

    def worker(count: int) -> None:
        smtp = smtplib.SMTP("127.0.0.1", port)
        for i in range(count):
            smtp.sendmail("news@outreach.invalid", [f"r{i:07d}@example.org"], data)
        smtp.quit()

    threads = [threading.Thread(target=worker, args=(c,)) for c in per]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n / (time.perf_counter() - started)


def read_replies(sock: socket.socket, count: int, buffer: bytes) -> bytes:
    """Read until ``count`` SMTP replies have ended (a reply's last line has a space after its code); returns what is
    left over. A 4xx or 5xx reply raises."""
    while True:
        ends = [i for i, line in enumerate(buffer.split(b"\r\n")[:-1]) if line[3:4] == b" "]
        if len(ends) >= count:
            lines = buffer.split(b"\r\n")
            replies, rest = lines[:ends[count - 1] + 1], lines[ends[count - 1] + 1:]
            bad = [line for line in replies if line[:1] in (b"4", b"5")]
            if bad:
                raise RuntimeError(f"the relay answered {bad[0].decode(errors='replace')}")
            return b"\r\n".join(rest)
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("the relay closed the connection")
        buffer += chunk


def one_round_trip(port: int, connections: int, n: int, data: bytes) -> float:
    """The rate of a client that needs one round trip per message: raw sockets, each message's end sent together with
    the next message's MAIL, RCPT and DATA, then four replies read (what the physical limit assumes)."""
    per = [n // connections + (1 if i < n % connections else 0) for i in range(connections)]
    body = smtplib.quotedata(data.decode("latin-1")).encode("latin-1")
    body += (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n"
    envelope = b"MAIL FROM:<news@outreach.invalid>\r\nRCPT TO:<r@example.org>\r\nDATA\r\n"

    def worker(count: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            rest = read_replies(sock, 1, b"")
            sock.sendall(b"EHLO bench.invalid\r\n" + envelope)
            rest = read_replies(sock, 4, rest)  # EHLO, MAIL, RCPT, DATA (354)
            for i in range(count):
                last = i == count - 1
                sock.sendall(body + (b"QUIT\r\n" if last else envelope))
                rest = read_replies(sock, 2 if last else 4, rest)

    threads = [threading.Thread(target=worker, args=(c,)) for c in per if c]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n / (time.perf_counter() - started)


def round_trip_ms(port: int, count: int = 20) -> float:
    """The median NOOP round trip through ``port`` (the proxy), in ms: what the RTT really is, timer slack included."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        times = []
        for _ in range(count):
            started = time.perf_counter()
            smtp.noop()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def write_key(path: Path, bits: int = 2048) -> None:
    """A throwaway RSA key (mode 0600), made for this run only."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def write_config(work: Path, name: str, database: str, port: int, connections: int, dkim_key: Path | None, clicks: str) -> Path:
    """The config file of one timed send."""
    text = (f'database = "{database}"\noutbox = "{work / "outbox"}"\nrequire_approval = false\n'
            f'[web]\nbase_url = "https://news.example.org"\n'  # links are only written, never followed: https as a real send needs
            f'[tracking]\nclicks = "{clicks}"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nconnections = {connections}\ntimeout = 30\n')
    if dkim_key is not None:
        text += f'[email.dkim]\nselector = "bench"\ndomain = "outreach.invalid"\nprivate_key_file = "{dkim_key}"\n'
    path = work / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def send_command(config_path: Path) -> list[str]:
    """``outreach send`` of the sample campaign, now, with this config."""
    outreach = shutil.which("outreach") or sys.executable
    cmd = [outreach] if outreach != sys.executable else [sys.executable, "-m", "outreach"]
    return [*cmd, "--config", str(config_path), "send", str(CAMPAIGN), "--now"]


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core and every process (Linux /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


@dataclass
class Probe:
    """Where a send's side effects are counted: smtp-sink's counters, the CPU of the watched processes (the proxy,
    smtp-sink) and of the whole machine."""

    counts: Path
    pids: dict[str, int]

    def mark(self) -> tuple[int, dict[str, float], tuple[float, float], float]:
        """(delivered so far, CPU seconds so far per watched process, the machine's (busy, total), now)."""
        return delivered(self.counts), {k: cpu_seconds(p) for k, p in self.pids.items()}, machine_busy(), time.perf_counter()

    def since(self, before: tuple[int, dict[str, float], tuple[float, float], float]) -> int:
        """Print what the sink received and the CPU used since ``before``; returns the count."""
        count, cpu, (busy, total), now = self.mark()
        wall = now - before[3]
        used = ", ".join(f"{name} {(cpu[name] - before[1][name]) / wall:.0%}" for name in cpu)
        cores = os.cpu_count() or 1
        print(f"  smtp-sink received {count - before[0]:,} messages; CPU: {used} of one core; the machine's {cores} cores "
              f"{(busy - before[2][0]) / max(total - before[2][1], 1e-9):.0%} busy (every process, other users' too)", flush=True)
        return count - before[0]


@dataclass
class Sent:
    """One timed send: msg/s (whole command), peak RSS of the children so far, CPU per message, processes that failed."""

    rate: float
    peak_mb: int
    cpu_us: float
    failed: int
    delivered: int = 0  # what smtp-sink received during the send


def finish(procs: list[subprocess.Popen[str]], started: float) -> tuple[list[tuple[str, str]], list[float]]:
    """Wait for every process; their (stdout, stderr) and the seconds from ``started`` to each one's exit."""
    outputs: list[tuple[str, str]] = [("", "")] * len(procs)
    exits = [0.0] * len(procs)

    def wait(i: int) -> None:
        outputs[i] = procs[i].communicate()
        exits[i] = time.perf_counter() - started

    threads = [threading.Thread(target=wait, args=(i,)) for i in range(len(procs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outputs, exits


def run_outreach(work: Path, name: str, database: str, port: int, connections: int, recipients: int, dkim_key: Path | None,
                 clicks: str = "aggregate", workers: int = 1) -> Sent:
    """A timed ``outreach send`` (``workers`` processes started at once on one database), timed from the first
    start to the last exit."""
    config_path = write_config(work, name, database, port, connections, dkim_key, clicks)
    # the outreach of this tree, even when the venv's editable install points at another checkout
    env = {**os.environ, "OUTREACH_SECRET": "bench-key",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    many = f"{workers} processes of " if workers > 1 else ""
    print(f"{many}outreach send{' (DKIM-signed)' if dkim_key else ''} to {recipients:,} subscribers, clicks = {clicks} …", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    procs = [subprocess.Popen(send_command(config_path), env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(workers)]
    outputs, exits = finish(procs, started)
    elapsed = max(exits)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU per message says what signing costs even when other work shares the cores and the rates wobble
    cpu_us = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / recipients * 1e6
    failed = 0
    for proc, (out, err) in zip(procs, outputs):
        if proc.returncode != 0:
            print(f"outreach send exited with {proc.returncode}:", out[-3000:], err[-3000:], file=sys.stderr)
            failed += 1
        elif out.strip():
            print(" ", out.strip().splitlines()[-1], flush=True)
    if workers > 1:
        print("  the workers exited after " + ", ".join(f"{t:.1f}" for t in sorted(exits)) + " s", flush=True)
    rate = recipients / elapsed
    print(f"outreach{' signed' if dkim_key else ''}{f' x{workers}' if workers > 1 else ''}: {rate:,.0f} msg/s "
          f"(whole command, start-up included: {elapsed:.1f}s); {cpu_us:,.0f} µs CPU per message", flush=True)
    return Sent(rate, after.ru_maxrss // 1024, cpu_us, failed)


def sample_message(config: Config) -> bytes:
    """The sample campaign's message for one made-up recipient: the floor's pre-built bytes."""
    plan = build_plan(load_campaign(CAMPAIGN), config)
    return campaign_factory(config, plan.campaign, plan.email).build(sample_recipient(config, plan.campaign), datetime.now(timezone.utc))


@dataclass
class Bench:
    """What every timed send of one run shares."""

    args: argparse.Namespace
    work: Path
    port: int  # where the senders connect: smtp-sink, or the delay proxy in front of it
    probe: Probe

    def send(self, name: str, dkim_key: Path | None = None, clicks: str = "aggregate", workers: int = 1) -> Sent:
        """Seed a fresh database and time ``outreach send`` on it."""
        with fresh_database(self.args.database, self.work, name) as database:
            print(f"seeding {self.args.recipients:,} subscribers into {database} …", flush=True)
            seed(Config(database=database), self.args.recipients)
            mark = self.probe.mark()
            result = run_outreach(self.work, name, database, self.port, self.args.connections, self.args.recipients,
                                  dkim_key, clicks, workers)
            result.delivered = self.probe.since(mark)
            return result

    def message(self) -> bytes:
        """The floor's message bytes (built on a throwaway SQLite database)."""
        config = Config(database=f"sqlite:///{self.work / 'message.db'}", outbox=self.work / "outbox", require_approval=False,
                        smtp=SmtpConfig(host="127.0.0.1", port=self.port, security="none", connections=1, timeout=30))
        return sample_message(config)

    def dkim_key(self) -> Path:
        """A throwaway signing key for the signed send."""
        write_key(self.work / "dkim.pem", self.args.dkim_bits)
        return self.work / "dkim.pem"


def loopback(bench: Bench) -> str | None:
    """Today's run against smtp-sink on loopback; the last line, or None when a send failed."""
    args = bench.args
    data = bench.message()
    print(f"floor: {args.floor_messages:,} identical {len(data):,}-byte messages over {args.connections} connections …", flush=True)
    floor_rate = floor(bench.port, args.connections, args.floor_messages, data)
    print(f"floor: {floor_rate:,.0f} msg/s", flush=True)
    mode = "off" if args.clicks == "compare" else args.clicks
    unsigned = bench.send("outreach", None, mode)
    if unsigned.failed:
        return None
    rate, peak_mb = unsigned.rate, unsigned.peak_mb
    line = "ratio=%.3f floor=%d outreach=%d peak_rss_mb=%d" % (rate / floor_rate, floor_rate, rate, peak_mb)
    if args.clicks == "compare":
        extra = clicks_compare(bench, unsigned)
        if extra is None:
            return None
        line += extra
    if args.dkim:
        signed = bench.send("outreach-dkim", bench.dkim_key(), mode)
        if signed.failed:
            return None
        line += " dkim=%d dkim_ratio=%.3f dkim_vs_unsigned=%.3f peak_rss_mb_both=%d" % (
            signed.rate, signed.rate / floor_rate, signed.rate / rate, signed.peak_mb)
    return line + workers_part(bench, rate)


def clicks_compare(bench: Bench, first_off: Sent) -> str | None:
    """off, aggregate, aggregate, off (ABBA, each on a fresh copy of the seed): a drift in the
    machine's speed during the run weighs on both modes alike."""
    runs = {"off": [first_off], "aggregate": []}
    for i, mode_i in enumerate(("aggregate", "aggregate", "off")):
        result = bench.send(f"outreach-clicks-{i}", None, mode_i)
        if result.failed:
            return None
        runs[mode_i].append(result)
    off_rate, on_rate = (sum(r.rate for r in runs[m]) / 2 for m in ("off", "aggregate"))
    off_cpu, on_cpu = (sum(r.cpu_us for r in runs[m]) / 2 for m in ("off", "aggregate"))
    return " clicks_off=%d clicks_aggregate=%d clicks_vs_off=%.3f cpu_us_off=%d cpu_us_aggregate=%d" % (
        off_rate, on_rate, on_rate / off_rate, off_cpu, on_cpu)


def far_relay(bench: Bench) -> str | None:
    """The run through the delay proxy: smtplib, the physical limit, outreach (and signed); the last line, or None."""
    args = bench.args
    rtt = args.rtt_ms / 1000
    print(f"measured round trip through the proxy: {round_trip_ms(bench.port):.1f} ms (nominal {args.rtt_ms:g} ms)", flush=True)
    data = bench.message()
    print(f"smtplib: {args.floor_messages:,} identical {len(data):,}-byte messages over {args.connections} connections "
          f"through the proxy …", flush=True)
    mark = bench.probe.mark()
    floor_rate = floor(bench.port, args.connections, args.floor_messages, data)
    print(f"smtplib: {floor_rate:,.0f} msg/s", flush=True)
    bench.probe.since(mark)
    limit = args.connections / rtt
    print(f"physical limit: {args.connections} connections / {args.rtt_ms:g} ms = {limit:,.0f} msg/s "
          f"(one round trip per message per connection)", flush=True)
    mark = bench.probe.mark()
    count = min(args.recipients, 5 * args.floor_messages)  # 5x smtplib's: as many per connection as it takes time
    print(f"one round trip per message: {count:,} messages over {args.connections} connections …", flush=True)
    ideal = one_round_trip(bench.port, args.connections, count, data)
    print(f"one round trip per message (raw sockets, pipelined across messages): {ideal:,.0f} msg/s = "
          f"{ideal / limit:.2f} of the limit (what this proxy and smtp-sink carry on this machine)", flush=True)
    bench.probe.since(mark)
    line_end = " smtplib=%d rtt_ms=%g connections=%d ideal=%d" % (floor_rate, args.rtt_ms, args.connections, ideal)
    if args.floor_only:
        return "ideal_ratio_to_limit=%.3f limit=%d" % (ideal / limit, limit) + line_end
    unsigned = bench.send("outreach", None, args.clicks)
    if unsigned.failed:
        return None
    rate, peak_mb = unsigned.rate, unsigned.peak_mb
    line = "ratio_to_limit=%.3f limit=%d outreach=%d" % (rate / limit, limit, rate) + line_end + " peak_rss_mb=%d" % peak_mb
    if args.dkim:
        signed = bench.send("outreach-dkim", bench.dkim_key(), args.clicks)
        if signed.failed:
            return None
        line += " dkim=%d dkim_ratio_to_limit=%.3f" % (signed.rate, signed.rate / limit)
    return line + workers_part(bench, rate)


def workers_part(bench: Bench, one_rate: float) -> str:
    """With --workers N: time N senders on one fresh database; the last line's workers fields ('' without)."""
    args = bench.args
    if args.workers <= 1:
        return ""
    result = bench.send(f"outreach-workers{args.workers}", None, "off" if args.clicks == "compare" else args.clicks, args.workers)
    # a worker that exits non-zero is reported, not hidden: the rate still counts from the first start to the last exit,
    # and what smtp-sink received says whether every recipient got exactly one message
    part = " workers=%d workers_rate=%d workers_ratio=%.3f" % (args.workers, result.rate, result.rate / one_rate)
    if args.rtt_ms:
        limit = args.workers * args.connections / (args.rtt_ms / 1000)
        print(f"physical limit for {args.workers} workers: {limit:,.0f} msg/s", flush=True)
        part += " workers_limit=%d workers_ratio_to_limit=%.3f" % (limit, result.rate / limit)
    return part + " workers_delivered=%d workers_failed=%d" % (result.delivered, result.failed)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line, with the defaults that depend on --rtt-ms filled in; a bad combination exits 2 with one line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, help="subscribers to send to (default 100,000; 20,000 with --rtt-ms)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file per send; PostgreSQL: a fresh schema per send)")
    parser.add_argument("--dkim", action="store_true", help="also time a DKIM-signed send (a second database, seeded the same)")
    parser.add_argument("--dkim-bits", type=int, default=2048, choices=(1024, 2048, 3072), help="the throwaway key's size (default 2048)")
    parser.add_argument("--clicks", default="aggregate", choices=("aggregate", "individual", "off", "compare"),
                        help="[tracking] clicks for the sends (default aggregate); compare: time off and aggregate")
    parser.add_argument("--rtt-ms", type=float, default=0, help="put a delay proxy with this round-trip time before smtp-sink (default 0: loopback)")
    parser.add_argument("--workers", type=int, default=1, help="also time N outreach send processes at once on one PostgreSQL database")
    parser.add_argument("--floor-messages", type=int,
                        help="messages for the smtplib floor (default: --recipients; with --rtt-ms at most 200 per connection, "
                             "and 5 times as many for the one-round-trip client)")
    parser.add_argument("--floor-only", action="store_true",
                        help="with --rtt-ms: time only smtplib and the one-round-trip client (does the proxy scale?)")
    args = parser.parse_args(argv)
    refusal = refuse(args)
    if refusal:
        print(f"fanout.py: {refusal}", file=sys.stderr)
        raise SystemExit(2)
    if args.recipients is None:
        args.recipients = 20_000 if args.rtt_ms else 100_000
    if args.floor_messages is None:
        args.floor_messages = min(args.recipients, 200 * args.connections) if args.rtt_ms else args.recipients
    return args


def refuse(args: argparse.Namespace) -> str | None:
    """Why these options cannot run together, or None."""
    if args.workers < 1 or args.connections < 1 or (args.recipients is not None and args.recipients < 1) or args.rtt_ms < 0:
        return "--workers, --connections and --recipients must be at least 1, --rtt-ms not negative"
    if args.workers > 1 and not is_postgres(args.database):
        return "--workers needs --database postgresql+psycopg://…: workers share one PostgreSQL database"
    if args.database and not is_postgres(args.database) and (args.dkim or args.clicks == "compare"):
        return "--dkim and --clicks compare seed a database per send: leave out --database, or give a PostgreSQL one"
    if args.rtt_ms and args.clicks == "compare":
        return "--clicks compare times CPU on loopback: leave out --rtt-ms"
    if args.floor_only and not args.rtt_ms:
        return "--floor-only goes with --rtt-ms"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the last line printed is the one to keep."""
    args = parse_args(argv)
    if not Path(SINK).exists():
        print(f"{SINK} is missing: apt-get install postfix (it ships smtp-sink), or set SMTP_SINK", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    sink_port = free_port()
    sink = start_sink(sink_port, work / "sink-counts")
    proxy = None
    try:
        if args.rtt_ms:
            proxy, port = delay_proxy.start(("127.0.0.1", sink_port), args.rtt_ms)
            bench = Bench(args, work, port, Probe(work / "sink-counts", {"proxy": proxy.pid, "smtp-sink": sink.pid}))
            line = far_relay(bench)
        else:
            line = loopback(Bench(args, work, sink_port, Probe(work / "sink-counts", {"smtp-sink": sink.pid})))
        if line is None:
            return 1
        if proxy is not None:
            print(delay_proxy.stop(proxy), flush=True)
            proxy = None
        print(line)
        return 0
    finally:
        if proxy is not None:
            delay_proxy.stop(proxy)
        sink.terminate()
        sink.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
