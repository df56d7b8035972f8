"""Render the T-SQL that dbt-sqlserver would send for every node, with no SQL Server.

dbt runs in-process (``dbtRunner``) against the ``sqlserver`` target of the project's
``profiles.example.yml`` (copied into a temporary profiles directory), but dbt-sqlserver's
connection ``open`` is replaced by a stand-in: its cursor records every statement and
answers dbt-sqlserver's introspection queries (``sys.schemas``, ``sys.tables``/``sys.views``,
``sys.columns``, the test result query, ...) from a small simulated catalogue. So ``dbt
build`` "executes" every seed, model, snapshot and test, and the statements it would send
are written out, one file per node and mode::

    target-sqlserver-render/<mode>/<node unique_id>.sql
    target-sqlserver-render/render-manifest.json

Modes:

* ``empty``: nothing of the project exists (only the schemas of its sources): every relation
  is built for the first time.
* ``existing``: every relation of the project exists with its columns: incremental models
  take their incremental branch (merge / delete+insert / append), views and tables their
  replace path.
* ``full-refresh``: everything exists and ``--full-refresh`` is given.

Columns of a relation come from the columns declared in YAML and, for the rest, from the
select list of the view body dbt-sqlserver creates for it (read with sqlglot when it is
installed). The render proves that every node renders and that dbt-sqlserver's
materializations accept it; with ``--check`` the captured SQL is also run through
``tools.tsql_check``. Nothing here has run against a live SQL Server.

Usage::

    python -m tools.render_sqlserver [--check] [--mode MODE ...] [--select ...]

Exit status: 0 when every mode succeeded and every model/seed/snapshot/test has captured
SQL (and, with --check, nothing was found); 1 otherwise; 2 for usage or setup errors.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import decimal
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.tsql_check import (  # noqa: E402
    STATEMENT_MARKER,
    Finding,
    check_render_dir,
    dynamic_sql,
    tokenize,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET_PATH = "target-sqlserver"
DEFAULT_OUT_DIR = "target-sqlserver-render"
RUN_BUCKET = "_run"  # statements sent outside any node (schema creation, cache population)
REQUIRED_RESOURCE_TYPES = ("model", "seed", "snapshot", "test", "unit_test")
# the nodes each dbt command must send SQL for
COMMAND_RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "build": REQUIRED_RESOURCE_TYPES,
    "run": ("model",),
    "seed": ("seed",),
    "snapshot": ("snapshot",),
    "test": ("test", "unit_test"),
}


@dataclass(frozen=True)
class Mode:
    name: str
    existing: bool
    full_refresh: bool
    description: str


MODES: tuple[Mode, ...] = (
    Mode("empty", False, False, "empty database: every relation is built for the first time"),
    Mode(
        "existing",
        True,
        False,
        "every relation exists with its columns: incremental models take their incremental branch",
    ),
    Mode("full-refresh", True, True, "every relation exists and --full-refresh is given"),
)
MODE_NAMES = tuple(m.name for m in MODES)


# --------------------------------------------------------------------------- catalogue

_PART = r'(?:"[^"]*"|\[[^\]]*\]|[\w#@$]+)'
_NAME = rf"{_PART}(?:\s*\.\s*{_PART}){{0,2}}"
_SUFFIXES = ("__dbt_tmp_vw", "__dbt_temp", "__dbt_tmp", "__dbt_backup")
_STRING_TYPES = {"varchar", "nvarchar", "char", "nchar"}
_DECIMAL_TYPES = {"decimal", "numeric"}
_PYTHON_TYPES: dict[str, type] = {
    "int": int,
    "bigint": int,
    "smallint": int,
    "tinyint": int,
    "bit": bool,
    "decimal": decimal.Decimal,
    "numeric": decimal.Decimal,
    "money": decimal.Decimal,
    "float": float,
    "real": float,
    "date": dt.date,
    "datetime": dt.datetime,
    "datetime2": dt.datetime,
    "smalldatetime": dt.datetime,
    "datetimeoffset": dt.datetime,
    "time": dt.time,
    "uniqueidentifier": uuid.UUID,
    "binary": bytes,
    "varbinary": bytes,
}
DEFAULT_COLUMN_TYPE = "varchar(8000)"


def _unquote(part: str) -> str:
    part = part.strip()
    if part[:1] in ('"', "[") and len(part) >= 2:
        return part[1:-1]
    return part


def _split_name(name: str) -> list[str]:
    return [_unquote(p) for p in re.findall(_PART, name)]


def _base_identifier(identifier: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if identifier.lower().endswith(suffix):
                identifier = identifier[: -len(suffix)]
                changed = True
    return identifier


def _type_parts(data_type: str) -> tuple[str, int | None, int | None, int | None]:
    """'varchar(50)' -> ('varchar', 50, None, None); 'decimal(10,2)' -> (..., 10, 2)."""
    m = re.match(r"\s*([\w ]+?)\s*(?:\(([^)]*)\))?\s*$", data_type or "")
    if not m:
        return "varchar", 8000, None, None
    base = m.group(1).lower()
    args = [a.strip().lower() for a in (m.group(2) or "").split(",") if a.strip()]
    if base in _STRING_TYPES:
        size = -1 if args[:1] == ["max"] else int(args[0]) if args[:1] else 8000
        return base, size, None, None
    if base in _DECIMAL_TYPES and args:
        return base, None, int(args[0]), int(args[1]) if len(args) > 1 else 0
    return base, None, None, None


def _query_columns(sql: str, schema: dict[str, Any]) -> list[str] | None:
    """Output column names of a query, or None when they cannot be told."""
    try:
        import sqlglot
        from sqlglot.optimizer.qualify import qualify
    except ImportError:  # pragma: no cover - sqlglot is in the dev extras
        return None
    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)
    try:
        expression = sqlglot.parse_one(sql, read="tsql")
        names = list(expression.named_selects)
        if not names or "*" in names:
            qualified = qualify(
                expression,
                dialect="tsql",
                schema=schema,
                validate_qualify_columns=False,
                expand_stars=True,
            )
            names = list(qualified.named_selects)
    except Exception:
        return None
    if not names or any(not n or n == "*" for n in names):
        return None
    return names


@dataclass
class Relation:
    database: str
    schema: str
    identifier: str
    kind: str  # table | view
    columns: list[tuple[str, str]] | None = None  # (name, data type); None = not known


@dataclass
class NodeInfo:
    unique_id: str
    resource_type: str
    database: str
    schema: str
    identifier: str
    materialized: str
    original_file_path: str
    columns: list[tuple[str, str]]
    extra_columns: list[tuple[str, str]] = field(default_factory=list)


class Catalog:
    """The database the stand-in connection pretends to talk to."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.lock = threading.RLock()
        self.schemas: set[str] = set()
        self.relations: dict[tuple[str, str], Relation] = {}
        self.declared: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.learned: dict[tuple[str, str], list[tuple[str, str]]] = {}
        # columns a relation has beyond its query's (snapshot meta columns)
        self.extra: dict[tuple[str, str], list[tuple[str, str]]] = {}
        # the compiled SQL of the node that owns a relation, when dbt has compiled it
        self.compiled_sql: Callable[[tuple[str, str]], str | None] = lambda key: None

    @staticmethod
    def key(schema: str, identifier: str) -> tuple[str, str]:
        return schema.lower(), identifier.lower()

    def add(self, relation: Relation) -> None:
        self.schemas.add(relation.schema.lower())
        self.relations[self.key(relation.schema, relation.identifier)] = relation

    def columns(self, schema: str, identifier: str) -> list[tuple[str, str]]:
        rel = self.relations.get(self.key(schema, identifier))
        if rel is not None and rel.columns:
            return rel.columns
        base = self.key(schema, _base_identifier(identifier))
        columns = self.declared.get(base) or self.learned.get(base)
        if not columns:
            sql = self.compiled_sql(base)
            names = _query_columns(sql, self.sqlglot_schema(skip=base)) if sql else None
            if names:
                columns = [(n, DEFAULT_COLUMN_TYPE) for n in names]
                self.learned[base] = columns
        columns = list(columns or [])
        have = {n.lower() for n, _ in columns}
        columns += [(n, t) for n, t in self.extra.get(base, []) if n.lower() not in have]
        return columns

    def sqlglot_schema(self, skip: tuple[str, str] | None = None) -> dict[str, Any]:
        schema: dict[str, Any] = {}
        for key, rel in list(self.relations.items()):
            if skip is not None and self.key(rel.schema, _base_identifier(rel.identifier)) == skip:
                continue
            cols = rel.columns or self.declared.get(key) or self.learned.get(key)
            if cols:
                database = rel.database or self.database or "database"
                tables = schema.setdefault(database, {}).setdefault(rel.schema, {})
                tables[rel.identifier] = {name: typ for name, typ in cols}
        return schema

    def resolve(self, name: str) -> tuple[str, str] | None:
        parts = _split_name(name)
        if not parts:
            return None
        if parts[0].lower() == "tempdb":
            return None
        if len(parts) == 1:
            return "dbo", parts[0]
        return parts[-2], parts[-1]

    # -- effects of statements on the catalogue
    def apply(self, sql: str) -> None:
        texts = [sql] + [text for _, text in dynamic_sql(sql)]
        with self.lock:
            for text in texts:
                self._apply_one(text)

    def _apply_one(self, text: str) -> None:
        flags = re.IGNORECASE | re.DOTALL
        for m in re.finditer(rf"\bcreate\s+schema\s+({_PART})", text, flags):
            self.schemas.add(_unquote(m.group(1)).lower())
        for m in re.finditer(rf"\bdrop\s+(view|table)\s+if\s+exists\s+({_NAME})", text, flags):
            target = self.resolve(m.group(2))
            if target:
                self.relations.pop(self.key(*target), None)
        m = re.search(rf"\bcreate\s+(?:or\s+alter\s+)?view\s+({_NAME})\s+as\b(.*)$", text, flags)
        if m:
            target = self.resolve(m.group(1))
            if target:
                body = m.group(2).strip().rstrip(";")
                names = _query_columns(body, self.sqlglot_schema())
                columns = [(n, DEFAULT_COLUMN_TYPE) for n in names] if names else None
                base = self.key(target[0], _base_identifier(target[1]))
                if columns and base not in self.learned:
                    self.learned[base] = columns
                self.add(Relation(self.database, target[0], target[1], "view", columns))
        for m in re.finditer(
            rf"\bselect\s+(?:top\s*\(?\s*\d+\s*\)?\s+)?\*\s+into\s+({_NAME})\s+from\s+({_NAME})",
            text,
            flags,
        ):
            target, source = self.resolve(m.group(1)), self.resolve(m.group(2))
            if target:
                cols = self.columns(*source) if source else []
                self.add(Relation(self.database, target[0], target[1], "table", cols or None))
        for m in re.finditer(rf"\bcreate\s+table\s+({_NAME})\s*\(", text, flags):
            target = self.resolve(m.group(1))
            if target:
                cols = _column_definitions(text, m.end() - 1)
                self.add(Relation(self.database, target[0], target[1], "table", cols or None))
        for m in re.finditer(
            r"\bsp_rename\s+'([^']*)'\s*,\s*'([^']*)'(\s*,\s*'column')?", text, flags
        ):
            if m.group(3):
                continue
            old = self.resolve(m.group(1))
            if old:
                rel = self.relations.pop(self.key(*old), None)
                if rel is not None:
                    rel.identifier = _unquote(m.group(2))
                    self.add(rel)


