"""Harmonizing into the ODS's LMSX tables, on DuckDB and PostgreSQL: what is written, updated
and removed, descriptors, namespaces, Schoology's synthesized submissions, idempotent re-runs,
and ODS table definitions left as they were. Three nights per engine, one build each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.dbhelpers import Database
from tests.ods import create_ods
from tests.scenario import load_and_build, read_table, scenario_database, write_snapshot

N1, N2 = "2026-09-01-10-00-00", "2026-09-02-10-00-00"
AS_OF = '{"edfi_lms": {"as_of": "2026-09-05 00:00:00"}}'
SEC100, SEC200 = ("ALG-1", "Fall", "SEC-100"), ("ENG-1", "Fall", "SEC-200")
CANVAS, GOOGLE, SCHOOLOGY = ("uri://instructure.com/canvas", "uri://google.com/classroom",
                             "uri://schoology.com")


def users(source: str, *rows: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"SourceSystemIdentifier": identifier, "SourceSystem": source, "UserRole": "student",
             "SISUserIdentifier": sis, "EmailAddress": email} for identifier, sis, email in rows]


def assignment(identifier: str, source: str, section: str, category: str, title: str,
               due: str = "", types: str = "") -> dict[str, str]:
    return {"SourceSystemIdentifier": identifier, "SourceSystem": source, "Title": title,
            "AssignmentCategory": category, "LMSSectionSourceSystemIdentifier": section,
            "DueDateTime": due, "MaxPoints": "10", "SubmissionType": types}


def submission(identifier: str, source: str, assignment_id: str, user: str, status: str,
               grade: str = "", points: str = "") -> dict[str, str]:
    return {"SourceSystemIdentifier": identifier, "SourceSystem": source,
            "AssignmentSourceSystemIdentifier": assignment_id,
            "LMSUserSourceSystemIdentifier": user,
            "SubmissionStatus": status, "Grade": grade, "EarnedPoints": points}


def write_night(root: Path, night: int) -> None:
    stamp = N1 if night == 1 else N2
    write_snapshot(root, "users", stamp, "users",
                   users("Canvas", ("c1", "1001", "")) + users("Schoology", ("s1", "1001", ""))
                   + users("BestLMS", ("b1", "1001", "")))
    write_snapshot(root, "users", stamp.replace("-10-", "-11-"), "users",
                   users("Google", ("g1", "", "ann@school.org")))
    write_snapshot(root, "sections", stamp, "sections", [
        {"SourceSystemIdentifier": sid, "SourceSystem": source, "SISSectionIdentifier": sis}
        for sid, source, sis in [("cs1", "Canvas", "SEC-100"), ("cs2", "Canvas", "SEC-999"),
                                 ("ss1", "Schoology", "SEC-200"), ("ss2", "Schoology", "SEC-200"),
                                 ("bs1", "BestLMS", "SEC-100")]])
    write_snapshot(root, "sections", stamp.replace("-10-", "-11-"), "sections", [
        {"SourceSystemIdentifier": "gs1", "SourceSystem": "Google",
         "SISSectionIdentifier": "SEC-100"}])
    title = "Fractions" if night == 1 else "Fractions, revised"
    write_snapshot(root, "section=cs1/assignments", stamp, "assignments", [
        assignment("ca1", "Canvas", "cs1", "Assignment", title, "2026-09-10 23:59",
                   "['online_upload', 'online_text_entry']"),
        assignment("ca2", "Canvas", "cs1", "discussion_topic", "Discuss")])
    write_snapshot(root, "section=cs2/assignments", stamp, "assignments", [
        assignment("ca3", "Canvas", "cs2", "assignment", "Unlinked section")])
    google = [assignment("ga1", "Google", "gs1", "ASSIGNMENT", "Essay")] if night == 1 else []
    write_snapshot(root, "section=gs1/assignments", stamp, "assignments", google)
    write_snapshot(root, "section=ss1/assignments", stamp, "assignments", [
        assignment("sa1", "Schoology", "ss1", "assignment", "Past due", "2026-09-03 08:00")])
    write_snapshot(root, "section=ss2/assignments", stamp, "assignments", [
        assignment("sa2", "Schoology", "ss2", "assessment", "No due date")])
    write_snapshot(root, "section=bs1/assignments", stamp, "assignments", [
        assignment("ba1", "BestLMS", "bs1", "assignment", "Unknown source system")])
    canvas_submissions = [submission("csub1", "Canvas", "ca1", "c1", "graded",
                                     "A" if night == 1 else "B", "9.6")]
    if night == 1:
        canvas_submissions.append(submission("csub2", "Canvas", "ca1", "c1", "submitted"))
    canvas_submissions.append(submission("csub3", "Canvas", "ca1", "c1", "weird-status"))
    write_snapshot(root, "section=cs1/assignment=ca1/submissions", stamp, "submissions",
                   canvas_submissions)
    if night == 1:
        write_snapshot(root, "section=gs1/assignment=ga1/submissions", stamp, "submissions", [
            submission("gsub1", "Google", "ga1", "g1", "TURNED_IN")])
    write_snapshot(root, "section=ss1/Assignment=sa1/submissions", stamp, "submissions", [
        submission("ssub1", "Schoology", "sa1", "s1", "on-time")])


ODS_DEFINITION = (
    "select table_schema, table_name, column_name, data_type, is_nullable, column_default "
    "from information_schema.columns where table_schema in ('edfi', 'lmsx') "
    "and table_name in (select table_name from information_schema.tables "
    "where table_type = 'BASE TABLE')")
ODS_CONSTRAINTS = (
    "select tc.table_schema, tc.table_name, tc.constraint_type, kcu.column_name "
    "from information_schema.table_constraints tc join information_schema.key_column_usage kcu "
    "on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema "
    "and kcu.table_name = tc.table_name where tc.table_schema in ('edfi', 'lmsx')")


@dataclass
class Harmonized:
    nights: list[dict[str, list[tuple[Any, ...]]]] = field(default_factory=list)
    definitions_before: list[tuple[Any, ...]] = field(default_factory=list)
    definitions_after: list[tuple[Any, ...]] = field(default_factory=list)


def _read_lmsx(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "assignments": read_table(database, (
            "(select a.assignmentidentifier, a.namespace, d.codevalue as category, a.title, "
            "a.maxpoints, a.sectionidentifier, a.lastmodifieddate, a.id, s.codevalue as source "
            "from lmsx.assignment a join edfi.descriptor d "
            "on d.descriptorid = a.assignmentcategorydescriptorid join edfi.descriptor s "
            "on s.descriptorid = a.lmssourcesystemdescriptorid) as a")),
        "submissions": read_table(database, (
            "(select s.assignmentsubmissionidentifier, s.namespace, s.studentusi, "
            "s.assignmentidentifier, d.codevalue as status, s.grade, s.earnedpoints, "
            "s.lastmodifieddate, s.id from lmsx.assignmentsubmission s join edfi.descriptor d "
            "on d.descriptorid = s.submissionstatusdescriptorid) as s")),
        "types": read_table(database, (
            "(select t.assignmentidentifier, t.namespace, d.codevalue "
            "from lmsx.assignmentsubmissiontype t join edfi.descriptor d "
            "on d.descriptorid = t.submissiontypedescriptorid) as t")),
        "assignment_exceptions": read_table(database, (
            "(select sourcesystemidentifier, reason from lmsx.assignments_exceptions) as e")),
        "submission_exceptions": read_table(database, (
            "(select sourcesystemidentifier, reason from lmsx.assignment_submissions_exceptions) "
            "as e")),
        "missing_categories": read_table(database, (
            "(select sourcesystem, codevalue from lmsx.missing_assignment_category_descriptors) "
            "as m")),
        "missing_statuses": read_table(database, (
            "(select sourcesystem, codevalue "
            "from lmsx.missing_assignment_submission_status_descriptors) as m")),
    }


_BUILT: dict[str, Harmonized] = {}


def _build(engine: str, request: pytest.FixtureRequest) -> Harmonized:
    if engine not in _BUILT:
        database = scenario_database(request, engine, "lmsx")
        create_ods(database, students=[(1, "1001"), (2, "1002"), (3, "1003")],
                   emails=[(1, "ann@school.org")], sections=[SEC100, SEC200],
                   enrolments=[(SEC200, 1, None), (SEC200, 2, None),
                               (SEC200, 3, date(2026, 9, 2))])
        result = Harmonized(definitions_before=read_table(database, f"({ODS_DEFINITION}) as d")
                            + read_table(database, f"({ODS_CONSTRAINTS}) as c"))
        root = request.getfixturevalue("tmp_path_factory").mktemp(f"lmsx-{engine}")
        for night in (1, 2, 3):
            if night < 3:
                write_night(root, night)
            load_and_build(database, root, "--vars", AS_OF)
            result.nights.append(_read_lmsx(database))
        result.definitions_after = (read_table(database, f"({ODS_DEFINITION}) as d")
                                    + read_table(database, f"({ODS_CONSTRAINTS}) as c"))
        _BUILT[engine] = result
    return _BUILT[engine]


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def harmonized(request: pytest.FixtureRequest) -> Harmonized:
    return _build(request.param, request)


def _by_key(rows: list[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in rows}


def test_matched_assignments_are_written_once_with_descriptors_and_namespaces(
        harmonized: Harmonized) -> None:
    assignments = _by_key(harmonized.nights[0]["assignments"])
    assert set(assignments) == {"ca1", "sa1", "sa2", "ga1"}
    assert assignments["ca1"][:5] == (CANVAS, "assignment", "Fractions", 10, "SEC-100")
    assert assignments["ca1"][-1] == "Canvas"
    assert assignments["ga1"][:2] == (GOOGLE, "ASSIGNMENT")
    assert assignments["sa1"][:2] == (SCHOOLOGY, "assignment")
    ids = [row[-2] for row in harmonized.nights[0]["assignments"]]
    assert len(set(ids)) == len(ids)


def test_unmatched_section_and_unknown_source_system_write_nothing(
        harmonized: Harmonized) -> None:
    exceptions = dict(harmonized.nights[0]["assignment_exceptions"])
    assert exceptions["ca3"] == "section not linked to an ODS section"
    assert exceptions["ba1"] == "source system has no LMSX namespace"
    assert not any(row[1] not in (CANVAS, GOOGLE, SCHOOLOGY)
                   for row in harmonized.nights[0]["assignments"])


def test_missing_descriptors_are_listed_not_written(harmonized: Harmonized) -> None:
    first = harmonized.nights[0]
    assert "ca2" not in _by_key(first["assignments"])
    assert dict(first["assignment_exceptions"])["ca2"] == "missing AssignmentCategory descriptor"
    assert first["missing_categories"] == [("Canvas", "discussion_topic")]
    assert first["missing_statuses"] == [("Canvas", "weird-status")]
    assert dict(first["submission_exceptions"])["csub3"] == "missing SubmissionStatus descriptor"


def test_submission_types_are_written(harmonized: Harmonized) -> None:
    assert harmonized.nights[0]["types"] == [("ca1", CANVAS, "online_text_entry"),
                                             ("ca1", CANVAS, "online_upload")]


def test_schoology_synthesis(harmonized: Harmonized) -> None:
    submissions = {(row[0], row[2]): row for row in harmonized.nights[0]["submissions"]}
    assert submissions[("ssub1", 1)][4] == "on-time"
    assert submissions[("ss1#sa1#2", 2)][3:5] == ("sa1", "missing")
    assert ("ss1#sa1#3", 3) not in submissions
    assert submissions[("ss2#sa2#1", 1)][4] == "Upcoming"
    assert submissions[("ss2#sa2#2", 2)][4] == "Upcoming"
    synthesized = [key for key in submissions if "#" in key[0]]
    assert sorted(synthesized) == [("ss1#sa1#2", 2), ("ss2#sa2#1", 1), ("ss2#sa2#2", 2)]
    assert not any("#" in row[0] and row[1] != SCHOOLOGY
                   for row in harmonized.nights[0]["submissions"])


def test_later_files_update_and_remove_rows(harmonized: Harmonized) -> None:
    first, second = harmonized.nights[0], harmonized.nights[1]
    before, after = _by_key(first["assignments"]), _by_key(second["assignments"])
    assert after["ca1"][2] == "Fractions, revised"
    assert after["ca1"][-2] == before["ca1"][-2]
    assert "ga1" not in after
    first_subs, second_subs = _by_key(first["submissions"]), _by_key(second["submissions"])
    assert first_subs["csub1"][4] == "A" and second_subs["csub1"][4] == "B"
    assert first_subs["csub1"][5] == 10
    assert "csub2" in first_subs and "csub2" not in second_subs
    assert "gsub1" in first_subs and "gsub1" not in second_subs


def test_second_run_changes_nothing(harmonized: Harmonized) -> None:
    second, third = harmonized.nights[1], harmonized.nights[2]
    for table in ("assignments", "submissions", "types"):
        assert third[table] == second[table], table


def test_ods_table_definitions_are_unchanged(harmonized: Harmonized) -> None:
    assert harmonized.definitions_before
    assert harmonized.definitions_after == harmonized.definitions_before
