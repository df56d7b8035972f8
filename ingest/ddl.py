"""Table definitions shared by the engines."""

from __future__ import annotations

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


def raw_table_columns(resource: Resource) -> list[tuple[str, str]]:
    """(name, type) for every column of a raw table: CSV columns as text, then provenance."""
    return [(name, "text") for name in resource.raw_columns] + list(PROVENANCE_COLUMNS)


def create_table_sql(schema: str, table: str, columns: list[tuple[str, str]],
                     primary_key: tuple[str, ...] = ()) -> str:
    body = [f"{name} {definition}" for name, definition in columns]
    if primary_key:
        body.append(f"primary key ({', '.join(primary_key)})")
    return f"create table if not exists {schema}.{table} (\n  " + ",\n  ".join(body) + "\n)"


def ledger_status_sql(schema: str, ledger_table: str) -> str:
    resource = "coalesce(resource, '(not in layout)')"
    return (
        f"select {resource} as resource, status, count(*) as files, "
        f"cast(coalesce(sum(row_count), 0) as bigint) as rows, max(loaded_at) as last_loaded_at "
        f"from {schema}.{ledger_table} group by {resource}, status order by 1, 2"
    )
