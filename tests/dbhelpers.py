"""Run ingest against a test database and read what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ingest.cli import app


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@dataclass
class Database:
    target: str
    env: dict[str, str]
    profiles_dir: Path
    _connection: Any = field(default=None, repr=False)

    def ingest(self, *args: str, extra_env: dict[str, str] | None = None) -> Result:
        """Run `ingest` in-process, as a user would call it, with this database's profile."""
        self.close()
        env = {**self.env, "DBT_PROFILES_DIR": str(self.profiles_dir), **(extra_env or {})}
        runner = CliRunner()
        result = runner.invoke(app, [*args, "--target", self.target], env=env,
                               catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    def load(self, root: Path) -> Result:
        return self.ingest("load", "--csvpath", str(root), "--json")

    def subprocess_env(self) -> dict[str, str]:
        return {**os.environ, **self.env, "DBT_PROFILES_DIR": str(self.profiles_dir)}

    def ingest_process(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "ingest", *args, "--target", self.target],
            env=self.subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def _connect(self) -> Any:
        if self._connection is None:
            if self.target == "duckdb":
                import duckdb

                self._connection = duckdb.connect(self.env["LMS_DUCKDB_PATH"])
            else:
                import psycopg

                self._connection = psycopg.connect(
                    host=self.env["LMS_PG_HOST"], port=int(self.env["LMS_PG_PORT"]),
                    user=self.env["LMS_PG_USER"], dbname=self.env["LMS_PG_DBNAME"],
                    autocommit=True)
        return self._connection

    def query(self, statement: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._connect().execute(statement).fetchall()]

    def query_no_result(self, statement: str) -> None:
        self._connect().execute(statement)

    def scalar(self, statement: str) -> Any:
        return self.query(statement)[0][0]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