def _column_definitions(text: str, open_paren: int) -> list[tuple[str, str]]:
    """(name, type) pairs of a CREATE TABLE column list starting at text[open_paren]."""
    depth = 0
    items: list[str] = []
    current: list[str] = []
    for ch in text[open_paren:]:
        if ch == "(":
            depth += 1
            if depth == 1:
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                items.append("".join(current))
                break
        if ch == "," and depth == 1:
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    columns: list[tuple[str, str]] = []
    for item in items:
        m = re.match(rf"\s*({_PART})\s+(.+?)\s*$", item, re.DOTALL)
        if not m or m.group(1).lower() in ("constraint", "primary", "unique", "check", "foreign"):
            continue
        data_type = re.split(
            r"\s+(?:not\s+null|null|constraint|primary|unique|check|default)\b",
            m.group(2),
            maxsplit=1,
            flags=re.IGNORECASE,
        )[0]
        columns.append((_unquote(m.group(1)), data_type.strip()))
    return columns


# --------------------------------------------------------------------------- stand-in


@dataclass
class Statement:
    node: str
    connection: str
    sql: str
    bindings: int = 0


@dataclass
class Answer:
    columns: list[tuple[str, type]] | None  # None: the statement returns no result set
    rows: list[tuple[Any, ...]] = field(default_factory=list)


