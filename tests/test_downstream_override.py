"""A district's dbt project installs this package from `local:` and overrides Canvas user
matching; the package's link table must use the override, on DuckDB and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.dbhelpers import Database
from tests.ods import create_ods
from tests.scenario import write_snapshot

DOWNSTREAM = PROJECT_ROOT / "tests" / "downstream_project"
DBT = str(Path(sys.executable).with_name("dbt"))


def run_dbt(database: Database, project: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = {**database.subprocess_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [DBT, *arguments, "--project-dir", str(project), "--profiles-dir",
         str(database.profiles_dir), "--target", database.target],
        env=env, capture_output=True, text=True, check=False, cwd=project)


def test_district_override_is_used_by_the_package(database: Database, tmp_path: Path) -> None:
    project = tmp_path / "district"
    shutil.copytree(DOWNSTREAM, project, ignore=shutil.ignore_patterns(
        "dbt_packages", "target", "logs", "package-lock.yml"))
    (project / "packages.yml").write_text(f"packages:\n  - local: {PROJECT_ROOT}\n")
    tree = tmp_path / "tree"
    write_snapshot(tree, "users", "2026-09-01-10-00-00", "users", [
        {"SourceSystemIdentifier": "c1", "UserRole": "student", "SISUserIdentifier": "1001",
         "LocalUserIdentifier": "1003"},
        {"SourceSystemIdentifier": "c2", "UserRole": "student", "SISUserIdentifier": "1003",
         "LocalUserIdentifier": "1001"}])
    assert database.load(tree).exit_code == 0
    create_ods(database, students=[(1, "1001"), (2, "1002"), (3, "1003")])

    deps = run_dbt(database, project, "deps")
    assert deps.returncode == 0, deps.stdout + deps.stderr
    build = run_dbt(database, project, "build", "--exclude", "district_bad_overrides")
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr[-2000:]

    links = dict(((row[0], row[1]), row[2:]) for row in database.query(
        "select sourcesystem, sourcesystemidentifier, studentuniqueid, matchrule "
        "from lms.lmsuser_student_link"))
    assert links == {
        ("Canvas", "c1"): ("1003", "Canvas: localuseridentifier = studentuniqueid"),
        ("Canvas", "c2"): ("1002", "manual"),
    }
    database.close()

    bad = run_dbt(database, project, "build", "--select", "district_bad_overrides",
                  "--store-failures")
    assert bad.returncode != 0
    assert "exists_in_ods_student" in bad.stdout
    stored = re.search(r"select \* from (\S+)", bad.stdout)
    assert stored, bad.stdout[-3000:]
    assert database.query(f"select sourcesystemidentifier, studentuniqueid from {stored[1]}") \
        == [("g9", "NO-SUCH-STUDENT")]


@pytest.fixture(autouse=True)
def _keep_project_clean() -> None:
    """dbt deps writes into the project it runs in; the tests run in a copy."""
    assert not (DOWNSTREAM / "dbt_packages").exists()
