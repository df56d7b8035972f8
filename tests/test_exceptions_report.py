"""`ingest exceptions`: CSV reports from the exception views, and match rates.

The dbt models that build the views are stood in for by tables and views created here with
the same names and columns.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ingest import exceptions_report
from tests.dbhelpers import Database

USER_COLUMNS = ["sourcesystemidentifier", "sourcesystem", "userrole", "sisuseridentifier",
                "name", "emailaddress", "deletedat"]
USERS = [
    # (identifier, source, role, sis id, name, email, deleted, linked)
    ("c1", "Canvas", "student", "604863", "Mary Archer", "mary@x.org", None, True),
    ("c2", "Canvas", "student", "604874", "José Núñez", "jose@x.org", None, True),
    ("c3", "Canvas", " Student ", "604885", 'Hughes, Kyle "Bo"', "kyle@x.org", None, True),
    ("c4", "Canvas", "student", None, "No, SIS\nid", None, None, False),
    ("c5", "Canvas", "student", "604896", "Gone Away", "gone@x.org", "2026-09-02 15:04:00",
     True),
    ("c6", "Canvas", "teacher", "207268", "Teach Er", "t@x.org", None, False),
    ("s1", "Schoology", "student", "604863", "Mary Archer", "mary@x.org", None, False),
    ("s2", "Schoology", "STUDENT", "604874", "José Núñez", "jose@x.org", None, True),
    ("s3", "Schoology", "student", "999999", "Who Is", "who@x.org", None, False),
]
SECTIONS = [
    # (identifier, source, sis section, deleted, linked)
    ("10", "Canvas", "A1", None, True),
    ("11", "Canvas", "A2", None, False),
    ("12", "Canvas", "A3", "2026-09-02 15:04:00", False),
    ("20", "Google", "A1", None, True),
]


def _sql_value(value: object) -> str:
    if value is None:
        return "null"
    return "'" + str(value).replace("'", "''") + "'"


def _values(rows: list[tuple[object, ...]]) -> str:
    return ", ".join("(" + ", ".join(_sql_value(v) for v in row) + ")" for row in rows)


def _run(database: Database, *statements: str) -> None:
    connection = database._connect()
    for statement in statements:
        connection.execute(statement)
    database.close()


def stand_in_data_store(database: Database) -> None:
    """lms.lmsuser, lms.lmssection and their link tables, as the dbt models will have them."""
    _run(
        database,
        "create schema if not exists lms",
        "create table lms.lmsuser (sourcesystemidentifier varchar, sourcesystem varchar, "
        "userrole varchar, sisuseridentifier varchar, name varchar, emailaddress varchar, "
        "deletedat timestamp)",
        "insert into lms.lmsuser values " + _values([row[:7] for row in USERS]),
        "create table lms.lmsuser_student_link (sourcesystem varchar, "
        "sourcesystemidentifier varchar, edfistudentid uuid, studentusi int, "
        "studentuniqueid varchar, matchrule varchar)",
        "insert into lms.lmsuser_student_link values " + _values(
            [(row[1], row[0], None, number, row[3], "rule")
             for number, row in enumerate(USERS) if row[7]]),
        "create table lms.lmssection (sourcesystemidentifier varchar, sourcesystem varchar, "
        "sissectionidentifier varchar, deletedat timestamp)",
        "insert into lms.lmssection values " + _values([row[:4] for row in SECTIONS]),
        "create table lms.lmssection_section_link (sourcesystem varchar, "
        "sourcesystemidentifier varchar, edfisectionid uuid, localcoursecode varchar, "
        "schoolid int, schoolyear int, sessionname varchar, sectionidentifier varchar, "
        "matchrule varchar)",
        "insert into lms.lmssection_section_link values " + _values(
            [(row[1], row[0], None, "ALG1", 1, 2027, "Fall", row[2], "rule")
             for row in SECTIONS if row[4]]),
    )


def stand_in_views(database: Database, *names: str) -> None:
    views = {
        "exceptions_lmsuser":
            "select u.*, 'no ODS student matches' as reason, 0 as candidates "
            "from lms.lmsuser as u where u.deletedat is null "
            "and lower(trim(u.userrole)) = 'student' and not exists (select 1 from "
            "lms.lmsuser_student_link as l where l.sourcesystem = u.sourcesystem "
            "and l.sourcesystemidentifier = u.sourcesystemidentifier)",
        "exceptions_lmssection":
            "select s.*, 'ambiguous' as reason, 2 as candidates from lms.lmssection as s "
            "where s.deletedat is null and not exists (select 1 from "
            "lms.lmssection_section_link as l where l.sourcesystem = s.sourcesystem "
            "and l.sourcesystemidentifier = s.sourcesystemidentifier)",
        "missing_assignment_category_descriptors":
            "select 'Canvas' as sourcesystem, 'discussion_topic' as assignmentcategory, "
            "'uri://ed-fi.org/edfilms/AssignmentCategoryDescriptor/Canvas' as namespace",
        "missing_assignment_submission_status_descriptors":
            "select 'Google' as sourcesystem, "
            "'uri://ed-fi.org/edfilms/SubmissionStatusDescriptor/Google' as namespace, "
            "'RECLAIMED_BY_STUDENT' as submissionstatus union all "
            "select 'Google', 'uri://ed-fi.org/edfilms/SubmissionStatusDescriptor/Google', 'NEW'",
    }
    _run(database, "create schema if not exists lmsx",
         *(f"create view lmsx.{name} as {views[name]}" for name in names))


def read_report(out: Path, folder: str) -> list[list[str]]:
    files = list((out / folder).iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.csv", files[0].name)
    with open(files[0], encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stream in chunks of two rows, so every report takes several fetches."""
    monkeypatch.setattr(exceptions_report, "CHUNK_ROWS", 2)