_LEADING_COMMENT = re.compile(r"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*", re.DOTALL)


class StandIn:
    """Records statements and answers them from the catalogue."""

    def __init__(self, nodes: dict[str, NodeInfo], manifest: Any = None) -> None:
        self.nodes = nodes
        self.manifest = manifest
        self._owner = {Catalog.key(n.schema, n.identifier): n.unique_id for n in nodes.values()}
        self.catalog = Catalog("")
        self.mode: Mode = MODES[0]
        self.statements: list[Statement] = []
        self.lock = threading.Lock()
        self.connection_strings: set[str] = set()
        self.pyodbc: str = "not loaded"

    # -- state
    def reset(self, mode: Mode, database: str, source_relations: list[Relation]) -> None:
        self.mode = mode
        self.statements = []
        catalog = Catalog(database)
        catalog.schemas.add("dbo")
        for rel in source_relations:
            catalog.add(Relation(rel.database, rel.schema, rel.identifier, rel.kind, rel.columns))
            if rel.columns:
                catalog.declared[catalog.key(rel.schema, rel.identifier)] = rel.columns
        for info in self.nodes.values():
            if info.resource_type not in ("model", "seed", "snapshot"):
                continue
            key = catalog.key(info.schema, info.identifier)
            if info.columns:
                catalog.declared[key] = info.columns
            if info.extra_columns:
                catalog.extra[key] = info.extra_columns
            # lmsx_sync models write into ODS tables, which exist before the project does.
            if mode.existing or info.materialized == "lmsx_sync":
                kind = "view" if info.materialized == "view" else "table"
                catalog.add(Relation(info.database, info.schema, info.identifier, kind, None))
        catalog.compiled_sql = self._compiled_sql
        self.catalog = catalog

    def _compiled_sql(self, key: tuple[str, str]) -> str | None:
        uid = self._owner.get(key)
        node = self.manifest.nodes.get(uid) if self.manifest is not None and uid else None
        return getattr(node, "compiled_code", None) if node is not None else None

    # -- recording
    def execute(self, connection_name: str, sql: str, bindings: Sequence[Any] | None) -> Answer:
        from dbt_common.events.contextvars import get_node_info

        node = str(get_node_info().get("unique_id") or RUN_BUCKET)
        with self.lock:
            self.statements.append(
                Statement(node, connection_name, sql, len(bindings) if bindings else 0)
            )
        answer = self.answer(sql, node)
        self.catalog.apply(sql)
        return answer

    # -- canned answers
    def answer(self, sql: str, node: str) -> Answer:
        text = _LEADING_COMMENT.sub("", sql)
        low = re.sub(r"\s+", " ", text.lower())
        cat = self.catalog
        with cat.lock:
            if "as failures" in low and "should_warn" in low and "should_error" in low:
                return Answer(
                    [("failures", int), ("should_warn", str), ("should_error", str)],
                    [(0, "false", "false")],
                )
            if "from sys.schemas" in low and "as [schema]" in low:
                return Answer([("schema", str)], [(s,) for s in sorted(cat.schemas)])
            if "as schema_exist" in low:
                m = re.search(r"name = '([^']*)'", text, re.IGNORECASE)
                exists = bool(m and m.group(1).lower() in cat.schemas)
                return Answer([("schema_exist", int)], [(int(exists),)])
            m = re.search(r"schema_id\('([^']*)'\)", text, re.IGNORECASE)
            if m and "from sys.tables" in low:
                return self._relations(m.group(1), text)
            if "from sys.columns c" in low and "as column_name" in low:
                return self._columns_in_relation(text)
            if "as needs_refresh" in low or "object_definition(" in low:
                return Answer([("definition", str), ("needs_refresh", int)])
            if "sys.sql_expression_dependencies" in low:
                return Answer([("schema_name", str), ("view_name", str)])
            if "as marker_count" in low:
                return Answer([("marker_count", int)], [(0,)])
            if "'allowsnull'" in low:
                return Answer([("allows_null", int)], [(1,)])
            if "count_big(*)" in low:
                return Answer([("count", int)], [(0,)])
            if "as major_version" in low:
                return Answer([("major_version", int)], [(16,)])
            if "dm_exec_describe_first_result_set(" in low and "is_hidden" in low:
                return self._describe(text, node, function=True)
            if "sp_describe_first_result_set" in low:
                return self._describe(text, node, function=False)
            if "dbt_internal_unit_test_actual" in low:
                return self._unit_test(text)
            if "__dbt_sbq" in low or "dbt_sbq_tmp" in low:
                inner = re.search(
                    r"\(\s*(.*)\)\s*(?:as\s+)?(?:__dbt_sbq|dbt_sbq_tmp)",
                    text,
                    re.IGNORECASE | re.DOTALL,
                )
                return self._shape(inner.group(1) if inner else text, node)
            return self._generic(text)

    def _relations(self, schema: str, text: str) -> Answer:
        cat = self.catalog
        m = re.search(r"\bt\.name = '([^']*)'", text, re.IGNORECASE)
        rows = []
        for rel in sorted(cat.relations.values(), key=lambda r: (r.kind, r.identifier.lower())):
            if rel.schema.lower() != schema.lower():
                continue
            if m and rel.identifier.lower() != m.group(1).lower():
                continue
            rows.append((cat.database or rel.database, rel.identifier, rel.schema, rel.kind))
        columns = [("database", str), ("name", str), ("schema", str), ("table_type", str)]
        return Answer(columns, rows)

    def _columns_in_relation(self, text: str) -> Answer:
        cat = self.catalog
        columns = [
            ("column_name", str),
            ("data_type", str),
            ("character_maximum_length", int),
            ("numeric_precision", int),
            ("numeric_scale", int),
        ]
        m = re.search(r"object_id\('([^']*)'\)", text, re.IGNORECASE)
        target = cat.resolve(m.group(1)) if m else None
        if target is None or cat.key(*target) not in cat.relations:
            return Answer(columns)
        rows = []
        for name, data_type in cat.columns(*target):
            base, size, precision, scale = _type_parts(data_type)
            rows.append((name, base, size, precision, scale))
        return Answer(columns, rows)

    def _node_columns(self, sql: str, node: str) -> list[tuple[str, str]]:
        cat = self.catalog
        names = _query_columns(sql, cat.sqlglot_schema())
        info = self.nodes.get(node)
        declared = dict((n.lower(), t) for n, t in info.columns) if info else {}
        if names:
            return [(n, declared.get(n.lower(), DEFAULT_COLUMN_TYPE)) for n in names]
        if info is not None:
            return cat.columns(info.schema, info.identifier)
        return []

    def _describe(self, text: str, node: str, function: bool) -> Answer:
        strings = [t.value for t in tokenize(text) if t.kind == "string"]
        query = strings[0] if strings else ""
        cols = self._node_columns(query, node)
        if function:
            columns = [
                ("is_hidden", int),
                ("name", str),
                ("system_type_name", str),
                ("error_number", int),
                ("error_message", str),
            ]
            if not cols:
                return Answer(columns, [(0, None, None, 11501, "render: columns not known")])
            return Answer(columns, [(0, n, t, None, None) for n, t in cols])
        columns = [
            ("is_hidden", int),
            ("column_ordinal", int),
            ("name", str),
            ("is_nullable", int),
            ("system_type_name", str),
        ]
        return Answer(columns, [(0, i + 1, n, 1, t) for i, (n, t) in enumerate(cols)])

    def _unit_test(self, text: str) -> Answer:
        """The actual-and-expected union of a unit test: its columns and no rows, so that
        actual and expected agree."""
        for _, body in dynamic_sql(text):
            if "dbt_internal_unit_test_actual" in body.lower():
                names = _query_columns(body, {}) or []
                return Answer([(n, str) for n in names])
        return Answer(None)

    def _shape(self, query: str, node: str) -> Answer:
        cols = self._node_columns(query, node)
        return Answer([(n, _PYTHON_TYPES.get(_type_parts(t)[0], str)) for n, t in cols])

    def _generic(self, text: str) -> Answer:
        """A select nobody anticipated: right column names when they can be read, no rows."""
        statements = [s for s in re.split(r";\s*(?=\S)", text.strip()) if s.strip()]
        last = statements[-1] if statements else ""
        head = _LEADING_COMMENT.sub("", last).lstrip().lower()
        if not head.startswith(("select", "with")):
            return Answer(None)
        names = _query_columns(last, self.catalog.sqlglot_schema()) or []
        return Answer([(n, str) for n in names])


