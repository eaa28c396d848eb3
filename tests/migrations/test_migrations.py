"""Schema migrations: a first-release database with data in every table upgrades intact, on SQLite and PostgreSQL.

The fixtures were written by the first release's own code (see make_release1_fixture.py).
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from outreach.config import Config
from outreach.store import migrate
from outreach.store.db import forget_engines, make_engine, open_db
from outreach.store.schema import metadata
from tests.conftest import PG_URL, require

HERE = Path(__file__).resolve().parent
RELEASE1_TABLES = ("meta", "subscribers", "memberships", "suppressions", "runs", "audiences", "deliveries", "audit",
                   "approvals", "steps", "dispatchers", "archive", "apscheduler_jobs")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def release1_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database as the first release left it: the SQLite file, or the SQL dump loaded into a fresh schema."""
    if request.param == "sqlite":
        shutil.copy(HERE / "release1.sqlite", tmp_path / "r1.db")
        yield f"sqlite:///{tmp_path / 'r1.db'}"
        forget_engines()
        return
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        raw = admin.raw_connection()
    except sa.exc.OperationalError as exc:
        require("PostgreSQL on 127.0.0.1:5432", str(exc.orig).splitlines()[0])
    try:
        raw.driver_connection.execute(_dump_sql().replace("fixture_r1", schema))
    finally:
        raw.close()
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        forget_engines()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _dump_sql() -> str:
    """The pg_dump file as plain SQL: psql's own meta-commands (``\\restrict`` …) are left out."""
    lines = (HERE / "release1.pg.sql").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("\\"))


