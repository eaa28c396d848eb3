"""Subscriber import: normalisation, every rejected row reported, awkward CSVs, suppression."""

from __future__ import annotations

import pytest

from outreach.store.db import open_db
from outreach.store.subscribers import count, import_csv, iter_members, remove, suppress, suppression_list


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_bom_semicolons_and_crlf(db_config, tmp_path):
    csv_file = _write(tmp_path / "x.csv", "\ufeffEmail;Name;Org\r\nann@example.org;Ann;DIIS\r\nbob@example.org;Bob;\r\n".encode("utf-8"))
    report = import_csv(open_db(db_config), csv_file, "research")
    assert (report.added, report.rejected) == (2, [])
    members = list(iter_members(open_db(db_config), "research"))
    assert [(m["email"], m["name"], m["attrs"]) for m in members] == [("ann@example.org", "Ann", {"org": "DIIS"}), ("bob@example.org", "Bob", {})]


def test_every_rejected_row_is_reported_with_its_number(db_config, tmp_path):
    csv_file = _write(tmp_path / "x.csv", b"email,name\nann@example.org,Ann\nnot-an-address,X\n,Empty\n\nANN@example.org ,Dup\nzoe@@example.org,Z\n")
    report = import_csv(open_db(db_config), csv_file, "research")
    assert report.added == 1
    assert [(r, v) for r, v, _ in report.rejected] == [(3, "not-an-address"), (4, ""), (7, "zoe@@example.org")]
    assert all(reason for _, _, reason in report.rejected)
    assert report.merged == [(6, 2, "ANN@example.org", ("name",))]
    assert report.total_rows == 5


def test_reimport_counts_updated_and_unchanged(db_config, tmp_path):
    engine = open_db(db_config)
    import_csv(engine, _write(tmp_path / "a.csv", b"email,name\nann@example.org,Ann\nbob@example.org,Bob\n"), "research")
    report = import_csv(engine, _write(tmp_path / "b.csv", b"email,name\nAnn@Example.org,Ann Smith\nbob@example.org,Bob\ncat@example.org,Cat\n"), "research")
    assert (report.added, report.updated, report.unchanged) == (1, 1, 1)
    assert count(engine, "research")["active"] == 3


def test_missing_email_column_is_a_clear_error(db_config, tmp_path):
    from outreach.errors import SubscriberError

    with pytest.raises(SubscriberError, match=r"x.csv:1: no 'email' column \(found: mail, name\)"):
        import_csv(open_db(db_config), _write(tmp_path / "x.csv", b"mail,name\na@b.org,A\n"), "research")


def test_suppression_survives_reimport_and_removal(db_config, tmp_path):
    engine = open_db(db_config)
    import_csv(engine, _write(tmp_path / "a.csv", b"email\nann@example.org\nbob@example.org\n"), "research")
    with engine.begin() as conn:
        suppress(conn, "Ann@Example.org", "research", "unsubscribed", "one-click")
    assert count(engine, "research") == {"active": 1, "pending": 0, "unsubscribed": 0, "suppressed": 1}
    assert remove(engine, "ann@example.org", None) == 1
    report = import_csv(engine, _write(tmp_path / "b.csv", b"email\nANN@example.org\n"), "research")
    assert report.updated == 1 and report.suppressed == 1  # the subscriber row stays (with its consent records)
    assert count(engine, "research")["suppressed"] == 1
    assert [(s["email"], s["reason"]) for s in suppression_list(engine)] == [("ann@example.org", "unsubscribed")]


def test_cli_import_reports_rejects_and_exits_nonzero(cli, tmp_path, monkeypatch):
    csv_file = _write(tmp_path / "x.csv", b"email,name\nann@example.org,Ann\nbroken,B\n")
    result = cli("subscribers", "import", csv_file, "--list", "research", "--consent", "asked at the seminar")
    assert result.code == 1
    assert f"rejected: {csv_file}:3: 'broken':" in result.err
    assert "2 rows: 1 added, 0 updated, 0 unchanged, 1 rejected, 0 merged duplicates" in result.out
    assert cli("subscribers", "count", "--list", "research").out.strip() == "active=1 pending=0 unsubscribed=0 suppressed=0"
    exported = cli("subscribers", "export", "--list", "research").out
    assert exported == "email,name,status\nann@example.org,Ann,active\n"
    bad = cli("subscribers", "import", csv_file, "--list", "nope", "--consent", "asked at the seminar")
    assert bad.code == 1 and "--list nope: no such list in the config (known: research)" in bad.err


@pytest.mark.parametrize("consent", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_cli_import_requires_a_consent_basis(cli, tmp_path, consent):
    csv_file = _write(tmp_path / "x.csv", b"email\nann@example.org\n")
    result = cli("subscribers", "import", csv_file, "--list", "research", *(() if consent is None else ("--consent", consent)))
    assert result.code == 1 and "--consent is required: say on what basis" in result.err and "Traceback" not in result.err
    assert cli("subscribers", "count", "--list", "research").out.strip() == "active=0 pending=0 unsubscribed=0 suppressed=0"
