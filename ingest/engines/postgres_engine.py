"""PostgreSQL: files stream through `COPY ... FROM STDIN` into a stage, then into the raw table.

A batch of files sharing one column layout is copied into a temporary stage table whose
identity column numbers the rows in the order they arrive. Small files arrive together in one
COPY (see ``concatenation``: header lines dropped, one COPY per line-break style), each
followed by a marker record naming it; the markers tell where each file's rows are, and a file
that ends inside quotes swallows its marker, so it cannot run into the next file unnoticed.
Every other file has a COPY of its own, header and all, streamed in chunks (memory flat in
file size). Then one ``INSERT ... SELECT`` adds the provenance columns and row numbers and
writes the raw table; no row passes through Python. The batch is one transaction with its
ledger rows; when a file is refused, the batch rolls back and is retried in halves until the
bad file stands alone, copied on its own.
"""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql

from ingest.connect import ConnectionFailed
from ingest.ddl import (
    LEDGER_DEFINITION,
    create_table_sql,
    ledger_status_sql,
    raw_table_columns,
)
from ingest.engine import (
    LEDGER_COLUMNS,
    REPLACED,
    BatchFailed,
    FileOutcome,
    LedgerEntry,
    LedgerRow,
    LoadRequest,
    isolate_failures,
    ledger_values,
    loaded_ledger_row,
)
from ingest.engines.concatenation import FileBody, read_file_body
from ingest.inspect import InspectedFile
from ingest.resources import LEDGER_TABLE, PROVENANCE_COLUMNS, RESOURCES, Resource

COPY_CHUNK = 1 << 20
_STAGE = "ingest_stage"
_FILES = "ingest_stage_files"
_LOCK_KEY = 7_384_120_511


class _Inconsistent(Exception):
    """The rows PostgreSQL took do not match what ingest knows of the files."""


def connect(settings: dict[str, Any]) -> psycopg.Connection:
    try:
        return psycopg.connect(
            host=str(settings.get("host", "localhost")),
            port=int(settings.get("port", 5432)),
            user=str(settings.get("user", "postgres")),
            password=str(settings.get("password") or ""),
            dbname=str(settings.get("dbname") or settings.get("database") or "postgres"),
            connect_timeout=int(settings.get("connect_timeout", 10)),
            client_encoding="utf8",
            application_name="edfi_lms ingest",
        )
    except psycopg.OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "failed"
        raise ConnectionFailed(f"cannot connect to PostgreSQL: {first_line}") from None


class _ChunkedWriter:
    """Gathers small pieces into chunks of about ``COPY_CHUNK`` bytes for a COPY."""

    def __init__(self, copy: psycopg.Copy) -> None:
        self.copy = copy
        self.pending: list[bytes] = []
        self.pending_bytes = 0

    def write(self, data: bytes) -> None:
        self.pending.append(data)
        self.pending_bytes += len(data)
        if self.pending_bytes >= COPY_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.copy.write(b"".join(self.pending))
            self.pending, self.pending_bytes = [], 0


@dataclass(frozen=True)
class _StagedFile:
    request: LoadRequest
    first_seq: int
    """Stage identity of the file's first row (of the next file's, when it has none)."""
    rows: int


def _stage_columns(layout: InspectedFile) -> list[str]:
    """One stage column per header column: the raw column it fills, or a name for an extra."""
    return [target or f"_extra_{position}"
            for position, target in enumerate(layout.column_targets)]


