"""A minimal Ed-Fi ODS for tests: only the columns the models read, filled by each test."""

from __future__ import annotations

import uuid

from tests.dbhelpers import Database

TABLES = {
    "edfi.student": "studentusi int primary key, studentuniqueid varchar(32) not null, id uuid",
    "edfi.studenteducationorganizationassociationelectronicmail":
        "educationorganizationid int, studentusi int, electronicmailaddress varchar(128), "
        "electronicmailtypedescriptorid int",
    "edfi.section": "localcoursecode varchar(60), schoolid int, schoolyear smallint, "
                    "sessionname varchar(60), sectionidentifier varchar(255), id uuid",
    "edfi.studentsectionassociation":
        "localcoursecode varchar(60), schoolid int, schoolyear smallint, sessionname varchar(60), "
        "sectionidentifier varchar(255), studentusi int, begindate date, enddate date",
    "edfi.descriptor": "descriptorid int, namespace varchar(255), codevalue varchar(50)",
}


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(p) for p in parts)))


def create_ods(database: Database, students: list[tuple[int, str]] = (),
               emails: list[tuple[int, str]] = (),
               sections: list[tuple[str, str, str]] = ()) -> None:
    """students: (studentusi, studentuniqueid); emails: (studentusi, address);
    sections: (localcoursecode, sessionname, sectionidentifier) at school 1, year 2027."""
    statements = ["create schema if not exists edfi"]
    statements += [f"create table {name} ({columns})" for name, columns in TABLES.items()]
    statements += [f"insert into edfi.student values ({usi}, '{unique_id}', "
                   f"'{stable_uuid('student', usi)}')" for usi, unique_id in students]
    statements += [f"insert into edfi.studenteducationorganizationassociationelectronicmail "
                   f"values (1, {usi}, '{address}', 1)" for usi, address in emails]
    statements += [f"insert into edfi.section values ('{course}', 1, 2027, '{session}', "
                   f"'{identifier}', '{stable_uuid('section', course, session, identifier)}')"
                   for course, session, identifier in sections]
    for statement in statements:
        database.query_no_result(statement)
    database.close()
