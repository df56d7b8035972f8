"""Cheap checks on one file before it goes to the engine: size, hash, header, columns."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field

from ingest.layout import ExtractFile

BOM = b"\xef\xbb\xbf"
_HEADER_PROBE_BYTES = 1 << 16
_HASH_CHUNK = 1 << 20


@dataclass
class InspectedFile:
    """A placed file with what ingest learned from its bytes and its first line."""

    extract: ExtractFile
    size: int
    sha256: str
    header: list[str] = field(default_factory=list)
    """CSV column names as written (byte-order mark removed)."""
    column_targets: list[str | None] = field(default_factory=list)
    """For each header column, the raw column it loads into, or None when it is extra."""
    problem: str | None = None

    @property
    def relative_path(self) -> str:
        return self.extract.relative_path

    @property
    def extra_positions(self) -> list[tuple[int, str]]:
        """(position, name) of header columns the resource does not define."""
        return [(position, name) for position, (name, target)
                in enumerate(zip(self.header, self.column_targets, strict=True))
                if target is None]

    @property
    def extra_columns(self) -> list[str]:
        return [name for _position, name in self.extra_positions]

    @property
    def target_positions(self) -> dict[str, int]:
        """Raw column name -> header position, for the columns the resource defines."""
        return {target: position for position, target in enumerate(self.column_targets)
                if target}

    @property
    def layout_key(self) -> tuple[str, ...]:
        """Files with the same key can be read by one bulk statement."""
        return tuple(target or f"extra:{name}"
                     for name, target in zip(self.header, self.column_targets, strict=True))


def read_file(extract: ExtractFile) -> tuple[int, str, bytes]:
    """Size, sha256 and the first bytes of the file, in one pass over it."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with extract.path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK):
            if not head:
                head = chunk[:_HEADER_PROBE_BYTES]
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest(), head


def _parse_header(head: bytes) -> list[str]:
    if head.startswith(BOM):
        head = head[len(BOM):]
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first_line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"line 1, column {error.start + 1}: header is not valid UTF-8"
        ) from error
    return next(csv.reader([text]), [])


def inspect_file(extract: ExtractFile) -> InspectedFile:
    size, sha256, head = read_file(extract)
    inspected = InspectedFile(extract=extract, size=size, sha256=sha256)
    if extract.problem or size == 0 or extract.resource is None:
        inspected.problem = extract.problem
        return inspected
    try:
        header = _parse_header(head)
    except ValueError as error:
        inspected.problem = str(error)
        return inspected
    inspected.header = header
    if not any(name.strip() for name in header):
        inspected.problem = "line 1: no header row"
        return inspected
    known = {column.lower(): column.lower() for column in extract.resource.columns}
    targets: list[str | None] = [known.get(name.strip().lower()) for name in header]
    seen: set[str] = set()
    for position, (name, target) in enumerate(zip(header, targets, strict=True), start=1):
        key = target or name
        if key in seen:
            inspected.problem = f"line 1, column {position}: column {name!r} appears twice"
            return inspected
        seen.add(key)
    inspected.column_targets = targets
    present = {target for target in targets if target}
    missing = [c for c in extract.resource.required if c.lower() not in present]
    if missing:
        inspected.problem = f"line 1: missing required column(s): {', '.join(missing)}"
    return inspected
