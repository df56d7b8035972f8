"""Stream the data rows of an extractor CSV file in Python, values exactly as written.

For engines that have no server-side CSV reader fed from the client (SQL Server), ingest parses
the file itself. The rules are those of the other engines' readers:

* the first record is the header (a UTF-8 byte-order mark before it is removed); blank lines
  are skipped and not counted, so row 1 is the first data row;
* an empty unquoted field is null, a quoted ``""`` is an empty string, everything else is
  kept as written (leading spaces, quoted commas and line breaks, doubled quotes undoubled);
* a record with another number of fields than the header, bytes that are not UTF-8, a
  quoted value that never ends, text after a closing quote, or a NUL character make the whole
  file bad: :class:`CsvProblem` is raised and the caller rejects the file (ingest.diagnose
  then names line and column in the words every engine uses).

Python's csv module returns ``''`` for both an empty field and ``""`` (``QUOTE_NOTNULL`` for
readers only exists from Python 3.12). The module still does the parsing, in C; ingest only
looks again at the raw text of a record that has an empty value *and* contains ``""``, to
find which empty values were quoted. Memory stays flat: one record at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

Row = Sequence[str | None]


class CsvProblem(Exception):
    """The file cannot be loaded; the message starts with the line where the problem is."""


class _RecordLines:
    """Hands physical lines to csv.reader and keeps those of the record being read."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lines: list[str] = []

    def __iter__(self) -> _RecordLines:
        return self

    def __next__(self) -> str:
        line = next(self._stream)
        self._lines.append(line)
        return line

    def take(self) -> str:
        """The raw text of the record just parsed (its lines joined)."""
        lines = self._lines
        text = lines[0] if len(lines) == 1 else "".join(lines)
        lines.clear()
        return text


def data_rows(path: Path, field_count: int) -> Iterator[Row]:
    """Each data row of ``path`` as ``field_count`` values (None for an empty unquoted field).

    Raises CsvProblem when the file is bad; rows yielded before that must be discarded.
    """
    with path.open(encoding="utf-8-sig", newline="") as stream:
        lines = _RecordLines(stream)
        reader = csv.reader(lines, strict=True)
        record_start = 1
        try:
            for index, record in enumerate(reader):
                text = lines.take()
                line, record_start = record_start, reader.line_num + 1
                if index == 0 or not record:
                    continue
                if len(record) != field_count:
                    raise CsvProblem(f"line {line}: expected {field_count} fields, "
                                     f"found {len(record)}")
                if "\x00" in text:
                    raise CsvProblem(f"line {line}: contains a NUL byte")
                yield values_as_written(record, text)
        except csv.Error as error:
            raise CsvProblem(f"line {record_start}: {error}") from None
        except UnicodeDecodeError as error:
            raise CsvProblem(f"line {record_start} or after: bytes are not valid UTF-8 "
                             f"({error.object[error.start:error.end]!r})") from None


def values_as_written(record: list[str], text: str) -> Row:
    """``record`` as csv parsed it from ``text``, with empty unquoted values made None."""
    if "" not in record:
        return record
    if '""' not in text:
        return [value or None for value in record]
    quoted = quoted_empty_fields(text)
    return [None if value == "" and position not in quoted else value
            for position, value in enumerate(record)]


def quoted_empty_fields(text: str) -> set[int]:
    """Positions of the fields written as ``""`` in one record that csv parsed strictly."""
    found: set[int] = set()
    field = 0
    position = 0
    while True:
        if text.startswith('"', position):
            closing = _closing_quote(text, position + 1)
            if closing == position + 1:
                found.add(field)
            position = closing + 1
        comma = text.find(",", position)
        if comma < 0:
            return found
        field += 1
        position = comma + 1


def _closing_quote(text: str, start: int) -> int:
    """Index of the quote that closes a quoted value whose content starts at ``start``."""
    while True:
        quote = text.find('"', start)
        if quote < 0:
            return len(text)
        if not text.startswith('"', quote + 1):
            return quote
        start = quote + 2
