"""The fast paths of `ingest load`: small files joined into one stream, batches, progress.

Joined files must load exactly as if each were read on its own: values, row numbers, ledger
row counts; a bad file among them is still rejected alone, with its own line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import ingest.load
from ingest.engine import BatchFailed, FileOutcome, LoadRequest, isolate_failures
from ingest.engines import concatenation, duckdb_engine, postgres_engine
from ingest.engines.concatenation import FileBody, file_body, tag_lines
from ingest.load import run_load
from ingest.resources import Resource
from tests.csvtree import write_bytes, write_resource
from tests.dbhelpers import Database

HEADER = b"SourceSystemIdentifier,SourceSystem,UserRole,Name"
COLUMNS = "sourcesystemidentifier, sourcesystem, userrole, name"
Row = tuple[str | None, ...]

JOINABLE = {
    # file name: (bytes, rows as loaded)
    "2026-09-01-10-00-00.csv": (
        HEADER + b"\nu1,Canvas,student,Ann\nu2,Canvas,student, Bo \nu3,Canvas,teacher,",
        [("u1", "Canvas", "student", "Ann"), ("u2", "Canvas", "student", " Bo "),
         ("u3", "Canvas", "teacher", None)]),
    "2026-09-02-10-00-00.csv": (
        b"\xef\xbb\xbf" + HEADER + b"\r\nu4,Canvas,student,Cy\r\nu5,Canvas,student,Di\r\n",
        [("u4", "Canvas", "student", "Cy"), ("u5", "Canvas", "student", "Di")]),
    "2026-09-03-10-00-00.csv": (HEADER, []),
    "2026-09-04-10-00-00.csv": (
        HEADER + b'\nu6,Canvas,student,"Eve, ""E"""\nu7,Canvas,student,"two\nlines"\n'
                 b'u8,Canvas,student,Fay\n',
        [("u6", "Canvas", "student", 'Eve, "E"'), ("u7", "Canvas", "student", "two\nlines"),
         ("u8", "Canvas", "student", "Fay")]),
    "2026-09-05-10-00-00.csv": (
        HEADER + b'\r\nu9,Canvas,student,"Gil\r\nGil"\r\nu10,Canvas,student,Hal',
        [("u9", "Canvas", "student", "Gil\r\nGil"), ("u10", "Canvas", "student", "Hal")]),
}


