"""The command line as a user meets it: profiles, exit codes, JSON, secrets, real samples."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from tests.conftest import PROJECT_ROOT
from tests.csvtree import count_csv_rows, write_every_resource
from tests.dbhelpers import Database

SAMPLE_OUT = Path(os.environ.get(
    "LMS_SAMPLE_OUT", PROJECT_ROOT.parent / "shared" / "fixtures" / "sample-out"))


def test_profile_is_found_through_dbt_profiles_dir(tmp_path: Path, profiles_dir: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=1)
    env = {"DBT_PROFILES_DIR": str(profiles_dir),
           "LMS_DUCKDB_PATH": str(tmp_path / "via-env.duckdb")}
    result = CliRunner().invoke(app, ["load", "--csvpath", str(tmp_path / "tree")], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "via-env.duckdb").exists()


def test_profiles_dir_option_wins_over_the_environment(tmp_path: Path,
                                                       profiles_dir: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=1)
    env = {"DBT_PROFILES_DIR": str(tmp_path / "nowhere"),
           "LMS_DUCKDB_PATH": str(tmp_path / "x.duckdb")}
    result = CliRunner().invoke(app, ["load", "--csvpath", str(tmp_path / "tree"),
                                      "--profiles-dir", str(profiles_dir)], env=env)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("arguments, message", [
    (["--profiles-dir", "{empty}"], "no profiles.yml found"),
    (["--target", "oracle"], "has no target 'oracle'"),
    (["--target", "postgres"], "cannot connect to PostgreSQL"),
])
def test_configuration_and_connection_errors_exit_2(tmp_path: Path, profiles_dir: Path,
                                                    arguments: list[str], message: str) -> None:
    write_every_resource(tmp_path / "tree", rows=1)
    (tmp_path / "empty").mkdir()
    arguments = [a.replace("{empty}", str(tmp_path / "empty")) for a in arguments]
    env = {"DBT_PROFILES_DIR": str(profiles_dir), "LMS_PG_HOST": "127.0.0.1",
           "LMS_PG_PORT": "1", "LMS_PG_PASSWORD": "hunter2-secret"}
    result = CliRunner().invoke(app, ["load", "--csvpath", str(tmp_path / "tree"), *arguments],
                                env=env)
    assert result.exit_code == 2
    assert message in result.stderr.replace("\n", " ")
    assert "hunter2-secret" not in result.output + result.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["load", "--csvpath", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_password_never_printed(database: Database, tmp_path: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=1)
    secret = "s3cret-Pa55word"
    result = database.ingest("load", "--csvpath", str(tmp_path / "tree"), "--json",
                             extra_env={"LMS_PG_PASSWORD": secret})
    assert result.exit_code == 0
    assert secret not in result.stdout + result.stderr


def test_json_goes_to_stdout_and_progress_stays_off_without_a_terminal(
        database: Database, tmp_path: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=2)
    process = subprocess.run(
        [sys.executable, "-m", "ingest", "load", "--csvpath", str(tmp_path / "tree"), "--json",
         "--target", database.target], env=database.subprocess_env(), capture_output=True,
        text=True, check=False)
    assert process.returncode == 0, process.stderr
    summary = json.loads(process.stdout)
    assert summary["resources"]["users"]["rows"] == 2
    assert "\r" not in process.stderr
    assert "users" in process.stderr


def test_console_script_is_installed() -> None:
    script = shutil.which("ingest", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "load" in result.stdout and "status" in result.stdout


@pytest.mark.skipif(not SAMPLE_OUT.is_dir(), reason="the extractor's sample tree is not here")
def test_real_extractor_sample_tree(database: Database) -> None:
    csv_files = sorted(SAMPLE_OUT.rglob("*.csv"))
    expected = {p.relative_to(SAMPLE_OUT).as_posix(): count_csv_rows(p) for p in csv_files}
    assert len(expected) == 21

    first = database.load(SAMPLE_OUT)
    assert first.exit_code == 0, first.stderr
    loaded = {f["path"] for f in first.summary["files"]}
    assert loaded == set(expected)
    tables = [r[0] for r in database.query(
        "select distinct resource from lms_raw.ingest_ledger")]
    counts: dict[str, int] = {}
    for resource in tables:
        table = resource.replace("-", "_")
        counts.update(database.query(
            f"select _file_path, count(*) from lms_raw.{table} group by _file_path"))
    assert counts == {path: rows for path, rows in expected.items() if rows}
    assert database.scalar(
        "select count(*) from lms_raw.ingest_ledger where status = 'loaded'") == 21
    assert database.scalar(
        "select sum(row_count) from lms_raw.ingest_ledger") == sum(expected.values())

    second = database.load(SAMPLE_OUT)
    assert second.exit_code == 0
    assert sum(entry["loaded"] for entry in second.summary["resources"].values()) == 0
    assert database.scalar("select count(*) from lms_raw.users") == expected_rows(
        expected, "users/")


def expected_rows(expected: dict[str, int], prefix: str) -> int:
    return sum(rows for path, rows in expected.items() if path.startswith(prefix))


def test_duckdb_file_named_like_a_schema_is_refused(tmp_path: Path, profiles_dir: Path) -> None:
    write_every_resource(tmp_path / "tree", rows=1)
    env = {"DBT_PROFILES_DIR": str(profiles_dir), "LMS_DUCKDB_PATH": str(tmp_path / "lms.duckdb")}
    result = CliRunner().invoke(app, ["load", "--csvpath", str(tmp_path / "tree")], env=env)
    assert result.exit_code == 2
    assert "named like a schema" in result.stderr.replace("\n", " ")
    assert not (tmp_path / "lms.duckdb").exists()
