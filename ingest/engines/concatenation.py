"""Small files whose bodies can be joined into one CSV stream, for engines to parse in one pass.

Parsing thousands of small files one by one costs a round trip or a reader per file; joined,
they cost one. Joining drops each file's header line (with any byte-order mark) and adds a
final line break where it is missing; nothing else changes, except that a file without any
double quote may have its CRLF line breaks turned into LF (it cannot hold a line break inside
a value, so each of its line breaks ends a record).

Only files whose line breaks are all LF or all CRLF, and whose header line holds no quote, are
joined; every other file (and every large file) is read by the engine on its own, as written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SMALL_FILE_BYTES = 1 << 20
"""Files up to this size are read into memory to be joined with others."""


@dataclass(frozen=True)
class FileBody:
    """The data lines of a file, each ending with ``line_break``."""

    data: bytes
    line_break: bytes
    """b"\\n" or b"\\r\\n": files are joined only with files of the same style."""
    quoted: bool
    """The file has double quotes: a record may span several lines."""

    @property
    def rows(self) -> int | None:
        """Records in the body when its lines are its records, else None."""
        if self.quoted or self.line_break != b"\n" or b"\n\n" in b"\n" + self.data:
            return None  # a blank line is left to the engine's own reading of the file
        return self.data.count(b"\n")


def file_body(content: bytes) -> FileBody | None:
    """The body of a file that can be joined with others, or None."""
    if not _line_breaks_are_uniform(content):
        return None
    header_end = content.find(b"\n")
    if header_end < 0:
        return FileBody(b"", b"\n", quoted=False)
    if b'"' in content[:header_end]:
        return None  # a quoted header could span lines: the engine reads the file itself
    body = content[header_end + 1:]
    quoted = b'"' in body
    line_break = b"\r\n" if content[header_end - 1:header_end] == b"\r" else b"\n"
    if not quoted and line_break == b"\r\n":
        body, line_break = body.replace(b"\r\n", b"\n"), b"\n"
    if body and not body.endswith(b"\n"):
        body += line_break
    return FileBody(body, line_break, quoted)


def _line_breaks_are_uniform(content: bytes) -> bool:
    """Only LF, or only CRLF: no carriage return stands alone and no style is mixed."""
    carriage_returns = content.count(b"\r")
    if not carriage_returns:
        return True
    return carriage_returns == content.count(b"\r\n") == content.count(b"\n")


def read_file_body(path: Path, size: int) -> FileBody | None:
    """The joinable body of a small file; None for a large file or one that is not joinable."""
    if size > SMALL_FILE_BYTES:
        return None
    content = _read_at_most(path, SMALL_FILE_BYTES + 1)
    return file_body(content) if len(content) <= SMALL_FILE_BYTES else None


def _read_at_most(path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of a file, with plain system calls (thousands of small files)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        parts = []
        remaining = limit
        while remaining and (part := os.read(descriptor, remaining)):
            parts.append(part)
            remaining -= len(part)
        return b"".join(parts)
    finally:
        os.close(descriptor)


def tag_lines(body: FileBody, tag: int) -> bytes:
    """A body whose lines are its records with ``<tag>,`` in front of every line: one more
    leading CSV column that tells which file a row comes from."""
    if not body.data:
        return b""
    prefix = b"%d," % tag
    return prefix + body.data[:-1].replace(b"\n", b"\n" + prefix) + b"\n"
