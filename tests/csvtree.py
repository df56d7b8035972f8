"""Write small extractor trees with exactly the bytes a test needs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ingest.resources import RESOURCES_BY_NAME

RESOURCE_FOLDERS = {
    "users": "users",
    "sections": "sections",
    "section-associations": "section=111/section-associations",
    "assignments": "section=111/assignments",
    "submissions": "section=111/assignment=222/submissions",
    "attendance-events": "section=111/attendance-events",
    "section-activities": "section=111/section-activities",
    "grades": "section=111/grades",
    "system-activities": "system-activities/date=2026-09-01",
}


def csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_bytes(root: Path, relative: str, content: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def sample_row(resource_name: str, index: int, source: str = "Canvas") -> list[str]:
    """A plausible row for any resource: identifiers derived from the index."""
    values = []
    for column in RESOURCES_BY_NAME[resource_name].columns:
        if column == "SourceSystemIdentifier":
            values.append(f"{resource_name[:3]}-{index}")
        elif column == "SourceSystem":
            values.append(source)
        elif column.endswith("Date") or column.endswith("DateTime"):
            values.append(f"2026-09-01 08:{index % 60:02d}:00")
        else:
            values.append(f"{column.lower()}-{index}")
    return values


def write_resource(root: Path, resource_name: str, timestamp: str, rows: int,
                   folder: str | None = None, first_index: int = 1) -> Path:
    resource = RESOURCES_BY_NAME[resource_name]
    body = csv_text(list(resource.columns),
                    [sample_row(resource_name, i) for i in range(first_index,
                                                                 first_index + rows)])
    relative = f"{folder or RESOURCE_FOLDERS[resource_name]}/{timestamp}.csv"
    return write_bytes(root, relative, body.encode("utf-8"))


def write_every_resource(root: Path, timestamp: str = "2026-09-01-10-00-00",
                         rows: int = 3) -> dict[str, int]:
    """One file per resource; returns the data rows written per raw table."""
    for name in RESOURCE_FOLDERS:
        write_resource(root, name, timestamp, rows)
    return {RESOURCES_BY_NAME[name].table: rows for name in RESOURCE_FOLDERS}


def count_csv_rows(path: Path) -> int:
    if path.stat().st_size == 0:
        return 0
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return max(sum(1 for _ in csv.reader(stream)) - 1, 0)