class _Stage:
    """A temporary table the batch's files are copied into, dropped at commit or rollback."""

    def __init__(self, cursor: psycopg.Cursor, layout: InspectedFile) -> None:
        self.cursor = cursor
        self.columns = _stage_columns(layout)
        self.column_list = sql.SQL(", ").join(map(sql.Identifier, self.columns))
        self.files: list[_StagedFile] = []
        self.next_seq = 1
        # A large cache makes numbering rows nearly free; the sequence is this session's alone,
        # so its values still come one after another.
        cursor.execute(sql.SQL(
            "create temp table {} (seq bigint generated always as identity (cache 100000), {}) "
            "on commit drop").format(
            sql.Identifier(_STAGE),
            sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c))
                               for c in self.columns)))

    @property
    def staged_rows(self) -> int:
        return sum(staged.rows for staged in self.files)

    def copy_joined(self, requests: list[LoadRequest]) -> list[LoadRequest]:
        """Copy the small files that can be joined, in one COPY per line-break style; return
        the files that need a COPY of their own."""
        others: list[LoadRequest] = []
        crlf: list[tuple[LoadRequest, FileBody]] = []
        with _JoinedCopy(self, b"\n") as joined:
            for request in requests:
                body = read_file_body(request.file.extract.path, request.file.size)
                if body is None:
                    others.append(request)
                elif body.line_break == b"\r\n":
                    crlf.append((request, body))  # quoted CRLF files: rarely more than a few
                else:
                    joined.add(request, body)
        with _JoinedCopy(self, b"\r\n") as joined:
            for request, body in crlf:
                joined.add(request, body)
        return others

    def copy_file(self, request: LoadRequest) -> None:
        """One file as written, header and all, streamed in chunks."""
        statement = sql.SQL("copy {} ({}) from stdin (format csv, header true)").format(
            sql.Identifier(_STAGE), self.column_list)
        with self.cursor.copy(statement) as copy, request.file.extract.path.open("rb") as stream:
            while chunk := stream.read(COPY_CHUNK):
                copy.write(chunk)
        self.files.append(_StagedFile(request, self.next_seq, self.cursor.rowcount))
        self.next_seq += self.cursor.rowcount

    def take_markers(self, token: str, requests: list[LoadRequest]) -> None:
        """Remove the marker rows that follow each joined file; they tell where its rows are.

        A file that ends inside quotes swallows its marker, which then is not a row of its
        own: the batch is refused, and the file is found when it is copied alone.
        """
        others_null = [sql.SQL(" and {} is null").format(sql.Identifier(column))
                       for column in self.columns[1:]]
        self.cursor.execute(sql.SQL(
            "delete from {} where starts_with({}, %s){} returning seq, {}").format(
            sql.Identifier(_STAGE), sql.Identifier(self.columns[0]), sql.SQL("").join(others_null),
            sql.Identifier(self.columns[0])), [token])
        markers = sorted(self.cursor.fetchall())
        if [text for _seq, text in markers] != [f"{token}{n}" for n in
                                                range(1, len(requests) + 1)]:
            raise _Inconsistent("a joined file ran into the next one (a quote left open?)")
        for request, (marker_seq, _text) in zip(requests, markers, strict=True):
            self.files.append(_StagedFile(request, self.next_seq, marker_seq - self.next_seq))
            self.next_seq = marker_seq + 1

    def insert_into(self, table: sql.Composable, layout: InspectedFile, load_id: str,
                    loaded_at: datetime) -> None:
        """Every staged row into the raw table, with its file's provenance and row number."""
        self._copy_file_table()
        self.cursor.execute(self._insert_statement(table, layout),
                            {"load_id": load_id, "loaded_at": loaded_at})
        if self.cursor.rowcount != self.staged_rows:
            raise _Inconsistent(f"{self.cursor.rowcount} rows inserted of "
                                f"{self.staged_rows} staged")

    def _insert_statement(self, table: sql.Composable, layout: InspectedFile) -> sql.Composed:
        mapped = [(target, column) for target, column
                  in zip(layout.column_targets, self.columns, strict=True) if target]
        extras = [(name, self.columns[position]) for position, name in layout.extra_positions]
        extra_json: sql.Composable = sql.SQL("null")
        if extras:
            extra_json = sql.SQL("cast(json_build_object({}) as text)").format(
                sql.SQL(", ").join(sql.SQL("{}, s.{}").format(sql.Literal(name),
                                                              sql.Identifier(column))
                                   for name, column in extras))
        provenance = {
            "_file_path": sql.SQL("f.file_path"),
            "_file_timestamp": sql.SQL("f.file_timestamp"),
            "_scope_section_id": sql.SQL("f.section_id"),
            "_scope_assignment_id": sql.SQL("f.assignment_id"),
            "_scope_date": sql.SQL("f.activity_date"),
            "_row_number": sql.SQL("s.seq - f.first_seq + 1"),
            "_extra_columns": extra_json,
            "_load_id": sql.SQL("%(load_id)s"),
            "_loaded_at": sql.SQL("%(loaded_at)s"),
        }
        targets = [target for target, _column in mapped] + [n for n, _ in PROVENANCE_COLUMNS]
        values = [sql.SQL("s.{}").format(sql.Identifier(column)) for _t, column in mapped]
        values += [provenance[name] for name, _ in PROVENANCE_COLUMNS]
        # width_bucket finds the file a stage row belongs to: the last file starting at or
        # before it (a file without rows starts where the next one does).
        return sql.SQL(
            "insert into {table} ({targets}) select {values} from {stage} as s "
            "join {files} as f on f.file_number = width_bucket(s.seq, "
            "array(select first_seq from {files} order by file_number))").format(
            table=table, targets=sql.SQL(", ").join(map(sql.Identifier, targets)),
            values=sql.SQL(", ").join(values), stage=sql.Identifier(_STAGE),
            files=sql.Identifier(_FILES))

    def _copy_file_table(self) -> None:
        """Where each staged file starts, with its provenance, numbered from 1 in stage order."""
        self.cursor.execute(sql.SQL(
            "create temp table {} (file_number integer, file_path text, "
            "file_timestamp timestamp, section_id text, assignment_id text, activity_date text, "
            "first_seq bigint) on commit drop").format(sql.Identifier(_FILES)))
        with self.cursor.copy(sql.SQL("copy {} from stdin").format(
                sql.Identifier(_FILES))) as copy:
            for number, staged in enumerate(self.files, start=1):
                extract = staged.request.file.extract
                copy.write_row((number, extract.relative_path, extract.timestamp,
                                extract.section_id, extract.assignment_id,
                                extract.activity_date, staged.first_seq))


