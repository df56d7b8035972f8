"""Shared fixtures: a real PostgreSQL cluster for the session, and one database per test."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dbhelpers import Database
from tools.pgcluster import Cluster, ClusterError, start_cluster

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _postgres_optional() -> bool:
    """Only a developer may opt out of PostgreSQL tests; in CI they must run."""
    return os.environ.get("LMS_SKIP_POSTGRES") == "1" and os.environ.get("CI") != "true"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if _postgres_optional():
        pytest.skip("LMS_SKIP_POSTGRES=1")
    try:
        cluster = start_cluster({"fsync": "off", "synchronous_commit": "off"})
    except (ClusterError, OSError) as error:
        pytest.fail(f"PostgreSQL tests cannot run: {error}", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def profiles_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("profiles")
    shutil.copy(PROJECT_ROOT / "profiles.example.yml", folder / "profiles.yml")
    return folder


@pytest.fixture(params=["duckdb", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path,
             profiles_dir: Path) -> Iterator[Database]:
    """An empty database on each engine, with the environment the profile reads."""
    if request.param == "duckdb":
        env = {"LMS_DUCKDB_PATH": str(tmp_path / "edfi_lms.duckdb")}
        database = Database("duckdb", env, profiles_dir)
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        dbname = f"t_{uuid.uuid4().hex[:12]}"
        cluster.create_database(dbname)
        database = Database("postgres", cluster.env(dbname), profiles_dir)
    yield database
    database.close()
