"""`dbt build` over the raw tables, on DuckDB and on PostgreSQL: one build per target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.csvtree import write_every_resource
from tests.dbhelpers import Database

DBT = str(Path(sys.executable).with_name("dbt"))


def dbt(database: Database, *arguments: str) -> subprocess.CompletedProcess:
    env = {**database.subprocess_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [DBT, *arguments, "--project-dir", str(PROJECT_ROOT), "--profiles-dir",
         str(database.profiles_dir), "--target", database.target, "--target-path",
         str(PROJECT_ROOT / f"target-{database.target}"), "--log-path",
         str(PROJECT_ROOT / "logs")],
        env=env, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT)


@pytest.fixture
def built(database: Database, tmp_path: Path) -> Database:
    tree = tmp_path / "tree"
    write_every_resource(tree, rows=7)
    assert database.load(tree).exit_code == 0
    database.close()
    result = dbt(database, "build")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return database


def test_dbt_build_over_raw_tables(built: Database) -> None:
    assert built.scalar("select count(*) from lms_staging.stg_lms_raw__users") == 7
    assert built.scalar(
        "select count(*) from lms_staging.stg_lms_raw__users where file_row_number is null"
    ) == 0
    assert os.path.isdir(PROJECT_ROOT / f"target-{built.target}")