class _JoinedCopy:
    """One COPY of the bodies of many files, each followed by a marker record naming it.

    The COPY starts with the first file added; leaving the block ends it and takes the markers
    out of the stage, which tells where each file's rows are.
    """

    def __init__(self, stage: _Stage, line_break: bytes) -> None:
        self.stage = stage
        self.line_break = line_break
        self.token = f"ingest-end-of-file-{secrets.token_hex(8)}-"
        self.requests: list[LoadRequest] = []
        self._copy = ExitStack()
        self._writer: _ChunkedWriter | None = None

    def __enter__(self) -> _JoinedCopy:
        return self

    def add(self, request: LoadRequest, body: FileBody) -> None:
        if self._writer is None:
            statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(
                sql.Identifier(_STAGE), self.stage.column_list)
            self._writer = _ChunkedWriter(
                self._copy.enter_context(self.stage.cursor.copy(statement)))
        self.requests.append(request)
        self._writer.write(body.data)
        self._writer.write(f"{self.token}{len(self.requests)}".encode()
                           + b"," * (len(self.stage.columns) - 1) + self.line_break)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if error is None and self._writer is not None:
            self._writer.flush()
        self._copy.__exit__(kind, error, traceback)
        if error is None and self.requests:
            self.stage.take_markers(self.token, self.requests)


