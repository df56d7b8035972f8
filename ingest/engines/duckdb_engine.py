"""DuckDB: files go through DuckDB's own CSV reader, many files per statement."""

from __future__ import annotations

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
from ingest.resources import LEDGER_TABLE, PROVENANCE_COLUMNS, RESOURCES, Resource

_CSV_OPTIONS = (
    "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
    "strict_mode = true, null_padding = false, allow_quoted_nulls = false, "
    "encoding = 'utf-8', hive_partitioning = false, filename = true"
)


_FILE_METADATA = (
    "(select unnest($files) as absolute_path, unnest($paths) as relative_path, "
    "unnest($timestamps) as file_timestamp, unnest($sections) as section_id, "
    "unnest($assignments) as assignment_id, unnest($dates) as activity_date) as f"
)


def _file_parameters(requests: list[LoadRequest]) -> dict[str, list[object]]:
    extracts = [request.file.extract for request in requests]
    return {
        "files": [str(e.path) for e in extracts],
        "paths": [e.relative_path for e in extracts],
        "timestamps": [e.timestamp for e in extracts],
        "sections": [e.section_id for e in extracts],
        "assignments": [e.assignment_id for e in extracts],
        "dates": [e.activity_date for e in extracts],
    }


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
            except duckdb.Error as error:
                self.connection.execute("rollback")
                raise BatchFailed(str(error)) from error

        return isolate_failures(attempt, requests)

    def _load_in_one_transaction(self, resource: Resource, requests: list[LoadRequest],
                                 load_id: str, loaded_at: datetime) -> list[FileOutcome]:
        run = self.connection.execute
        table = f"{self.schema}.{resource.table}"
        run("begin transaction")
        replaced = [r.file.relative_path for r in requests if r.replaces_earlier_version]
        if replaced:
            run(f"delete from {table} where _file_path in (select unnest($1))", [replaced])
            run(f"update {self.schema}.{LEDGER_TABLE} set status = '{REPLACED}' "
                "where file_path in (select unnest($1))", [replaced])
        parameters = _file_parameters(requests)
        run(self._insert_sql(resource, requests),
            {**parameters, "load_id": load_id, "loaded_at": loaded_at})
        counts = dict(run(
            f"select _file_path, count(*) from {table} where _load_id = $load_id "
            "and _file_path in (select unnest($paths)) group by _file_path",
            {"load_id": load_id, "paths": parameters["paths"]}).fetchall())
        outcomes = [FileOutcome(r, counts.get(r.file.relative_path, 0), None) for r in requests]
        self._write_ledger([loaded_ledger_row(o.request, o.rows or 0, load_id, loaded_at)
                            for o in outcomes])
        run("commit")
        return outcomes

    def _insert_sql(self, resource: Resource, requests: list[LoadRequest]) -> str:
        first = requests[0].file
        csv_columns = {f"c{i}": "VARCHAR" for i in range(len(first.header))}
        columns_literal = "{" + ", ".join(f"'{k}': '{v}'" for k, v in csv_columns.items()) + "}"
        positions = first.target_positions
        selected = [f"c.c{positions[column]}" if column in positions else "null"
                    for column in resource.raw_columns]
        extras = [(name, f"c.c{i}") for i, name in first.extra_positions]
        extra_json = ("cast(json_object(" + ", ".join(
            f"{quote_literal(name)}, {expr}" for name, expr in extras) + ") as varchar)"
            if extras else "null")
        if len(requests) == 1:
            row_number = "c.ordinality"
        else:
            row_number = "c.ordinality - min(c.ordinality) over (partition by c.filename) + 1"
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
        return (
            f"insert into {self.schema}.{resource.table} ({', '.join(target_columns)})\n"
            f"select {', '.join(select_list)}\n"
            f"from read_csv($files, columns = {columns_literal}, "
            f"{_CSV_OPTIONS}) with ordinality as c\n"
            f"join {_FILE_METADATA} on f.absolute_path = c.filename"
        )

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