def _snapshot(url: str, shape: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (or of the tables and columns in ``shape``), as sorted text tuples."""
    shape = shape or _shape(url, tables=RELEASE1_TABLES, skip={"token_key"})
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for name, columns in shape.items():
                table = sa.Table(name, sa.MetaData(), autoload_with=conn)
                rows = conn.execute(sa.select(*(table.c[c] for c in columns))).all()
                out[name] = sorted((tuple(str(v) for v in r) for r in rows))
            return out
    finally:
        engine.dispose()


def _shape(url: str, tables: tuple[str, ...] | None = None, skip: set[str] = frozenset()) -> dict[str, list[str]]:
    """Table -> column names, as the database has them now."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            names = tables or tuple(n for n in inspector.get_table_names() if n != "alembic_version")
            return {n: sorted(c["name"] for c in inspector.get_columns(n) if c["name"] not in skip) for n in names}
    finally:
        engine.dispose()


def _upgrade_to(url: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            with conn.begin():
                config = migrate._alembic(conn)
                if migrate.state_of(engine).legacy:
                    command.stamp(config, migrate.RELEASE1)
                command.upgrade(config, revision)
    finally:
        engine.dispose()


REVISIONS = [r for r in reversed(list(ScriptDirectory(str(migrate.MIGRATIONS)).walk_revisions())) if r.down_revision]


# Before revision 0007 the import kept every column but the address and name in attrs, as text. 0007 moves
# language (lang, locale), country and topics (interests) to their own columns, normalised: email -> (attrs as
# the old import left them, then language, country, topics and attrs after 0007).
LEGACY = {
    "ann@example.org": ({"organisation": "Ministry of Defence", "language": "en", "country": "DK", "topics": "asia;peace", "staff": "12"},
                        "en", "DK", ["asia", "peace"], {"organisation": "Ministry of Defence", "staff": "12"}),
    "bob@example.org": ({"lang": "en_GB", "locale": "da", "interests": "Climate | defence,Asia", "country": "Denmark"},
                        "en-gb", None, ["asia", "climate", "defence"], {"locale": "da", "country": "Denmark"}),
    # labels cannot be mapped to ids without the config: the whole value stays; so does a language that is not a tag
    "carla@example.dk": ({"organisation": "Aarhus Universitet", "topics": "asia, Peace and conflict", "language": "english!", "country": " dk "},
                         None, "DK", [], {"organisation": "Aarhus Universitet", "topics": "asia, Peace and conflict", "language": "english!"}),
    "dan@example.org": ({"organisation": "Press", "language": " ", "topics": ""}, None, None, [], {"organisation": "Press"}),
    "eve@example.org": ({"staff": "3", "language": 7}, None, None, [], {"staff": "3", "language": 7}),
}
BULK = 1100  # more than two of the migration's batches (500): the keyset must walk past the first ones


def _seed_legacy_attrs(url: str) -> set[str]:
    """At 0006: give fixture subscribers attrs as the old import wrote them, and add BULK more; the ids whose attrs 0007 changes."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            table = sa.Table("subscribers", sa.MetaData(), autoload_with=conn)
            for email, (attrs, *_) in LEGACY.items():
                assert conn.execute(table.update().where(table.c.email == email).values(attrs=attrs)).rowcount == 1
            model = dict(conn.execute(sa.select(table).where(table.c.email == "eve@example.org")).one()._mapping)
            del model["id"]
            conn.execute(table.insert(), [{**model, "email": f"bulk{i}@example.org", "display_email": f"bulk{i}@example.org",
                                           "token_key": f"bulk-key-{i:06d}", "attrs": {"language": "DA", "topics": "europe"}}
                                          for i in range(BULK)])
            changed = [e for e, (attrs, *_, after) in LEGACY.items() if attrs != after]
            rows = conn.execute(sa.select(table.c.id).where(table.c.email.in_(changed) | table.c.email.like("bulk%@example.org")))
            return {str(i) for i in rows.scalars()}
    finally:
        engine.dispose()


def _masked(snapshot: dict[str, list[tuple]], shape: dict[str, list[str]], ids: set[str]) -> dict[str, list[tuple]]:
    """``snapshot`` with the attrs of the subscribers ``ids`` replaced by a mark."""
    if not ids:
        return snapshot
    at_id, at_attrs = shape["subscribers"].index("id"), shape["subscribers"].index("attrs")
    rows = [tuple("(changed by the revision)" if i == at_attrs and r[at_id] in ids else v for i, v in enumerate(r))
            for r in snapshot["subscribers"]]
    return {**snapshot, "subscribers": sorted(rows)}


# Data a revision is about to change, put in place before it runs: revision -> seed(url) -> subscriber ids whose attrs it changes.
SEEDS = {"0007": _seed_legacy_attrs}


@pytest.mark.parametrize("revision", REVISIONS, ids=[r.revision for r in REVISIONS])
def test_each_revision_upgrades_the_previous_one_with_data_in_it(release1_url, revision) -> None:
    _upgrade_to(release1_url, revision.down_revision)
    # Moving keys out of attrs is revision 0007's job, so for the rows seeded for it the attrs column is left out
    # of this comparison (and checked key by key in test_0007_moves_language_country_and_topics_out_of_attrs);
    # every other column of those rows, and every other row, must come through unchanged.
    changed = SEEDS.get(revision.revision, lambda url: set())(release1_url)
    shape = _shape(release1_url)
    before = _masked(_snapshot(release1_url, shape), shape, changed)
    assert before["subscribers"] and before["deliveries"]
    _upgrade_to(release1_url, revision.revision)
    assert _masked(_snapshot(release1_url, shape), shape, changed) == before


def test_0007_moves_language_country_and_topics_out_of_attrs(release1_url) -> None:
    _upgrade_to(release1_url, "0006")
    _seed_legacy_attrs(release1_url)
    _upgrade_to(release1_url, "0007")
    engine = make_engine(release1_url)
    try:
        with engine.connect() as conn:
            rows = {r.email: r for r in conn.execute(sa.text("SELECT id, email, language, country, attrs FROM subscribers"))}
            followed: dict[int, list[str]] = {}
            for sid, topic in conn.execute(sa.text("SELECT subscriber_id, topic FROM subscriber_topics ORDER BY topic")):
                followed.setdefault(sid, []).append(topic)
    finally:
        engine.dispose()
    attrs = {email: r.attrs if isinstance(r.attrs, dict) else json.loads(r.attrs) for email, r in rows.items()}
    for email, (_, language, country, topics, after) in LEGACY.items():
        row = rows[email]
        assert (row.language, row.country, followed.get(row.id, []), attrs[email]) == (language, country, topics, after), email
    bulk = [r for email, r in rows.items() if email.startswith("bulk")]
    assert len(bulk) == BULK and all(r.language == "da" and followed.get(r.id) == ["europe"] and attrs[r.email] == {} for r in bulk)


def test_0008_keeps_every_approval_as_a_cli_approval(release1_url) -> None:
    _upgrade_to(release1_url, "0007")
    engine = make_engine(release1_url)
    try:
        with engine.connect() as conn:
            before = conn.execute(sa.text("SELECT id, campaign, content_hash, approved_by FROM approvals ORDER BY id")).all()
    finally:
        engine.dispose()
    assert before, "the fixture holds approvals"
    _upgrade_to(release1_url, "0008")
    engine = make_engine(release1_url)
    try:
        with engine.connect() as conn:
            after = conn.execute(sa.text("SELECT id, campaign, content_hash, approved_by, decision, method, reviewer_id, "
                                         "version_id, comment FROM approvals ORDER BY id")).all()
            conn.execute(sa.text("SELECT id FROM review_versions")).all()  # the new tables exist (and are empty)
    finally:
        engine.dispose()
    assert [tuple(r[:4]) for r in after] == [tuple(r) for r in before]
    assert all((r.decision, r.method, r.reviewer_id, r.version_id, r.comment) == ("approved", "cli", None, None, None) for r in after)


def test_0008_downgraded_keeps_approvals_and_drops_requests_for_changes(release1_url) -> None:
    from alembic import command

    _upgrade_to(release1_url, "0008")
    engine = make_engine(release1_url)
    try:
        with engine.begin() as conn:
            kept = conn.execute(sa.text("SELECT id FROM approvals")).scalars().all()
            for by, decision, method in (("Bob", "approved", "link"), ("Bob", "changes-requested", "link"), ("Jane", "approved", "cli")):
                conn.execute(sa.text("INSERT INTO approvals (campaign, content_hash, hashes, approved_by, approved_at, decision, method) "
                                     "VALUES ('c1', :h, '{}', :by, CURRENT_TIMESTAMP, :d, :m)"), {"h": "f" * 64, "by": by, "d": decision, "m": method})
        with engine.connect() as conn:
            with conn.begin():
                command.downgrade(migrate._alembic(conn), "0007")
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT campaign, approved_by FROM approvals WHERE campaign = 'c1'")).all()
            left = conn.execute(sa.text("SELECT id FROM approvals WHERE campaign <> 'c1'")).scalars().all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("c1", "Jane")], "the old code reads every row as a CLI approval: only those may stay"
    assert sorted(left) == sorted(kept)


def _check_names(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {t: sorted(c["name"] for c in inspector.get_check_constraints(t)) for t in inspector.get_table_names()
                if t != "alembic_version"}
    finally:
        engine.dispose()


def test_migrated_check_constraints_have_the_models_names(release1_url, tmp_path) -> None:
    _upgrade_to(release1_url, migrate.HEAD)
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    open_db(Config(database=fresh))
    forget_engines()
    migrated, made = _check_names(release1_url), _check_names(fresh)
    assert {t: n for t, n in migrated.items() if t in made} == made
    assert made["approvals"] == ["approvals_decision_check", "approvals_method_check"]


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _not_apscheduler})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def _not_apscheduler(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) != "apscheduler_jobs"


def test_head_constant_is_the_newest_revision() -> None:
    assert ScriptDirectory(str(migrate.MIGRATIONS)).get_current_head() == migrate.HEAD


def test_release1_upgrades_with_every_row_intact(release1_url, cli, tmp_path) -> None:
    shape = _shape(release1_url, tables=RELEASE1_TABLES)
    before = _snapshot(release1_url, shape)
    assert all(before[t] for t in RELEASE1_TABLES), "the fixture must hold rows in every table"
    config = tmp_path / "o.toml"
    config.write_text(f'database = "{release1_url}"\n', encoding="utf-8")
    refused = cli("--config", config, "status")
    assert refused.code == 1 and "run 'outreach db upgrade'" in refused.err and "0001" in refused.err
    assert cli("--config", config, "db", "status").code == 1
    done = cli("--config", config, "db", "upgrade")
    assert done.code == 0 and "upgraded from revision 0001 to" in done.out, done.err
    assert _snapshot(release1_url, shape) == before
    assert cli("--config", config, "db", "status").out.strip().endswith("up to date")
    engine = open_db(Config(database=release1_url))
    with engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT token_key FROM subscribers")).scalars().all()
    assert len(keys) == len(before["subscribers"]) == len(set(keys)) and all(len(k) >= 16 for k in keys)
    with engine.connect() as conn:
        parts = conn.execute(sa.text("SELECT target, part FROM deliveries WHERE target LIKE 'part-%'")).all()
    assert parts and all(part == int(target[5:]) for target, part in parts), "post rows keep their part number (revision 0004)"
    with engine.connect() as conn:
        listed = conn.execute(sa.text("SELECT listed FROM archive")).scalars().all()
    assert listed and all(listed), "campaigns archived before revision 0005 were sent: they stay in the index"
    with engine.connect() as conn:
        members = conn.execute(sa.text("SELECT subscriber_id, list, status, updated_at FROM memberships WHERE status <> 'pending'")).all()
        records = conn.execute(sa.text("SELECT subscriber_id, list, method, basis, withdrawn_at FROM consents")).all()
    assert members and sorted((m[0], m[1]) for m in members) == sorted((r[0], r[1]) for r in records), \
        "every consented membership gets a consent record (revision 0007)"
    assert all(r[2] == "before-records" and "before consent records were kept" in r[3] for r in records)
    left = {(m[0], m[1]) for m in members if m[2] == "unsubscribed"}
    assert left and {(r[0], r[1]) for r in records if r[4] is not None} == left, "an unsubscribe is kept as a withdrawal"
    assert cli("--config", config, "subscribers", "count", "--list", "research").code == 0
    assert _differences(release1_url) == []


def test_an_empty_database_migrated_from_nothing_equals_the_models(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        from alembic import command

        command.upgrade(migrate._alembic(conn), "head")
    engine.dispose()
    assert _differences(url) == []


def test_a_new_database_is_created_at_head(db_config) -> None:
    engine = open_db(db_config)
    assert migrate.state_of(engine).up_to_date
    assert _differences(db_config.database) == []


def test_a_database_newer_than_the_code_is_refused(db_config, cli, tmp_path) -> None:
    engine = open_db(db_config)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00d'"))
    forget_engines()
    config = tmp_path / "o.toml"
    config.write_text(f'database = "{db_config.database}"\n', encoding="utf-8")
    for args in (("status",), ("db", "upgrade")):
        result = cli("--config", config, *args)
        assert result.code == 1 and "newer than this outreach" in result.err and "Traceback" not in result.err


def test_a_failed_upgrade_changes_nothing(release1_url, cli, tmp_path, monkeypatch) -> None:
    before = _snapshot(release1_url)
    # Every subscriber gets the same "random" key: revision 0002 adds and fills the column, then its unique constraint fails.
    monkeypatch.setattr("secrets.token_urlsafe", lambda n=None: "the-same-key-for-everyone")
    config = tmp_path / "o.toml"
    config.write_text(f'database = "{release1_url}"\n', encoding="utf-8")
    failed = cli("--config", config, "db", "upgrade")
    assert failed.code == 1 and "failed and nothing was changed" in failed.err
    assert _snapshot(release1_url) == before
    assert migrate.state_of(make_engine(release1_url)).current == "0001"
    engine = make_engine(release1_url)
    with engine.connect() as conn:
        assert "token_key" not in {c["name"] for c in sa.inspect(conn).get_columns("subscribers")}
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_new_database_downgrades_from_0008(kind, tmp_path) -> None:
    from alembic import command

    from tests.conftest import private_database

    with private_database(kind, tmp_path) as url:
        open_db(Config(database=url))
        forget_engines()
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                with conn.begin():
                    command.downgrade(migrate._alembic(conn), "0007")
            assert "review_versions" not in sa.inspect(engine).get_table_names()
        finally:
            engine.dispose()


def test_0009_keeps_every_audience_and_a_paced_send_takes_its_slots_from_it(release1_url) -> None:
    """0009 adds audiences.paced_until (NULL for every existing audience); a worker under a rate then moves it on."""
    from datetime import datetime, timezone

    from outreach.mail.pacing import STRETCH, SharedPace

    _upgrade_to(release1_url, "0008")
    engine = make_engine(release1_url)
    try:
        with engine.connect() as conn:
            before = conn.execute(sa.text("SELECT campaign, step, list, total FROM audiences ORDER BY campaign, step")).all()
        assert before
        _upgrade_to(release1_url, "0009")
        with engine.connect() as conn:
            after = conn.execute(sa.text("SELECT campaign, step, list, total, paced_until FROM audiences ORDER BY campaign, step")).all()
        assert [tuple(r[:4]) for r in after] == [tuple(r) for r in before] and all(r[4] is None for r in after)
        campaign, step = before[0][0], before[0][1]
        started = datetime.now(timezone.utc)
        pace = SharedPace(engine, campaign, step, rate=40)
        pace.wait()  # the first slot is now: no wait, one stretch taken
        with engine.connect() as conn:
            until = conn.execute(sa.text("SELECT paced_until FROM audiences WHERE campaign = :c AND step = :s"), {"c": campaign, "s": step}).scalar_one()
        until = until if isinstance(until, datetime) else datetime.fromisoformat(str(until))
        until = until.replace(tzinfo=timezone.utc) if until.tzinfo is None else until
        assert 0.9 * STRETCH <= (until - started).total_seconds() <= STRETCH + 5
    finally:
        engine.dispose()