def _write(tree: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        write_bytes(tree, f"users/{name}", content)


def _loaded_rows(database: Database) -> list[tuple[object, ...]]:
    return database.query(f"select _file_path, _row_number, {COLUMNS} from lms_raw.users "
                          "order by _file_path, _row_number")


def _expected_rows(files: dict[str, tuple[bytes, list[Row]]]) -> list[tuple[object, ...]]:
    return [(f"users/{name}", number, *row) for name, (_content, rows) in sorted(files.items())
            for number, row in enumerate(rows, start=1)]


@pytest.fixture
def failed_batches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The error of every batch an engine had to roll back (and retry in halves)."""
    failures: list[str] = []

    def recording_isolate_failures(attempt: Callable[[list[LoadRequest]], list[FileOutcome]],
                                   requests: list[LoadRequest]) -> list[FileOutcome]:
        def recorded(batch: list[LoadRequest]) -> list[FileOutcome]:
            try:
                return attempt(batch)
            except BatchFailed as error:
                failures.append(str(error))
                raise

        return isolate_failures(recorded, requests)

    for engine_module in (duckdb_engine, postgres_engine):
        monkeypatch.setattr(engine_module, "isolate_failures", recording_isolate_failures)
    return failures


@pytest.fixture
def read_bodies(monkeypatch: pytest.MonkeyPatch) -> dict[str, FileBody | None]:
    """What each engine learned about the files it was offered to join, by file name."""
    seen: dict[str, FileBody | None] = {}

    def spy(path: Path, size: int) -> FileBody | None:
        seen[path.name] = body = concatenation.read_file_body(path, size)
        return body

    for engine_module in (duckdb_engine, postgres_engine):
        monkeypatch.setattr(engine_module, "read_file_body", spy)
    return seen


def test_joined_files_load_as_if_read_alone(database: Database, tmp_path: Path,
                                            read_bodies: dict[str, FileBody | None],
                                            failed_batches: list[str]) -> None:
    _write(tmp_path, {name: content for name, (content, _rows) in JOINABLE.items()})

    result = database.load(tmp_path)

    assert result.exit_code == 0, result.stderr
    assert all(read_bodies[name] is not None for name in JOINABLE)
    assert failed_batches == []  # not loaded file by file after a failed attempt
    assert _loaded_rows(database) == _expected_rows(JOINABLE)
    assert database.query(
        "select file_path, row_count from lms_raw.ingest_ledger order by 1") == [
        (f"users/{name}", len(rows)) for name, (_content, rows) in sorted(JOINABLE.items())]
    if database.target == "duckdb":
        scratch = Path(database.env["LMS_DUCKDB_PATH"] + ".ingest.csv")
        assert not scratch.exists()


def test_joined_and_separate_files_in_one_batch(database: Database, tmp_path: Path,
                                                read_bodies: dict[str, FileBody | None],
                                                failed_batches: list[str]) -> None:
    _write(tmp_path, {name: content for name, (content, _rows) in JOINABLE.items()})
    large_rows = 40_000
    large = write_bytes(tmp_path, "users/2026-09-06-10-00-00.csv", HEADER + b"\n" + b"".join(
        b"use-%d,Canvas,student,Name %d\n" % (i, i) for i in range(1, large_rows + 1)))
    assert large.stat().st_size > concatenation.SMALL_FILE_BYTES
    quoted_header = b'"SourceSystemIdentifier",SourceSystem,UserRole,Name\nu11,Canvas,student,Ida'
    write_bytes(tmp_path, "users/2026-09-07-10-00-00.csv", quoted_header)

    result = database.load(tmp_path)

    assert result.exit_code == 0, result.stderr
    assert result.summary["resources"]["users"]["loaded"] == len(JOINABLE) + 2
    assert read_bodies["2026-09-07-10-00-00.csv"] is None
    assert failed_batches == []
    expected = _expected_rows({**JOINABLE, "2026-09-07-10-00-00.csv": (
        b"", [("u11", "Canvas", "student", "Ida")])})
    assert [row for row in _loaded_rows(database) if "09-06" not in str(row[0])] == expected
    assert database.query(
        "select count(*), min(_row_number), max(_row_number), "
        "count(*) filter (where sourcesystemidentifier <> concat('use-', "
        "cast(_row_number as varchar))) from lms_raw.users "
        "where _file_path = 'users/2026-09-06-10-00-00.csv'") == [
        (large_rows, 1, large_rows, 0)]


BAD_FILES = {
    "ragged row": (HEADER + b"\nu20,Canvas,student,Jo\nu21,Canvas\n",
                   "line 3, column 3 (UserRole): expected 4 fields, found 2"),
    "bytes that are not UTF-8": (HEADER + b"\nu20,Canvas,student,J\xe9\n",
                                 "line 2, column 4 (Name), character 21: bytes are not valid"),
    "quote left open": (HEADER + b'\nu20,Canvas,student,"Jo\n',
                        "line 2: quoted value is not terminated"),
    "quote left open after good rows": (
        HEADER + b'\nu20,Canvas,student,Jo\nu21,"Canvas,student,Kim\nu22,Canvas,student,Lu\n',
        "line 3: quoted value is not terminated"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_among_joined_files_is_rejected_alone(database: Database, tmp_path: Path,
                                                       case: str) -> None:
    content, message = BAD_FILES[case]
    bad_name = "2026-09-08-10-00-00.csv"
    _write(tmp_path, {**{name: content for name, (content, _r) in JOINABLE.items()},
                      bad_name: content})

    result = database.load(tmp_path)

    assert result.exit_code == 1
    rejected = [f for f in result.summary["files"] if f["status"] == "rejected"]
    assert [f["path"] for f in rejected] == [f"users/{bad_name}"]
    assert message in rejected[0]["reason"]
    assert _loaded_rows(database) == _expected_rows(JOINABLE)


def test_file_ending_inside_quotes_cannot_swallow_the_next(
        database: Database, tmp_path: Path, failed_batches: list[str]) -> None:
    """Joined, the open quote of the first file would end in the second one and the two
    would parse as one good row; the marker after each file tells them apart."""
    users = (HEADER + b'\n"u30,Canvas,student,Kim\n', HEADER + b'\nx",Canvas,student,Lee\n')
    _write(tmp_path, {**{name: content for name, (content, _r) in JOINABLE.items()},
                      "2026-09-08-10-00-00.csv": users[0],
                      "2026-09-09-10-00-00.csv": users[1]})

    result = database.load(tmp_path)

    assert result.exit_code == 1
    rejected = sorted(f["path"] for f in result.summary["files"] if f["status"] == "rejected")
    assert "ran into the next one" in failed_batches[0]
    expected = dict(JOINABLE)
    if database.target == "postgres":  # a quote inside an unquoted value is an error there
        assert rejected == ["users/2026-09-08-10-00-00.csv", "users/2026-09-09-10-00-00.csv"]
    else:  # and a character like any other for DuckDB
        assert rejected == ["users/2026-09-08-10-00-00.csv"]
        expected["2026-09-09-10-00-00.csv"] = (b"", [('x"', "Canvas", "student", "Lee")])
    assert _loaded_rows(database) == _expected_rows(expected)


@pytest.mark.parametrize("content, expected", [
    (HEADER + b"\na,b,c,d", FileBody(b"a,b,c,d\n", b"\n", quoted=False)),
    (b"\xef\xbb\xbf" + HEADER + b"\r\na,b,c,d\r\n", FileBody(b"a,b,c,d\n", b"\n", quoted=False)),
    (HEADER + b'\r\na,b,c,"d\r\ne"', FileBody(b'a,b,c,"d\r\ne"\r\n', b"\r\n", quoted=True)),
    (HEADER + b"\r\n", FileBody(b"", b"\n", quoted=False)),
    (HEADER, FileBody(b"", b"\n", quoted=False)),
    (HEADER + b"\na,b,c,d\r\n", None),
    (HEADER + b"\ra,b,c,d\r", None),
    (b'"Name",SourceSystem\nx,y\n', None),
])
def test_file_body(content: bytes, expected: FileBody | None) -> None:
    assert file_body(content) == expected


@pytest.mark.parametrize("data, rows", [
    (b"a\nb\n", 2), (b"", 0), (b"a\n\nb\n", None), (b"\na\n", None), (b"a\n\n", None)])
def test_rows_are_lines_only_without_quotes_or_blank_lines(data: bytes, rows: int | None) -> None:
    assert FileBody(data, b"\n", quoted=False).rows == rows
    assert FileBody(data, b"\n", quoted=True).rows is None


def test_tag_lines_prefixes_every_record() -> None:
    assert tag_lines(FileBody(b"a,b\nc,d\n", b"\n", quoted=False), 7) == b"7,a,b\n7,c,d\n"
    assert tag_lines(FileBody(b"", b"\n", quoted=False), 7) == b""


class _RecordingEngine:
    """Takes every file without a database; remembers the batch sizes."""

    name = "recording"

    def __init__(self) -> None:
        self.batches: list[int] = []

    def prepare(self) -> None:
        pass

    def ledger_entries(self) -> list[object]:
        return []

    def load_files(self, resource: Resource, requests: list[LoadRequest], load_id: str,
                   loaded_at: object) -> list[FileOutcome]:
        self.batches.append(len(requests))
        return [FileOutcome(request, 1, None) for request in requests]

    def record(self, rows: list[object]) -> None:
        pass


def test_first_batches_are_small_and_progress_counts_every_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest.load, "FIRST_BATCH_FILES", 4)
    monkeypatch.setattr(ingest.load, "BATCH_FILES", 16)
    for day in range(1, 41):
        write_resource(tmp_path, "users", f"2026-09-{day // 24 + 1:02d}-{day % 24:02d}-00-00",
                       rows=1)
    totals: list[int] = []
    advanced: list[int] = []

    def start(total: int) -> Callable[[int], None]:
        totals.append(total)
        return advanced.append

    engine = _RecordingEngine()
    summary = run_load(engine, tmp_path, start)  # type: ignore[arg-type]

    assert engine.batches == [4, 8, 16, 12]
    assert totals == [40] and sum(advanced) == 40
    assert len(summary.reports) == 40
