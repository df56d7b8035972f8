"""`ingest load --target sqlserver` against a recording stand-in for pyodbc's connection.

No SQL Server runs here. ``pyodbc.connect`` is replaced by a stand-in that records every
statement, its parameters and their declared types, every commit and rollback, and keeps just
enough state (catalogue, rows, ledger, with transactions) to answer the engine's queries. The
tests check what the engine *sends*; whether SQL Server accepts it is only checked by the
T-SQL checker, not by a server.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyodbc
import pytest
import yaml
from typer.testing import CliRunner

from ingest.cli import app
from ingest.engines import sqlserver_engine
from ingest.engines.sqlserver_engine import (
    MAX_PARAMETERS,
    MAX_VALUES_ROWS,
    TEXT_PARAMETER,
    insert_rows,
    rows_per_statement,
)
from ingest.mssqlconn import SqlServerSettings
from ingest.profile import load_target
from ingest.resources import RESOURCES, RESOURCES_BY_NAME
from tests.csvtree import csv_text, sample_row, write_bytes, write_every_resource, write_resource
from tools.tsql_check import check_sql

SECRET = "Pa55-w0rd;{ch}ars"
USERS = RESOURCES_BY_NAME["users"]
USERS_HEADER = list(USERS.columns)
HEADER = ",".join(USERS_HEADER)
GOOD_ROW = ",".join(sample_row("users", 1))
BAD_NAME = "users/2026-09-02-10-00-00.csv"
RAW = "lms_raw"
LEDGER = f"{RAW}.ingest_ledger"


# --------------------------------------------------------------------------- the stand-in


@dataclass
class Sent:
    sql: str
    params: list[Any]
    sizes: list[Any] | None
    connection: int


@dataclass
class Catalogue:
    schemas: set[str] = field(default_factory=set)
    columns: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    indexes: set[str] = field(default_factory=set)


def _name(bracketed: str) -> str:
    return bracketed.replace("[", "").replace("]", "").lower()


_INSERT = re.compile(r"^insert into (\S+) \((.*?)\) values ", re.S)
_CREATE_TABLE = re.compile(r"create table (\S+) \(\n(.*)\n\)$", re.S)
_ADD_COLUMN = re.compile(r"alter table (\S+) add \[([^\]]+)\]")
_EXACT = " collate Latin1_General_100_BIN2"
_DELETE_FILE = re.compile(rf"^delete from (\S+) where \[_file_path\] = \?{_EXACT}$")
_MARK_REPLACED = re.compile(
    rf"^update (\S+) set \[status\] = N'replaced' where \[file_path\] = \?{_EXACT}$")
_DELETE_LEDGER = re.compile(
    rf"^delete from (\S+) where \[file_path\] = \?{_EXACT} and \[sha256\] = \?$")
_READ_LEDGER = re.compile(r"^select \[file_path\], \[sha256\], \[status\] from (\S+)$")


class StandInServer:
    """A catalogue with transactions, and the log of everything the engine sent."""

    def __init__(self) -> None:
        self.committed = Catalogue()
        self.log: list[Sent | str] = []
        self.connect_calls: list[tuple[str, dict[str, Any]]] = []
        self.fail: Callable[[str, list[Any]], Exception | None] = lambda _sql, _params: None
        self.lock_result = 0
        self.closed = 0

    def connect(self, connection_string: str, **kwargs: Any) -> StandInConnection:
        self.connect_calls.append((connection_string, kwargs))
        return StandInConnection(self, len(self.connect_calls))

    # -- what the tests read

    def sent(self, pattern: str = "") -> list[Sent]:
        return [e for e in self.log if isinstance(e, Sent) and re.search(pattern, e.sql, re.I)]

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.committed.rows.get(table, [])

    def ledger(self) -> list[dict[str, Any]]:
        return self.rows(LEDGER)

    def events(self) -> list[str]:
        """The log as short words: commit, rollback, or the first words of a statement."""
        words = []
        for event in self.log:
            if isinstance(event, str):
                words.append(event)
            else:
                first = " ".join(event.sql.split()[:3])
                words.append(first)
        return words


class StandInCursor:
    def __init__(self, connection: StandInConnection) -> None:
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self._rows: list[tuple[Any, ...]] = []
        self._sizes: list[Any] | None = None

    def setinputsizes(self, sizes: list[Any] | None) -> None:
        self._sizes = sizes

    def execute(self, sql: str, params: list[Any] | None = None) -> StandInCursor:
        params = list(params or [])
        server = self.connection.server
        assert sql.count("?") == len(params), "placeholders and parameters differ"
        assert len(params) <= MAX_PARAMETERS + 1, "SQL Server takes at most 2,100 parameters"
        server.log.append(Sent(sql, params, self._sizes, self.connection.number))
        failure = server.fail(sql, params)
        if failure is not None:
            raise failure
        self.description, self._rows = None, []
        result = self.connection.run(sql, params)
        if result is not None:
            names, self._rows = result
            self.description = [(name, None, None, None, None, None, True) for name in names]
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        pass


class StandInConnection:
    def __init__(self, server: StandInServer, number: int) -> None:
        self.server = server
        self.number = number
        self.timeout = 0
        self.work: Catalogue | None = None

    def cursor(self) -> StandInCursor:
        return StandInCursor(self)

    def commit(self) -> None:
        self.server.log.append("commit")
        if self.work is not None:
            self.server.committed, self.work = self.work, None

    def rollback(self) -> None:
        self.server.log.append("rollback")
        self.work = None

    def close(self) -> None:
        self.server.closed += 1

    @property
    def state(self) -> Catalogue:
        if self.work is None:
            self.work = copy.deepcopy(self.server.committed)
        return self.work

    def run(self, sql: str, params: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        """Apply a statement; return (column names, rows) for a query."""
        state = self.state
        if sql.startswith("set nocount on"):
            return None
        if "sp_getapplock" in sql:
            return ["result"], [(self.server.lock_result,)]
        if "sp_releaseapplock" in sql:
            return None
        if sql == "select schema_id(?)":
            return ["id"], [(1 if params[0] in state.schemas else None,)]
        if "information_schema.columns" in sql:
            return ["table_name", "column_name"], [
                (table.split(".")[1], column) for table, columns in state.columns.items()
                if table.split(".")[0] == params[0] for column in columns]
        if match := re.match(r"if schema_id\(N'([^']+)'\) is null exec", sql):
            state.schemas.add(match.group(1))
            return None
        if match := _CREATE_TABLE.search(sql):
            table = _name(match.group(1))
            assert table.split(".")[0] in state.schemas, "table created before its schema"
            state.columns[table] = [_name(line.split()[0]) for line in match.group(2).split("\n")]
            state.rows[table] = []
            return None
        if match := _ADD_COLUMN.search(sql):
            state.columns[_name(match.group(1))].append(match.group(2))
            return None
        if "create index" in sql:
            state.indexes.add(sql)
            return None
        return self._dml(state, sql, params)

    def _dml(self, state: Catalogue, sql: str,
             params: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        if match := _INSERT.match(sql):
            table = _name(match.group(1))
            columns = [_name(c) for c in match.group(2).split(", ")]
            assert set(columns) <= set(state.columns[table]), "insert into unknown columns"
            rows = [params[i:i + len(columns)] for i in range(0, len(params), len(columns))]
            assert len(rows) <= MAX_VALUES_ROWS
            state.rows[table] += [dict(zip(columns, row, strict=True)) for row in rows]
            return None
        if match := _DELETE_FILE.match(sql):
            table = _name(match.group(1))
            state.rows[table] = [r for r in state.rows[table] if r["_file_path"] != params[0]]
            return None
        if match := _MARK_REPLACED.match(sql):
            for row in state.rows[_name(match.group(1))]:
                if row["file_path"] == params[0]:
                    row["status"] = "replaced"
            return None
        if match := _DELETE_LEDGER.match(sql):
            table = _name(match.group(1))
            state.rows[table] = [r for r in state.rows[table]
                                 if (r["file_path"], r["sha256"]) != tuple(params)]
            return None
        if match := _READ_LEDGER.match(sql):
            return ["file_path", "sha256", "status"], [
                (r["file_path"], r["sha256"], r["status"]) for r in state.rows[LEDGER]]
        if sql.startswith("select coalesce([resource]"):
            return self._status(state)
        raise AssertionError(f"the stand-in does not know this statement: {sql[:200]}")

    @staticmethod
    def _status(state: Catalogue) -> tuple[list[str], list[tuple[Any, ...]]]:
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in state.rows[LEDGER]:
            groups.setdefault((row["resource"] or "(not in layout)", row["status"]), []).append(row)
        return ["resource", "status", "files", "rows", "last_loaded_at"], [
            (resource, status, len(rows), sum(r["row_count"] or 0 for r in rows),
             max(r["loaded_at"] for r in rows))
            for (resource, status), rows in sorted(groups.items())]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> StandInServer:
    stand_in = StandInServer()
    monkeypatch.setattr(pyodbc, "connect", stand_in.connect)
    return stand_in


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def reports(self, status: str) -> list[dict[str, Any]]:
        return [f for f in self.summary["files"] if f["status"] == status]


def ingest(profiles_dir: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    environment = {"DBT_PROFILES_DIR": str(profiles_dir), "LMS_MSSQL_PASSWORD": SECRET,
                   **(env or {})}
    result = CliRunner().invoke(app, [*args, "--target", "sqlserver"], env=environment,
                                catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def load(profiles_dir: Path, tree: Path) -> Run:
    return ingest(profiles_dir, "load", "--csvpath", str(tree), "--json")


# --------------------------------------------------------------------------- DDL and lock


def test_first_run_creates_schema_tables_and_ledger_and_later_runs_send_no_ddl(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    ddl = server.sent(r"^if ")
    assert ddl[0].sql == "if schema_id(N'lms_raw') is null exec(N'create schema [lms_raw]')"
    created = [_name(m.group(1)) for s in ddl if (m := _CREATE_TABLE.search(s.sql))]
    assert created == [f"{RAW}.{r.table}" for r in RESOURCES] + [LEDGER]
    assert any("create index" in s.sql and "[ingest_ledger]" in s.sql for s in ddl)
    users = server.committed.columns[f"{RAW}.users"]
    assert users == [*USERS.raw_columns, "_file_path", "_file_timestamp", "_scope_section_id",
                     "_scope_assignment_id", "_scope_date", "_row_number", "_extra_columns",
                     "_load_id", "_loaded_at"]
    assert "[sourcesystemidentifier] nvarchar(max)" in ddl[1].sql
    assert "[_row_number] bigint" in ddl[1].sql and "[_loaded_at] datetime2(6)" in ddl[1].sql
    assert server.committed.columns[LEDGER] == [
        "file_path", "resource", "file_timestamp", "size_bytes", "sha256", "row_count",
        "status", "reason", "load_id", "loaded_at"]

    server.log.clear()
    write_resource(tmp_path / "tree", "users", "2026-09-02-10-00-00", rows=1)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    assert server.sent(r"^if |create |alter ") == []


def test_a_column_missing_from_an_existing_table_is_added_alone(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "grades", "2026-09-01-10-00-00", rows=1)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    server.committed.columns[f"{RAW}.grades"].remove("gradetype")
    server.log.clear()
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    assert [s.sql for s in server.sent(r"^if ")] == [
        "if col_length(N'[lms_raw].[grades]', N'gradetype') is null "
        "alter table [lms_raw].[grades] add [gradetype] nvarchar(max)"]


def test_the_application_lock_comes_first_and_is_released(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    statements = server.sent()
    lock = next(i for i, s in enumerate(statements) if "sp_getapplock" in s.sql)
    first_ddl = next(i for i, s in enumerate(statements) if s.sql.startswith("if "))
    assert lock < first_ddl
    assert "@LockOwner = 'Session'" in statements[lock].sql
    assert "sp_releaseapplock" in statements[-1].sql
    assert server.closed == 1


def test_a_refused_lock_stops_the_load_with_exit_code_2(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    server.lock_result = -999
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    run = load(profiles_dir, tmp_path / "tree")
    assert run.exit_code == 2
    assert "sp_getapplock refused" in run.stderr
    assert server.sent(r"^insert ") == []


def test_everything_sent_passes_the_tsql_check(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=2)
    load(profiles_dir, tmp_path / "tree")
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=3)  # changed
    load(profiles_dir, tmp_path / "tree")
    assert ingest(profiles_dir, "status", "--json").exit_code == 0
    statements = {s.sql for s in server.sent()}
    assert len(statements) > 20
    findings = [(sql[:80], f.rule) for sql in statements for f in check_sql(sql)]
    assert findings == []


# --------------------------------------------------------------------------- batches


def test_batches_stay_under_the_parameter_limit_and_reuse_one_statement(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=500)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    inserts = server.sent(r"^insert into \[lms_raw\]\.\[users\]")
    columns = len(USERS.columns) + 8  # no extra columns: _extra_columns is left out
    per_statement = MAX_PARAMETERS // columns
    assert [len(s.params) // columns for s in inserts] == [per_statement] * 4 + [500 - 4 * 110]
    assert per_statement == 110
    assert all(len(s.params) <= MAX_PARAMETERS for s in server.sent())
    full = [s.sql for s in inserts[:4]]
    assert all(sql is full[0] for sql in full), "a full batch must reuse one string object"
    assert len(server.rows(f"{RAW}.users")) == 500


def test_text_parameters_are_declared_nvarchar_max(server: StandInServer, profiles_dir: Path,
                                                   tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=3)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    for sent in server.sent(r"^insert into "):
        assert sent.sizes is not None and len(sent.sizes) == len(sent.params)
        for value, size in zip(sent.params, sent.sizes, strict=True):
            if isinstance(value, str):
                assert size == TEXT_PARAMETER
            elif isinstance(value, (int, datetime)):
                assert size is None


def test_rows_per_statement_respects_both_limits() -> None:
    assert rows_per_statement(1) == MAX_VALUES_ROWS
    assert rows_per_statement(2) == MAX_VALUES_ROWS
    assert rows_per_statement(3) == 699
    assert rows_per_statement(19) * 19 <= MAX_PARAMETERS
    assert rows_per_statement(MAX_PARAMETERS) == 1
    with pytest.raises(ValueError):
        rows_per_statement(MAX_PARAMETERS + 1)


def test_rows_are_sent_while_the_file_is_still_being_read() -> None:
    pulled = 0

    def endless() -> Iterator[tuple[str, ...]]:
        nonlocal pulled
        while True:
            pulled += 1
            yield ("a", "b")

    class Stop(Exception):
        pass

    class FirstStatementStops:
        def setinputsizes(self, sizes: object) -> None:
            pass

        def execute(self, sql: str, params: list[Any]) -> None:
            raise Stop

    statement = sqlserver_engine._InsertStatement(
        "[s].[t]", [("a", "nvarchar(max)"), ("b", "nvarchar(max)")])
    with pytest.raises(Stop):
        insert_rows(FirstStatementStops(), statement, endless())
    assert pulled == statement.full_rows == MAX_VALUES_ROWS


# --------------------------------------------------------------------------- values


def test_values_and_provenance_are_kept_exactly(server: StandInServer, profiles_dir: Path,
                                                tmp_path: Path) -> None:
    header = ",".join([*USERS_HEADER[:3], "Nickname", *USERS_HEADER[3:], "Pronouns"])
    body = (
        "\ufeff" + header + "\r\n"
        'u1,Canvas,student,"",  padded ,,"Núñez, José","say ""hi""",2020-08-20 12:34,'
        '2020-08-20  12:34:56,"",,\r\n'
        "\r\n"
        'u2,Canvas,student,Jo,"line one\nline two",x,Zoë,z@example.org,a,b,c,d,they'
    )
    write_bytes(tmp_path / "tree", "users/2026-09-01-10-00-00.csv", body.encode("utf-8"))
    run = load(profiles_dir, tmp_path / "tree")
    assert run.exit_code == 0, run.stderr
    rows = server.rows(f"{RAW}.users")
    picked = [(r["_row_number"], r["sourcesystemidentifier"], r["localuseridentifier"],
               r["sisuseridentifier"], r["name"], r["emailaddress"], r["createdate"],
               r["lastmodifieddate"], r["sourcecreatedate"], r["sourcelastmodifieddate"])
              for r in rows]
    assert picked == [
        (1, "u1", "  padded ", None, "Núñez, José", 'say "hi"', "2020-08-20 12:34",
         "2020-08-20  12:34:56", "", None),
        (2, "u2", "line one\nline two", "x", "Zoë", "z@example.org", "a", "b", "c", "d"),
    ]
    assert [json.loads(r["_extra_columns"]) for r in rows] == [
        {"Nickname": "", "Pronouns": None}, {"Nickname": "Jo", "Pronouns": "they"}]
    first = rows[0]
    assert first["_file_path"] == "users/2026-09-01-10-00-00.csv"
    assert first["_file_timestamp"] == datetime(2026, 9, 1, 10, 0, 0)
    assert (first["_scope_section_id"], first["_scope_assignment_id"], first["_scope_date"]) == (
        None, None, None)
    assert first["_load_id"] == run.summary["load_id"]
    assert isinstance(first["_loaded_at"], datetime)