class _Cursor:
    def __init__(self, standin: StandIn, connection: Any) -> None:
        self._standin = standin
        self._connection = connection
        self._rows: list[tuple[Any, ...]] = []
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1

    def execute(self, sql: str, *params: Any) -> _Cursor:
        bindings = (
            params[0] if len(params) == 1 and isinstance(params[0], (list, tuple)) else params
        )
        answer = self._standin.execute(str(self._connection.name), sql, bindings or None)
        if answer.columns is None:
            self.description = None
            self._rows = []
            self.rowcount = -1
        else:
            self.description = [
                (name, typ, None, None, None, None, True) for name, typ in answer.columns
            ]
            self._rows = list(answer.rows)
            self.rowcount = len(self._rows)
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def nextset(self) -> bool:
        return False

    def close(self) -> None:
        self._rows = []

    def cancel(self) -> None:
        pass


class _Handle:
    """Stands in for a pyodbc connection."""

    autocommit = True

    def __init__(self, standin: StandIn, connection: Any) -> None:
        self._standin = standin
        self._connection = connection

    def cursor(self) -> _Cursor:
        return _Cursor(self._standin, self._connection)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


@contextlib.contextmanager
def stand_in_connections(standin: StandIn) -> Iterator[None]:
    """Replace SQLServerConnectionManager.open with one that returns a recording handle."""
    from dbt.adapters.contracts.connection import ConnectionState
    from dbt.adapters.sqlserver import sqlserver_backend, sqlserver_helpers
    from dbt.adapters.sqlserver.sqlserver_auth import is_mssql_python_backend
    from dbt.adapters.sqlserver.sqlserver_connections import SQLServerConnectionManager
    from dbt.adapters.sqlserver.sqlserver_runtime import _get_pyodbc

    original = SQLServerConnectionManager.__dict__["open"]

    def open_stand_in(cls: type[SQLServerConnectionManager], connection: Any) -> Any:
        if connection.state == ConnectionState.OPEN:
            return connection
        credentials = cls.get_credentials(connection.credentials)
        # the same profile checks and connection string as a real open
        sqlserver_helpers.validate_connection_requirements(credentials)
        if is_mssql_python_backend(credentials.backend):
            sqlserver_helpers.validate_mssql_python_requirements(credentials)
            conn_str = sqlserver_backend.build_mssql_python_connection_string(credentials)
        else:
            sqlserver_helpers.validate_pyodbc_requirements(credentials)
            conn_str = sqlserver_backend.build_pyodbc_connection_string(credentials)
            if standin.pyodbc == "not loaded":
                try:
                    standin.pyodbc = str(getattr(_get_pyodbc(), "version", "loaded"))
                except Exception as exc:  # libodbc.so.2 missing, for one
                    standin.pyodbc = f"unavailable: {exc}"
        standin.connection_strings.add(
            sqlserver_helpers.sanitize_connection_string_for_logging(conn_str)
        )
        connection.handle = _Handle(standin, connection)
        connection.state = ConnectionState.OPEN
        return connection

    SQLServerConnectionManager.open = classmethod(open_stand_in)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        SQLServerConnectionManager.open = original  # type: ignore[method-assign]


