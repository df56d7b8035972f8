"""Exception reports as CSV files, like the LMS harmonizer's --exceptions-report-directory.

Each report is ``<out>/<report>/<YYYY-MM-DD-HH-MM-SS>.csv`` with the columns of its view(s),
streamed from the database in chunks. Match rates say how many active LMS students and
sections of each source system are linked to the ODS.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.dbconn import Database

LMS_SCHEMA = "lms"
LMSX_SCHEMA = "lmsx"
CHUNK_ROWS = 5_000
NOT_BUILT = "not built yet — run dbt build"


@dataclass(frozen=True)
class Report:
    folder: str
    views: tuple[str, ...]

    @property
    def relations(self) -> tuple[str, ...]:
        return tuple(f"{LMSX_SCHEMA}.{view}" for view in self.views)


REPORTS = (
    Report("users", ("exceptions_lmsuser",)),
    Report("sections", ("exceptions_lmssection",)),
    Report("descriptors", ("missing_assignment_category_descriptors",
                           "missing_assignment_submission_status_descriptors")),
    Report("assignments", ("assignments_exceptions",)),
    Report("submissions", ("assignment_submissions_exceptions",)),
)
VIEW_COLUMN = "view"
"""First column of a report made of several views: the view each row comes from."""


@dataclass
class ReportResult:
    folder: str
    path: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)
    """Rows written per view (``lmsx.name``)."""
    missing: list[str] = field(default_factory=list)


def timestamp_name(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y-%m-%d-%H-%M-%S")


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _write_view(writer: Any, database: Database, view: str, header: list[str],
                columns: list[str], tagged: bool, chunk_rows: int) -> int:
    """Stream one view into the CSV writer; ``tagged`` rows start with the view's name."""
    positions = [header.index(name) for name in columns]
    name = view.split(".", 1)[1]
    count = 0
    with database.stream(f"select * from {view}", chunk_rows) as chunks:
        for chunk in chunks:
            for row in chunk:
                if not tagged:
                    writer.writerow([_cell(value) for value in row])
                    continue
                line: list[Any] = [""] * len(header)
                line[0] = name
                for position, value in zip(positions, row, strict=True):
                    line[position] = _cell(value)
                writer.writerow(line)
            count += len(chunk)
    return count


def write_report(database: Database, report: Report, present: set[str], out: Path,
                 stamp: str, chunk_rows: int | None = None) -> ReportResult:
    """Write the report's existing views to one CSV file; no file when none exists.

    The file appears under its final name only once complete.
    """
    result = ReportResult(report.folder)
    views = [view for view in report.relations if view in present]
    result.missing = [view for view in report.relations if view not in present]
    if not views:
        return result
    columns = {view: database.columns(view) for view in views}
    tagged = len(report.relations) > 1
    header = ([VIEW_COLUMN, *dict.fromkeys(name for view in views for name in columns[view])]
              if tagged else columns[views[0]])
    path = out / report.folder / f"{stamp}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".csv.part")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for view in views:
                result.rows[view] = _write_view(writer, database, view, header, columns[view],
                                                tagged, chunk_rows or CHUNK_ROWS)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    result.path = path
    return result
    columns = {view: database.columns(view) for view in views}
    if len(report.relations) == 1:
        header = columns[views[0]]
    else:
        header = [VIEW_COLUMN, *dict.fromkeys(name for view in views for name in columns[view])]
    path = out / report.folder / f"{stamp}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".csv.part")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for view in views:
            positions = [header.index(name) for name in columns[view]]
            count = 0
            with database.stream(f"select * from {view}", chunk_rows) as chunks:
                for chunk in chunks:
                    for row in chunk:
                        if len(report.relations) == 1:
                            writer.writerow([_cell(value) for value in row])
                            continue
                        line: list[Any] = [""] * len(header)
                        line[0] = view.split(".", 1)[1]
                        for position, value in zip(positions, row, strict=True):
                            line[position] = _cell(value)
                        writer.writerow(line)
                    count += len(chunk)
            result.rows[view] = count
    partial.replace(path)
    result.path = path
    return result


@dataclass(frozen=True)
class MatchRate:
    entity: str
    sourcesystem: str
    active: int
    matched: int

    @property
    def rate(self) -> float | None:
        return self.matched / self.active if self.active else None

    def as_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "sourcesystem": self.sourcesystem,
                "active": self.active, "matched": self.matched, "rate": self.rate}


@dataclass(frozen=True)
class _Entity:
    name: str
    table: str
    link: str
    condition: str


ENTITIES = (
    _Entity("users", "lmsuser", "lmsuser_student_link",
            "and lower(trim(records.userrole)) = 'student'"),
    _Entity("sections", "lmssection", "lmssection_section_link", ""),
)


def match_rates(database: Database, present: set[str]) -> dict[str, list[MatchRate] | str]:
    """Per entity, the linked share of active records per source system, or why none."""
    rates: dict[str, list[MatchRate] | str] = {}
    for entity in ENTITIES:
        table, link = f"{LMS_SCHEMA}.{entity.table}", f"{LMS_SCHEMA}.{entity.link}"
        absent = [name for name in (table, link) if name not in present]
        if absent:
            rates[entity.name] = f"{', '.join(absent)}: {NOT_BUILT}"
            continue
        found = database.rows(
            "select records.sourcesystem, count(*), count(links.sourcesystemidentifier) "
            f"from {table} as records "
            "left join (select distinct sourcesystem, sourcesystemidentifier "
            f"from {link}) as links "
            "on links.sourcesystem = records.sourcesystem "
            "and links.sourcesystemidentifier = records.sourcesystemidentifier "
            f"where records.deletedat is null {entity.condition} "
            "group by records.sourcesystem order by records.sourcesystem")
        rates[entity.name] = [MatchRate(entity.name, str(source), int(active), int(matched))
                              for source, active, matched in found]
    return rates


def present_relations(database: Database) -> set[str]:
    return set(database.relations((LMS_SCHEMA, LMSX_SCHEMA)))
