"""The Ed-Fi ODS tables this project reads and writes, as ``ingest demo-ods`` creates them.

Only a subset of each real ODS 5.x (+ LMSX) table: the columns and keys the dbt project uses.
Names are lower case and unquoted. DuckDB cannot declare a foreign key to a table of another
schema, so the references from ``lmsx`` to ``edfi`` exist on PostgreSQL only; every other key
and reference is the same on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTION_KEY = ("localcoursecode", "schoolid", "schoolyear", "sessionname", "sectionidentifier")
_SECTION_KEY_COLUMNS = (
    "localcoursecode varchar(60) not null",
    "schoolid int not null",
    "schoolyear smallint not null",
    "sessionname varchar(60) not null",
    "sectionidentifier varchar(255) not null",
)
_KEY = ", ".join(SECTION_KEY)
_AUDIT = (
    "createdate timestamp not null default current_timestamp",
    "lastmodifieddate timestamp not null default current_timestamp",
    "id uuid not null default {uuid}",
)
UUID_DEFAULT = {"postgres": "gen_random_uuid()", "duckdb": "uuid()"}
DESCRIPTOR_KINDS = ("assignmentcategory", "lmssourcesystem", "submissionstatus",
                    "submissiontype")
"""The LMSX descriptor tables: ``lmsx.<kind>descriptor(<kind>descriptorid)``."""


@dataclass(frozen=True)
class OdsTable:
    name: str
    """``schema.table``."""
    elements: tuple[str, ...]
    """Columns and constraints, on every engine."""
    cross_schema: tuple[str, ...] = ()
    """Foreign keys to another schema: PostgreSQL only."""

    def create_sql(self, dialect: str) -> str:
        elements = self.elements + (self.cross_schema if dialect == "postgres" else ())
        body = ",\n    ".join(element.format(uuid=UUID_DEFAULT[dialect]) for element in elements)
        return f"create table {self.name} (\n    {body}\n)"


def _descriptor_table(kind: str) -> OdsTable:
    reference = f"foreign key ({kind}descriptorid) references edfi.descriptor (descriptorid)"
    return OdsTable(f"lmsx.{kind}descriptor", (f"{kind}descriptorid int primary key",),
                    (reference,))


TABLES: tuple[OdsTable, ...] = (
    OdsTable("edfi.descriptor", (
        "descriptorid int primary key",
        "namespace varchar(255) not null",
        "codevalue varchar(50) not null",
        "shortdescription varchar(75)",
        "description varchar(1024)",
        "id uuid not null",
        "unique (namespace, codevalue)",
    )),
    OdsTable("edfi.student", (
        "studentusi int primary key",
        "studentuniqueid varchar(32) not null unique",
        "firstname varchar(75)",
        "lastsurname varchar(75)",
        "birthdate date",
        "id uuid not null",
    )),
    OdsTable("edfi.studenteducationorganizationassociationelectronicmail", (
        "educationorganizationid int not null",
        "studentusi int not null references edfi.student (studentusi)",
        "electronicmailtypedescriptorid int not null references edfi.descriptor (descriptorid)",
        "electronicmailaddress varchar(128) not null",
        "primary key (educationorganizationid, electronicmailaddress, "
        "electronicmailtypedescriptorid, studentusi)",
    )),
    OdsTable("edfi.section", (
        *_SECTION_KEY_COLUMNS,
        "id uuid not null",
        f"primary key ({_KEY})",
    )),
    OdsTable("edfi.studentsectionassociation", (
        *_SECTION_KEY_COLUMNS,
        "studentusi int not null references edfi.student (studentusi)",
        "begindate date not null",
        "enddate date",
        "id uuid not null",
        f"primary key ({_KEY}, studentusi, begindate)",
        f"foreign key ({_KEY}) references edfi.section ({_KEY})",
    )),
    *(_descriptor_table(kind) for kind in DESCRIPTOR_KINDS),
    OdsTable("lmsx.assignment", (
        "assignmentidentifier varchar(255) not null",
        "namespace varchar(255) not null",
        "lmssourcesystemdescriptorid int not null references lmsx.lmssourcesystemdescriptor "
        "(lmssourcesystemdescriptorid)",
        "title varchar(255) not null",
        "assignmentcategorydescriptorid int not null references lmsx.assignmentcategorydescriptor "
        "(assignmentcategorydescriptorid)",
        "assignmentdescription varchar(1024)",
        "startdatetime timestamp",
        "enddatetime timestamp",
        "duedatetime timestamp",
        "maxpoints int",
        *_SECTION_KEY_COLUMNS,
        *_AUDIT,
        "primary key (assignmentidentifier, namespace)",
    ), (f"foreign key ({_KEY}) references edfi.section ({_KEY})",)),
    OdsTable("lmsx.assignmentsubmission", (
        "assignmentsubmissionidentifier varchar(255) not null",
        "namespace varchar(255) not null",
        "studentusi int not null",
        "assignmentidentifier varchar(255) not null",
        "submissionstatusdescriptorid int not null references lmsx.submissionstatusdescriptor "
        "(submissionstatusdescriptorid)",
        "submissiondatetime timestamp",
        "earnedpoints int",
        "grade varchar(20)",
        *_AUDIT,
        "primary key (assignmentsubmissionidentifier, namespace, studentusi)",
        "foreign key (assignmentidentifier, namespace) references lmsx.assignment "
        "(assignmentidentifier, namespace)",
    ), ("foreign key (studentusi) references edfi.student (studentusi)",)),
    OdsTable("lmsx.assignmentsubmissiontype", (
        "assignmentidentifier varchar(255) not null",
        "namespace varchar(255) not null",
        "submissiontypedescriptorid int not null references lmsx.submissiontypedescriptor "
        "(submissiontypedescriptorid)",
        "createdate timestamp not null default current_timestamp",
        "primary key (assignmentidentifier, namespace, submissiontypedescriptorid)",
        "foreign key (assignmentidentifier, namespace) references lmsx.assignment "
        "(assignmentidentifier, namespace)",
    )),
)
"""In creation order: every table comes after the tables it references."""
TABLE_NAMES = tuple(table.name for table in TABLES)
SCHEMAS = ("edfi", "lmsx")