# --------------------------------------------------------------------------- driver


@dataclass
class ModeResult:
    mode: str
    args: list[str]
    success: bool
    seconds: float
    statements: int
    node_status: dict[str, str]
    errors: list[str]


@dataclass
class RenderReport:
    out_dir: Path
    manifest_path: Path
    modes: list[ModeResult]
    nodes: dict[str, dict[str, Any]]
    problems: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.findings


class RenderSetupError(Exception):
    """The render could not start (no profile, dbt parse failed, ...)."""


def _node_infos(manifest: Any, project_root: Path) -> dict[str, NodeInfo]:
    infos: dict[str, NodeInfo] = {}
    collections = list(manifest.nodes.values()) + list(getattr(manifest, "unit_tests", {}).values())
    for node in collections:
        resource_type = str(getattr(node.resource_type, "value", node.resource_type))
        if resource_type not in REQUIRED_RESOURCE_TYPES:
            continue
        config = node.config
        if not getattr(config, "enabled", True):
            continue
        materialized = str(getattr(config, "materialized", "") or "")
        columns: list[tuple[str, str]] = []
        for name, col in (getattr(node, "columns", None) or {}).items():
            columns.append(
                (getattr(col, "name", None) or name, col.data_type or DEFAULT_COLUMN_TYPE)
            )
        if resource_type == "seed" and not columns:
            columns = _seed_columns(node, project_root)
        extra = _snapshot_meta_columns(config) if resource_type == "snapshot" else []
        infos[node.unique_id] = NodeInfo(
            unique_id=node.unique_id,
            resource_type=resource_type,
            database=str(getattr(node, "database", "") or ""),
            schema=str(getattr(node, "schema", "") or ""),
            identifier=str(getattr(node, "alias", None) or getattr(node, "name", "")),
            materialized=materialized,
            original_file_path=str(getattr(node, "original_file_path", "")),
            columns=columns,
            extra_columns=extra,
        )
    return infos


