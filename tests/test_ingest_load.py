"""`ingest load` on DuckDB and on a real PostgreSQL: resources, values, ledger, re-runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.resources import RESOURCES
from tests.csvtree import csv_text, write_bytes, write_every_resource, write_resource
from tests.dbhelpers import Database

USERS_HEADER = list(next(r for r in RESOURCES if r.name == "users").columns)


def raw_counts(database: Database) -> dict[str, int]:
    return {r.table: database.scalar(f"select count(*) from lms_raw.{r.table}")
            for r in RESOURCES}


def test_every_resource_loads_into_its_raw_table(database: Database, tmp_path: Path) -> None:
    expected = write_every_resource(tmp_path / "tree", rows=3)
    result = database.load(tmp_path / "tree")
    assert result.exit_code == 0, result.stderr
    assert raw_counts(database) == expected
    summary = result.summary["resources"]
    assert {name: entry["rows"] for name, entry in summary.items()} == {
        r.name: 3 for r in RESOURCES}
    scopes = database.query(
        "select _scope_section_id, _scope_assignment_id, _file_timestamp "
        "from lms_raw.submissions")
    assert {(s, a, str(t)) for s, a, t in scopes} == {("111", "222", "2026-09-01 10:00:00")}
    assert database.query("select distinct _scope_date from lms_raw.system_activities") == [
        ("2026-09-01",)]


def test_values_are_kept_exactly_as_written(database: Database, tmp_path: Path) -> None:
    header = ",".join(USERS_HEADER)
    body = (
        "\ufeff" + header + "\r\n"
        'u1,Canvas,student," padded ",,"Núñez, José","say ""hi""",2020-08-20 12:34,'
        '2020-08-20  12:34:56,"",\r\n'
        'u2,Canvas,student,"line one\nline two",x,Zoë,z@example.org,a,b,c,d'
    )
    write_bytes(tmp_path / "tree", "users/2026-09-01-10-00-00.csv", body.encode("utf-8"))
    assert database.load(tmp_path / "tree").exit_code == 0
    rows = database.query(
        "select _row_number, sourcesystemidentifier, localuseridentifier, sisuseridentifier, "
        "name, emailaddress, createdate, lastmodifieddate, sourcecreatedate, "
        "sourcelastmodifieddate from lms_raw.users order by _row_number")
    assert rows == [
        (1, "u1", " padded ", None, "Núñez, José", 'say "hi"', "2020-08-20 12:34",
         "2020-08-20  12:34:56", "", None),
        (2, "u2", "line one\nline two", "x", "Zoë", "z@example.org", "a", "b", "c", "d"),
    ]


def test_row_numbers_follow_the_file_across_batched_files(database: Database,
                                                          tmp_path: Path) -> None:
    for day in range(1, 6):
        write_resource(tmp_path / "tree", "users", f"2026-09-0{day}-10-00-00", rows=50 * day)
    assert database.load(tmp_path / "tree").exit_code == 0
    mismatches = database.scalar(
        "select count(*) from lms_raw.users "
        "where sourcesystemidentifier <> concat('use-', cast(_row_number as varchar))")
    assert mismatches == 0
    assert database.scalar("select count(*) from lms_raw.users") == 50 * (1 + 2 + 3 + 4 + 5)


def test_second_run_loads_nothing(database: Database, tmp_path: Path) -> None:
    expected = write_every_resource(tmp_path / "tree")
    first = database.load(tmp_path / "tree")
    second = database.load(tmp_path / "tree")
    assert first.exit_code == second.exit_code == 0
    assert raw_counts(database) == expected
    assert all(entry["loaded"] == 0 and entry["skipped"] == entry["files"]
               for entry in second.summary["resources"].values())
    assert database.scalar("select count(*) from lms_raw.ingest_ledger") == len(RESOURCES)


def test_new_files_are_added_to_earlier_loads(database: Database, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=4)
    database.load(tmp_path / "tree")
    write_resource(tmp_path / "tree", "users", "2026-09-02-10-00-00", rows=6)
    result = database.load(tmp_path / "tree")
    assert result.summary["resources"]["users"]["loaded"] == 1
    assert database.query(
        "select _file_path, count(*) from lms_raw.users group by _file_path order by 1") == [
        ("users/2026-09-01-10-00-00.csv", 4), ("users/2026-09-02-10-00-00.csv", 6)]


