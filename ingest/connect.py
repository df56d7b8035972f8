"""Open the engine a profile target names."""

from __future__ import annotations

from pathlib import Path

from ingest.engine import Engine
from ingest.profile import ProfileError, Target

RAW_SCHEMA = "lms_raw"
SCHEMA_NAMES = frozenset({"lms_raw", "lms", "lms_staging", "lmsx", "edfi"})


class ConnectionFailed(Exception):
    """The database could not be reached with the profile's settings."""


def open_engine(target: Target, raw_schema: str = RAW_SCHEMA) -> Engine:
    if target.type == "duckdb":
        from ingest.engines.duckdb_engine import DuckDBEngine

        path = str(target.settings.get("path", "edfi_lms.duckdb"))
        if Path(path).stem.lower() in SCHEMA_NAMES | {raw_schema.lower()}:
            raise ProfileError(
                f"DuckDB file {path!r} is named like a schema of the data store; DuckDB would "
                f"confuse database {Path(path).stem!r} with schema {Path(path).stem!r}. "
                "Name it differently, e.g. edfi_lms.duckdb")
        try:
            return DuckDBEngine(path, raw_schema)
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
