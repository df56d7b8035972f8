"""Matching LMS users and sections to ODS students and sections, on DuckDB and PostgreSQL.

One tree of two nights and one small ODS per engine; every test reads the link tables and
exception views the builds left."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.ods import create_ods, stable_uuid
from tests.scenario import load_and_build, read_table, scenario_database, write_snapshot

NIGHT1, NIGHT2 = "2026-09-01-10-00-00", "2026-09-02-10-00-00"
GOOGLE_NIGHT1, GOOGLE_NIGHT2 = "2026-09-01-11-00-00", "2026-09-02-11-00-00"

STUDENTS = [(1, "1001"), (2, "1002"), (3, "AB1003"), (6, "1006"), (7, "X2001"), (8, "x2001 ")]
EMAILS = [(1, "ann.one@school.org"), (2, "shared@school.org"), (3, "shared@school.org"),
          (3, "cy@school.org")]
SECTIONS = [("ALG-1", "Fall", "SEC-100"), ("ENG-1", "Fall", "SEC-200"),
            ("ENG-1", "Spring", "SEC-200")]


def person(identifier: str, source: str, sis: str = "", email: str = "",
           role: str = "student") -> dict[str, str]:
    return {"SourceSystemIdentifier": identifier, "SourceSystem": source, "UserRole": role,
            "SISUserIdentifier": sis, "EmailAddress": email}


def section(identifier: str, source: str, sis: str) -> dict[str, str]:
    return {"SourceSystemIdentifier": identifier, "SourceSystem": source,
            "SISSectionIdentifier": sis}


def write_night(root: Path, night: int) -> None:
    canvas_users = [
        person("c1", "Canvas", sis="1001"),
        person("c2", "Canvas", sis=" 1002 "),
        person("c3", "Canvas", sis="ab1003"),
        person("c4", "Canvas", sis="9999"),
        person("c5", "Canvas"),
        person("c7", "Canvas", sis="x2001"),
        person("t1", "Canvas", sis="1001", role="Teacher"),
    ]
    if night == 1:
        canvas_users.append(person("c6", "Canvas", sis="1006"))
    stamp = NIGHT1 if night == 1 else NIGHT2
    write_snapshot(root, "users", stamp, "users", canvas_users + [
        person("s1", "Schoology", sis="1001 "), person("s2", "Schoology", sis="7777"),
        person("b1", "BestLMS", sis="1001")])
    write_snapshot(root, "users", GOOGLE_NIGHT1 if night == 1 else GOOGLE_NIGHT2, "users", [
        person("g1", "Google", email=" Ann.One@School.org"),
        person("g2", "Google", email="shared@school.org"),
        person("g3", "Google"),
        person("g4", "Google", email="nobody@school.org")])
    sections = [section("cs1", "Canvas", "sec-100 "), section("cs2", "Canvas", "SEC-200"),
                section("cs4", "Canvas", ""), section("ss1", "Schoology", "SEC-100"),
                section("gs1", "Google", "SEC-999")]
    if night == 1:
        sections.append(section("cs3", "Canvas", "SEC-100"))
    write_snapshot(root, "sections", stamp, "sections", sections)


@dataclass
class Matched:
    reports: dict[str, list[list[str]]]
    user_links: dict[str, tuple[Any, ...]]
    section_links: dict[str, tuple[Any, ...]]
    user_exceptions: dict[str, tuple[Any, ...]]
    section_exceptions: dict[str, tuple[Any, ...]]
    lmsuser_ids: dict[str, Any]
    lmssection_ids: dict[str, Any]


_BUILT: dict[str, Matched] = {}


def _keyed(rows: list[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    return {f"{row[0]}/{row[1]}": row[2:] for row in rows}


def _build(engine: str, request: pytest.FixtureRequest) -> Matched:
    if engine not in _BUILT:
        database = scenario_database(request, engine, "matching")
        create_ods(database, STUDENTS, EMAILS, SECTIONS)
        root = request.getfixturevalue("tmp_path_factory").mktemp(f"matching-{engine}")
        for night in (1, 2):
            write_night(root, night)
            load_and_build(database, root)
        exceptions = database.ingest("exceptions", "--out", str(root / "reports"))
        assert exceptions.exit_code == 0, exceptions.stderr
        _BUILT[engine] = Matched(
            reports={folder: _read_report(root / "reports" / folder)
                     for folder in ("users", "sections")},
            user_links=_keyed(read_table(database, (
                "(select sourcesystem, sourcesystemidentifier, edfistudentid, studentusi, "
                "studentuniqueid, matchrule from lms.lmsuser_student_link) as l"))),
            section_links=_keyed(read_table(database, (
                "(select sourcesystem, sourcesystemidentifier, edfisectionid, localcoursecode, "
                "schoolid, schoolyear, sessionname, sectionidentifier, matchrule "
                "from lms.lmssection_section_link) as l"))),
            user_exceptions=_keyed(read_table(database, (
                "(select sourcesystem, sourcesystemidentifier, reason, candidates "
                "from lmsx.exceptions_lmsuser) as e"))),
            section_exceptions=_keyed(read_table(database, (
                "(select sourcesystem, sourcesystemidentifier, reason, candidates "
                "from lmsx.exceptions_lmssection) as e"))),
            lmsuser_ids=dict(_keyed(read_table(database, (
                "(select sourcesystem, sourcesystemidentifier, edfistudentid "
                "from lms.lmsuser) as u"))).items()),
            lmssection_ids=dict(_keyed(read_table(database, (
                "(select sourcesystem, sourcesystemidentifier, edfisectionid "
                "from lms.lmssection) as s"))).items()),
        )
    return _BUILT[engine]


def _read_report(folder: Path) -> list[list[str]]:
    (report,) = folder.glob("*.csv")
    with report.open(encoding="utf-8", newline="") as stream:
        header, *rows = csv.reader(stream)
    return [header, *sorted(rows)]


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def matched(request: pytest.FixtureRequest) -> Matched:
    return _build(request.param, request)


def test_exact_match_links_with_the_right_ids(matched: Matched) -> None:
    assert matched.user_links["Canvas/c1"] == (
        stable_uuid("student", 1), 1, "1001", "Canvas: sisuseridentifier = studentuniqueid")
    assert matched.user_links["Schoology/s1"][1:3] == (1, "1001")
    assert matched.user_links["Google/g1"][1:3] == (1, "1001")
    assert matched.section_links["Canvas/cs1"] == (
        stable_uuid("section", "ALG-1", "Fall", "SEC-100"), "ALG-1", 1, 2027, "Fall",
        "SEC-100", "Canvas: sissectionidentifier = sectionidentifier")
    assert matched.section_links["Schoology/ss1"][1:6] == ("ALG-1", 1, 2027, "Fall", "SEC-100")


def test_case_and_whitespace_differences_still_match(matched: Matched) -> None:
    assert matched.user_links["Canvas/c2"][1] == 2
    assert matched.user_links["Canvas/c3"][1] == 3
    assert "Canvas/cs1" in matched.section_links


def test_no_candidate_no_identifier_and_no_rule_are_exceptions(matched: Matched) -> None:
    expected_users = {"Canvas/c4": "no candidate", "Canvas/c5": "no identifier",
                      "Schoology/s2": "no candidate", "Google/g3": "no identifier",
                      "Google/g4": "no candidate", "BestLMS/b1": "no matching rule"}
    for key, reason in expected_users.items():
        assert key not in matched.user_links
        assert matched.user_exceptions[key] == (reason, None)
    assert "Google/gs1" not in matched.section_links
    assert matched.section_exceptions["Google/gs1"] == ("no candidate", None)
    assert matched.section_exceptions["Canvas/cs4"] == ("no identifier", None)


def test_two_candidates_are_ambiguous_and_not_linked(matched: Matched) -> None:
    assert "Google/g2" not in matched.user_links
    assert matched.user_exceptions["Google/g2"] == ("ambiguous", "1002, AB1003")
    assert "Canvas/c7" not in matched.user_links
    assert matched.user_exceptions["Canvas/c7"][0] == "ambiguous"
    assert "Canvas/cs2" not in matched.section_links
    assert matched.section_exceptions["Canvas/cs2"] == (
        "ambiguous", "ENG-1/1/2027/Fall/SEC-200, ENG-1/1/2027/Spring/SEC-200")


def test_deleted_lms_records_are_not_linked(matched: Matched) -> None:
    assert "Canvas/c6" not in matched.user_links
    assert "Canvas/c6" not in matched.user_exceptions
    assert "Canvas/cs3" not in matched.section_links
    assert matched.lmsuser_ids["Canvas/c6"] == (None,)


def test_non_student_roles_are_not_matched(matched: Matched) -> None:
    assert "Canvas/t1" not in matched.user_links
    assert "Canvas/t1" not in matched.user_exceptions


def test_compatibility_columns_come_from_the_links(matched: Matched) -> None:
    assert matched.lmsuser_ids["Canvas/c1"] == (stable_uuid("student", 1),)
    assert matched.lmsuser_ids["Canvas/c4"] == (None,)
    assert matched.lmssection_ids["Canvas/cs1"] == (
        stable_uuid("section", "ALG-1", "Fall", "SEC-100"),)
    assert matched.lmssection_ids["Canvas/cs2"] == (None,)


def test_exceptions_command_writes_the_reports(matched: Matched) -> None:
    users, sections = matched.reports["users"], matched.reports["sections"]
    assert users[0][:2] == ["lmsuseridentifier", "sourcesystemidentifier"]
    assert users[0][-2:] == ["reason", "candidates"]
    reasons = {row[users[0].index("sourcesystemidentifier")]: row[-2] for row in users[1:]}
    assert reasons == {key.split("/")[1]: value[0]
                       for key, value in matched.user_exceptions.items()}
    assert sections[0][-2:] == ["reason", "candidates"]
    assert len(sections) - 1 == len(matched.section_exceptions)


def test_engines_agree(request: pytest.FixtureRequest) -> None:
    assert _build("duckdb", request) == _build("postgres", request)
