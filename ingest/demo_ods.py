"""A small sample Ed-Fi ODS that matches the sample extractor tree of the same arguments.

Students are the sample's people (StudentUniqueId = SISUserIdentifier, same e-mail), sections
are the SIS sections its LMS sections teach (SectionIdentifier = SISSectionIdentifier) plus one
more section that shares an identifier with another, as real ODS data has. Descriptors cover
every code value the generator writes but one (``LEFT_OUT``), so the demo shows an exception.
Every value, uuids included, is a function of the arguments.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ingest.dbconn import Database, first_line
from ingest.ods_ddl import SCHEMAS, TABLE_NAMES, TABLES
from ingest.sample import SOURCE_PROFILES, SUBMISSION_STATUS_VALUES, Roster, sample_roster

EDUCATION_ORGANIZATION_ID = 255901001
"""The school the students' e-mail addresses belong to."""
NAMESPACE_ROOT = "uri://ed-fi.org/edfilms"
SOURCE_SYSTEM_NAMESPACE = f"{NAMESPACE_ROOT}/LMSSourceSystemDescriptor"
EMAIL_TYPE = ("uri://ed-fi.org/ElectronicMailTypeDescriptor", "Home/Personal")
SYNTHESIZED_STATUSES = {"Schoology": ("missing", "Upcoming")}
"""Statuses the data store writes for Schoology's missing and upcoming work."""
LEFT_OUT = ("AssignmentCategory", "Canvas", "discussion_topic")
"""(Kind, SourceSystem, CodeValue) of the one descriptor the demo ODS lacks."""
ENROLMENT_LEAD = timedelta(days=7)
"""Enrolments begin this long before the term starts."""
_UUIDS = uuid.UUID("6f1c2a52-8d55-4c1e-9a3b-2f4e6b7d8c90")


def namespace(kind: str, source_system: str) -> str:
    """``uri://ed-fi.org/edfilms/<Kind>Descriptor/<SourceSystem>``."""
    return f"{NAMESPACE_ROOT}/{kind}Descriptor/{source_system}"


def _uuid(table: str, *key: object) -> uuid.UUID:
    return uuid.uuid5(_UUIDS, "|".join(str(part) for part in (table, *key)))


def _split_list(value: str) -> list[str]:
    """``"['a', 'b']"`` or ``"a"`` as code values, without brackets, quotes or blanks."""
    cleaned = value.translate(str.maketrans("", "", "[]'\""))
    return [part.strip() for part in cleaned.split(",") if part.strip()]


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class Descriptor:
    descriptorid: int
    kind: str
    """``AssignmentCategory``, ``LMSSourceSystem``, ... or ``ElectronicMailType``."""
    namespace: str
    codevalue: str


def descriptors() -> list[Descriptor]:
    """Every descriptor of the demo ODS, numbered in a fixed order."""
    wanted: list[tuple[str, str, str]] = [
        ("LMSSourceSystem", SOURCE_SYSTEM_NAMESPACE, profile.name) for profile in SOURCE_PROFILES]
    for profile in SOURCE_PROFILES:
        source = profile.name
        codes = {
            "AssignmentCategory": _unique(profile.categories),
            "SubmissionStatus": _unique([*SUBMISSION_STATUS_VALUES[source],
                                         *SYNTHESIZED_STATUSES.get(source, ())]),
            "SubmissionType": _unique([code for value in profile.submission_types
                                       for code in _split_list(value)]),
        }
        wanted += [(kind, namespace(kind, source), code) for kind, values in codes.items()
                   for code in values if (kind, source, code) != LEFT_OUT]
    wanted.append(("ElectronicMailType", *EMAIL_TYPE))
    return [Descriptor(number, kind, space, code)
            for number, (kind, space, code) in enumerate(wanted, start=1)]


@dataclass
class OdsRows:
    """The rows of each table, in ``TABLES`` order of the tables that get any."""

    tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]

    def count(self, table: str) -> int:
        return len(self.tables[table][1])


