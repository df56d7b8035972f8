"""PostgreSQL: each file streams through `COPY ... FROM STDIN` straight into its raw table.

Per-file values (path, timestamp, scope, load id, row numbers) come from column defaults that
read transaction-local settings, so the server fills them while COPY runs and no row passes
through Python. Files share one transaction per batch (two round trips a file); when a file
is refused the batch rolls back and is retried in halves until the bad file stands alone.
"""

from __future__ import annotations

from datetime import datetime
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
from ingest.resources import LEDGER_TABLE, RESOURCES, Resource

COPY_CHUNK = 1 << 20
SETTING_PREFIX = "edfi_lms"
_ROW_SEQUENCE = "ingest_row_sequence"
_LOCK_KEY = 7_384_120_511


def _setting(name: str) -> str:
    return f"current_setting('{SETTING_PREFIX}.{name}', true)"


def provenance_defaults(schema: str) -> dict[str, str]:
    return {
        "_file_path": f"text default {_setting('file_path')}",
        "_file_timestamp": f"timestamp default cast(nullif({_setting('file_timestamp')}, '') "
                           "as timestamp)",
        "_scope_section_id": f"text default nullif({_setting('scope_section_id')}, '')",
        "_scope_assignment_id": f"text default nullif({_setting('scope_assignment_id')}, '')",
        "_scope_date": f"text default nullif({_setting('scope_date')}, '')",
        "_row_number": f"bigint default nextval('{schema}.{_ROW_SEQUENCE}') "
                       f"- cast({_setting('row_base')} as bigint)",
        "_extra_columns": "text",
        "_load_id": f"text default {_setting('load_id')}",
        "_loaded_at": f"timestamp default cast({_setting('loaded_at')} as timestamp)",
    }


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


class PostgresEngine:
    name = "postgres"

    def __init__(self, settings: dict[str, Any], schema: str = "lms_raw") -> None:
        self.schema = schema
        self.connection = connect(settings)

    def _identifier(self, table: str) -> sql.Composed:
        return sql.Identifier(self.schema, table)

    def prepare(self) -> None:
        run = self.connection.execute
        # One ingest at a time per database: row numbers come from a shared sequence.
        run("select pg_advisory_lock(%s)", [_LOCK_KEY])
        run(sql.SQL("create schema if not exists {}").format(sql.Identifier(self.schema)))
        run(sql.SQL("create sequence if not exists {}").format(self._identifier(_ROW_SEQUENCE)))
        defaults = provenance_defaults(self.schema)
        for resource in RESOURCES:
            columns = raw_table_columns(resource, defaults)
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
                outcomes = [
                    FileOutcome(request, self._load_file(cursor, resource, request, load_id,
                                                         loaded_at), None)
                    for request in requests]
                self._write_ledger(cursor, [
                    loaded_ledger_row(o.request, o.rows or 0, load_id, loaded_at)
                    for o in outcomes])
            self.connection.commit()
        except psycopg.Error as error:
            self.connection.rollback()
            raise BatchFailed(_error_text(error)) from error
        except BaseException:
            self.connection.rollback()
            raise
        return outcomes

    def _load_file(self, cursor: psycopg.Cursor, resource: Resource, request: LoadRequest,
                   load_id: str, loaded_at: datetime) -> int:
        inspected = request.file
        extract = inspected.extract
        table = f"{self.schema}.{resource.table}"
        if request.replaces_earlier_version:
            cursor.execute(f"delete from {table} where _file_path = %s",
                           [inspected.relative_path])
            cursor.execute(f"update {self.schema}.{LEDGER_TABLE} set status = '{REPLACED}' "
                           "where file_path = %s", [inspected.relative_path])
        settings = {
            "file_path": inspected.relative_path,
            "file_timestamp": extract.timestamp.isoformat(sep=" ") if extract.timestamp else "",
            "scope_section_id": extract.section_id or "",
            "scope_assignment_id": extract.assignment_id or "",
            "scope_date": extract.activity_date or "",
            "load_id": load_id,
            "loaded_at": loaded_at.isoformat(sep=" "),
        }
        assignments = ", ".join(
            f"set_config('{SETTING_PREFIX}.{name}', %s, true)" for name in settings)
        cursor.execute(
            f"select {assignments}, set_config('{SETTING_PREFIX}.row_base', "
            f"cast(nextval('{self.schema}.{_ROW_SEQUENCE}') as text), true)",
            list(settings.values()))
        if inspected.extra_columns:
            return self._copy_with_extras(cursor, table, resource, inspected)
        columns = ", ".join(target for target in inspected.column_targets if target)
        return self._copy(cursor, f"copy {table} ({columns}) from stdin "
                                  "(format csv, header true, encoding 'UTF8')", inspected)

    @staticmethod
    def _copy(cursor: psycopg.Cursor, statement: str, inspected: Any) -> int:
        with cursor.copy(statement) as copy, inspected.extract.path.open("rb") as stream:
            while chunk := stream.read(COPY_CHUNK):
                copy.write(chunk)
        return cursor.rowcount

    def _copy_with_extras(self, cursor: psycopg.Cursor, table: str, resource: Resource,
                          inspected: Any) -> int:
        """Columns the format does not define go into `_extra_columns` as a JSON object."""
        positions = [f"c{i}" for i in range(len(inspected.header))]
        cursor.execute("drop table if exists pg_temp.ingest_extra_file")
        cursor.execute(
            "create temp table ingest_extra_file ("
            + ", ".join(f"{name} text" for name in positions)
            + f", _row_number bigint default nextval('{self.schema}.{_ROW_SEQUENCE}') "
            f"- cast({_setting('row_base')} as bigint)) on commit drop")
        self._copy(cursor, f"copy pg_temp.ingest_extra_file ({', '.join(positions)}) from stdin "
                           "(format csv, header true, encoding 'UTF8')", inspected)
        mapped = {target: f"c{i}" for target, i in inspected.target_positions.items()}
        extras = [(name, f"c{i}") for i, name in inspected.extra_positions]
        json_args = sql.SQL(", ").join(
            sql.SQL("{}, {}").format(sql.Literal(name), sql.Identifier(expr))
            for name, expr in extras)
        target_columns = [*mapped, "_row_number", "_extra_columns"]
        cursor.execute(sql.SQL(
            "insert into {} ({}) select {}, _row_number, cast(json_build_object({}) as text) "
            "from pg_temp.ingest_extra_file").format(
            sql.SQL(table), sql.SQL(", ").join(map(sql.Identifier, target_columns)),
            sql.SQL(", ").join(map(sql.Identifier, mapped.values())), json_args))
        return cursor.rowcount

    def _write_ledger(self, cursor: psycopg.Cursor, rows: list[LedgerRow]) -> None:
        if not rows:
            return
        table = f"{self.schema}.{LEDGER_TABLE}"
        known = [(row.file_path, row.sha256) for row in rows if row.known_before]
        if known:
            cursor.executemany(f"delete from {table} where file_path = %s and sha256 = %s",
                               known)
        placeholders = ", ".join("%s" for _ in LEDGER_COLUMNS)
        cursor.executemany(
            f"insert into {table} ({', '.join(LEDGER_COLUMNS)}) values ({placeholders})",
            [ledger_values(row) for row in rows])

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
