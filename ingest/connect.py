"""Open the engine a profile target names."""

from __future__ import annotations

from ingest.engine import Engine
from ingest.profile import ProfileError, Target

RAW_SCHEMA = "lms_raw"


class ConnectionFailed(Exception):
    """The database could not be reached with the profile's settings."""


def open_engine(target: Target, raw_schema: str = RAW_SCHEMA) -> Engine:
    if target.type == "duckdb":
        from ingest.engines.duckdb_engine import DuckDBEngine

        try:
            return DuckDBEngine(str(target.settings.get("path", "lms.duckdb")), raw_schema)
        except Exception as error:  # duckdb raises several unrelated classes for I/O
            raise ConnectionFailed(f"cannot open DuckDB file: {error}") from error
    if target.type == "postgres":
        from ingest.engines.postgres_engine import PostgresEngine

        return PostgresEngine(target.settings, raw_schema)
    if target.type == "sqlserver":
        from ingest.engines.sqlserver_engine import SqlServerEngine

        return SqlServerEngine(target.settings, raw_schema)
    raise ProfileError(f"target {target.name!r} has type {target.type!r}; "
                       "ingest supports duckdb, postgres and sqlserver")
