"""A plain connection to the profile's database, for commands that run their own SQL.

Statements are written with ``%s`` placeholders and run unchanged on PostgreSQL (psycopg) and
with ``?`` on DuckDB; results are read through the DB-API both drivers share.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.connect import SCHEMA_NAMES, ConnectionFailed
from ingest.profile import ProfileError, Target

SUPPORTED = ("duckdb", "postgres")


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass
class Database:
    dialect: str
    """``duckdb`` or ``postgres``."""
    connection: Any

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """What the driver raises when the database refuses a statement."""
        if self.dialect == "duckdb":
            import duckdb

            return (duckdb.Error,)
        import psycopg

        return (psycopg.Error,)

    def _sql(self, statement: str) -> str:
        return statement.replace("%s", "?") if self.dialect == "duckdb" else statement

    def execute(self, statement: str, parameters: Sequence[Any] = ()) -> None:
        self.connection.execute(self._sql(statement), parameters or None)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.dialect == "duckdb":
            self.connection.executemany(self._sql(statement), rows)
        else:
            with self.connection.cursor() as cursor:
                cursor.executemany(statement, rows)

    def rows(self, statement: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in
                self.connection.execute(self._sql(statement), parameters or None).fetchall()]

    def columns(self, relation: str) -> list[str]:
        """Column names of a table or view, in order."""
        cursor = self.connection.execute(f"select * from {relation} where 1 = 0")
        names = [column[0] for column in cursor.description]
        cursor.fetchall()
        return names

    @contextmanager
    def stream(self, statement: str, chunk_rows: int) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
        """Chunks of at most ``chunk_rows`` rows, never the whole result in memory."""
        if self.dialect == "duckdb":
            result = self.connection.execute(statement)
            yield iter(lambda: result.fetchmany(chunk_rows), [])
            return
        with self.connection.transaction(), self.connection.cursor(name="ingest_stream") as cursor:
            cursor.itersize = chunk_rows
            cursor.execute(statement)
            yield iter(lambda: cursor.fetchmany(chunk_rows), [])

    def relations(self, schemas: Sequence[str]) -> dict[str, str]:
        """``schema.name`` (lower case) of every table and view in ``schemas``, with its type."""
        placeholders = ", ".join("%s" for _ in schemas)
        found = self.rows(
            "select lower(table_schema), lower(table_name), table_type "
            "from information_schema.tables "
            f"where table_catalog = current_database() and lower(table_schema) in ({placeholders})",
            [schema.lower() for schema in schemas])
        return {f"{schema}.{name}": kind for schema, name, kind in found}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.dialect == "postgres":
            with self.connection.transaction():
                yield
            return
        self.connection.execute("begin transaction")
        try:
            yield
        except BaseException:
            self.connection.execute("rollback")
            raise
        self.connection.execute("commit")

    def close(self) -> None:
        self.connection.close()


def duckdb_path(target: Target) -> str:
    path = str(target.settings.get("path", "edfi_lms.duckdb"))
    if Path(path).stem.lower() in SCHEMA_NAMES:
        raise ProfileError(
            f"DuckDB file {path!r} is named like a schema of the data store; name it "
            "differently, e.g. edfi_lms.duckdb")
    return path


def open_database(target: Target, *, read_only: bool = False) -> Database:
    """Connect with the target's settings; ``read_only`` never creates a DuckDB file."""
    if target.type == "duckdb":
        import duckdb

        path = duckdb_path(target)
        if read_only and path != ":memory:" and not Path(path).is_file():
            raise ConnectionFailed(f"DuckDB file {path!r} does not exist")
        try:
            return Database("duckdb", duckdb.connect(path, read_only=read_only))
        except duckdb.Error as error:
            raise ConnectionFailed(f"cannot open DuckDB file {path!r}: {error}") from None
    if target.type == "postgres":
        from ingest.engines.postgres_engine import connect

        connection = connect(target.settings)
        connection.autocommit = True
        if read_only:
            connection.execute("set default_transaction_read_only = on")
        return Database("postgres", connection)
    raise ProfileError(f"target {target.name!r} has type {target.type!r}; this command "
                       f"supports {' and '.join(SUPPORTED)}")
