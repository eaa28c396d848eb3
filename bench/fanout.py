"""Fan-out benchmark: outreach send vs the floor of plain smtplib, same machine, same run.

    python bench/fanout.py --recipients 100000 [--connections 4] [--database URL] [--dkim] [--clicks MODE]

Starts Debian postfix's /usr/sbin/smtp-sink on loopback, then measures
(a) the floor: identical pre-built message bytes sent with smtplib over the same
number of connections, and (b) a real `outreach send` (as a subprocess) of the
sample campaign to N subscribers, with personalisation, ledger writes and
progress lines. Prints both rates, their ratio and outreach's peak RSS, ending
with one line: ratio=<float> floor=<msg/s> outreach=<msg/s> peak_rss_mb=<int>

With ``--dkim`` a second ``outreach send`` runs on a second, identically seeded
database with ``[email.dkim]`` set to a throwaway 2048-bit key (``--dkim-bits``), and the last
line adds ``dkim=<msg/s> dkim_ratio=<signed/floor> dkim_vs_unsigned=<signed/unsigned>``.
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
import os
import resource
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from outreach.campaign import load_campaign  # noqa: E402
from outreach.config import Config, SmtpConfig  # noqa: E402
from outreach.mail.compose import campaign_factory, sample_recipient  # noqa: E402
from outreach.plan import build_plan  # noqa: E402
from outreach.store.db import open_db  # noqa: E402
from outreach.store.schema import memberships, subscribers  # noqa: E402

SINK = os.environ.get("SMTP_SINK", "/usr/sbin/smtp-sink")  # a smtp-sink unpacked elsewhere (dpkg -x) works too
CAMPAIGN = ROOT / "campaigns" / "soldier-defections-myanmar.toml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    proc = subprocess.Popen([SINK, *user, f"127.0.0.1:{port}", "1000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("smtp-sink did not start")


def seed(config: Config, n: int) -> None:
    engine = open_db(config)
    stamp = datetime.now(timezone.utc)
    chunk = 20_000
    with engine.begin() as conn:
        for start in range(0, n, chunk):
            ids = range(start + 1, min(n, start + chunk) + 1)
            conn.execute(insert(subscribers), [{"id": i, "email": f"r{i:07d}@example.org", "display_email": f"r{i:07d}@example.org", "name": f"Reader {i}", "attrs": {}, "created_at": stamp, "updated_at": stamp} for i in ids])
            conn.execute(insert(memberships), [{"subscriber_id": i, "list": "research", "status": "active", "source": "import", "updated_at": stamp} for i in ids])


def floor(port: int, connections: int, n: int, data: bytes) -> float:
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


def write_key(path: Path, bits: int = 2048) -> None:
    """A throwaway RSA key (mode 0600), made for this run only."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def run_outreach(work: Path, name: str, database: str, port: int, connections: int, recipients: int, dkim_key: Path | None,
                 clicks: str = "aggregate") -> tuple[float, int, float] | None:
    """One timed ``outreach send`` subprocess; (msg/s, peak RSS of the children so far in MB, µs CPU per message), None when it failed."""
    text = (f'database = "{database}"\noutbox = "{work / "outbox"}"\nrequire_approval = false\n'
            f'[web]\nbase_url = "https://news.example.org"\n'  # links are only written, never followed: https as a real send needs
            f'[tracking]\nclicks = "{clicks}"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nconnections = {connections}\ntimeout = 30\n')
    if dkim_key is not None:
        text += f'[email.dkim]\nselector = "bench"\ndomain = "outreach.invalid"\nprivate_key_file = "{dkim_key}"\n'
    (work / f"{name}.toml").write_text(text, encoding="utf-8")
    env = {**os.environ, "OUTREACH_SECRET": "bench-key"}
    outreach = shutil.which("outreach") or sys.executable
    cmd = [outreach] if outreach != sys.executable else [sys.executable, "-m", "outreach"]
    print(f"outreach send{' (DKIM-signed)' if dkim_key else ''} to {recipients:,} subscribers, clicks = {clicks} …", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([*cmd, "--config", str(work / f"{name}.toml"), "send", str(CAMPAIGN), "--now"], env=env, cwd=work, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = after.ru_maxrss
    # CPU per message says what signing costs even when other work shares the cores and the rates wobble
    cpu_us = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / recipients * 1e6
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        return None
    print(proc.stdout.strip().splitlines()[-1], flush=True)
    rate = recipients / elapsed
    print(f"outreach{' signed' if dkim_key else ''}: {rate:,.0f} msg/s (whole command, start-up included: {elapsed:.1f}s); "
          f"{cpu_us:,.0f} µs CPU per message", flush=True)
    return rate, peak_kb // 1024, cpu_us


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file in a temp folder)")
    parser.add_argument("--dkim", action="store_true", help="also time a DKIM-signed send (a second database, seeded the same)")
    parser.add_argument("--dkim-bits", type=int, default=2048, choices=(1024, 2048, 3072), help="the throwaway key's size (default 2048)")
    parser.add_argument("--clicks", default="aggregate", choices=("aggregate", "individual", "off", "compare"),
                        help="[tracking] clicks for the sends (default aggregate); compare: time off and aggregate")
    args = parser.parse_args()
    if (args.dkim or args.clicks == "compare") and args.database:
        parser.error("--dkim and --clicks compare time two sends on two fresh SQLite databases; they cannot be combined with --database")
    if not Path(SINK).exists():
        print(f"{SINK} is missing: apt-get install postfix (it ships smtp-sink), or set SMTP_SINK", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    port = free_port()
    sink = start_sink(port)
    try:
        database = args.database or f"sqlite:///{work / 'bench.db'}"
        smtp = SmtpConfig(host="127.0.0.1", port=port, security="none", connections=args.connections, timeout=30)
        config = Config(database=database, outbox=work / "outbox", require_approval=False, smtp=smtp)
        print(f"seeding {args.recipients:,} subscribers into {database} …", flush=True)
        seed(config, args.recipients)

        plan = build_plan(load_campaign(CAMPAIGN), config)
        data = campaign_factory(config, plan.campaign, plan.email).build(sample_recipient(config, plan.campaign), datetime.now(timezone.utc))
        print(f"floor: {args.recipients:,} identical {len(data):,}-byte messages over {args.connections} connections …", flush=True)
        floor_rate = floor(port, args.connections, args.recipients, data)
        print(f"floor: {floor_rate:,.0f} msg/s", flush=True)

        mode = "off" if args.clicks == "compare" else args.clicks
        unsigned = run_outreach(work, "outreach", database, port, args.connections, args.recipients, None, mode)
        if unsigned is None:
            return 1
        rate, peak_mb, cpu_us = unsigned
        line = "ratio=%.3f floor=%d outreach=%d peak_rss_mb=%d" % (rate / floor_rate, floor_rate, rate, peak_mb)
        if args.clicks == "compare":
            # off, aggregate, aggregate, off (ABBA, each on a fresh copy of the seed): a drift in the
            # machine's speed during the run weighs on both modes alike
            runs = {"off": [unsigned], "aggregate": []}
            for i, mode_i in enumerate(("aggregate", "aggregate", "off")):
                db = f"sqlite:///{work / f'bench-clicks-{i}.db'}"
                seed(config.model_copy(update={"database": db}), args.recipients)
                result = run_outreach(work, f"outreach-clicks-{i}", db, port, args.connections, args.recipients, None, mode_i)
                if result is None:
                    return 1
                runs[mode_i].append(result)
            off_rate, on_rate = (sum(r[0] for r in runs[m]) / 2 for m in ("off", "aggregate"))
            off_cpu, on_cpu = (sum(r[2] for r in runs[m]) / 2 for m in ("off", "aggregate"))
            line += " clicks_off=%d clicks_aggregate=%d clicks_vs_off=%.3f cpu_us_off=%d cpu_us_aggregate=%d" % (
                off_rate, on_rate, on_rate / off_rate, off_cpu, on_cpu)
        if args.dkim:
            signed_db = f"sqlite:///{work / 'bench-dkim.db'}"
            seed(config.model_copy(update={"database": signed_db}), args.recipients)
            write_key(work / "dkim.pem", args.dkim_bits)
            signed = run_outreach(work, "outreach-dkim", signed_db, port, args.connections, args.recipients, work / "dkim.pem", mode)
            if signed is None:
                return 1
            line += " dkim=%d dkim_ratio=%.3f dkim_vs_unsigned=%.3f peak_rss_mb_both=%d" % (signed[0], signed[0] / floor_rate, signed[0] / rate, signed[1])
        print(line)
        return 0
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