def _snapshot_meta_columns(config: Any) -> list[tuple[str, str]]:
    names = getattr(config, "snapshot_meta_column_names", None)

    def name(attr: str) -> str:
        return str(getattr(names, attr, None) or attr)

    columns = [
        (name("dbt_scd_id"), "varchar(32)"),
        (name("dbt_updated_at"), "datetime2(6)"),
        (name("dbt_valid_from"), "datetime2(6)"),
        (name("dbt_valid_to"), "datetime2(6)"),
    ]
    if getattr(config, "hard_deletes", None) == "new_record":
        columns.append((name("dbt_is_deleted"), "varchar(5)"))
    return columns


def _seed_columns(node: Any, project_root: Path) -> list[tuple[str, str]]:
    path = Path(getattr(node, "root_path", project_root)) / node.original_file_path
    types = dict(getattr(node.config, "column_types", {}) or {})
    try:
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline()
    except OSError:
        return []
    import csv

    names = next(csv.reader([header]), [])
    return [(n, types.get(n, DEFAULT_COLUMN_TYPE)) for n in names]


def _source_relations(manifest: Any) -> list[Relation]:
    out: list[Relation] = []
    for source in manifest.sources.values():
        columns = [
            (getattr(col, "name", None) or name, col.data_type or DEFAULT_COLUMN_TYPE)
            for name, col in (source.columns or {}).items()
        ]
        out.append(
            Relation(
                str(source.database or ""),
                str(source.schema),
                str(source.identifier),
                "table",
                columns or None,
            )
        )
    return out


def _macros_not_reached(manifest: Any, project_name: str, executed: set[str]) -> list[str]:
    """Project macros that no rendered node reaches (statically, through depends_on)."""
    reached: set[str] = set()
    stack: list[str] = []
    for uid in executed:
        node = manifest.nodes.get(uid) or getattr(manifest, "unit_tests", {}).get(uid)
        if node is not None:
            stack.extend(getattr(getattr(node, "depends_on", None), "macros", []) or [])
    while stack:
        macro_id = stack.pop()
        if macro_id in reached:
            continue
        reached.add(macro_id)
        macro = manifest.macros.get(macro_id)
        if macro is not None:
            stack.extend(macro.depends_on.macros)
    reached_names = {m.split(".")[-1] for m in reached}
    missing = []
    for macro in manifest.macros.values():
        if macro.package_name != project_name or macro.unique_id in reached:
            continue
        name = macro.name
        base = name.split("__", 1)[1] if "__" in name else name
        if base in reached_names or name == "generate_schema_name":
            continue
        missing.append(macro.unique_id)
    return sorted(missing)


