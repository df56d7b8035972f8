"""DuckDB: files go through DuckDB's own CSV reader, thousands of small files per statement.

Small files are joined into one scratch CSV file per batch (see ``concatenation``), so DuckDB
parses thousands of them as one file. Files whose lines are their records (no double quote)
have every line prefixed with the number of their file, and a row's number is the reader's
ordinality minus where its file starts. Files with quotes are each followed by a marker record
naming the file, which tells where its rows are. Every other file, large ones included, is
read by DuckDB alone, as written; the ordinality is its row number, and memory stays flat in
file size. DuckDB never reads several files in one call: there, a file that ends inside quotes
could lose rows without an error.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.ddl import (
    LEDGER_DEFINITION,
    create_table_sql,
    ledger_status_sql,
    quote_literal,
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
from ingest.engines.concatenation import FileBody, read_file_body, tag_lines
from ingest.inspect import InspectedFile
from ingest.resources import LEDGER_TABLE, PROVENANCE_COLUMNS, RESOURCES, Resource

MEMORY_LIMIT = "64MB"
"""DuckDB's buffer pool while loading. Beyond it DuckDB spills to its temporary directory
(next to the database file) rather than grow: without a limit, checkpoints and large files
each took a few hundred megabytes more."""

_CSV_OPTIONS = (
    "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
    "strict_mode = true, null_padding = false, allow_quoted_nulls = false, "
    "encoding = 'utf-8', hive_partitioning = false"
)

_FILE_METADATA = (
    "(select unnest($keys) as file_key, unnest($paths) as relative_path, "
    "unnest($timestamps) as file_timestamp, unnest($sections) as section_id, "
    "unnest($assignments) as assignment_id, unnest($dates) as activity_date, "
    "unnest($first_rows) as first_row) as f"
)


def _scratch_path(database: str) -> Path:
    """Where a batch's joined files are written: beside the database file (one writer per
    file, so one scratch file; a killed load leaves at most this one, overwritten next time)."""
    if database == ":memory:":
        descriptor, name = tempfile.mkstemp(prefix="ingest-duckdb-", suffix=".csv")
        os.close(descriptor)
        return Path(name)
    return Path(database).expanduser().with_name(Path(database).name + ".ingest.csv")


class _Inconsistent(Exception):
    """The rows DuckDB loaded do not match what ingest knows of the files."""


@dataclass(frozen=True)
class _CountedBody:
    """A file to be joined with others, and its records (one per line)."""

    request: LoadRequest
    body: FileBody
    rows: int


def _file_parameters(requests: list[LoadRequest], keys: range,
                     first_rows: list[int] | None = None) -> dict[str, list[object]]:
    extracts = [request.file.extract for request in requests]
    return {
        "keys": list(keys),
        "paths": [e.relative_path for e in extracts],
        "timestamps": [e.timestamp for e in extracts],
        "sections": [e.section_id for e in extracts],
        "assignments": [e.assignment_id for e in extracts],
        "dates": [e.activity_date for e in extracts],
        "first_rows": first_rows or [1] * len(extracts),
    }


def _csv_columns(layout: InspectedFile, leading: dict[str, str] | None = None) -> str:
    columns = {**(leading or {}), **{f"c{i}": "VARCHAR" for i in range(len(layout.header))}}
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, path: str, schema: str = "lms_raw") -> None:
        self.schema = schema
        self.path = path
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect(path)
        # Rows carry their own row numbers, so DuckDB need not buffer to keep input order.
        self.connection.execute("set preserve_insertion_order = false")
        # One core stays with walking the tree and hashing files.
        self.connection.execute(f"set threads = {max(1, (os.cpu_count() or 1) - 1)}")
        if path != ":memory:":
            self.connection.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        self._scratch = _scratch_path(path)

    def prepare(self) -> None:
        run = self.connection.execute
        run(f"create schema if not exists {self.schema}")
        for resource in RESOURCES:
            columns = raw_table_columns(resource)
            run(create_table_sql(self.schema, resource.table, columns))
            for name, sql_type in columns:
                run(f"alter table {self.schema}.{resource.table} "
                    f"add column if not exists {name} {sql_type}")
        # No primary key here: DuckDB checks keys eagerly, so replacing a ledger row inside one
        # transaction would fail; the loader keeps (file_path, sha256) unique.
        run(create_table_sql(self.schema, LEDGER_TABLE, list(LEDGER_DEFINITION)))

    def ledger_entries(self) -> list[LedgerEntry]:
        rows = self.connection.execute(
            f"select file_path, sha256, status from {self.schema}.{LEDGER_TABLE}").fetchall()
        return [LedgerEntry(*row) for row in rows]

    def load_files(self, resource: Resource, requests: list[LoadRequest], load_id: str,
                   loaded_at: datetime) -> list[FileOutcome]:
        def attempt(batch: list[LoadRequest]) -> list[FileOutcome]:
            try:
                return self._load_in_one_transaction(resource, batch, load_id, loaded_at)
            except (duckdb.Error, _Inconsistent) as error:
                self.connection.execute("rollback")
                raise BatchFailed(str(error)) from error
            except BaseException:
                self.connection.execute("rollback")
                raise

        return isolate_failures(attempt, requests)

    def _load_in_one_transaction(self, resource: Resource, requests: list[LoadRequest],
                                 load_id: str, loaded_at: datetime) -> list[FileOutcome]:
        table = f"{self.schema}.{resource.table}"
        self.connection.execute("begin transaction")
        self._delete_replaced(table, requests)
        expected_rows = self._insert(resource, requests, {"load_id": load_id,
                                                          "loaded_at": loaded_at})
        outcomes = self._outcomes(table, requests, load_id, expected_rows)
        self._write_ledger([loaded_ledger_row(o.request, o.rows or 0, load_id, loaded_at)
                            for o in outcomes])
        self.connection.execute("commit")
        return outcomes

    def _delete_replaced(self, table: str, requests: list[LoadRequest]) -> None:
        replaced = [r.file.relative_path for r in requests if r.replaces_earlier_version]
        if replaced:
            run = self.connection.execute
            run(f"delete from {table} where _file_path in (select unnest($1))", [replaced])
            run(f"update {self.schema}.{LEDGER_TABLE} set status = '{REPLACED}' "
                "where file_path in (select unnest($1))", [replaced])

    def _insert(self, resource: Resource, requests: list[LoadRequest],
                load: dict[str, object]) -> dict[str, int]:
        """Insert the rows of every file; return the rows known of joined files.

        DuckDB reads each statement's CSV as one file: read together in one call, a file that
        ends inside quotes can lose its last rows without an error. A batch of one file is
        read as written, so that DuckDB's error about a refused file names its own lines.
        """
        counted: list[_CountedBody] = []
        marked: dict[bytes, list[tuple[LoadRequest, FileBody]]] = {}
        alone: list[LoadRequest] = []
        for request in requests:
            body = (read_file_body(request.file.extract.path, request.file.size)
                    if len(requests) > 1 else None)
            rows = body.rows if body else None
            if body is None:
                alone.append(request)
            elif rows is None:
                marked.setdefault(body.line_break, []).append((request, body))
            else:
                counted.append(_CountedBody(request, body, rows))
        known_rows = {c.request.file.relative_path: c.rows for c in counted}
        if counted:
            self._insert_tagged(resource, counted, load)
        for files in marked.values():
            known_rows.update(self._insert_marked(resource, files, load))
        for request in alone:
            self._insert_file(resource, request, load)
        return known_rows

    def _insert_tagged(self, resource: Resource, files: list[_CountedBody],
                       load: dict[str, object]) -> None:
        """Files whose lines are their records share one scratch file, every line prefixed
        with its file's tag; each file's rows start after the lines of the files before."""
        first_rows = []
        next_row = 1
        with self._scratch.open("wb") as scratch:
            for tag, counted in enumerate(files, start=1):
                first_rows.append(next_row)
                next_row += counted.rows
                scratch.write(tag_lines(counted.body, tag))
        requests = [counted.request for counted in files]
        columns = _csv_columns(requests[0].file, {"file_tag": "BIGINT"})
        source = (f"read_csv($scratch, columns = {columns}, header = false, {_CSV_OPTIONS}) "
                  f"with ordinality as c join {_FILE_METADATA} on f.file_key = c.file_tag")
        parameters = _file_parameters(requests, range(1, len(files) + 1), first_rows)
        inserted = self.connection.execute(
            self._insert_sql(resource, requests[0].file, source,
                             "c.ordinality - f.first_row + 1"),
            {**parameters, **load, "scratch": str(self._scratch)}).fetchone()
        if inserted is None or inserted[0] != next_row - 1:
            raise _Inconsistent(f"{inserted} rows loaded from joined files holding "
                                f"{next_row - 1} lines")

    def _insert_marked(self, resource: Resource, files: list[tuple[LoadRequest, FileBody]],
                       load: dict[str, object]) -> dict[str, int]:
        """Files whose records may span lines share one scratch file, each followed by a
        marker record naming it. The markers tell where each file's rows are; a file that
        ends inside quotes swallows its marker, and the batch is refused."""
        requests = [request for request, _body in files]
        layout = requests[0].file
        token = f"ingest-end-of-file-{secrets.token_hex(8)}-"
        with self._scratch.open("wb") as scratch:
            for number, (_request, body) in enumerate(files, start=1):
                scratch.write(body.data)
                scratch.write(f"{token}{number}".encode()
                              + b"," * (len(layout.header) - 1) + body.line_break)
        is_marker = " and ".join(["starts_with(c.c0, $token)"] + [
            f"c.c{i} is null" for i in range(1, len(layout.header))])
        columns = ", ".join(f"c.c{i}" for i in range(len(layout.header)))
        run = self.connection.execute
        run(f"create or replace temp table ingest_marked as "
            f"select c.ordinality as position, {is_marker} as marker, {columns} "
            f"from read_csv($scratch, columns = {_csv_columns(layout)}, header = false, "
            f"{_CSV_OPTIONS}) with ordinality as c",
            {"scratch": str(self._scratch), "token": token})
        markers = run("select position, c0 from ingest_marked where marker "
                      "order by position").fetchall()
        if [text for _position, text in markers] != [f"{token}{n}" for n in
                                                     range(1, len(files) + 1)]:
            raise _Inconsistent("a joined file ran into the next one (a quote left open?)")
        first_rows = [1] + [position + 1 for position, _text in markers[:-1]]
        source = ("(select *, coalesce(sum(cast(marker as integer)) over (order by position "
                  "rows between unbounded preceding and 1 preceding), 0) + 1 as file_key "
                  f"from ingest_marked) as c join {_FILE_METADATA} on f.file_key = c.file_key "
                  "where not c.marker")
        parameters = _file_parameters(requests, range(1, len(files) + 1), first_rows)
        run(self._insert_sql(resource, layout, source, "c.position - f.first_row + 1"),
            {**parameters, **load})
        run("drop table ingest_marked")
        return {request.file.relative_path: position - first
                for request, (position, _text), first in zip(requests, markers, first_rows,
                                                             strict=True)}

    def _insert_file(self, resource: Resource, request: LoadRequest,
                     load: dict[str, object]) -> None:
        """DuckDB reads the file itself, header and all; the ordinality is the row number."""
        source = (f"read_csv($file, columns = {_csv_columns(request.file)}, header = true, "
                  f"{_CSV_OPTIONS}) with ordinality as c, {_FILE_METADATA}")
        self.connection.execute(
            self._insert_sql(resource, request.file, source, "c.ordinality"),
            {**_file_parameters([request], range(1)), **load,
             "file": str(request.file.extract.path)})

    def _insert_sql(self, resource: Resource, layout: InspectedFile, source: str,
                    row_number: str) -> str:
        positions = layout.target_positions
        selected = [f"c.c{positions[column]}" if column in positions else "null"
                    for column in resource.raw_columns]
        extras = [(name, f"c.c{i}") for i, name in layout.extra_positions]
        extra_json = ("cast(json_object(" + ", ".join(
            f"{quote_literal(name)}, {expr}" for name, expr in extras) + ") as varchar)"
            if extras else "null")
        provenance = {
            "_file_path": "f.relative_path",
            "_file_timestamp": "f.file_timestamp",
            "_scope_section_id": "f.section_id",
            "_scope_assignment_id": "f.assignment_id",
            "_scope_date": "f.activity_date",
            "_row_number": row_number,
            "_extra_columns": extra_json,
            "_load_id": "$load_id",
            "_loaded_at": "$loaded_at",
        }
        target_columns = list(resource.raw_columns) + [name for name, _ in PROVENANCE_COLUMNS]
        select_list = selected + [provenance[name] for name, _ in PROVENANCE_COLUMNS]
        return (f"insert into {self.schema}.{resource.table} ({', '.join(target_columns)})\n"
                f"select {', '.join(select_list)}\nfrom {source}")

    def _outcomes(self, table: str, requests: list[LoadRequest], load_id: str,
                  expected_rows: dict[str, int]) -> list[FileOutcome]:
        """Rows per file as loaded, checked: numbered 1..n, as many as lines concatenated."""
        loaded = {path: (count, first, last) for path, count, first, last in
                  self.connection.execute(
                      f"select _file_path, count(*), min(_row_number), max(_row_number) "
                      f"from {table} where _load_id = $load_id "
                      "and _file_path in (select unnest($paths)) group by _file_path",
                      {"load_id": load_id,
                       "paths": [r.file.relative_path for r in requests]}).fetchall()}
        outcomes = []
        for request in requests:
            path = request.file.relative_path
            count, first, last = loaded.get(path, (0, 1, 0))
            expected = expected_rows.get(path, count)
            if (first, last) != (1, count) or count != expected:
                raise _Inconsistent(f"{path}: {count} rows numbered {first} to {last}, "
                                    f"expected {expected}")
            outcomes.append(FileOutcome(request, count, None))
        return outcomes

    def _write_ledger(self, rows: list[LedgerRow]) -> None:
        if not rows:
            return
        table = f"{self.schema}.{LEDGER_TABLE}"
        known = [row for row in rows if row.known_before]
        if known:
            self.connection.execute(
                f"delete from {table} where list_contains($1, concat(file_path, '|', sha256))",
                [[f"{row.file_path}|{row.sha256}" for row in known]])
        columns = list(zip(*(ledger_values(row) for row in rows), strict=True))
        unnested = ", ".join(f"unnest(${i + 1})" for i in range(len(LEDGER_COLUMNS)))
        self.connection.execute(
            f"insert into {table} ({', '.join(LEDGER_COLUMNS)}) select {unnested}",
            [list(column) for column in columns])

    def record(self, rows: list[LedgerRow]) -> None:
        self.connection.execute("begin transaction")
        self._write_ledger(rows)
        self.connection.execute("commit")

    def status(self) -> list[dict[str, object]]:
        cursor = self.connection.execute(ledger_status_sql(self.schema, LEDGER_TABLE))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        self.connection.close()
        self._scratch.unlink(missing_ok=True)