@pytest.mark.parametrize("resource, scope", [
    ("submissions", ("111", "222", None)),
    ("system-activities", (None, None, "2026-09-01")),
    ("grades", ("111", None, None)),
])
def test_scope_columns_come_from_the_path(server: StandInServer, profiles_dir: Path,
                                          tmp_path: Path, resource: str,
                                          scope: tuple[str | None, ...]) -> None:
    write_resource(tmp_path / "tree", resource, "2026-09-01-10-00-00", rows=2)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    rows = server.rows(f"{RAW}.{RESOURCES_BY_NAME[resource].table}")
    assert [(r["_scope_section_id"], r["_scope_assignment_id"], r["_scope_date"])
            for r in rows] == [scope, scope]
    assert [r["_row_number"] for r in rows] == [1, 2]


def test_columns_in_another_order_and_missing_optional_columns(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    header = ["UserRole", "SourceSystem", "SourceSystemIdentifier", "EmailAddress"]
    write_bytes(tmp_path / "tree", "users/2026-09-01-10-00-00.csv",
                csv_text(header, [["teacher", "Google", "g1", "t@example.org"]]).encode())
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    (row,) = server.rows(f"{RAW}.users")
    assert (row["sourcesystemidentifier"], row["sourcesystem"], row["userrole"],
            row["emailaddress"], row.get("name")) == ("g1", "Google", "teacher",
                                                      "t@example.org", None)
    assert "name" not in row, "a column the file lacks is left to its default (null)"


def test_header_only_file_is_an_empty_snapshot(server: StandInServer, profiles_dir: Path,
                                               tmp_path: Path) -> None:
    write_bytes(tmp_path / "tree", "users/2026-09-01-10-00-00.csv", (HEADER + "\n").encode())
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    assert server.sent(r"^insert into \[lms_raw\]\.\[users\]") == []
    (entry,) = server.ledger()
    assert (entry["status"], entry["row_count"]) == ("loaded", 0)


# --------------------------------------------------------------------------- transactions


def _file_transactions(server: StandInServer) -> list[list[str]]:
    """The statements between commits/rollbacks, as (first words) lists, after the DDL."""
    groups: list[list[str]] = [[]]
    for word in server.events():
        if word in ("commit", "rollback"):
            groups[-1].append(word)
            groups.append([])
        else:
            groups[-1].append(word)
    return [g for g in groups if any(w.startswith("insert into") for w in g)]


def test_a_files_rows_and_its_ledger_row_commit_together(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=200)
    write_resource(tmp_path / "tree", "users", "2026-09-02-10-00-00", rows=3)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    (transaction,) = _file_transactions(server)
    raw = [i for i, s in enumerate(server.sent(r"^insert into")) if "[users]" in s.sql]
    ledger = [i for i, s in enumerate(server.sent(r"^insert into")) if "[ingest_ledger]" in s.sql]
    assert len(raw) == 3 and len(ledger) == 1 and max(raw) < ledger[0]
    assert transaction[-1] == "commit"
    assert transaction.count("commit") == 1 and "rollback" not in transaction
    entries = {e["file_path"]: e for e in server.ledger()}
    assert entries["users/2026-09-01-10-00-00.csv"]["row_count"] == 200
    assert entries["users/2026-09-02-10-00-00.csv"]["status"] == "loaded"


def _truncated(sql: str, params: list[Any]) -> Exception | None:
    if "[users]" in sql and "poison" in params:
        return pyodbc.DataError(
            "22001", "[22001] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]String or "
            "binary data would be truncated in table 'lms_raw.users'. (2628) (SQLExecDirectW)")
    return None


def test_a_file_the_server_refuses_is_rolled_back_and_isolated(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for day in range(1, 6):
        write_resource(tree, "users", f"2026-09-0{day}-10-00-00", rows=2, first_index=day * 10)
    write_bytes(tree, "users/2026-09-03-10-00-00.csv",
                csv_text(USERS_HEADER, [sample_row("users", 1)[:5] + ["poison"] +
                                        sample_row("users", 1)[6:]]).encode())
    server.fail = _truncated
    run = load(profiles_dir, tree)
    assert run.exit_code == 1
    (rejected,) = run.reports("rejected")
    assert rejected["path"] == "users/2026-09-03-10-00-00.csv"
    assert rejected["reason"] == ("users/2026-09-03-10-00-00.csv: String or binary data would "
                                  "be truncated in table 'lms_raw.users'.")
    assert "rollback" in server.events()
    committed = {r["_file_path"] for r in server.rows(f"{RAW}.users")}
    assert committed == {f"users/2026-09-0{d}-10-00-00.csv" for d in (1, 2, 4, 5)}
    statuses = sorted((e["file_path"][6:16], e["status"]) for e in server.ledger())
    assert statuses == [("2026-09-01", "loaded"), ("2026-09-02", "loaded"),
                        ("2026-09-03", "rejected"), ("2026-09-04", "loaded"),
                        ("2026-09-05", "loaded")]


CASES = {
    "too few fields": (
        f"{HEADER}\n{GOOD_ROW}\nu2,Canvas,student\n".encode(),
        r"line 3, column 4 \(LocalUserIdentifier\): expected 11 fields, found 3"),
    "too many fields": (
        f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW},surplus\n".encode(),
        r"line 3, column 12: expected 11 fields, found 12"),
    "bytes that are not UTF-8": (
        f"{HEADER}\n{GOOD_ROW}\n".encode() + b"u2,Canvas,student,x,y,N\xe9e,e,a,b,c,d\n",
        r"line 3, column 6 \(Name\), character 24: bytes are not valid UTF-8 \(b'\\xe9'\)"),
    "unterminated quote": (
        f'{HEADER}\n{GOOD_ROW}\nu2,Canvas,student,"never closed,y,n,e,a,b,c,d\n'.encode(),
        r"line 3: quoted value is not terminated \(the file ends inside quotes\)"),
    "NUL character": (
        f"{HEADER}\n{GOOD_ROW}\nu2,Canvas,student,x\x00,y,n,e,a,b,c,d\n".encode(),
        r"line 3: contains a NUL byte"),
    "text after a closing quote": (
        f'{HEADER}\n{GOOD_ROW}\nu2,Canvas,student,"a"b,y,n,e,a,b,c,d\n'.encode(),
        r"line 3: ',' expected after '\"'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_is_rejected_alone_with_the_same_message_as_other_engines(
        server: StandInServer, profiles_dir: Path, tmp_path: Path, case: str) -> None:
    content, expected = CASES[case]
    tree = tmp_path / "tree"
    write_resource(tree, "users", "2026-09-01-10-00-00", rows=3)
    write_bytes(tree, BAD_NAME, content)
    write_resource(tree, "users", "2026-09-03-10-00-00", rows=4, first_index=10)
    write_resource(tree, "sections", "2026-09-02-10-00-00", rows=2)
    run = load(profiles_dir, tree)
    assert run.exit_code == 1
    (rejected,) = run.reports("rejected")
    assert rejected["path"] == BAD_NAME
    assert re.fullmatch(re.escape(BAD_NAME) + ": " + expected, rejected["reason"]), \
        rejected["reason"]
    counts: dict[str, int] = {}
    for row in server.rows(f"{RAW}.users"):
        counts[row["_file_path"]] = counts.get(row["_file_path"], 0) + 1
    assert counts == {"users/2026-09-01-10-00-00.csv": 3, "users/2026-09-03-10-00-00.csv": 4}
    assert len(server.rows(f"{RAW}.sections")) == 2
    (entry,) = [e for e in server.ledger() if e["file_path"] == BAD_NAME]
    assert entry["status"] == "rejected" and re.search(expected, entry["reason"])
    assert "rollback" in server.events()

    write_resource(tree, "users", "2026-09-02-10-00-00", rows=5, first_index=20)
    fixed = load(profiles_dir, tree)
    assert fixed.exit_code == 0
    assert fixed.summary["resources"]["users"]["loaded"] == 1
    assert sorted(e["status"] for e in server.ledger() if e["file_path"] == BAD_NAME) == [
        "loaded", "rejected"]  # the rejected content keeps its row, as on the other engines
    assert len([r for r in server.rows(f"{RAW}.users") if r["_file_path"] == BAD_NAME]) == 5


def test_a_lost_connection_stops_the_load_with_exit_code_2(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=2)
    write_resource(tmp_path / "tree", "sections", "2026-09-01-10-00-00", rows=2)

    def drop(sql: str, _params: list[Any]) -> Exception | None:
        if sql.startswith("insert into [lms_raw].[sections]"):
            return pyodbc.OperationalError(
                "08S01", "[08S01] [Microsoft][ODBC Driver 18 for SQL Server]Communication link "
                "failure (0) (SQLExecDirectW)")
        return None

    server.fail = drop
    run = load(profiles_dir, tmp_path / "tree")
    assert run.exit_code == 2
    assert "lost the connection: Communication link failure" in run.stderr
    assert not [e for e in server.ledger() if e["status"] == "rejected"]


# --------------------------------------------------------------------------- re-runs


def test_a_second_run_skips_what_the_ledger_has(server: StandInServer, profiles_dir: Path,
                                                tmp_path: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=2)
    assert load(profiles_dir, tmp_path / "tree").exit_code == 0
    server.log.clear()
    run = load(profiles_dir, tmp_path / "tree")
    assert run.exit_code == 0
    assert server.sent(r"^(insert|delete|update) ") == []
    assert server.sent(r"^select \[file_path\], \[sha256\], \[status\]")
    assert all(entry["skipped"] == 1 and entry["loaded"] == 0
               for entry in run.summary["resources"].values())


def test_a_changed_file_replaces_its_earlier_rows_in_one_transaction(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_resource(tree, "users", "2026-09-01-10-00-00", rows=3)
    write_resource(tree, "users", "2026-09-02-10-00-00", rows=2, first_index=50)
    assert load(profiles_dir, tree).exit_code == 0
    server.log.clear()
    write_resource(tree, "users", "2026-09-01-10-00-00", rows=5, first_index=100)
    run = load(profiles_dir, tree)
    assert run.exit_code == 0
    assert run.summary["resources"]["users"]["replaced"] == 1
    (transaction,) = _file_transactions(server)
    assert transaction[:2] == ["delete from [lms_raw].[users]",
                                "update [lms_raw].[ingest_ledger] set"]
    assert transaction[-1] == "commit"
    (delete,) = server.sent(r"^delete from \[lms_raw\]\.\[users\]")
    assert delete.params == ["users/2026-09-01-10-00-00.csv"]
    ids = sorted(r["sourcesystemidentifier"] for r in server.rows(f"{RAW}.users")
                 if r["_file_path"] == "users/2026-09-01-10-00-00.csv")
    assert ids == [f"use-{i}" for i in range(100, 105)]
    assert len(server.rows(f"{RAW}.users")) == 7
    statuses = sorted(e["status"] for e in server.ledger()
                      if e["file_path"] == "users/2026-09-01-10-00-00.csv")
    assert statuses == ["loaded", "replaced"]


def test_status_reads_the_ledger(server: StandInServer, profiles_dir: Path,
                                 tmp_path: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=2)
    load(profiles_dir, tmp_path / "tree")
    run = ingest(profiles_dir, "status", "--json")
    assert run.exit_code == 0
    rows = {(r["resource"], r["status"]): (r["files"], r["rows"]) for r in json.loads(run.stdout)}
    assert rows[("users", "loaded")] == (1, 2)
    assert len(rows) == len(RESOURCES)


# --------------------------------------------------------------------------- connection


def test_connection_string_comes_from_the_profile(server: StandInServer, profiles_dir: Path,
                                                  tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    env = {"LMS_MSSQL_SERVER": "ods.example.org", "LMS_MSSQL_PORT": "14330",
           "LMS_MSSQL_DBNAME": "EdFi_Ods_2026", "LMS_MSSQL_USER": "lms_loader",
           "LMS_MSSQL_TRUST_CERT": "yes"}
    assert ingest(profiles_dir, "load", "--csvpath", str(tmp_path / "tree"),
                  env=env).exit_code == 0
    ((connection_string, options),) = server.connect_calls
    assert connection_string == (
        "DRIVER={ODBC Driver 18 for SQL Server};SERVER={ods.example.org,14330};"
        "Database={EdFi_Ods_2026};UID={lms_loader};PWD={Pa55-w0rd;{ch}}ars};Encrypt=Yes;"
        "TrustServerCertificate=Yes;APP={edfi_lms ingest}")
    assert options["autocommit"] is False


def test_windows_login_uses_integrated_security_without_user_or_password(
        server: StandInServer, profiles_dir: Path, tmp_path: Path) -> None:
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    env = {"LMS_MSSQL_WINDOWS_LOGIN": "True", "LMS_MSSQL_SERVER": r"ods\SQLEXPRESS"}
    assert ingest(profiles_dir, "load", "--csvpath", str(tmp_path / "tree"),
                  env=env).exit_code == 0
    ((connection_string, _options),) = server.connect_calls
    assert "Trusted_Connection=yes" in connection_string
    assert "SERVER={ods\\SQLEXPRESS};" in connection_string
    assert "UID=" not in connection_string and "PWD=" not in connection_string


@pytest.mark.parametrize("windows_login", ["false", "true"])
def test_dbt_and_ingest_read_the_same_profile_keys(monkeypatch: pytest.MonkeyPatch,
                                                   profiles_dir: Path,
                                                   windows_login: str) -> None:
    from dbt.adapters.sqlserver.sqlserver_credentials import SQLServerCredentials
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    monkeypatch.setenv("LMS_MSSQL_WINDOWS_LOGIN", windows_login)
    monkeypatch.setenv("LMS_MSSQL_PASSWORD", SECRET)
    profile = yaml.safe_load((profiles_dir / "profiles.yml").read_text())
    set_invocation_context(dict(os.environ))
    rendered = ProfileRenderer({}).render_data(profile["edfi_lms"]["outputs"]["sqlserver"])
    credentials = SQLServerCredentials.from_dict(
        SQLServerCredentials.translate_aliases(dict(rendered)))
    ours = SqlServerSettings.from_profile(load_target(profiles_dir, "sqlserver").settings)
    expected = windows_login == "true"
    assert credentials.windows_login is expected and ours.windows_login is expected
    assert (ours.host, ours.port, ours.database, ours.user, ours.password, ours.driver,
            ours.encrypt, ours.trust_cert) == (
        credentials.host, credentials.port, credentials.database, credentials.UID,
        credentials.PWD, credentials.driver, credentials.encrypt, credentials.trust_cert)


def test_password_is_never_printed(server: StandInServer, profiles_dir: Path,
                                   tmp_path: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=1)
    write_bytes(tmp_path / "tree", BAD_NAME, CASES["too few fields"][0])
    run = load(profiles_dir, tmp_path / "tree")
    assert run.exit_code == 1
    assert SECRET in server.connect_calls[0][0].replace("}}", "}")  # it was used ...
    assert SECRET not in run.stdout + run.stderr  # ... and never shown
    assert SECRET not in repr(SqlServerSettings.from_profile({
        "host": "h", "database": "d", "password": SECRET}))
    assert all(SECRET not in str(e.params) for e in server.sent())


def test_connection_failure_exits_2_without_the_password(monkeypatch: pytest.MonkeyPatch,
                                                         profiles_dir: Path,
                                                         tmp_path: Path) -> None:
    def refuse(connection_string: str, **_kwargs: Any) -> None:
        raise pyodbc.OperationalError(
            "28000", f"[28000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Login "
            f"failed for user 'sa' with password {SECRET}. (18456) (SQLDriverConnect)")

    monkeypatch.setattr(pyodbc, "connect", refuse)
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    run = load(profiles_dir, tmp_path / "tree")
    assert run.exit_code == 2
    assert ("cannot connect to SQL Server localhost,1433, database EdFi_Ods: Login failed for "
            "user 'sa'") in " ".join(run.stderr.split())
    assert SECRET not in run.stdout + run.stderr


def test_missing_odbc_driver_exits_2_through_the_real_pyodbc(profiles_dir: Path,
                                                             tmp_path: Path) -> None:
    """No stand-in: unixODBC is asked for a driver that an empty odbcinst.ini lacks."""
    (tmp_path / "odbc").mkdir()
    (tmp_path / "odbc" / "odbcinst.ini").write_text("")
    write_resource(tmp_path / "tree", "users", "2026-09-01-10-00-00", rows=1)
    run = ingest(profiles_dir, "load", "--csvpath", str(tmp_path / "tree"),
                 env={"ODBCSYSINI": str(tmp_path / "odbc"), "ODBCINSTINI": "odbcinst.ini"})
    assert run.exit_code == 2
    message = " ".join(run.stderr.split())
    assert "ODBC driver 'ODBC Driver 18 for SQL Server' is not installed" in message
    assert SECRET not in run.stdout + run.stderr


# --------------------------------------------------------------------------- engines agree

PROVENANCE = ["_file_path", "_file_timestamp", "_scope_section_id", "_scope_assignment_id",
              "_scope_date", "_row_number", "_extra_columns"]
QUIRKY_USERS = (
    "\ufeffSourceSystemIdentifier,SourceSystem,UserRole,Name,EmailAddress,Shoe Size\r\n"
    'u1,Canvas,student," José ",,42\r\n'
    'u2,Canvas,student,"multi\nline","",\r\n'
    "u3,Canvas,teacher,Zoë,z@example.org,9"
)
SAMPLE_OUT = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "sample-out"


def _comparable(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with the extra-columns JSON parsed (its spacing differs between engines)."""
    parsed = [(*row[:-1], None if row[-1] is None else json.loads(row[-1])) for row in rows]
    return sorted(parsed, key=lambda row: tuple("" if v is None else str(v) for v in row))


@pytest.mark.parametrize("tree_kind", ["generated", "extractor sample"])
def test_the_stand_in_receives_the_rows_duckdb_loads(server: StandInServer, profiles_dir: Path,
                                                     tmp_path: Path, tree_kind: str) -> None:
    from datetime import date

    from ingest.sample import generate_tree
    from tests.dbhelpers import Database

    tree = tmp_path / "tree"
    if tree_kind == "generated":
        generate_tree(tree, seed=7, days=2, students=8, sections=2,
                      assignments_per_section=2, start=date(2026, 9, 1))
        write_bytes(tree, "users/2026-09-09-10-00-00.csv", QUIRKY_USERS.encode("utf-8"))
    elif SAMPLE_OUT.is_dir():
        tree = SAMPLE_OUT
    else:
        pytest.skip(f"{SAMPLE_OUT} is not here")
    duck = Database("duckdb", {"LMS_DUCKDB_PATH": str(tmp_path / "a.duckdb")}, profiles_dir)
    try:
        duck_run = duck.load(tree)
        run = load(profiles_dir, tree)
        assert (run.exit_code, run.summary["resources"]) == (
            duck_run.exit_code, duck_run.summary["resources"])
        compared = 0
        for resource in RESOURCES:
            columns = [*resource.raw_columns, *PROVENANCE]
            ours = [tuple(row.get(c) for c in columns)
                    for row in server.rows(f"{RAW}.{resource.table}")]
            theirs = duck.query(f"select {', '.join(columns)} from lms_raw.{resource.table}")
            assert _comparable(ours) == _comparable(theirs), resource.table
            compared += len(ours)
        assert compared > 0
    finally:
        duck.close()
