"""SQL Server: rows stream from Python's csv reader into multi-row INSERTs through pyodbc.

Why this path. SQL Server has no ``COPY ... FROM STDIN``; ``BULK INSERT``/``OPENROWSET`` need a
file path the *server* can read, which a district's ODS server seldom shares with the machine
running ingest. The client-side bulk APIs were weighed and not taken:

* mssql-python's ``cursor.bulkcopy()`` (checked in mssql-python 1.16.0's source) opens a second
  connection of its own (``mssql_py_core.PyCoreConnection``) for every call, so a file's rows
  could not commit in the same transaction as its ledger row;
* pyodbc's ``fast_executemany`` binds a parameter array sized from the target columns; every
  CSV column is ``nvarchar(max)``, for which pyodbc falls back to data-at-execution per cell,
  giving up what makes it fast (and its history of memory growth with ``(max)`` columns).

So ingest parses each file with Python's csv module (``ingest.csvrows``: one record at a time,
empty unquoted field null, ``""`` empty string) and sends ``insert into t (...) values (...),
(...)`` statements of ``min(1000, 2099 // columns)`` rows: under SQL Server's limits of 2,100
parameters per request and 1,000 rows per ``VALUES`` list. Every text parameter is declared
``nvarchar(max)`` (``setinputsizes``) so that each statement shape has one cached plan whatever
the value lengths (pyodbc would otherwise declare ``nvarchar(<length of this value>)``). A full
batch's statement is one string object per table and column list, which pyodbc keeps prepared
while it runs batch after batch of a file on one cursor. Memory stays flat in file size: at
most one statement's parameters are held.

Atomicity and errors, as on the other engines. A batch of files is one transaction (pyodbc in
manual-commit mode, ``xact_abort on``): each replaced file's earlier rows are deleted and its
earlier ledger rows marked ``replaced``, the rows are inserted, the ledger rows are written,
then one commit. A file the csv reader refuses is known at once: the transaction is rolled back
and the batch is sent again without it. A file the server refuses is not known by name: the
batch is rolled back and retried in halves (``ingest.engine.isolate_failures``). Either way the
rejected file's message comes from ``ingest.diagnose`` and reads the same on every engine.
A lost connection (SQLSTATE 08...) stops the load with ConnectionFailed (exit code 2) instead of
rejecting every remaining file.

DDL is T-SQL with existence guards (``if schema_id(...) is null exec('create schema ...')``,
``if object_id(...) is null create table ...``, ``if col_length(...) is null alter table ...
add ...``), and is only sent for what the catalogue lacks. A session-owned application lock
(``sp_getapplock``) lets one ingest load run at a time per database; it is released on close.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.connect import ConnectionFailed
from ingest.csvrows import CsvProblem, data_rows
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
from ingest.mssqlconn import connect, driver_message, pyodbc, sqlstate
from ingest.resources import LEDGER_TABLE, PROVENANCE_COLUMNS, RESOURCES, Resource

MAX_PARAMETERS = 2099
"""SQL Server accepts at most 2,100 parameters in one request; stay below it."""
MAX_VALUES_ROWS = 1000
"""SQL Server accepts at most 1,000 row value expressions in one ``INSERT ... VALUES``."""
LOCK_RESOURCE = "edfi_lms ingest"
EXACT = "collate Latin1_General_100_BIN2"
"""Paths are compared byte for byte: a database's default collation ignores case and
trailing spaces, and must not make one file's rows another's."""
TEXT = "nvarchar(max)"
TEXT_PARAMETER = (pyodbc.SQL_WVARCHAR, 0, 0)
"""How every text parameter is declared: nvarchar(max), one plan whatever the lengths."""

PROVENANCE_TYPES = {
    "_file_path": "nvarchar(4000)",
    "_file_timestamp": "datetime2(6)",
    "_scope_section_id": "nvarchar(4000)",
    "_scope_assignment_id": "nvarchar(4000)",
    "_scope_date": "nvarchar(10)",
    "_row_number": "bigint",
    "_extra_columns": TEXT,
    "_load_id": "nvarchar(64)",
    "_loaded_at": "datetime2(6)",
}
LEDGER_TYPES = {
    "file_path": "nvarchar(4000) not null",
    "resource": "nvarchar(64)",
    "file_timestamp": "datetime2(6)",
    "size_bytes": "bigint not null",
    "sha256": "nvarchar(64) not null",
    "row_count": "bigint",
    "status": "nvarchar(16) not null",
    "reason": TEXT,
    "load_id": "nvarchar(64) not null",
    "loaded_at": "datetime2(6) not null",
}
LEDGER_INDEX = "ix_ingest_ledger_sha256"

_LOCK_SQL = (
    "declare @result int; "
    "exec @result = sp_getapplock @Resource = {resource}, @LockMode = 'Exclusive', "
    "@LockOwner = 'Session', @LockTimeout = -1; "
    "select @result"
)
_UNLOCK_SQL = "exec sp_releaseapplock @Resource = {resource}, @LockOwner = 'Session'"


def quote_name(*parts: str) -> str:
    return ".".join("[" + part.replace("]", "]]") + "]" for part in parts)


def unicode_literal(text: str) -> str:
    return "N'" + text.replace("'", "''") + "'"


def raw_column_types(resource: Resource) -> list[tuple[str, str]]:
    """(name, T-SQL type) of a raw table: CSV columns as nvarchar(max), then provenance."""
    return ([(name, TEXT) for name in resource.raw_columns]
            + [(name, PROVENANCE_TYPES[name]) for name, _generic in PROVENANCE_COLUMNS])


def ledger_column_types() -> list[tuple[str, str]]:
    return [(name, LEDGER_TYPES[name]) for name in LEDGER_COLUMNS]


def rows_per_statement(columns: int) -> int:
    if not 0 < columns <= MAX_PARAMETERS:
        raise ValueError(f"cannot insert {columns} columns in one statement")
    return min(MAX_VALUES_ROWS, MAX_PARAMETERS // columns)


def is_text(sql_type: str) -> bool:
    return sql_type.lower().startswith(("nvarchar", "varchar", "nchar"))


# ------------------------------------------------------------------------------ DDL


def create_schema_sql(schema: str) -> str:
    return (f"if schema_id({unicode_literal(schema)}) is null "
            f"exec({unicode_literal('create schema ' + quote_name(schema))})")


def create_table_sql(schema: str, table: str, columns: list[tuple[str, str]]) -> str:
    qualified = quote_name(schema, table)
    body = ",\n  ".join(f"{quote_name(name)} {sql_type}" for name, sql_type in columns)
    return (f"if object_id({unicode_literal(qualified)}, N'U') is null "
            f"create table {qualified} (\n  {body}\n)")


def add_column_sql(schema: str, table: str, column: str, sql_type: str) -> str:
    qualified = quote_name(schema, table)
    return (f"if col_length({unicode_literal(qualified)}, {unicode_literal(column)}) is null "
            f"alter table {qualified} add {quote_name(column)} {sql_type}")


def create_ledger_index_sql(schema: str) -> str:
    qualified = quote_name(schema, LEDGER_TABLE)
    return (f"if not exists (select 1 from sys.indexes where name = "
            f"{unicode_literal(LEDGER_INDEX)} and object_id = "
            f"object_id({unicode_literal(qualified)})) "
            f"create index {quote_name(LEDGER_INDEX)} on {qualified} ([sha256])")


def missing_ddl(schema: str, schema_exists: bool,
                existing: dict[str, set[str]]) -> list[str]:
    """The statements that create what the catalogue lacks (tables -> lower-case columns)."""
    statements = [] if schema_exists else [create_schema_sql(schema)]
    tables = [(resource.table, raw_column_types(resource)) for resource in RESOURCES]
    tables.append((LEDGER_TABLE, ledger_column_types()))
    for table, columns in tables:
        present = existing.get(table)
        if present is None:
            statements.append(create_table_sql(schema, table, columns))
            if table == LEDGER_TABLE:
                statements.append(create_ledger_index_sql(schema))
            continue
        statements += [add_column_sql(schema, table, name, sql_type)
                       for name, sql_type in columns if name not in present]
    return statements


def status_sql(schema: str) -> str:
    resource = "coalesce([resource], N'(not in layout)')"
    return (f"select {resource} as [resource], [status], count(*) as [files], "
            "cast(coalesce(sum([row_count]), 0) as bigint) as [rows], "
            "max([loaded_at]) as [last_loaded_at] "
            f"from {quote_name(schema, LEDGER_TABLE)} "
            f"group by {resource}, [status] order by 1, 2")


# ------------------------------------------------------------------------------ inserts


class _RowInserter:
    """Collects rows and sends them as multi-row INSERTs within the parameter limit."""

    def __init__(self, cursor: Any, statement: _InsertStatement) -> None:
        self.cursor = cursor
        self.statement = statement
        self.parameters: list[Any] = []
        self.rows = 0

    def add(self, row: Sequence[Any]) -> None:
        self.parameters.extend(row)
        self.rows += 1
        if self.rows == self.statement.full_rows:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.cursor.setinputsizes(self.statement.input_sizes(self.rows))
            self.cursor.execute(self.statement.sql(self.rows), self.parameters)
            self.parameters = []
            self.rows = 0


class _InsertStatement:
    """``insert into table (columns) values (...), ...`` for some number of rows."""

    def __init__(self, table: str, columns: list[tuple[str, str]]) -> None:
        self.head = (f"insert into {table} ("
                     + ", ".join(quote_name(name) for name, _type in columns) + ") values ")
        self.row = "(" + ", ".join("?" for _ in columns) + ")"
        self.sizes = [TEXT_PARAMETER if is_text(sql_type) else None
                      for _name, sql_type in columns]
        self.full_rows = rows_per_statement(len(columns))
        self._full_sql = self._build(self.full_rows)
        self._full_sizes = self.sizes * self.full_rows

    def _build(self, rows: int) -> str:
        return self.head + ", ".join([self.row] * rows)

    def sql(self, rows: int) -> str:
        """The same string object for every full batch, so pyodbc keeps it prepared."""
        return self._full_sql if rows == self.full_rows else self._build(rows)

    def input_sizes(self, rows: int) -> list[Any]:
        return self._full_sizes if rows == self.full_rows else self.sizes * rows


def insert_rows(cursor: Any, statement: _InsertStatement, rows: Iterable[Sequence[Any]]) -> int:
    inserter = _RowInserter(cursor, statement)
    count = 0
    for row in rows:
        inserter.add(row)
        count += 1
    inserter.flush()
    return count


@dataclass(frozen=True)
class _FileRows:
    """How one file's CSV values become raw-table rows."""

    columns: list[tuple[str, str]]
    positions: list[int]
    extras: list[tuple[int, str]]
    constants_before: tuple[Any, ...]
    constants_after: tuple[Any, ...]

    @classmethod
    def of(cls, request: LoadRequest, load_id: str, loaded_at: datetime) -> _FileRows:
        inspected = request.file
        extract = inspected.extract
        targets = sorted(inspected.target_positions.items(), key=lambda item: item[1])
        extras = inspected.extra_positions
        provenance = ["_file_path", "_file_timestamp", "_scope_section_id",
                      "_scope_assignment_id", "_scope_date", "_row_number"]
        provenance += ["_extra_columns"] if extras else []
        provenance += ["_load_id", "_loaded_at"]
        return cls(
            columns=([(target, TEXT) for target, _position in targets]
                     + [(name, PROVENANCE_TYPES[name]) for name in provenance]),
            positions=[position for _target, position in targets],
            extras=extras,
            constants_before=(inspected.relative_path, extract.timestamp, extract.section_id,
                              extract.assignment_id, extract.activity_date),
            constants_after=(load_id, loaded_at),
        )

    def rows(self, values: Iterable[Sequence[str | None]]) -> Iterable[tuple[Any, ...]]:
        positions, extras = self.positions, self.extras
        before, after = self.constants_before, self.constants_after
        for number, record in enumerate(values, start=1):
            row = tuple(record[position] for position in positions)
            if extras:
                extra = json.dumps({name: record[position] for position, name in extras},
                                   ensure_ascii=False, separators=(",", ":"))
                yield (*row, *before, number, extra, *after)
            else:
                yield (*row, *before, number, *after)