def _section_rows(roster: Roster) -> tuple[list[tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    """One section per SIS section identifier, plus one sharing the first identifier."""
    year = roster.school_year
    fall = f"{year}-{year + 1} Fall Semester"
    keys: dict[str, tuple[Any, ...]] = {}
    for section in roster.sections:
        keys.setdefault(section.sis_identifier, (section.course_code, section.school_id,
                                                 year + 1, fall, section.sis_identifier))
    rows = [(*key, _uuid("section", *key)) for key in keys.values()]
    code, school, school_year, _, identifier = next(iter(keys.values()))
    twin = (f"{code}-B", school, school_year, f"{year}-{year + 1} Spring Semester", identifier)
    rows.append((*twin, _uuid("section", *twin)))
    return rows, keys


def build_rows(*, seed: int = 42, students: int = 40, sections: int = 6,
               start: date = date(2026, 9, 1), quirks: bool = True) -> OdsRows:
    roster = sample_roster(seed=seed, students=students, sections=sections, start=start,
                           quirks=quirks)
    all_descriptors = descriptors()
    email_type = all_descriptors[-1].descriptorid
    births = random.Random(f"{seed}/demo-ods/birthdates")
    first_birthday = date(roster.school_year - 16, 9, 1)
    student_rows = [(usi, student.sis_id, student.first_name, student.last_name,
                     first_birthday + timedelta(days=births.randrange(3 * 365)),
                     _uuid("student", student.sis_id))
                    for usi, student in enumerate(roster.students, start=1)]
    email_rows = [(EDUCATION_ORGANIZATION_ID, usi, email_type, student.email)
                  for usi, student in enumerate(roster.students, start=1)]
    section_rows, keys = _section_rows(roster)
    enrolled: dict[str, set[int]] = {identifier: set() for identifier in keys}
    for section in roster.sections:
        enrolled[section.sis_identifier].update(section.students)
    begin = roster.term_start - ENROLMENT_LEAD
    enrolment_rows = [(*keys[identifier], index + 1, begin, None,
                       _uuid("studentsectionassociation", *keys[identifier], index + 1, begin))
                      for identifier, indexes in enrolled.items() for index in sorted(indexes)]
    tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {
        "edfi.descriptor": (
            ("descriptorid", "namespace", "codevalue", "shortdescription", "description", "id"),
            [(d.descriptorid, d.namespace, d.codevalue, d.codevalue, d.codevalue,
              _uuid("descriptor", d.namespace, d.codevalue)) for d in all_descriptors]),
        "edfi.student": (("studentusi", "studentuniqueid", "firstname", "lastsurname",
                          "birthdate", "id"), student_rows),
        "edfi.studenteducationorganizationassociationelectronicmail": (
            ("educationorganizationid", "studentusi", "electronicmailtypedescriptorid",
             "electronicmailaddress"), email_rows),
        "edfi.section": (("localcoursecode", "schoolid", "schoolyear", "sessionname",
                          "sectionidentifier", "id"), section_rows),
        "edfi.studentsectionassociation": (
            ("localcoursecode", "schoolid", "schoolyear", "sessionname", "sectionidentifier",
             "studentusi", "begindate", "enddate", "id"), enrolment_rows),
    }
    for descriptor_kind in ("AssignmentCategory", "LMSSourceSystem", "SubmissionStatus",
                            "SubmissionType"):
        kind = descriptor_kind.lower()
        tables[f"lmsx.{kind}descriptor"] = (
            (f"{kind}descriptorid",),
            [(d.descriptorid,) for d in all_descriptors if d.kind == descriptor_kind])
    return OdsRows(tables)


class DemoOdsError(Exception):
    """The demo ODS cannot be created."""


class OdsExists(DemoOdsError):
    """The database already has ODS tables that the command may not replace."""


def _check_existing(database: Database, force: bool) -> set[str]:
    tables = {name for name, kind in database.relations(SCHEMAS).items() if kind == "BASE TABLE"}
    ours = tables & set(TABLE_NAMES)
    edfi = sorted(name for name in tables if name.startswith("edfi."))
    if not edfi and not ours:
        return set()
    found = sorted(set(edfi) | ours)
    listed = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    if not force:
        raise OdsExists(f"the database already has ODS tables ({listed}); pass --force to drop "
                        "and recreate the tables demo-ods creates")
    foreign = sorted(set(edfi) - ours)
    if foreign:
        raise OdsExists(f"schema edfi has tables demo-ods does not create ({', '.join(foreign)}): "
                        "this looks like a real ODS, and demo-ods replaces nothing in it")
    return ours


def create_demo_ods(database: Database, rows: OdsRows, *, force: bool = False) -> None:
    """Create the ODS tables and fill them, in one transaction; see ``OdsExists``."""
    existing = _check_existing(database, force)
    statement = ""
    try:
        with database.transaction():
            for schema in SCHEMAS:
                database.execute(statement := f"create schema if not exists {schema}")
            for table in reversed(TABLES):
                if table.name in existing:
                    database.execute(statement := f"drop table {table.name}")
            for table in TABLES:
                database.execute(statement := table.create_sql(database.dialect))
                if table.name in rows.tables:
                    columns, values = rows.tables[table.name]
                    placeholders = ", ".join("%s" for _ in columns)
                    statement = f"insert into {table.name}"
                    database.executemany(f"{statement} ({', '.join(columns)}) "
                                         f"values ({placeholders})", values)
    except database.errors as error:
        what = " ".join(statement.split()[:3])
        raise DemoOdsError(f"{what}: {first_line(error)}; nothing was changed") from None
