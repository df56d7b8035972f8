"""Build extractor trees row by row, run ingest and dbt on them, and read the lms tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from ingest.resources import RESOURCES_BY_NAME
from tests.conftest import PROJECT_ROOT
from tests.csvtree import csv_text, write_bytes
from tests.dbhelpers import Database

DBT = str(Path(sys.executable).with_name("dbt"))

LMS_TABLES = ("lmsuser", "lmssection", "lmsuserlmssectionassociation", "assignment",
              "assignmentsubmissiontype", "assignmentsubmission", "lmsuserattendanceevent",
              "lmssectionactivity", "lmssystemactivity", "lmsgrade")


def write_snapshot(root: Path, folder: str, timestamp: str, resource: str,
                   rows: list[dict[str, str]]) -> None:
    """One snapshot file; unspecified columns are empty, SourceSystem defaults to Canvas."""
    columns = list(RESOURCES_BY_NAME[resource].columns)
    values = [[{"SourceSystem": "Canvas", **row}.get(column, "") for column in columns]
              for row in rows]
    write_bytes(root, f"{folder}/{timestamp}.csv", csv_text(columns, values).encode())


def dbt(database: Database, *arguments: str) -> subprocess.CompletedProcess:
    env = {**database.subprocess_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [DBT, *arguments, "--project-dir", str(PROJECT_ROOT), "--profiles-dir",
         str(database.profiles_dir), "--target", database.target, "--target-path",
         str(PROJECT_ROOT / f"target-{database.target}"), "--log-path",
         str(PROJECT_ROOT / "logs")],
        env=env, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result


def load_and_build(database: Database, root: Path, *dbt_arguments: str) -> None:
    loaded = database.load(root)
    assert loaded.exit_code == 0, loaded.stderr
    database.close()
    dbt(database, "build", *dbt_arguments)


def normalise(value: Any) -> Any:
    """Values compared across engines: decimals and dates as text."""
    if value is None or isinstance(value, (str, int)):
        return value
    return str(value)


def read_table(database: Database, relation: str) -> list[tuple[Any, ...]]:
    rows = database.query(f"select * from {relation}")
    database.close()
    return sorted((tuple(normalise(v) for v in row) for row in rows),
                  key=lambda row: tuple("" if v is None else str(v) for v in row))


def read_keyed(database: Database, table: str, columns: str) -> dict[str, tuple[Any, ...]]:
    """lms.<table> keyed by sourcesystem/sourcesystemidentifier."""
    rows = database.query(
        f"select sourcesystem, sourcesystemidentifier, {columns} from lms.{table}")
    database.close()
    return {f"{row[0]}/{row[1]}": tuple(normalise(v) for v in row[2:]) for row in rows}


def scenario_database(request: Any, engine: str, name: str) -> Database:
    """A fresh database for a scenario built once per test session."""
    profiles_dir = request.getfixturevalue("profiles_dir")
    if engine == "duckdb":
        folder = request.getfixturevalue("tmp_path_factory").mktemp(f"{name}-duckdb")
        return Database("duckdb", {"LMS_DUCKDB_PATH": str(folder / "edfi_lms.duckdb")},
                        profiles_dir)
    cluster = request.getfixturevalue("pg_cluster")
    cluster.create_database(name)
    return Database("postgres", cluster.env(name), profiles_dir)
