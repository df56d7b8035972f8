"""The LMS data store on DuckDB and PostgreSQL: soft deletes, scopes, returns, orphans,
typing, incremental runs against full refresh. One scenario of three nightly extracts is built
per engine (one dbt build per night) and every test reads what it left."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.dbhelpers import Database
from tests.ods import create_ods
from tests.scenario import (
    LMS_TABLES,
    dbt,
    load_and_build,
    read_keyed,
    read_table,
    scenario_database,
    write_snapshot,
)

DAY1, DAY2, DAY3 = "2026-09-01-10-00-00", "2026-09-02-10-00-00", "2026-09-03-10-00-00"
SCHOOLOGY_DAY1 = "2026-09-01-11-00-00"
DELETED_DAY2, DELETED_DAY3 = "2026-09-02 10:00:00", "2026-09-03 10:00:00"
SEC1, SEC2 = "section=sec1", "section=sec2"


def user(identifier: str, name: str, modified: str = "2026-08-01 00:00:00",
         source: str = "Canvas") -> dict[str, str]:
    return {"SourceSystemIdentifier": identifier, "SourceSystem": source, "UserRole": "student",
            "Name": name, "LastModifiedDate": modified}


def night_one(root: Path) -> None:
    write_snapshot(root, "users", DAY1, "users",
                   [user("u1", "Ann"), user("u2", "Bob"), user("u3", "Cy")])
    write_snapshot(root, "users", SCHOOLOGY_DAY1, "users",
                   [user("s1", "Sal", source="Schoology"), user("s2", "Sue", source="Schoology")])
    write_snapshot(root, "sections", DAY1, "sections", [
        {"SourceSystemIdentifier": "sec1", "Title": "Algebra"},
        {"SourceSystemIdentifier": "sec2", "Title": "Biology"}])
    write_snapshot(root, f"{SEC1}/section-associations", DAY1, "section-associations", [
        {"SourceSystemIdentifier": "e1", "LMSUserSourceSystemIdentifier": "u1",
         "LMSSectionSourceSystemIdentifier": "sec1", "StartDate": "2026-08-20 00:00"},
        {"SourceSystemIdentifier": "e2", "LMSUserSourceSystemIdentifier": "u2",
         "LMSSectionSourceSystemIdentifier": "sec1"},
        {"SourceSystemIdentifier": "e9", "LMSUserSourceSystemIdentifier": "u9",
         "LMSSectionSourceSystemIdentifier": "sec1"}])
    write_snapshot(root, f"{SEC2}/section-associations", DAY1, "section-associations", [
        {"SourceSystemIdentifier": "e3", "LMSUserSourceSystemIdentifier": "u3",
         "LMSSectionSourceSystemIdentifier": "sec2"}])
    write_snapshot(root, f"{SEC1}/assignments", DAY1, "assignments", [
        {"SourceSystemIdentifier": "a1", "Title": "Fractions",
         "LMSSectionSourceSystemIdentifier": "sec1", "MaxPoints": "10",
         "DueDateTime": "2026-09-10  23:59", "SubmissionType": "['online_upload', 'online_url']"},
        {"SourceSystemIdentifier": "a2", "Title": "Decimals",
         "LMSSectionSourceSystemIdentifier": "sec1", "MaxPoints": "ten",
         "SubmissionType": "online_quiz"}])
    write_snapshot(root, f"{SEC2}/assignments", DAY1, "assignments", [
        {"SourceSystemIdentifier": "b1", "Title": "Cells",
         "LMSSectionSourceSystemIdentifier": "sec2"}])
    write_snapshot(root, f"{SEC1}/assignment=a1/submissions", DAY1, "submissions", [
        {"SourceSystemIdentifier": "sub1", "AssignmentSourceSystemIdentifier": "a1",
         "LMSUserSourceSystemIdentifier": "u1", "Grade": "A"},
        {"SourceSystemIdentifier": "sub2", "AssignmentSourceSystemIdentifier": "a1",
         "LMSUserSourceSystemIdentifier": "u2", "Grade": "B"},
        {"SourceSystemIdentifier": "sub2", "AssignmentSourceSystemIdentifier": "a1",
         "LMSUserSourceSystemIdentifier": "u2", "Grade": "B+"}])
    write_snapshot(root, f"{SEC1}/Assignment=a2/submissions", DAY1, "submissions", [
        {"SourceSystemIdentifier": "sub3", "AssignmentSourceSystemIdentifier": "a2",
         "LMSUserSourceSystemIdentifier": "u1"}])
    write_snapshot(root, f"{SEC1}/assignment=a9/submissions", DAY1, "submissions", [
        {"SourceSystemIdentifier": "sub9", "AssignmentSourceSystemIdentifier": "a9",
         "LMSUserSourceSystemIdentifier": "u1"}])
    write_snapshot(root, f"{SEC1}/attendance-events", DAY1, "attendance-events", [
        {"SourceSystemIdentifier": "at1", "LMSUserSourceSystemIdentifier": "u1",
         "LMSSectionSourceSystemIdentifier": "sec1", "EventDate": "2026-08-28 00:01:03"}])
    write_snapshot(root, f"{SEC1}/section-activities", DAY1, "section-activities", [
        {"SourceSystemIdentifier": "sa1", "LMSUserSourceSystemIdentifier": "u1",
         "LMSSectionSourceSystemIdentifier": "sec1", "ActivityTimeInMinutes": "12"}])
    write_snapshot(root, f"{SEC1}/grades", DAY1, "grades", [
        {"SourceSystemIdentifier": "g1", "Grade": "A",
         "LMSUserLMSSectionAssociationSourceSystemIdentifier": "e1"}])
    write_snapshot(root, "system-activities/date=2026-08-31", DAY1, "system-activities", [
        {"SourceSystemIdentifier": "act1", "LMSUserSourceSystemIdentifier": "u1"},
        {"SourceSystemIdentifier": "act2", "LMSUserSourceSystemIdentifier": "u2"}])


def night_two(root: Path) -> None:
    write_snapshot(root, "users", DAY2, "users", [
        user("u1", "Ann Lee", "2026-09-02 08:00:00"), user("u3", "Cy"), user("u9", "Ida")])
    write_snapshot(root, f"{SEC1}/section-associations", DAY2, "section-associations", [
        {"SourceSystemIdentifier": "e1", "LMSUserSourceSystemIdentifier": "u1",
         "LMSSectionSourceSystemIdentifier": "sec1", "StartDate": "2026-08-20 00:00"},
        {"SourceSystemIdentifier": "e9", "LMSUserSourceSystemIdentifier": "u9",
         "LMSSectionSourceSystemIdentifier": "sec1"}])
    write_snapshot(root, f"{SEC1}/assignments", DAY2, "assignments", [
        {"SourceSystemIdentifier": "a1", "Title": "Fractions, part 1",
         "LMSSectionSourceSystemIdentifier": "sec1", "MaxPoints": "10",
         "SubmissionType": "['online_upload']"}])
    write_snapshot(root, f"{SEC1}/assignment=a1/submissions", DAY2, "submissions", [
        {"SourceSystemIdentifier": "sub1", "AssignmentSourceSystemIdentifier": "a1",
         "LMSUserSourceSystemIdentifier": "u1", "Grade": "A"}])
    write_snapshot(root, "system-activities/date=2026-09-01", DAY2, "system-activities", [
        {"SourceSystemIdentifier": "act3", "LMSUserSourceSystemIdentifier": "u1"}])


def night_three(root: Path) -> None:
    write_snapshot(root, "users", DAY3, "users", [
        user("u1", "Ann Lee", "2026-09-02 08:00:00"), user("u2", "Robert"), user("u3", "Cy"),
        user("u9", "Ida")])
    write_snapshot(root, f"{SEC1}/assignment=a1/submissions", DAY3, "submissions", [
        {"SourceSystemIdentifier": "sub1", "AssignmentSourceSystemIdentifier": "a1",
         "LMSUserSourceSystemIdentifier": "u1", "Grade": "A"},
        {"SourceSystemIdentifier": "sub2", "AssignmentSourceSystemIdentifier": "a1",
         "LMSUserSourceSystemIdentifier": "u2", "Grade": "C", "EarnedPoints": "7.5"}])


LATE = "2026-09-01-18-00-00"


def night_four(root: Path) -> None:
    """A file older than ones already taken in, and a file whose content changed."""
    write_snapshot(root, f"{SEC1}/assignments", LATE, "assignments", [
        {"SourceSystemIdentifier": "a1", "Title": "Fractions",
         "LMSSectionSourceSystemIdentifier": "sec1"},
        {"SourceSystemIdentifier": "a3", "Title": "Percentages",
         "LMSSectionSourceSystemIdentifier": "sec1"}])
    write_snapshot(root, f"{SEC2}/assignments", DAY1, "assignments", [
        {"SourceSystemIdentifier": "b1", "Title": "Cells, revised",
         "LMSSectionSourceSystemIdentifier": "sec2"},
        {"SourceSystemIdentifier": "b2", "Title": "Tissues",
         "LMSSectionSourceSystemIdentifier": "sec2"}])


@dataclass
class Scenario:
    nights: list[dict[str, dict[str, tuple[Any, ...]]]] = field(default_factory=list)
    exceptions: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    incremental_tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    rerun_tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    full_refresh_tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


STATE_MODELS = ("int_lms__users_state", "int_lms__submissions_state",
                "int_lms__assignments_state", "int_lms__assignment_submission_types_state")


def _night(database: Database) -> dict[str, dict[str, tuple[Any, ...]]]:
    return {
        "users": read_keyed(database, "lmsuser", "name, deletedat, lastmodifieddate"),
        "associations": read_keyed(database, "lmsuserlmssectionassociation",
                                   "deletedat, startdate"),
        "assignments": read_keyed(database, "assignment", "title, deletedat, maxpoints, "
                                  "duedatetime"),
        "submissions": read_keyed(database, "assignmentsubmission",
                                  "grade, deletedat, earnedpoints"),
        "system_activities": read_keyed(database, "lmssystemactivity", "deletedat"),
        "grades": read_keyed(database, "lmsgrade", "grade, deletedat"),
        "attendance": read_keyed(database, "lmsuserattendanceevent", "eventdate, deletedat"),
        "section_activities": read_keyed(database, "lmssectionactivity",
                                         "activitytimeinminutes, deletedat"),
        "submission_types": {f"{row[0]}/{row[1]}": row[2:] for row in read_table(
            database,
            "(select a.sourcesystemidentifier, t.submissiontype, t.deletedat "
            "from lms.assignmentsubmissiontype t join lms.assignment a "
            "on a.assignmentidentifier = t.assignmentidentifier) as types")},
    }


def _all_tables(database: Database, relations: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    return {relation: read_table(database, relation) for relation in relations}


_BUILT: dict[str, Scenario] = {}


def _build(engine: str, request: pytest.FixtureRequest) -> Scenario:
    """Run the three nights on one engine, once per test session."""
    if engine in _BUILT:
        return _BUILT[engine]
    database = scenario_database(request, engine, "datastore")
    tmp_path = request.getfixturevalue("tmp_path_factory").mktemp(f"datastore-tree-{engine}")
    create_ods(database)
    root = tmp_path / "tree"
    result = Scenario()
    for night in (night_one, night_two, night_three, night_four):
        night(root)
        load_and_build(database, root)
        result.nights.append(_night(database))
    result.exceptions = _all_tables(database, [
        "lms.exceptions_missing_parent", "lms.exceptions_unparseable_values",
        "lms.exceptions_duplicate_rows"])
    lms_relations = [f"lms.{table}" for table in LMS_TABLES]
    state_relations = [f"lms_staging.{model}" for model in STATE_MODELS]
    result.incremental_tables = _all_tables(database, lms_relations + state_relations)
    dbt(database, "build")
    result.rerun_tables = _all_tables(database, lms_relations + state_relations)
    dbt(database, "build", "--full-refresh")
    result.full_refresh_tables = _all_tables(database, lms_relations)
    _BUILT[engine] = result
    return result


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return _build(request.param, request)


def test_duckdb_and_postgres_build_identical_tables(request: pytest.FixtureRequest) -> None:
    duckdb, postgres = _build("duckdb", request), _build("postgres", request)
    for relation, rows in duckdb.full_refresh_tables.items():
        assert rows, relation
        assert rows == postgres.full_refresh_tables[relation], relation
    assert duckdb.exceptions == postgres.exceptions


def test_record_missing_from_newest_file_is_soft_deleted_at_that_file(scenario: Scenario) -> None:
    users = scenario.nights[1]["users"]
    assert users["Canvas/u2"][:2] == ("Bob", DELETED_DAY2)
    assert users["Canvas/u1"][:2] == ("Ann Lee", None)
    assert scenario.nights[1]["associations"]["Canvas/e2"][0] == DELETED_DAY2
    assert scenario.nights[1]["assignments"]["Canvas/a2"][1] == DELETED_DAY2
    assert scenario.nights[1]["submissions"]["Canvas/sub2"][1] == DELETED_DAY2


def test_other_source_systems_are_untouched(scenario: Scenario) -> None:
    for night in scenario.nights:
        assert night["users"]["Schoology/s1"][:2] == ("Sal", None)
        assert night["users"]["Schoology/s2"][:2] == ("Sue", None)


def test_other_sections_assignments_and_dates_are_untouched(scenario: Scenario) -> None:
    second = scenario.nights[1]
    assert second["assignments"]["Canvas/b1"][1] is None
    assert second["associations"]["Canvas/e3"][0] is None
    assert second["submissions"]["Canvas/sub3"][1] is None
    assert second["system_activities"]["Canvas/act1"] == (None,)
    assert second["system_activities"]["Canvas/act2"] == (None,)
    assert second["system_activities"]["Canvas/act3"] == (None,)


def test_deleted_record_that_returns_is_active_with_its_new_values(scenario: Scenario) -> None:
    third = scenario.nights[2]
    assert third["users"]["Canvas/u2"] == ("Robert", None, "2026-08-01 00:00:00")
    assert third["submissions"]["Canvas/sub2"] == ("C", None, "7.5000")


def test_child_before_parent_is_reported_then_linked(scenario: Scenario) -> None:
    first, second = scenario.nights[0], scenario.nights[1]
    assert "Canvas/e9" not in first["associations"]
    assert "Canvas/e9" in second["associations"]
    assert "Canvas/sub9" not in scenario.nights[2]["submissions"]
    missing = {(row[0], row[2], row[3], row[4]) for row in
               scenario.exceptions["lms.exceptions_missing_parent"]}
    assert ("submissions", "sub9", "assignments", "a9") in missing
    assert not any(row[1] == "e9" for row in missing)


def test_submission_types_are_scoped_per_assignment(scenario: Scenario) -> None:
    first, second = scenario.nights[0]["submission_types"], scenario.nights[1]["submission_types"]
    assert set(first) == {"a1/online_upload", "a1/online_url", "a2/online_quiz"}
    assert all(value == (None,) for value in first.values())
    assert second["a1/online_upload"] == (None,)
    assert second["a1/online_url"] == (DELETED_DAY2,)
    assert second["a2/online_quiz"] == (DELETED_DAY2,)


def test_values_are_typed_and_bad_values_reported(scenario: Scenario) -> None:
    first = scenario.nights[0]
    assert first["assignments"]["Canvas/a1"][2:] == ("10.0000", "2026-09-10 23:59:00")
    assert first["assignments"]["Canvas/a2"][2] is None
    assert first["associations"]["Canvas/e1"][1] == "2026-08-20"
    assert first["attendance"]["Canvas/at1"] == ("2026-08-28", None)
    assert first["section_activities"]["Canvas/sa1"] == (12, None)
    unparseable = {(row[0], row[1], row[5], row[6]) for row in
                   scenario.exceptions["lms.exceptions_unparseable_values"]}
    assert unparseable == {("assignments", f"{SEC1}/assignments/{DAY1}.csv", "maxpoints", "ten")}


def test_duplicate_key_in_one_file_last_row_wins_and_is_reported(scenario: Scenario) -> None:
    assert scenario.nights[0]["submissions"]["Canvas/sub2"][0] == "B+"
    duplicates = [(row[2], row[4], row[5]) for row in
                  scenario.exceptions["lms.exceptions_duplicate_rows"]]
    assert duplicates == [("sub2", 2, 3)]


def test_rerun_without_new_files_changes_no_row(scenario: Scenario) -> None:
    assert scenario.rerun_tables == scenario.incremental_tables


def test_late_file_and_changed_file_recompute_their_scope(scenario: Scenario) -> None:
    assignments = scenario.nights[3]["assignments"]
    assert assignments["Canvas/a2"][1] == "2026-09-01 18:00:00"
    assert assignments["Canvas/a3"][:2] == ("Percentages", DELETED_DAY2)
    assert assignments["Canvas/a1"][:2] == ("Fractions, part 1", None)
    assert assignments["Canvas/b1"][:2] == ("Cells, revised", None)
    assert assignments["Canvas/b2"][:2] == ("Tissues", None)


def test_full_refresh_equals_incremental(scenario: Scenario) -> None:
    for relation, rows in scenario.full_refresh_tables.items():
        assert rows == scenario.incremental_tables[relation], relation