@pytest.mark.usefixtures("small_chunks")
def test_reports_have_the_views_columns_and_rows(database: Database, tmp_path: Path) -> None:
    stand_in_data_store(database)
    stand_in_views(database, "exceptions_lmsuser", "exceptions_lmssection",
                   "missing_assignment_category_descriptors",
                   "missing_assignment_submission_status_descriptors")
    out = tmp_path / "reports"
    result = database.ingest("exceptions", "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr

    users = read_report(out, "users")
    assert users[0] == [*USER_COLUMNS, "reason", "candidates"]
    unmatched = [row for row in USERS if row[2].strip().lower() == "student"
                 and row[6] is None and not row[7]]
    assert sorted(row[0] for row in users[1:]) == ["c4", "s1", "s3"] == sorted(
        row[0] for row in unmatched)
    c4 = next(row for row in users[1:] if row[0] == "c4")
    assert c4 == ["c4", "Canvas", "student", "", "No, SIS\nid", "", "",
                  "no ODS student matches", "0"]

    sections = read_report(out, "sections")
    assert sections == [["sourcesystemidentifier", "sourcesystem", "sissectionidentifier",
                         "deletedat", "reason", "candidates"],
                        ["11", "Canvas", "A2", "", "ambiguous", "2"]]

    descriptors = read_report(out, "descriptors")
    assert descriptors[0] == ["view", "sourcesystem", "assignmentcategory", "namespace",
                              "submissionstatus"]
    category_ns = "uri://ed-fi.org/edfilms/AssignmentCategoryDescriptor/Canvas"
    status_ns = "uri://ed-fi.org/edfilms/SubmissionStatusDescriptor/Google"
    assert sorted(descriptors[1:]) == sorted([
        ["missing_assignment_category_descriptors", "Canvas", "discussion_topic", category_ns,
         ""],
        ["missing_assignment_submission_status_descriptors", "Google", "", status_ns,
         "RECLAIMED_BY_STUDENT"],
        ["missing_assignment_submission_status_descriptors", "Google", "", status_ns, "NEW"],
    ])
    assert not (out / "assignments").exists() and not (out / "submissions").exists()

    summary = result.summary
    rows = {report["report"]: report["rows"] for report in summary["reports"]}
    assert rows["users"] == {"lmsx.exceptions_lmsuser": 3}
    assert rows["descriptors"] == {"lmsx.missing_assignment_category_descriptors": 1,
                                   "lmsx.missing_assignment_submission_status_descriptors": 2}
    missing = {report["report"]: report["missing_views"] for report in summary["reports"]}
    assert missing["assignments"] == ["lmsx.assignments_exceptions"]
    assert "not built yet" in result.stderr


def test_match_rates_count_active_students_and_sections(database: Database,
                                                        tmp_path: Path) -> None:
    stand_in_data_store(database)
    stand_in_views(database, "exceptions_lmsuser")
    result = database.ingest("exceptions", "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.stderr
    rates = result.summary["match_rates"]
    # Canvas: c1, c2, c3 linked of c1-c4 (c5 deleted, c6 a teacher); Schoology: s2 of s1-s3.
    assert rates["users"] == [
        {"entity": "users", "sourcesystem": "Canvas", "active": 4, "matched": 3, "rate": 0.75},
        {"entity": "users", "sourcesystem": "Schoology", "active": 3, "matched": 1,
         "rate": pytest.approx(1 / 3)},
    ]
    assert rates["sections"] == [
        {"entity": "sections", "sourcesystem": "Canvas", "active": 2, "matched": 1, "rate": 0.5},
        {"entity": "sections", "sourcesystem": "Google", "active": 1, "matched": 1, "rate": 1.0},
    ]
    assert "match rate users Canvas: 3/4 linked (75.0%)" in result.stderr


def test_missing_views_are_skipped_and_reported(database: Database, tmp_path: Path) -> None:
    stand_in_data_store(database)
    stand_in_views(database, "missing_assignment_submission_status_descriptors")
    _run(database, "drop table lms.lmssection_section_link")
    out = tmp_path / "reports"
    result = database.ingest("exceptions", "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert [path.name for path in out.iterdir()] == ["descriptors"]
    descriptors = read_report(out, "descriptors")
    assert descriptors[0] == ["view", "sourcesystem", "namespace", "submissionstatus"]
    assert len(descriptors) == 3
    stderr = result.stderr.replace("\n", " ")
    assert "lmsx.exceptions_lmsuser: not built yet — run dbt build" in stderr
    assert "lmsx.missing_assignment_category_descriptors: not built yet" in stderr
    assert result.summary["match_rates"]["sections"] == (
        "lms.lmssection_section_link: not built yet — run dbt build")


def test_no_view_at_all_exits_2(database: Database, tmp_path: Path) -> None:
    stand_in_data_store(database)
    result = database.ingest("exceptions", "--out", str(tmp_path / "reports"))
    assert result.exit_code == 2
    assert "no exception view exists" in result.stderr.replace("\n", " ")
    assert not (tmp_path / "reports").exists()


def test_missing_duckdb_file_is_not_created(tmp_path: Path, profiles_dir: Path) -> None:
    path = tmp_path / "absent.duckdb"
    database = Database("duckdb", {"LMS_DUCKDB_PATH": str(path)}, profiles_dir)
    result = database.ingest("exceptions", "--out", str(tmp_path / "reports"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr.replace("\n", " ")
    assert not path.exists()


def test_a_view_that_fails_exits_2(database: Database, tmp_path: Path) -> None:
    _run(database, "create schema lmsx", "create table lmsx.numbers (text_value varchar)",
         "insert into lmsx.numbers values ('x')",
         "create view lmsx.exceptions_lmsuser as "
         "select cast(text_value as int) as number from lmsx.numbers")
    result = database.ingest("exceptions", "--out", str(tmp_path / "reports"))
    assert result.exit_code == 2
    assert "cannot read the exception views" in result.stderr.replace("\n", " ")
    assert not [path for path in (tmp_path / "reports").rglob("*") if path.is_file()]
