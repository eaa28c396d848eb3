"""Benchmark ``outreach subscribers import`` against a floor measured in the same run.

    python bench/import.py --rows 1000000
    python bench/import.py --rows 1000000 --database postgresql+psycopg://postgres@127.0.0.1:5432/test

It writes a CSV of ``--rows`` people (email, name, language, country, topics and a
``staff`` number declared in ``[attributes]``) into a temporary folder, then, each on a
fresh database with the current schema:

- the import: the real command, ``outreach subscribers import FILE.csv --list research
  --consent …``, in its own process, timed from start to exit (start-up included), its
  peak RSS read from the kernel as it exits (``VmHWM`` in ``/proc/self/status``: the whole
  CLI process, both its threads);
- the floor: a bare DB-API ``executemany`` of the same rows into the same tables, what a
  minimal import must write: the subscribers, then (their ids read back) their memberships,
  in one transaction, rows built in memory beforehand and not timed.

The import also writes what the floor does not: a consent record per membership and the
topics each person follows, and it reads and checks every row. For PostgreSQL the URL
names a server and a database to connect to first; each measurement runs in a database of
its own (``outreach_bench_…``), dropped afterwards. It ends with one line::

    ratio_to_floor=<import rate / floor rate> rows=… import_rows_per_s=… floor_rows_per_s=… peak_rss_mb=…
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from outreach.store.db import make_engine  # noqa: E402
from outreach.store.migrate import ensure_schema  # noqa: E402
from outreach.store.schema import consents, memberships, subscriber_topics, subscribers  # noqa: E402

FIRST = ["Ann", "Bo", "Carla", "Dev", "Eszter", "Farid", "Grete", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mette", "Nils", "Olu", "Priya"]
LAST = ["Jensen", "Nielsen", "Hansen", "Okafor", "Tanaka", "García", "Müller", "Svensson", "Kowalski", "Nguyen", "Rossi", "Smith"]
ASCII = {"García": "Garcia", "Müller": "Mueller"}
DOMAINS = ["gmail.com", "outlook.com", "diis.dk", "ku.dk", "un.org", "example.org", "mfa.gov", "uni-hamburg.de", "sciencespo.fr", "yahoo.co.uk"]
LANGUAGES = ["en", "da", "de", "fr", "es", "pt-BR", ""]
COUNTRIES = ["DK", "DE", "GB", "FR", "US", "NG", "JP", "BR", ""]
TOPICS = ["asia", "africa", "europe", "peace", "defence", "migration", "climate"]
CONFIG = """database = "{url}"
[lists.research]
title = "Research"
description = "Bench list"
[topics]
{topics}
[attributes]
staff = "number"
"""


def people(rows: int) -> Iterator[tuple[str, str, str, str, str, str]]:
    """``rows`` distinct, valid people (the same for a given count): email, name, language, country, topics, staff."""
    rnd = random.Random(17)
    for i in range(rows):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        yield (f"{first}.{ASCII.get(last, last)}{i}@{DOMAINS[i % len(DOMAINS)]}", f"{first} {last}", rnd.choice(LANGUAGES),
               rnd.choice(COUNTRIES), ";".join(rnd.sample(TOPICS, rnd.randint(0, 3))), str(rnd.randint(1, 5000)))


def write_csv(path: Path, rows: int) -> None:
    """The bench's CSV file."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name", "language", "country", "topics", "staff"])
        writer.writerows(people(rows))


