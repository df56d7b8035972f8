"""Where each file of an extractor tree belongs: resource, scope and file timestamp."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ingest.resources import RESOURCES_BY_NAME, Resource

_TIMESTAMP_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})\.csv$", re.I)
_SECTION_FOLDER = re.compile(r"^section=(.+)$", re.I)
_ASSIGNMENT_FOLDER = re.compile(r"^assignment=(.+)$", re.I)
_DATE_FOLDER = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$", re.I)
_SECTION_RESOURCES = {"section-associations", "assignments", "attendance-events",
                      "section-activities", "grades"}


@dataclass(frozen=True)
class ExtractFile:
    """One CSV file of the tree, placed in the layout."""

    path: Path
    relative_path: str
    resource: Resource | None
    section_id: str | None = None
    assignment_id: str | None = None
    activity_date: str | None = None
    timestamp: datetime | None = None
    problem: str | None = None
    """Why the file cannot be loaded although its folder is known (e.g. a bad file name)."""

    @property
    def known(self) -> bool:
        return self.resource is not None


def parse_file_timestamp(file_name: str) -> datetime | None:
    match = _TIMESTAMP_NAME.match(file_name)
    if not match:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _place(parts: list[str]) -> tuple[str, dict[str, str]] | None:
    """Map the folder parts of a relative path to a resource name and its scope."""
    if len(parts) == 1 and parts[0].lower() in ("users", "sections"):
        return parts[0].lower(), {}
    if len(parts) == 2 and parts[0].lower() == "system-activities":
        date = _DATE_FOLDER.match(parts[1])
        return ("system-activities", {"activity_date": date.group(1)}) if date else None
    section = _SECTION_FOLDER.match(parts[0]) if parts else None
    if not section:
        return None
    scope = {"section_id": section.group(1)}
    if len(parts) == 2 and parts[1].lower() in _SECTION_RESOURCES:
        return parts[1].lower(), scope
    if len(parts) == 3 and parts[2].lower() == "submissions":
        assignment = _ASSIGNMENT_FOLDER.match(parts[1])
        if assignment:
            return "submissions", {**scope, "assignment_id": assignment.group(1)}
    return None


def classify(root: Path, path: Path) -> ExtractFile:
    relative = path.relative_to(root).as_posix()
    parts = relative.split("/")
    placed = _place(parts[:-1])
    if placed is None:
        return ExtractFile(path=path, relative_path=relative, resource=None,
                           problem="folder is not part of the extractor layout")
    resource_name, scope = placed
    timestamp = parse_file_timestamp(parts[-1])
    problem = None
    if timestamp is None:
        problem = (f"file name {parts[-1]!r} is not a timestamp of the form "
                   "YYYY-MM-DD-HH-MM-SS.csv")
    return ExtractFile(path=path, relative_path=relative,
                       resource=RESOURCES_BY_NAME[resource_name], timestamp=timestamp,
                       problem=problem, **scope)


def walk_tree(root: Path) -> Iterator[ExtractFile]:
    """Every ``.csv`` file under ``root`` in a stable order, placed in the layout."""
    for directory, folders, files in os.walk(root):
        folders.sort()
        for name in sorted(files):
            if name.lower().endswith(".csv"):
                yield classify(root, Path(directory) / name)
