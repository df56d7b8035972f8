"""Table definitions shared by the engines."""

from __future__ import annotations

from datetime import datetime

from ingest.resources import PROVENANCE_COLUMNS, Resource

LEDGER_DEFINITION = (
    ("file_path", "text not null"),
    ("resource", "text"),
    ("file_timestamp", "timestamp"),
    ("size_bytes", "bigint not null"),
    ("sha256", "text not null"),
    ("row_count", "bigint"),
    ("status", "text not null"),
    ("reason", "text"),
    ("load_id", "text not null"),
    ("loaded_at", "timestamp not null"),
)


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def raw_table_columns(resource: Resource,
                      provenance_types: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(name, type) for every column of a raw table: CSV columns as text, then provenance."""
    provenance_types = provenance_types or {}
    columns = [(name, "text") for name in resource.raw_columns]
    columns += [(name, provenance_types.get(name, sql_type))
                for name, sql_type in PROVENANCE_COLUMNS]
    return columns


def create_table_sql(schema: str, table: str, columns: list[tuple[str, str]],
                     primary_key: tuple[str, ...] = ()) -> str:
    body = [f"{name} {definition}" for name, definition in columns]
    if primary_key:
        body.append(f"primary key ({', '.join(primary_key)})")
    return f"create table if not exists {schema}.{table} (\n  " + ",\n  ".join(body) + "\n)"


def sql_literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"cast({quote_literal(value.isoformat(sep=' '))} as timestamp)"
    return quote_literal(str(value))


def values_sql(rows: list[tuple[object, ...]]) -> str:
    return "values " + ", ".join(
        "(" + ", ".join(sql_literal(value) for value in row) + ")" for row in rows)


def ledger_status_sql(schema: str, ledger_table: str) -> str:
    resource = "coalesce(resource, '(not in layout)')"
    return (
        f"select {resource} as resource, status, count(*) as files, "
        f"cast(coalesce(sum(row_count), 0) as bigint) as rows, max(loaded_at) as last_loaded_at "
        f"from {schema}.{ledger_table} group by {resource}, status order by 1, 2"
    )