def test_changed_file_replaces_its_earlier_rows(database: Database, tmp_path: Path) -> None:
    path = write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=5)
    database.load(tmp_path / "tree")
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=2, first_index=100)
    result = database.load(tmp_path / "tree")
    assert result.exit_code == 0
    assert result.summary["resources"]["users"]["replaced"] == 1
    assert sorted(database.query("select sourcesystemidentifier from lms_raw.users")) == [
        ("use-100",), ("use-101",)]
    ledger = database.query(
        "select status, row_count from lms_raw.ingest_ledger order by loaded_at, status")
    assert sorted(ledger) == [("loaded", 2), ("replaced", 5)]
    assert path.exists()


def test_header_only_file_is_an_empty_snapshot_and_empty_file_is_skipped(
        database: Database, tmp_path: Path) -> None:
    write_bytes(tmp_path / "tree", "users/2026-09-01-10-00-00.csv",
                csv_text(USERS_HEADER, []).encode())
    write_bytes(tmp_path / "tree", "users/2026-09-02-10-00-00.csv", b"")
    result = database.load(tmp_path / "tree")
    assert result.exit_code == 0
    files = {f["path"]: f for f in result.summary["files"]}
    assert files["users/2026-09-02-10-00-00.csv"]["status"] == "skipped"
    assert "empty file" in files["users/2026-09-02-10-00-00.csv"]["reason"]
    assert "empty file" in result.stderr
    assert database.query(
        "select file_path, status, row_count from lms_raw.ingest_ledger order by 1") == [
        ("users/2026-09-01-10-00-00.csv", "loaded", 0),
        ("users/2026-09-02-10-00-00.csv", "skipped", None)]


def test_unknown_folders_are_reported_not_loaded(database: Database, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1,
                   folder="teachers")
    write_bytes(tmp_path / "tree", "notes.txt", b"not a csv")
    result = database.load(tmp_path / "tree")
    assert result.exit_code == 0
    skipped = [f for f in result.summary["files"] if f["status"] == "skipped"]
    assert [f["path"] for f in skipped] == ["teachers/2026-09-01-10-00-00.csv"]
    assert "teachers/2026-09-01-10-00-00.csv" in result.stderr
    assert database.scalar("select count(*) from lms_raw.users") == 1


def test_extra_columns_are_kept_and_reported(database: Database, tmp_path: Path) -> None:
    header = [*USERS_HEADER[:3], "Nickname", *USERS_HEADER[3:], "Pronouns"]
    rows = [["u1", "Canvas", "student", "Jo", "", "", "", "", "", "", "", "", "they"]]
    write_bytes(tmp_path / "tree", "users/2026-09-01-10-00-00.csv",
                csv_text(header, rows).encode())
    result = database.load(tmp_path / "tree")
    assert result.exit_code == 0
    assert "Nickname" in result.stderr and "Pronouns" in result.stderr
    extra = json.loads(database.scalar("select _extra_columns from lms_raw.users"))
    assert extra == {"Nickname": "Jo", "Pronouns": "they"}
    assert database.scalar("select userrole from lms_raw.users") == "student"


def test_columns_in_another_order_and_missing_optional_columns(database: Database,
                                                               tmp_path: Path) -> None:
    header = ["UserRole", "SourceSystem", "SourceSystemIdentifier", "EmailAddress"]
    write_bytes(tmp_path / "tree", "users/2026-09-01-10-00-00.csv",
                csv_text(header, [["teacher", "Google", "g1", "t@example.org"]]).encode())
    assert database.load(tmp_path / "tree").exit_code == 0
    assert database.query(
        "select sourcesystemidentifier, sourcesystem, userrole, emailaddress, name "
        "from lms_raw.users") == [("g1", "Google", "teacher", "t@example.org", None)]


def test_status_reports_the_ledger(database: Database, tmp_path: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=2)
    database.load(tmp_path / "tree")
    result = database.ingest("status", "--json")
    assert result.exit_code == 0
    rows = {(r["resource"], r["status"]): (r["files"], r["rows"]) for r in
            json.loads(result.stdout)}
    assert rows[("users", "loaded")] == (1, 2)
    assert len(rows) == len(RESOURCES)


@pytest.mark.parametrize("folder", ["assignment=9", "Assignment=9"])
def test_submission_folders_in_either_spelling(database: Database, tmp_path: Path,
                                               folder: str) -> None:
    write_resource(tmp_path / "tree", "submissions", "2026-09-01-10-00-00", rows=2,
                   folder=f"section=5/{folder}/submissions")
    assert database.load(tmp_path / "tree").exit_code == 0
    assert database.query(
        "select distinct _scope_section_id, _scope_assignment_id from lms_raw.submissions"
    ) == [("5", "9")]
