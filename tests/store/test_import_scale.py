"""Imports at scale (issue 17): the streaming import accounts for every row exactly as before, in bounded memory.

The fast test imports a few thousand rows with every kind of row (new, known, pending,
unsubscribed, refused address, forgotten address, duplicates near and far, values not
taken, values changed) through small chunks, batches, transactions and report spools,
and checks the report and the database row by row. The slow test runs the real command
on 20,000 and 200,000 rows and checks that its peak memory does not grow with the file.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from outreach.config import AttributeKind
from outreach.store import importer, subscribers as subscribers_module
from outreach.store.db import now, open_db
from outreach.store.importer import Addresses, Duplicate, Spool, import_csv
from outreach.store.privacy import forget
from outreach.store.schema import consents, memberships, subscriber_topics, subscribers
from outreach.store.subscribers import normalise_email, open_csv, rows_of

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["email", "name", "language", "country", "topics", "staff"]
ROWS = 3000
FORGOTTEN = "gone.person@example.org"


def _row(i: int) -> list[str]:
    """Row ``i`` of the file (file row i + 2), each kind of row at its own positions."""
    email = f"Person.{i}@Example.org"
    name, language, country, topics, staff = f"Person {i}", ("en", "da", "pt_BR")[i % 3], ("dk", "DE", "")[i % 3], ("asia;peace", "", "Climate")[i % 3], str(i)
    if i % 97 == 5:
        email = f"not-an-address-{i}"
    if i % 101 == 7:
        topics = "asai"  # unknown topic (a problem, with a hint)
    if i % 89 == 3:
        staff = "lots"  # not a number (a problem)
    if i % 83 == 11:
        name = f"Person\x1b[31m {i}"  # a control character (a note)
    if i % 211 == 13 and i > 1500:
        email = f"PERSON.{i - 1400}@example.org"  # a duplicate of a row 1,400 rows earlier (another chunk, another batch)
    if i % 199 == 17:
        email = f"person.{i - 1}@EXAMPLE.org"  # a duplicate of the row just before
        language = ""
        topics = staff = name = ""
    return [email, name, language, country, topics, staff]


def _write(path: Path) -> list[list[str]]:
    rows = [_row(i) for i in range(ROWS)]
    rows[40] = [FORGOTTEN, "Gone", "", "", "", ""]
    rows[41] = ["known.unchanged@example.org", "", "", "", "", ""]
    rows[42] = ["known.changed@example.org", "New Name", "", "", "europe", ""]
    rows[43] = ["pending.one@example.org", "", "", "", "", ""]
    rows[44] = ["left.list@example.org", "", "", "", "", ""]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return rows


def _prepare(engine, config, tmp_path: Path) -> None:
    """What the database holds before the import: a forgotten person, two known ones, a pending and an unsubscribed member."""
    before = tmp_path / "before.csv"
    before.write_text(f"email,name\n{FORGOTTEN},Gone\nknown.unchanged@example.org,\nknown.changed@example.org,Old Name\n"
                      "left.list@example.org,\n", encoding="utf-8")
    import_csv(engine, before, "research", config=config, basis="earlier")
    assert forget(engine, config, FORGOTTEN) is not None
    stamp = now()
    with engine.begin() as conn:
        sid = conn.execute(insert(subscribers).returning(subscribers.c.id), [{"email": "pending.one@example.org", "display_email": "pending.one@example.org",
                                                                               "attrs": {}, "created_at": stamp, "updated_at": stamp}]).scalar_one()
        conn.execute(insert(memberships), [{"subscriber_id": sid, "list": "research", "status": "pending", "source": "web", "updated_at": stamp}])
        left = conn.execute(select(subscribers.c.id).where(subscribers.c.email == "left.list@example.org")).scalar_one()
        conn.execute(memberships.update().where(memberships.c.subscriber_id == left).values(status="unsubscribed"))


def _expected(rows: list[list[str]]):  # type: ignore[no-untyped-def]
    """What the import must report, worked out row by row without the importer."""
    first: dict[str, int] = {}
    rejected, merged, problems, notes, taken = [], [], [], [], {}
    for index, (email, name, language, country, topics, staff) in enumerate(rows):
        number = index + 2
        try:
            key, display = normalise_email(email)
        except ValueError as exc:
            rejected.append((number, email, str(exc)))
            continue
        if key in first:
            values = tuple(c for c, v in zip(HEADER, (email, name, language, country, topics, staff)) if v and c != "email")
            merged.append(Duplicate(number, first[key], display, values))
            continue
        first[key] = number
        if "\x1b" in name:
            notes.append((number, "name", "control characters removed (U+001B)"))
        if topics == "asai":
            problems.append((number, "topics", "unknown topic 'asai' (did you mean 'asia'?) (known: asia, climate, europe, peace)"))
        if staff == "lots":
            problems.append((number, "staff", "'lots' is not a number (like 12 or 3.5)"))
        taken[key] = number
    forgotten_row = taken.pop(FORGOTTEN)
    return rejected, merged, problems, notes, taken, forgotten_row


@pytest.fixture
def scale_config(db_config):
    topics = {"asia": "Asia", "peace": "Peace and conflict", "climate": "Climate and development", "europe": "Europe"}
    return db_config.model_copy(update={"attributes": {"staff": AttributeKind.NUMBER}, "topics": topics})


def test_a_streamed_import_accounts_for_every_row_exactly(scale_config, tmp_path, monkeypatch) -> None:
    config, engine = scale_config, open_db(scale_config)
    _prepare(engine, config, tmp_path)
    # small pieces, so a few thousand rows cross every boundary: chunks, batches, transactions, spooled report lists
    monkeypatch.setattr(importer, "CHUNK", 300)
    monkeypatch.setattr(importer, "BATCH", 250)
    monkeypatch.setattr(importer, "TX_ROWS", 600)
    monkeypatch.setattr(Spool, "KEEP", 7)
    rows = _write(tmp_path / "people.csv")
    report = import_csv(engine, tmp_path / "people.csv", "research", config=config, basis="scale test", collected_by="tester")

    rejected, merged, problems, notes, taken, forgotten_row = _expected(rows)
    forgotten_reason = ("this address was forgotten at the person's request (subscribers forget): it is not imported again; "
                        "only they can sign up again")
    assert [r for r in report.rejected if r[0] != forgotten_row] == rejected
    assert [r for r in report.rejected if r[0] == forgotten_row] == [(forgotten_row, FORGOTTEN, forgotten_reason)]
    assert list(report.merged) == merged and len(merged) > 20 and any(d.row - d.first > 1000 for d in merged)
    assert list(report.problems) == problems and len(problems) > 40
    assert list(report.notes) == notes and len(notes) > 20
    assert (report.added, report.updated, report.unchanged) == (len(taken) - 4, 2, 2)  # changed and pending: updated
    assert report.total_rows == ROWS
    assert report.consents == len(taken) - 3  # no record for the two already active, nor the one who left the list
    assert report.values_not_imported == len(problems) + sum(len(d.values) for d in merged) and not report.complete

    with engine.connect() as conn:
        people = {r.email: r for r in conn.execute(select(subscribers))}
        status = dict(conn.execute(select(subscribers.c.email, memberships.c.status).select_from(memberships.join(subscribers))
                                   .where(memberships.c.list == "research")).all())
        records = {(r.email, r.source_row) for r in conn.execute(select(subscribers.c.email, consents.c.source_row)
                                                                  .select_from(consents.join(subscribers)).where(consents.c.basis == "scale test"))}
        topics = {(r.email, r.topic) for r in conn.execute(select(subscribers.c.email, subscriber_topics.c.topic).select_from(subscriber_topics.join(subscribers)))}
    assert FORGOTTEN not in people
    assert set(people) == set(taken)
    assert records == {(key, number) for key, number in taken.items() if key not in {"known.unchanged@example.org", "known.changed@example.org",
                                                                                         "left.list@example.org"}}
    assert status["pending.one@example.org"] == "active" and status["left.list@example.org"] == "unsubscribed"
    assert sum(1 for s in status.values() if s == "active") == len(taken) - 1
    assert people["known.changed@example.org"].name == "New Name" and ("known.changed@example.org", "europe") in topics
    for key, number in taken.items():
        if key.startswith("person."):
            i = number - 2
            email, name, language, country, cell, staff = rows[i]
            person = people[key]
            assert person.display_email == email.split("@")[0] + "@example.org"
            assert person.name == (name.replace("\x1b[31m", " [31m") or None)
            assert person.language == {"en": "en", "da": "da", "pt_BR": "pt-br", "": None}[language]
            assert person.country == (country.upper() or None)
            assert person.attrs == ({} if staff in ("", "lots") else {"staff": int(staff)})
            wanted = {"asia;peace": {"asia", "peace"}, "Climate": {"climate"}}.get(cell, set())
            assert {t for e, t in topics if e == key} == wanted


def test_a_report_list_spills_to_a_file_and_reads_back_in_order(monkeypatch) -> None:
    monkeypatch.setattr(Spool, "KEEP", 3)
    spool: Spool[tuple[int, str]] = Spool()
    spool.append((1, "a"))
    spool += [(i, "x" * i) for i in range(2, 9)]
    assert len(spool) == 8 and spool == [(1, "a")] + [(i, "x" * i) for i in range(2, 9)]
    assert spool[0] == (1, "a") and spool[5] == (6, "xxxxxx") and spool[-1] == (8, "x" * 8)
    assert (7, "x" * 7) in spool and (9, "") not in spool
    seen = []
    for item in spool:  # an append while reading goes to the end, and is not lost
        seen.append(item)
        if len(seen) == 5:
            spool.append((99, "late"))
    assert len(seen) == 8 and list(spool)[-1] == (99, "late") and len(spool) == 9
    assert Spool() == [] and not Spool() and spool != [] and "more" in repr(spool)


ADDRESSES = ["ann@example.org", "Ann.Lee@EXAMPLE.org", " bo@example.org ", "postmaster@example.org", "PostMaster@example.org",
             "a..b@example.org", ".a@example.org", "a.@example.org", "a@localhost", "a@x.test", "a@example", "a@example.123", "a@-ex.org",
             "a@ex-.org", "a@ex..org", "a@example.org.", "a@xn--bcher-kva.example", "a@ab--cd.org", "a@b.invalid", "a" * 64 + "@example.org",
             "a" * 65 + "@example.org", "a@" + "b" * 63 + ".org", "a@" + "b" * 64 + ".org", "a" * 60 + "@" + ".".join(["b" * 60] * 3) + ".org",
             "zoë@example.org", "a@exämple.org", '"q"@example.org', "a b@example.org", "a@b@example.org", "", "@example.org", "a@",
             "x!#$%&'*+/=?^`{|}~-y@example.org", "Ann <ann@example.org>", "a@[127.0.0.1]", "a\x00@example.org", "a@ex_ample.org"]


@pytest.mark.parametrize("raw", ADDRESSES)
def test_the_short_way_for_plain_addresses_agrees_with_the_validator(raw: str) -> None:
    def outcome(check):  # type: ignore[no-untyped-def]
        try:
            return check(raw)
        except ValueError as exc:
            return ("refused", str(exc))

    addresses = Addresses()
    assert outcome(addresses.normalise) == outcome(normalise_email)
    assert outcome(addresses.normalise) == outcome(normalise_email)  # and again, with the domain remembered


def test_the_import_reads_the_file_as_it_was_when_it_started(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name\nann@example.org,Ann\nbo@example.org,Bo\n", encoding="utf-8")
    header, reader = open_csv(path)
    path.write_text("email,name\nchanged@example.org,Changed\n", encoding="utf-8")
    assert [row for _, row in rows_of(header, reader, [])] == [{"email": "ann@example.org", "name": "Ann"}, {"email": "bo@example.org", "name": "Bo"}]


@pytest.mark.parametrize("encoding, data", [
    ("utf-8", "email\n".encode() + "søren@example.org\n".encode() * 5 + b"bad\xff@example.org\n"),
    ("utf-8", b"\xef\xbb\xbf" + "email\n".encode() + "ø".encode() * 9 + b"\xc3"),  # a character cut by the end of the file
    ("utf-8", "email\nø".encode() + b"\xe2\x82" + "x\n".encode()),  # a three-byte character cut short
    ("cp1252", b"email\nS\xf8ren@example.org\nA\x81@example.org\n"),
])
def test_a_byte_that_does_not_decode_is_named_at_its_offset_and_line_whatever_the_chunk(encoding: str, data: bytes, tmp_path: Path,
                                                                                        monkeypatch) -> None:
    from outreach.errors import SubscriberError

    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        at = exc.start + skip
        line = data.count(b"\n", 0, at) + 1
        where = f"byte 0x{data[at]:02x} at offset {at}, line {line}"
    messages = set()
    for chunk in (1, 2, 3, 5, 1 << 20):
        monkeypatch.setattr(subscribers_module, "_CHUNK", chunk)
        with pytest.raises(SubscriberError) as refused:
            open_csv(path, encoding)
        messages.add(str(refused.value))
    assert len(messages) == 1 and f"({where}" in messages.pop()


# -- memory --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_an_import_keeps_its_memory_whatever_the_file_size(tmp_path: Path) -> None:
    small = _run_measured(20_000, tmp_path)
    large = _run_measured(200_000, tmp_path)
    assert large < 150, f"peak RSS {large:.0f} MB importing 200,000 rows"
    assert large - small < 20, f"peak RSS grew from {small:.0f} MB (20,000 rows) to {large:.0f} MB (200,000 rows)"


def _run_measured(rows: int, folder: Path) -> float:
    """Peak RSS (MB) of the import command of ``rows`` rows (VmHWM as it exits: not ru_maxrss, which keeps pytest's own peak)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import importlib

        bench = importlib.import_module("import")
    finally:
        sys.path.remove(str(ROOT / "bench"))
    work = folder / str(rows)
    work.mkdir()
    path = work / "people.csv"
    bench.write_csv(path, rows)
    (work / "outreach.toml").write_text(bench.CONFIG.format(url=f"sqlite:///{work / 'rss.db'}", topics="\n".join(f'{t} = "{t}"' for t in bench.TOPICS)),
                                        encoding="utf-8")
    env = {**os.environ, "PEAK_RSS_FILE": str(work / "peak-rss")}  # the command writes its own VmHWM there as it exits
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-c", bench.CLI, "--config", str(work / "outreach.toml"), "subscribers", "import", str(path),
                                  "--list", "research", "--consent", "rss test"], stdout=out, stderr=err, cwd=work, env=env)
        child.wait(timeout=600)
        out.seek(0)
        err.seek(0)
        assert child.returncode == 0, err.read().decode()[-2000:]
        assert f"{rows} rows: {rows} added" in out.read().decode()
    return bench.peak_rss_mb(work / "peak-rss")


def test_a_batch_that_fails_to_store_fails_the_import(db_config, tmp_path: Path, monkeypatch) -> None:
    engine = open_db(db_config)
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"p{i}@example.org\n" for i in range(50)), encoding="utf-8")
    monkeypatch.setattr(importer, "BATCH", 10)

    def broken(self, rows, list_name, why):  # type: ignore[no-untyped-def]
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importer.Bulk, "add_consents", broken)
    with pytest.raises(RuntimeError, match="the disk is full"):
        import_csv(engine, path, "research", config=db_config, basis="b")
    with engine.connect() as conn:  # the writer's transaction was not committed
        assert conn.execute(select(subscribers.c.id)).first() is None
