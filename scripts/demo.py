"""The demo: sample extractor files -> ingest load -> dbt build, in one DuckDB file under .demo/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO = PROJECT_ROOT / ".demo"
BIN = Path(sys.executable).parent


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, cwd=PROJECT_ROOT, check=False)
    if result.returncode not in (0,):
        raise SystemExit(f"demo stopped: {' '.join(command[:2])} exited {result.returncode}")


def main() -> None:
    shutil.rmtree(DEMO, ignore_errors=True)
    DEMO.mkdir()
    shutil.copy(PROJECT_ROOT / "profiles.example.yml", DEMO / "profiles.yml")
    database = DEMO / "edfi_lms.duckdb"
    env = {**os.environ, "DBT_PROFILES_DIR": str(DEMO), "LMS_DUCKDB_PATH": str(database),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}

    sample = ["--students", "60", "--sections", "8"]
    step("generate sample extractor files (Canvas, Schoology, Google; 3 days)")
    run([str(BIN / "ingest"), "sample", "--out", str(DEMO / "data"), "--days", "3", *sample],
        env)

    step("ingest demo-ods: a sample Ed-Fi ODS with the same students and sections")
    run([str(BIN / "ingest"), "demo-ods", *sample], env)

    step("ingest load --csvpath .demo/data")
    run([str(BIN / "ingest"), "load", "--csvpath", str(DEMO / "data")], env)

    step("dbt build")
    run([str(BIN / "dbt"), "build", "--target-path", "target-duckdb", "--log-path",
         str(DEMO / "logs"), "--quiet"], env)

    step("ingest exceptions --out .demo/exceptions")
    run([str(BIN / "ingest"), "exceptions", "--out", str(DEMO / "exceptions")], env)

    step("summary")
    connection = duckdb.connect(str(database), read_only=True)
    tables = connection.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('lms', 'lmsx') "
        "order by 1, 2").fetchall()
    for schema, table in tables:
        count = connection.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        print(f"{schema}.{table:<40} {count:>8} rows")
    connection.close()
    print(f"\nDuckDB file: {database.relative_to(PROJECT_ROOT)}  "
          f"(profiles: {DEMO.relative_to(PROJECT_ROOT)}/profiles.yml)")


if __name__ == "__main__":
    main()
