"""Explain why the engine refused a file: the first bad line and column, engine-independent.

Runs only on files the engine rejected, so its speed does not matter; what matters is that a
district's data engineer can open the file at the named place and see the problem.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from ingest.inspect import BOM

_ENGINE_LINE = re.compile(r"(?:line[:\s]+|Line: )(\d+)", re.I)


class _LineSource:
    """Yields decoded physical lines and remembers how many were handed out."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line_number = 0

    def __iter__(self) -> Iterator[str]:
        with self.path.open("rb") as stream:
            for raw in stream:
                self.line_number += 1
                if self.line_number == 1 and raw.startswith(BOM):
                    raw = raw[len(BOM):]
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise _BadBytes(self.line_number, raw, error) from error


class _BadBytes(Exception):
    def __init__(self, line: int, raw: bytes, error: UnicodeDecodeError) -> None:
        prefix = raw[: error.start].decode("utf-8", errors="replace")
        self.line = line
        self.field = _field_number(prefix)
        self.character = len(prefix) + 1
        self.bad_bytes = raw[error.start:error.end]
        super().__init__(f"line {line}")


def _field_number(prefix: str) -> int:
    """1-based CSV field in which the text after ``prefix`` starts."""
    field, quoted = 1, False
    for character in prefix:
        if character == '"':
            quoted = not quoted
        elif character == "," and not quoted:
            field += 1
    return field


def _column(header: list[str], field: int) -> str:
    name = header[field - 1] if 0 < field <= len(header) else None
    return f"column {field} ({name})" if name else f"column {field}"


def diagnose(path: Path, header: list[str]) -> str | None:
    """The first problem in ``path`` as 'line L, column C: what', or None if none is found."""
    expected_columns = len(header)
    source = _LineSource(path)
    try:
        reader = csv.reader(source, strict=True)
        record_start = 1
        header_seen = False
        for record in reader:
            if not header_seen:
                header_seen = True
                record_start = source.line_number + 1
                continue
            if record != [] and len(record) != expected_columns:
                column = min(len(record), expected_columns) + 1
                return (f"line {record_start}, {_column(header, column)}: expected "
                        f"{expected_columns} fields, found {len(record)}")
            if any("\x00" in value for value in record):
                return f"line {record_start}: contains a NUL byte"
            record_start = source.line_number + 1
    except _BadBytes as error:
        return (f"line {error.line}, {_column(header, error.field)}, character "
                f"{error.character}: bytes are not valid UTF-8 ({error.bad_bytes!r})")
    except csv.Error as error:
        message = str(error)
        if "unexpected end of data" in message or "EOF" in message:
            return (f"line {record_start}: quoted value is not terminated "
                    f"(the file ends inside quotes)")
        return f"line {source.line_number}: {message}"
    return None


def engine_message_line(message: str) -> str:
    """Shorten an engine's error to its first line, keeping any line number it gives."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    match = _ENGINE_LINE.search(message)
    if match and not _ENGINE_LINE.search(first):
        return f"line {match.group(1)}: {first}"
    return first


def explain_rejection(path: Path, header: list[str], engine_error: str) -> str:
    return diagnose(path, header) or engine_message_line(engine_error)


__all__ = ["diagnose", "explain_rejection", "engine_message_line"]