@contextlib.contextmanager
def fresh_database(base: str | None, folder: Path, name: str) -> Iterator[str]:
    """The URL of a new, empty database with the current schema: an SQLite file, or a PostgreSQL database dropped afterwards."""
    if base is None:
        url = f"sqlite:///{folder / (name + '.db')}"
        _schema(url)
        yield url
        return
    database = f"outreach_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {database}")
    url = make_url(base).set(database=database).render_as_string(hide_password=False)
    try:
        _schema(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.dispose()


def _schema(url: str) -> None:
    engine = make_engine(url)
    ensure_schema(engine)
    engine.dispose()


# The command, run so that it writes its own peak RSS (VmHWM) to $PEAK_RSS_FILE as it exits. The kernel's
# ru_maxrss of a child is no good here: it keeps the parent's high-water mark from before exec (vfork).
CLI = """import atexit, os, sys
def _peak():
    with open('/proc/self/status') as status, open(os.environ['PEAK_RSS_FILE'], 'w') as out:
        out.write(next(line.split()[1] for line in status if line.startswith('VmHWM:')))
atexit.register(_peak)
from outreach.cli import main
sys.exit(main(sys.argv[1:]))"""


def peak_rss_mb(path: Path) -> float:
    """The peak RSS (MB) a command run with :data:`CLI` wrote to ``path``."""
    return int(path.read_text()) / 1024


def run_import(url: str, folder: Path, csv_path: Path) -> tuple[float, float, str]:
    """The real command in its own process: (seconds, peak RSS in MB, its summary line)."""
    config = folder / "outreach.toml"
    config.write_text(CONFIG.format(url=url, topics="\n".join(f'{t} = "{t.title()}"' for t in TOPICS)), encoding="utf-8")
    args = [sys.executable, "-c", CLI, "--config", str(config), "subscribers", "import", str(csv_path), "--list", "research",
            "--consent", "bench: people who asked for the newsletter"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
           "PEAK_RSS_FILE": str(folder / "peak-rss")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=folder)
        _, status, _ = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = out.read().decode().splitlines()
        if child.returncode != 0:
            raise SystemExit(f"the import failed ({child.returncode}): {err.read().decode()[-2000:]}")
    summary = next((line for line in lines if " rows: " in line), "")
    return seconds, peak_rss_mb(folder / "peak-rss"), summary


def check_import(url: str, rows: int) -> None:
    """Every row is in the database: a subscriber, a membership and a consent record each."""
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (subscribers, memberships, consents)}
        counts["subscriber_topics"] = conn.execute(select(func.count()).select_from(subscriber_topics)).scalar_one()
    engine.dispose()
    if any(counts[t] != rows for t in ("subscribers", "memberships", "consents")):
        raise SystemExit(f"the import did not store every row: {counts}")
    print(f"stored: {counts}")


def floor_rows(rows: int) -> list[tuple]:
    """The subscribers rows the import writes for the bench's people, built before the clock starts."""
    built = []
    for email, name, language, country, _, staff in people(rows):
        built.append((email.lower(), secrets.token_urlsafe(16), email, name, json.dumps({"staff": int(staff)}), language.lower() or None, country or None))
    return built


def run_floor(url: str, rows: list[tuple]) -> float:
    """Seconds for a bare executemany of ``rows`` into subscribers, then of their memberships, in one transaction."""
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    stamp = datetime.now(timezone.utc)
    when = stamp.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else stamp
    raw = engine.raw_connection()
    try:
        start = time.perf_counter()
        cursor = raw.cursor()
        cursor.executemany("INSERT INTO subscribers (email, token_key, display_email, name, attrs, language, country, created_at, updated_at) "
                           f"VALUES ({', '.join([mark] * 9)})", [(*row, when, when) for row in rows])
        cursor.execute("SELECT id FROM subscribers")
        ids = [sid for (sid,) in cursor.fetchall()]
        cursor.executemany(f"INSERT INTO memberships (subscriber_id, list, status, source, updated_at) VALUES ({', '.join([mark] * 5)})",
                           [(sid, "research", "active", "import", when) for sid in ids])
        raw.commit()
        seconds = time.perf_counter() - start
    finally:
        raw.close()
        engine.dispose()
    if len(ids) != len(rows):
        raise SystemExit(f"the floor stored {len(ids)} of {len(rows)} rows")
    return seconds


def main() -> int:
    """Run the bench; print both rates and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", help="a PostgreSQL server URL (a database of its own is made for each run); default: SQLite files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-import-") as tmp:
        folder = Path(tmp)
        csv_path = folder / "people.csv"
        write_csv(csv_path, args.rows)
        kind = "postgresql" if args.database else "sqlite"
        print(f"rows={args.rows} database={kind} file={csv_path.stat().st_size / 1e6:.1f} MB cpus={os.cpu_count()} "
              f"load average at start={os.getloadavg()[0]:.1f}")
        with fresh_database(args.database, folder, "import") as url:
            seconds, rss, summary = run_import(url, folder, csv_path)
            check_import(url, args.rows)
        rate = args.rows / seconds
        print(f"import: {summary}")
        print(f"import: {args.rows} rows in {seconds:.1f} s = {rate:,.0f} rows/s, peak RSS {rss:.1f} MB (the whole CLI process)")
        built = floor_rows(args.rows)
        with fresh_database(args.database, folder, "floor") as url:
            floor_seconds = run_floor(url, built)
        del built
        floor_rate = args.rows / floor_seconds
        print(f"floor: executemany of {args.rows} subscribers + their memberships in {floor_seconds:.1f} s = {floor_rate:,.0f} rows/s")
        print(f"load average at end={os.getloadavg()[0]:.1f} (other processes on this machine slow the import more than the floor)")
        print(f"ratio_to_floor={rate / floor_rate:.3f} rows={args.rows} import_rows_per_s={rate:.0f} floor_rows_per_s={floor_rate:.0f} "
              f"peak_rss_mb={rss:.1f} database={kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