class PostgresEngine:
    name = "postgres"

    def __init__(self, settings: dict[str, Any], schema: str = "lms_raw") -> None:
        self.schema = schema
        self.connection = connect(settings)

    def _identifier(self, table: str) -> sql.Identifier:
        return sql.Identifier(self.schema, table)

    def prepare(self) -> None:
        run = self.connection.execute
        # One ingest at a time per database, so the ledger's view of each file stays true.
        run("select pg_advisory_lock(%s)", [_LOCK_KEY])
        run(sql.SQL("create schema if not exists {}").format(sql.Identifier(self.schema)))
        for resource in RESOURCES:
            columns = raw_table_columns(resource)
            run(create_table_sql(self.schema, resource.table, columns))
            for name, definition in columns:
                run(f"alter table {self.schema}.{resource.table} "
                    f"add column if not exists {name} {definition}")
        run(create_table_sql(self.schema, LEDGER_TABLE, list(LEDGER_DEFINITION),
                             primary_key=("file_path", "sha256")))
        self.connection.commit()

    def ledger_entries(self) -> list[LedgerEntry]:
        rows = self.connection.execute(
            f"select file_path, sha256, status from {self.schema}.{LEDGER_TABLE}").fetchall()
        self.connection.commit()
        return [LedgerEntry(*row) for row in rows]

    def load_files(self, resource: Resource, requests: list[LoadRequest], load_id: str,
                   loaded_at: datetime) -> list[FileOutcome]:
        def attempt(batch: list[LoadRequest]) -> list[FileOutcome]:
            return self._load_in_one_transaction(resource, batch, load_id, loaded_at)

        return isolate_failures(attempt, requests)

    def _load_in_one_transaction(self, resource: Resource, requests: list[LoadRequest],
                                 load_id: str, loaded_at: datetime) -> list[FileOutcome]:
        try:
            with self.connection.cursor() as cursor:
                staged = {s.request.file.relative_path: s.rows
                          for s in self._load_batch(cursor, resource, requests, load_id,
                                                    loaded_at)}
                outcomes = [FileOutcome(request, staged[request.file.relative_path], None)
                            for request in requests]
                self._write_ledger(cursor, [
                    loaded_ledger_row(o.request, o.rows or 0, load_id, loaded_at)
                    for o in outcomes])
            self.connection.commit()
        except (psycopg.Error, _Inconsistent) as error:
            self.connection.rollback()
            text = _error_text(error) if isinstance(error, psycopg.Error) else str(error)
            raise BatchFailed(text) from error
        except BaseException:
            self.connection.rollback()
            raise
        return outcomes

    def _load_batch(self, cursor: psycopg.Cursor, resource: Resource,
                    requests: list[LoadRequest], load_id: str,
                    loaded_at: datetime) -> list[_StagedFile]:
        table = self._identifier(resource.table)
        self._delete_replaced(cursor, table, requests)
        stage = _Stage(cursor, requests[0].file)
        # A file alone gets its own COPY, so that an error names the file's own lines.
        separate = stage.copy_joined(requests) if len(requests) > 1 else requests
        for request in separate:
            stage.copy_file(request)
        stage.insert_into(table, requests[0].file, load_id, loaded_at)
        return stage.files

    def _delete_replaced(self, cursor: psycopg.Cursor, table: sql.Identifier,
                         requests: list[LoadRequest]) -> None:
        replaced = [r.file.relative_path for r in requests if r.replaces_earlier_version]
        if not replaced:
            return
        cursor.execute(sql.SQL("delete from {} where _file_path = any(%s)").format(table),
                       [replaced])
        cursor.execute(sql.SQL("update {} set status = %s where file_path = any(%s)").format(
            self._identifier(LEDGER_TABLE)), [REPLACED, replaced])

    def _write_ledger(self, cursor: psycopg.Cursor, rows: list[LedgerRow]) -> None:
        if not rows:
            return
        table = self._identifier(LEDGER_TABLE)
        known = [row for row in rows if row.known_before]
        if known:
            cursor.execute(sql.SQL(
                "delete from {} where (file_path, sha256) in "
                "(select * from unnest(%s::text[], %s::text[]))").format(table),
                [[row.file_path for row in known], [row.sha256 for row in known]])
        with cursor.copy(sql.SQL("copy {} ({}) from stdin").format(
                table, sql.SQL(", ").join(map(sql.Identifier, LEDGER_COLUMNS)))) as copy:
            for row in rows:
                copy.write_row(ledger_values(row))

    def record(self, rows: list[LedgerRow]) -> None:
        with self.connection.cursor() as cursor:
            self._write_ledger(cursor, rows)
        self.connection.commit()

    def status(self) -> list[dict[str, object]]:
        with self.connection.cursor() as cursor:
            cursor.execute(ledger_status_sql(self.schema, LEDGER_TABLE))
            names = [d.name for d in cursor.description or []]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        self.connection.commit()
        return rows

    def close(self) -> None:
        self.connection.close()


def _error_text(error: psycopg.Error) -> str:
    diag = error.diag
    parts = [diag.message_primary or str(error)]
    if diag.context:
        parts.append(diag.context.strip().splitlines()[0])
    return " — ".join(parts)
