"""`ingest demo-ods`: the sample ODS tables, their keys, and data that matches `ingest sample`."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from ingest.demo_ods import LEFT_OUT, SYNTHESIZED_STATUSES, build_rows, namespace
from ingest.ods_ddl import SECTION_KEY, TABLE_NAMES
from ingest.sample import generate_tree
from tests.dbhelpers import Database

ARGS = {"seed": 7, "students": 30, "sections": 4}
CLI_ARGS = ["--seed", "7", "--students", "30", "--sections", "4"]
PRIMARY_KEYS = {
    "edfi.descriptor": ["descriptorid"],
    "edfi.student": ["studentusi"],
    "edfi.studenteducationorganizationassociationelectronicmail": [
        "educationorganizationid", "electronicmailaddress", "electronicmailtypedescriptorid",
        "studentusi"],
    "edfi.section": list(SECTION_KEY),
    "edfi.studentsectionassociation": [*SECTION_KEY, "studentusi", "begindate"],
    "lmsx.assignmentcategorydescriptor": ["assignmentcategorydescriptorid"],
    "lmsx.lmssourcesystemdescriptor": ["lmssourcesystemdescriptorid"],
    "lmsx.submissionstatusdescriptor": ["submissionstatusdescriptorid"],
    "lmsx.submissiontypedescriptor": ["submissiontypedescriptorid"],
    "lmsx.assignment": ["assignmentidentifier", "namespace"],
    "lmsx.assignmentsubmission": ["assignmentsubmissionidentifier", "namespace", "studentusi"],
    "lmsx.assignmentsubmissiontype": ["assignmentidentifier", "namespace",
                                      "submissiontypedescriptorid"],
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    """Rows of each resource of the sample tree for ARGS, all days and sources together."""
    root = tmp_path_factory.mktemp("sample")
    generate_tree(root, days=2, **ARGS)
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for path in sorted(root.rglob("*.csv")):
        resource = path.parent.name
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows[resource] += list(csv.DictReader(handle))
    return rows


def _ods(database: Database, *args: str) -> Any:
    result = database.ingest("demo-ods", *args)
    assert result.exit_code == 0, result.stderr
    return result


def _run(database: Database, *statements: str) -> None:
    """Statements without results, on either engine."""
    connection = database._connect()
    for statement in statements:
        connection.execute(statement)


def _dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(database.query(f"select * from {table}"), key=repr)
            for table in TABLE_NAMES}


def test_creates_exactly_the_ods_tables_with_their_keys(database: Database) -> None:
    result = _ods(database)
    assert "40 students" in result.stderr and "descriptors" in result.stderr
    tables = database.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('edfi', 'lmsx') and table_catalog = current_database()")
    assert sorted(name for (name,) in tables) == sorted(TABLE_NAMES)
    keys = database.query(
        "select k.table_schema || '.' || k.table_name, k.column_name, k.ordinal_position "
        "from information_schema.table_constraints as c "
        "join information_schema.key_column_usage as k "
        "on k.constraint_name = c.constraint_name and k.table_schema = c.table_schema "
        "and k.table_name = c.table_name "
        "where c.constraint_type = 'PRIMARY KEY' and c.table_schema in ('edfi', 'lmsx')")
    found: dict[str, list[str]] = defaultdict(list)
    for table, column, _ in sorted(keys, key=lambda key: (key[0], key[2])):
        found[table].append(column)
    assert dict(found) == PRIMARY_KEYS


def test_assignment_key_is_enforced_and_ids_default_to_fresh_uuids(database: Database) -> None:
    _ods(database)
    section = database.query(f"select {', '.join(SECTION_KEY)} from edfi.section")[0]
    source = database.scalar("select min(lmssourcesystemdescriptorid) "
                             "from lmsx.lmssourcesystemdescriptor")
    category = database.scalar("select min(assignmentcategorydescriptorid) "
                               "from lmsx.assignmentcategorydescriptor")
    literals = ", ".join(f"'{value}'" if isinstance(value, str) else str(value)
                         for value in section)
    insert = ("insert into lmsx.assignment (assignmentidentifier, namespace, "
              "lmssourcesystemdescriptorid, title, assignmentcategorydescriptorid, "
              f"{', '.join(SECTION_KEY)}) values ('{{}}', 'uri://instructure.com/canvas', "
              f"{source}, 'Homework', {category}, {literals})")
    database.query(insert.format("a-1") + " returning id")
    database.query(insert.format("a-2") + " returning id")
    rows = database.query("select id, createdate, lastmodifieddate from lmsx.assignment")
    assert len({row[0] for row in rows}) == 2 and all(all(row) for row in rows)
    with pytest.raises(Exception, match="(?i)duplicate key"):
        database.query(insert.format("a-1") + " returning id")
    with pytest.raises(Exception, match="(?i)foreign key"):
        database.query("insert into lmsx.assignmentsubmission (assignmentsubmissionidentifier, "
                       "namespace, studentusi, assignmentidentifier, "
                       "submissionstatusdescriptorid) values ('s', 'uri://instructure.com/canvas'"
                       ", 1, 'no-such-assignment', 6) returning id")


def test_students_are_the_sample_users(database: Database,
                                       tree: dict[str, list[dict[str, str]]]) -> None:
    _ods(database, *CLI_ARGS)
    ods = dict(database.query(
        "select s.studentuniqueid, e.electronicmailaddress from edfi.student as s join "
        "edfi.studenteducationorganizationassociationelectronicmail as e "
        "on e.studentusi = s.studentusi"))
    users = [row for row in tree["users"]
             if row["UserRole"] == "student" and row["SISUserIdentifier"]]
    assert users
    assert {row["SISUserIdentifier"]: row["EmailAddress"] for row in users} == ods
    assert database.scalar("select count(*) from edfi.student") == ARGS["students"]


def test_sections_and_enrolments_are_the_sample_ones(
        database: Database, tree: dict[str, list[dict[str, str]]]) -> None:
    _ods(database, *CLI_ARGS)
    identifiers = {row["SISSectionIdentifier"] for row in tree["sections"]
                   if row["SISSectionIdentifier"]}
    ods = database.query("select sectionidentifier, localcoursecode, sessionname "
                         "from edfi.section")
    assert {row[0] for row in ods} == identifiers
    shared = [identifier for identifier in identifiers
              if sum(1 for row in ods if row[0] == identifier) > 1]
    assert len(shared) == 1
    twins = [row for row in ods if row[0] == shared[0]]
    assert len(twins) == 2 and twins[0][1] != twins[1][1] and twins[0][2] != twins[1][2]

    sis_user = {(row["SourceSystem"], row["SourceSystemIdentifier"]): row["SISUserIdentifier"]
                for row in tree["users"] if row["UserRole"] == "student"}
    sis_section = {(row["SourceSystem"], row["SourceSystemIdentifier"]):
                   row["SISSectionIdentifier"] for row in tree["sections"]}
    expected = {(sis_section[(row["SourceSystem"], row["LMSSectionSourceSystemIdentifier"])],
                 sis_user[(row["SourceSystem"], row["LMSUserSourceSystemIdentifier"])])
                for row in tree["section-associations"]
                if sis_user.get((row["SourceSystem"], row["LMSUserSourceSystemIdentifier"]))}
    enrolled = set(database.query(
        "select a.sectionidentifier, s.studentuniqueid from edfi.studentsectionassociation as a "
        "join edfi.student as s on s.studentusi = a.studentusi "
        "where a.enddate is null and a.begindate < date '2026-08-18'"))
    assert expected and expected <= enrolled


def test_descriptors_cover_the_sample_but_one_category(
        database: Database, tree: dict[str, list[dict[str, str]]]) -> None:
    _ods(database, *CLI_ARGS)
    ods = set(database.query("select namespace, codevalue from edfi.descriptor"))
    kind, left_source, left_code = LEFT_OUT
    left_out = (namespace(kind, left_source), left_code)
    categories = {(namespace("AssignmentCategory", row["SourceSystem"]),
                   row["AssignmentCategory"]) for row in tree["assignments"]}
    statuses = {(namespace("SubmissionStatus", row["SourceSystem"]), row["SubmissionStatus"])
                for row in tree["submissions"]}
    statuses |= {(namespace("SubmissionStatus", source), code)
                 for source, codes in SYNTHESIZED_STATUSES.items() for code in codes}
    types = {(namespace("SubmissionType", row["SourceSystem"]), code.strip(" '[]"))
             for row in tree["assignments"] for code in row["SubmissionType"].split(",")
             if code.strip(" '[]")}
    assert left_out in categories and left_out not in ods
    assert categories - {left_out} <= ods
    assert statuses <= ods and types <= ods
    sources = set(database.query(
        "select d.codevalue from edfi.descriptor as d join lmsx.lmssourcesystemdescriptor as l "
        "on l.lmssourcesystemdescriptorid = d.descriptorid "
        "where d.namespace = 'uri://ed-fi.org/edfilms/LMSSourceSystemDescriptor'"))
    assert sources == {("Canvas",), ("Schoology",), ("Google",)}
    in_kind_tables = database.scalar(
        "select count(*) from (select assignmentcategorydescriptorid as id from "
        "lmsx.assignmentcategorydescriptor union all select submissionstatusdescriptorid from "
        "lmsx.submissionstatusdescriptor union all select submissiontypedescriptorid from "
        "lmsx.submissiontypedescriptor union all select lmssourcesystemdescriptorid from "
        "lmsx.lmssourcesystemdescriptor) as ids")
    assert in_kind_tables == len(ods) - 1  # all but the e-mail type


def test_refuses_when_the_edfi_schema_has_tables(database: Database) -> None:
    _ods(database)
    _run(database, "delete from lmsx.lmssourcesystemdescriptor "
                   "where lmssourcesystemdescriptorid = 1")
    result = database.ingest("demo-ods", "--seed", "8")
    assert result.exit_code == 2
    assert "--force" in result.stderr.replace("\n", " ")
    assert database.scalar("select count(*) from lmsx.lmssourcesystemdescriptor") == 2


def test_refuses_any_table_in_edfi_and_never_drops_it(database: Database) -> None:
    _run(database, "create schema edfi", "create table edfi.school (schoolid int primary key)",
         "insert into edfi.school values (255901001)")
    assert database.ingest("demo-ods").exit_code == 2
    result = database.ingest("demo-ods", "--force")
    assert result.exit_code == 2
    assert "real ODS" in result.stderr.replace("\n", " ")
    assert database.query("select * from edfi.school") == [(255901001,)]
    assert database.scalar("select count(*) from information_schema.tables "
                           "where table_schema in ('edfi', 'lmsx')") == 1


def test_force_recreates_only_its_own_tables(database: Database) -> None:
    _ods(database)
    _run(database, "create table lmsx.keep_me (x int)", "insert into lmsx.keep_me values (1)",
         "delete from lmsx.lmssourcesystemdescriptor where lmssourcesystemdescriptorid = 1")
    result = _ods(database, "--force", "--students", "12")
    assert "12 students" in result.stderr
    assert database.scalar("select count(*) from edfi.student") == 12
    assert database.scalar("select count(*) from lmsx.lmssourcesystemdescriptor") == 3
    assert database.query("select x from lmsx.keep_me") == [(1,)]


def test_same_arguments_same_rows(database: Database) -> None:
    _ods(database, *CLI_ARGS)
    first = _dump(database)
    database.close()
    _ods(database, *CLI_ARGS, "--force")
    assert _dump(database) == first
    expected = build_rows(start=date(2026, 9, 1), **ARGS)
    assert build_rows(**ARGS).tables == expected.tables
    assert build_rows(**{**ARGS, "seed": 8}).tables["edfi.student"] != expected.tables[
        "edfi.student"]


def test_stored_rows_are_the_built_rows(database: Database) -> None:
    _ods(database, *CLI_ARGS)
    expected = build_rows(**ARGS)
    for table, (columns, rows) in expected.tables.items():
        stored = database.query(f"select {', '.join(columns)} from {table}")
        assert sorted(map(repr, stored)) == sorted(map(repr, rows)), table


def test_force_never_drops_what_depends_on_its_tables(database: Database) -> None:
    _ods(database)
    _run(database, "create schema if not exists lms",
         "create view lms.student_names as select studentuniqueid from edfi.student")
    result = database.ingest("demo-ods", "--force", "--students", "12")
    assert database.query("select table_name from information_schema.views "
                           "where table_schema = 'lms'") == [("student_names",)]
    if database.target == "postgres":  # DuckDB does not track what a view reads
        assert result.exit_code == 2
        assert "nothing was changed" in result.stderr.replace("\n", " ")
        assert database.scalar("select count(*) from lms.student_names") == 40
    else:
        assert result.exit_code == 0, result.stderr
        assert database.scalar("select count(*) from lms.student_names") == 12
