"""The extractor resources: where their files live, which columns they carry."""

from __future__ import annotations

from dataclasses import dataclass

AUDIT_COLUMNS = ("CreateDate", "LastModifiedDate", "SourceCreateDate", "SourceLastModifiedDate")


@dataclass(frozen=True)
class Resource:
    name: str
    """Folder name in the extractor tree, e.g. ``section-associations``."""
    table: str
    """Raw table name in the raw schema."""
    columns: tuple[str, ...]
    """Columns the extractor format defines, in the canonical order."""
    required: tuple[str, ...]
    """Columns a file must have; the others are loaded as null when absent."""
    scope: str
    """Which path parts scope a file: ``source`` (whole source system), ``section``,
    ``assignment`` or ``date``."""

    @property
    def raw_columns(self) -> tuple[str, ...]:
        return tuple(column.lower() for column in self.columns)


def _resource(name: str, scope: str, columns: str, required: str) -> Resource:
    column_list = tuple(columns.split())
    required_list = tuple(required.split())
    unknown = set(required_list) - set(column_list)
    if unknown:
        raise ValueError(f"{name}: required columns not defined: {sorted(unknown)}")
    return Resource(
        name=name,
        table=name.replace("-", "_"),
        columns=column_list + AUDIT_COLUMNS,
        required=required_list,
        scope=scope,
    )


RESOURCES: tuple[Resource, ...] = (
    _resource(
        "users",
        "source",
        "SourceSystemIdentifier SourceSystem UserRole LocalUserIdentifier SISUserIdentifier"
        " Name EmailAddress",
        "SourceSystemIdentifier SourceSystem UserRole",
    ),
    _resource(
        "sections",
        "source",
        "SourceSystemIdentifier SourceSystem SISSectionIdentifier Title SectionDescription"
        " Term LMSSectionStatus",
        "SourceSystemIdentifier SourceSystem",
    ),
    _resource(
        "section-associations",
        "section",
        "SourceSystemIdentifier SourceSystem EnrollmentStatus StartDate EndDate"
        " LMSUserSourceSystemIdentifier LMSSectionSourceSystemIdentifier",
        "SourceSystemIdentifier SourceSystem LMSUserSourceSystemIdentifier"
        " LMSSectionSourceSystemIdentifier",
    ),
    _resource(
        "assignments",
        "section",
        "SourceSystemIdentifier SourceSystem Title AssignmentCategory AssignmentDescription"
        " StartDateTime EndDateTime DueDateTime SubmissionType MaxPoints"
        " LMSSectionSourceSystemIdentifier",
        "SourceSystemIdentifier SourceSystem LMSSectionSourceSystemIdentifier",
    ),
    _resource(
        "submissions",
        "assignment",
        "SourceSystemIdentifier SourceSystem SubmissionStatus SubmissionDateTime EarnedPoints"
        " Grade AssignmentSourceSystemIdentifier LMSUserSourceSystemIdentifier",
        "SourceSystemIdentifier SourceSystem AssignmentSourceSystemIdentifier"
        " LMSUserSourceSystemIdentifier",
    ),
    _resource(
        "attendance-events",
        "section",
        "SourceSystemIdentifier SourceSystem EventDate AttendanceStatus"
        " LMSSectionSourceSystemIdentifier LMSUserSourceSystemIdentifier"
        " LMSUserLMSSectionAssociationSourceSystemIdentifier",
        "SourceSystemIdentifier SourceSystem LMSSectionSourceSystemIdentifier"
        " LMSUserSourceSystemIdentifier",
    ),
    _resource(
        "section-activities",
        "section",
        "SourceSystemIdentifier SourceSystem ActivityType ActivityDateTime ActivityStatus"
        " ParentSourceSystemIdentifier ActivityTimeInMinutes LMSSectionSourceSystemIdentifier"
        " LMSUserSourceSystemIdentifier",
        "SourceSystemIdentifier SourceSystem LMSSectionSourceSystemIdentifier"
        " LMSUserSourceSystemIdentifier",
    ),
    _resource(
        "grades",
        "section",
        "SourceSystemIdentifier SourceSystem Grade GradeType"
        " LMSUserLMSSectionAssociationSourceSystemIdentifier",
        "SourceSystemIdentifier SourceSystem LMSUserLMSSectionAssociationSourceSystemIdentifier",
    ),
    _resource(
        "system-activities",
        "date",
        "SourceSystemIdentifier SourceSystem LMSUserSourceSystemIdentifier ActivityType"
        " ActivityDateTime ActivityStatus ParentSourceSystemIdentifier ActivityTimeInMinutes",
        "SourceSystemIdentifier SourceSystem LMSUserSourceSystemIdentifier",
    ),
)

RESOURCES_BY_NAME: dict[str, Resource] = {resource.name: resource for resource in RESOURCES}

PROVENANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_file_path", "text"),
    ("_file_timestamp", "timestamp"),
    ("_scope_section_id", "text"),
    ("_scope_assignment_id", "text"),
    ("_scope_date", "text"),
    ("_row_number", "bigint"),
    ("_extra_columns", "text"),
    ("_load_id", "text"),
    ("_loaded_at", "timestamp"),
)
"""Columns every raw table carries after the CSV columns (name, generic SQL type)."""

LEDGER_TABLE = "ingest_ledger"
