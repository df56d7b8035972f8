"""`dbt build` over the raw tables, on DuckDB and on PostgreSQL: one build per target."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.csvtree import write_every_resource
from tests.dbhelpers import Database
from tests.ods import create_ods
from tests.scenario import dbt


@pytest.fixture
def built(database: Database, tmp_path: Path) -> Database:
    tree = tmp_path / "tree"
    write_every_resource(tree, rows=7)
    assert database.load(tree).exit_code == 0
    create_ods(database)
    dbt(database, "build")
    return database


def test_dbt_build_over_raw_tables(built: Database) -> None:
    assert built.scalar("select count(*) from lms_staging.stg_lms_raw__users") == 7
    assert built.scalar("select count(*) from lms.lmsuser") == 7
    assert built.scalar(
        "select count(*) from lms_staging.stg_lms_raw__users where file_row_number is null"
    ) == 0
    assert os.path.isdir(PROJECT_ROOT / f"target-{built.target}")
