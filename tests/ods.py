"""An Ed-Fi ODS for tests: the tables `ingest demo-ods` creates, with the demo's descriptors
and the students, e-mails, sections and enrolments each test chooses."""

from __future__ import annotations

import uuid
from datetime import date

from ingest.demo_ods import descriptors
from ingest.ods_ddl import SCHEMAS, TABLES
from tests.dbhelpers import Database

SCHOOL_ID, SCHOOL_YEAR = 1, 2027


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(p) for p in parts)))


def _literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert(database: Database, table: str, rows: list[tuple[object, ...]]) -> None:
    for row in rows:
        database.query_no_result(
            f"insert into {table} values ({', '.join(_literal(v) for v in row)})")


def create_ods(database: Database, students: list[tuple[int, str]] = (),
               emails: list[tuple[int, str]] = (),
               sections: list[tuple[str, str, str]] = (),
               enrolments: list[tuple[tuple[str, str, str], int, date | None]] = ()) -> None:
    """students: (studentusi, studentuniqueid); emails: (studentusi, address);
    sections: (localcoursecode, sessionname, sectionidentifier) at school 1, year 2027;
    enrolments: (section, studentusi, enddate)."""
    for schema in SCHEMAS:
        database.query_no_result(f"create schema if not exists {schema}")
    for table in TABLES:
        database.query_no_result(table.create_sql(database.target))
    all_descriptors = descriptors()
    _insert(database, "edfi.descriptor", [
        (d.descriptorid, d.namespace, d.codevalue, d.codevalue, None,
         stable_uuid("descriptor", d.descriptorid)) for d in all_descriptors])
    for kind in ("AssignmentCategory", "LMSSourceSystem", "SubmissionStatus", "SubmissionType"):
        _insert(database, f"lmsx.{kind.lower()}descriptor",
                [(d.descriptorid,) for d in all_descriptors if d.kind == kind])
    email_type = next(d.descriptorid for d in all_descriptors if d.kind == "ElectronicMailType")
    _insert(database, "edfi.student", [
        (usi, unique_id, None, None, None, stable_uuid("student", usi))
        for usi, unique_id in students])
    _insert(database, "edfi.studenteducationorganizationassociationelectronicmail",
            [(1, usi, email_type, address) for usi, address in emails])
    _insert(database, "edfi.section", [
        (course, SCHOOL_ID, SCHOOL_YEAR, session, identifier,
         stable_uuid("section", course, session, identifier))
        for course, session, identifier in sections])
    _insert(database, "edfi.studentsectionassociation", [
        (course, SCHOOL_ID, SCHOOL_YEAR, session, identifier, usi, "2026-08-01",
         end.isoformat() if end else None, stable_uuid("enrolment", identifier, usi))
        for (course, session, identifier), usi, end in enrolments])
    database.close()