def _write_captures(
    out_dir: Path, mode: Mode, statements: list[Statement], adapter_version: str
) -> dict[str, dict[str, Any]]:
    mode_dir = out_dir / mode.name
    mode_dir.mkdir(parents=True, exist_ok=True)
    by_node: dict[str, list[Statement]] = {}
    for st in statements:
        by_node.setdefault(st.node, []).append(st)
    written: dict[str, dict[str, Any]] = {}
    for node, items in by_node.items():
        lines = [f"-- {node}: statements dbt-sqlserver {adapter_version} sends (mode {mode.name})"]
        starts = []
        for number, st in enumerate(items, start=1):
            extra = f"; {st.bindings} bound parameters" if st.bindings else ""
            lines.append(f"{STATEMENT_MARKER} {number} (connection {st.connection}{extra})")
            starts.append(len(lines) + 1)
            lines.extend(st.sql.rstrip().splitlines())
        path = mode_dir / f"{node}.sql"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written[node] = {
            "file": path.relative_to(out_dir).as_posix(),
            "statements": len(items),
            "statement_lines": starts,
        }
    return written


def render(
    project_dir: Path = PROJECT_ROOT,
    out_dir: Path | None = None,
    *,
    target_path: Path | None = None,
    profiles_dir: Path | None = None,
    target: str = "sqlserver",
    modes: Sequence[str] = MODE_NAMES,
    select: Sequence[str] = (),
    command: str = "build",
    dbt_vars: str | None = None,
    quiet: bool = True,
    check: bool = False,
) -> RenderReport:
    """Render every node of the project in each mode; see the module docstring."""
    from dbt.adapters.factory import reset_adapters
    from dbt.cli.main import dbtRunner
    from dbt.version import __version__ as dbt_version

    project_dir = project_dir.resolve()
    out_dir = (out_dir or project_dir / DEFAULT_OUT_DIR).resolve()
    target_path = (target_path or project_dir / DEFAULT_TARGET_PATH).resolve()
    if command not in COMMAND_RESOURCE_TYPES:
        raise RenderSetupError(f"unsupported dbt command {command!r}")
    unknown = [m for m in modes if m not in MODE_NAMES]
    if unknown:
        raise RenderSetupError(f"unknown mode(s) {unknown}; choose from {list(MODE_NAMES)}")
    selected_modes = [m for m in MODES if m.name in modes]

    with contextlib.ExitStack() as stack:
        if profiles_dir is None:
            example = project_dir / "profiles.example.yml"
            if not example.exists():
                raise RenderSetupError(f"{example} not found; pass --profiles-dir")
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="render-profiles-")))
            shutil.copyfile(example, tmp / "profiles.yml")
            profiles_dir = tmp
            copied_profile = True
        else:
            copied_profile = False
        common = [
            "--project-dir", str(project_dir),
            "--profiles-dir", str(profiles_dir),
            "--target", target,
            "--target-path", str(target_path),
            "--log-path", str(target_path / "logs"),
            "--no-send-anonymous-usage-stats",
            "--no-use-colors",
        ]  # fmt: skip
        if quiet:
            common.append("--quiet")
        if dbt_vars:
            common += ["--vars", dbt_vars]

        parsed = dbtRunner().invoke(["parse", *common])
        if not parsed.success or parsed.result is None:
            raise RenderSetupError(
                f"dbt parse failed: {parsed.exception or 'see the dbt log above'}"
            )
        manifest = parsed.result
        project_name = next(
            (n.package_name for n in manifest.nodes.values() if n.unique_id.startswith("model.")),
            project_dir.name,
        )
        nodes = _node_infos(manifest, project_dir)
        sources = _source_relations(manifest)
        database = next((n.database for n in nodes.values() if n.database), "")
        standin = StandIn(nodes, manifest)

        from dbt.adapters.sqlserver import __version__ as sqlserver_version

        adapter_version = sqlserver_version.version
        for mode in selected_modes:
            mode_dir = out_dir / mode.name
            if mode_dir.exists():
                shutil.rmtree(mode_dir)
        results: list[ModeResult] = []
        captures: dict[str, dict[str, Any]] = {}
        executed: set[str] = set()
        for mode in selected_modes:
            args = [command, "--threads", "1"]
            if mode.full_refresh:
                args.append("--full-refresh")
            for sel in select:
                args += ["--select", sel]
            standin.reset(mode, database, sources)
            reset_adapters()
            started = time.perf_counter()
            with stand_in_connections(standin):
                outcome = dbtRunner(manifest=manifest).invoke([*args, *common])
            seconds = time.perf_counter() - started
            node_status: dict[str, str] = {}
            errors: list[str] = []
            if outcome.exception is not None:
                errors.append(f"dbt raised: {outcome.exception}")
            run_results = getattr(outcome.result, "results", None) or []
            for res in run_results:
                status = str(getattr(res.status, "value", res.status))
                node_status[res.node.unique_id] = status
                executed.add(res.node.unique_id)
                if status in ("error", "fail", "skipped", "runtime error"):
                    errors.append(f"{res.node.unique_id}: {status}: {res.message}")
            written = _write_captures(out_dir, mode, standin.statements, adapter_version)
            for uid, info in written.items():
                captures.setdefault(uid, {})[mode.name] = info
            results.append(
                ModeResult(
                    mode=mode.name,
                    args=args,
                    success=bool(outcome.success),
                    seconds=round(seconds, 3),
                    statements=len(standin.statements),
                    node_status=node_status,
                    errors=errors,
                )
            )
        reset_adapters()

    problems: list[str] = []
    for res in results:
        if not res.success:
            problems.append(f"mode {res.mode}: dbt {command} did not succeed")
        problems.extend(f"mode {res.mode}: {e}" for e in res.errors)
    required = [
        uid
        for uid, info in nodes.items()
        if info.materialized != "ephemeral"
        and info.resource_type in COMMAND_RESOURCE_TYPES[command]
        and (not select or uid in executed)
    ]
    node_entries: dict[str, dict[str, Any]] = {}
    for uid in sorted(set(required) | set(captures)):
        info = nodes.get(uid)
        entry: dict[str, Any] = {
            "resource_type": info.resource_type if info else uid.split(".")[0],
            "original_file_path": info.original_file_path if info else None,
            "materialized": info.materialized if info else None,
            "captures": captures.get(uid, {}),
            "status": {r.mode: r.node_status.get(uid) for r in results},
        }
        node_entries[uid] = entry
        if uid in required:
            for res in results:
                if not captures.get(uid, {}).get(res.mode):
                    problems.append(f"mode {res.mode}: no SQL captured for {uid}")
    not_reached = _macros_not_reached(manifest, project_name, executed)
    manifest_path = out_dir / "render-manifest.json"
    document = {
        "dbt_version": str(dbt_version),
        "dbt_sqlserver_version": adapter_version,
        "target": target,
        "dbt_common_args": [
            "<temporary copy of profiles.example.yml>"
            if copied_profile and a == str(profiles_dir)
            else a
            for a in common
        ],
        "connection_strings": sorted(standin.connection_strings),
        "pyodbc": standin.pyodbc,
        "modes": {
            r.mode: {
                "description": next(m.description for m in MODES if m.name == r.mode),
                "dbt_args": r.args,
                "success": r.success,
                "seconds": r.seconds,
                "statements": r.statements,
                "errors": r.errors,
            }
            for r in results
        },
        "nodes": node_entries,
        "project_macros_not_reached": not_reached,
        "problems": problems,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    report = RenderReport(out_dir, manifest_path, results, node_entries, problems)
    if check:
        report.findings = check_render_dir(out_dir)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.render_sqlserver",
        description="Render the T-SQL dbt-sqlserver sends for every node, offline.",
    )
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT)
    parser.add_argument(
        "--profiles-dir",
        type=Path,
        help="folder with a profiles.yml to use instead of a copy of profiles.example.yml",
    )
    parser.add_argument("--target", default="sqlserver")
    parser.add_argument("--target-path", type=Path, help=f"dbt target path ({DEFAULT_TARGET_PATH})")
    parser.add_argument("--out", type=Path, help=f"output directory ({DEFAULT_OUT_DIR})")
    parser.add_argument(
        "--mode", action="append", choices=MODE_NAMES, help="render only this mode (repeatable)"
    )
    parser.add_argument(
        "--command",
        choices=sorted(COMMAND_RESOURCE_TYPES),
        default="build",
        help="dbt command to run in each mode (build covers seeds, models, snapshots, tests)",
    )
    parser.add_argument("--select", action="append", default=[], help="dbt node selection")
    parser.add_argument("--vars", dest="dbt_vars", help="dbt --vars")
    parser.add_argument("--check", action="store_true", help="run tools.tsql_check on the output")
    parser.add_argument("-v", "--verbose", action="store_true", help="show dbt's own output")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        report = render(
            args.project_dir,
            args.out,
            target_path=args.target_path,
            profiles_dir=args.profiles_dir,
            target=args.target,
            modes=args.mode or MODE_NAMES,
            select=args.select,
            command=args.command,
            dbt_vars=args.dbt_vars,
            quiet=not args.verbose,
            check=args.check,
        )
    except RenderSetupError as exc:
        print(f"render_sqlserver: {exc}", file=sys.stderr)
        return 2
    for res in report.modes:
        state = "ok" if res.success and not res.errors else "FAILED"
        print(
            f"mode {res.mode:13} {state:6} {len(res.node_status):3} nodes "
            f"{res.statements:4} statements  {res.seconds:.1f}s",
            file=sys.stderr,
        )
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    for finding in report.findings:
        print(finding.format())
    if args.check:
        print(f"T-SQL check: {len(report.findings)} finding(s)", file=sys.stderr)
    print(
        f"output: {report.out_dir} ({time.perf_counter() - started:.1f}s in all)", file=sys.stderr
    )
    return 0 if report.ok else 1


if __name__ == "__main__":
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    sys.exit(main())