class _BadFile(Exception):
    def __init__(self, request: LoadRequest, problem: CsvProblem) -> None:
        super().__init__(str(problem))
        self.request = request


# ------------------------------------------------------------------------------ engine


class SqlServerEngine:
    name = "sqlserver"

    def __init__(self, settings: dict[str, Any], schema: str = "lms_raw") -> None:
        self.schema = schema
        self.connection = connect(settings)
        self._locked = False
        self._statements: dict[tuple[str, tuple[tuple[str, str], ...]], _InsertStatement] = {}
        self._run("set nocount on; set xact_abort on")

    def _table(self, table: str) -> str:
        return quote_name(self.schema, table)

    def _insert_statement(self, table: str, columns: list[tuple[str, str]]) -> _InsertStatement:
        """One statement object per table and column list, so its text is built once."""
        key = (table, tuple(columns))
        if key not in self._statements:
            self._statements[key] = _InsertStatement(self._table(table), columns)
        return self._statements[key]

    def _run(self, statement: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement in the current transaction; its rows, if it returns any."""
        cursor = self.connection.cursor()
        try:
            if parameters:
                cursor.execute(statement, list(parameters))
            else:
                cursor.execute(statement)
            rows = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        finally:
            cursor.close()
        return rows

    def _failed(self, what: str, error: BaseException) -> ConnectionFailed:
        self._rollback()
        return ConnectionFailed(f"SQL Server: {what}: {driver_message(error)}")

    def _rollback(self) -> None:
        with suppress(pyodbc.Error):
            self.connection.rollback()

    # -- Engine protocol

    def prepare(self) -> None:
        try:
            self._lock()
            schema_exists = self._run("select schema_id(?)", [self.schema])[0][0] is not None
            existing: dict[str, set[str]] = {}
            for table, column in self._run(
                    "select lower(table_name), lower(column_name) from "
                    "information_schema.columns where table_schema = ?", [self.schema]):
                existing.setdefault(table, set()).add(column)
            for statement in missing_ddl(self.schema, schema_exists, existing):
                self._run(statement)
            self.connection.commit()
        except pyodbc.Error as error:
            raise self._failed(f"cannot prepare schema {self.schema}", error) from None

    def _lock(self) -> None:
        """Wait until no other ingest load holds the lock, then hold it until close()."""
        result = self._run(_LOCK_SQL.format(resource=unicode_literal(LOCK_RESOURCE)))[0][0]
        if result is None or result < 0:
            raise ConnectionFailed(f"SQL Server: sp_getapplock refused the ingest lock "
                                   f"(result {result})")
        self._locked = True

    def ledger_entries(self) -> list[LedgerEntry]:
        try:
            rows = self._run(f"select [file_path], [sha256], [status] "
                             f"from {self._table(LEDGER_TABLE)}")
            self.connection.commit()
        except pyodbc.Error as error:
            raise self._failed("cannot read the ledger", error) from None
        return [LedgerEntry(*row) for row in rows]

    def load_files(self, resource: Resource, requests: list[LoadRequest], load_id: str,
                   loaded_at: datetime) -> list[FileOutcome]:
        def attempt(batch: list[LoadRequest]) -> list[FileOutcome]:
            try:
                return self._load_in_one_transaction(resource, batch, load_id, loaded_at)
            except _BadFile as bad:
                self._rollback()
                rest = [request for request in batch if request is not bad.request]
                rejected = FileOutcome(bad.request, None, str(bad))
                return [rejected, *(isolate_failures(attempt, rest) if rest else [])]
            except pyodbc.Error as error:
                if sqlstate(error).startswith("08"):
                    raise self._failed("lost the connection", error) from None
                self._rollback()
                raise BatchFailed(driver_message(error)) from error
            except BaseException:
                self._rollback()
                raise

        order = {id(request): index for index, request in enumerate(requests)}
        outcomes = isolate_failures(attempt, requests)
        return sorted(outcomes, key=lambda outcome: order[id(outcome.request)])

    def _load_in_one_transaction(self, resource: Resource, requests: list[LoadRequest],
                                 load_id: str, loaded_at: datetime) -> list[FileOutcome]:
        cursor = self.connection.cursor()
        try:
            outcomes = [FileOutcome(request, self._load_file(cursor, resource, request,
                                                             load_id, loaded_at), None)
                        for request in requests]
            self._write_ledger(cursor, [
                loaded_ledger_row(o.request, o.rows or 0, load_id, loaded_at) for o in outcomes])
        finally:
            cursor.close()
        self.connection.commit()
        return outcomes

    def _load_file(self, cursor: Any, resource: Resource, request: LoadRequest, load_id: str,
                   loaded_at: datetime) -> int:
        inspected = request.file
        table = self._table(resource.table)
        if request.replaces_earlier_version:
            cursor.setinputsizes(None)
            cursor.execute(f"delete from {table} where [_file_path] = ? {EXACT}",
                           [inspected.relative_path])
            cursor.execute(f"update {self._table(LEDGER_TABLE)} set [status] = "
                           f"{unicode_literal(REPLACED)} where [file_path] = ? {EXACT}",
                           [inspected.relative_path])
        layout = _FileRows.of(request, load_id, loaded_at)
        statement = self._insert_statement(resource.table, layout.columns)
        try:
            return insert_rows(cursor, statement, layout.rows(
                data_rows(inspected.extract.path, len(inspected.header))))
        except CsvProblem as problem:
            raise _BadFile(request, problem) from None

    def _write_ledger(self, cursor: Any, rows: list[LedgerRow]) -> None:
        if not rows:
            return
        cursor.setinputsizes(None)
        for row in rows:
            if row.known_before:
                cursor.execute(f"delete from {self._table(LEDGER_TABLE)} "
                               f"where [file_path] = ? {EXACT} and [sha256] = ?",
                               [row.file_path, row.sha256])
        insert_rows(cursor, self._insert_statement(LEDGER_TABLE, ledger_column_types()),
                    (ledger_values(row) for row in rows))

    def record(self, rows: list[LedgerRow]) -> None:
        if not rows:
            return
        cursor = self.connection.cursor()
        try:
            self._write_ledger(cursor, rows)
            self.connection.commit()
        except pyodbc.Error as error:
            raise self._failed("cannot write the ledger", error) from None
        finally:
            cursor.close()

    def status(self) -> list[dict[str, object]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(status_sql(self.schema))
            names = [column[0] for column in cursor.description or []]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            self.connection.commit()
        except pyodbc.Error as error:
            raise self._failed("cannot read the ledger", error) from None
        finally:
            cursor.close()
        return rows

    def close(self) -> None:
        try:
            if self._locked:
                self._rollback()
                self._run(_UNLOCK_SQL.format(resource=unicode_literal(LOCK_RESOURCE)))
                self.connection.commit()
        except pyodbc.Error:
            pass  # closing the connection releases the lock anyway
        finally:
            self.connection.close()
