"""The same tree gives the same raw rows on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from ingest.resources import RESOURCES
from tests.csvtree import write_bytes, write_every_resource
from tests.dbhelpers import Database
from tools.pgcluster import Cluster

QUIRKY_USERS = (
    "\ufeffSourceSystemIdentifier,SourceSystem,UserRole,Name,EmailAddress,Shoe Size\r\n"
    'u1,Canvas,student," José ",,42\r\n'
    'u2,Canvas,student,"multi\nline","",\r\n'
    "u3,Canvas,teacher,Zoë,z@example.org,9"
)


def _rows(database: Database, table: str) -> list[tuple]:
    columns = [c for c in next(r for r in RESOURCES if r.table == table).raw_columns]
    columns += ["_file_path", "cast(_file_timestamp as varchar)", "_scope_section_id",
                "_scope_assignment_id", "_scope_date", "_row_number"]
    rows = database.query(f"select {', '.join(columns)} from lms_raw.{table}")
    return sorted(rows, key=lambda row: tuple("" if v is None else str(v) for v in row))


def test_duckdb_and_postgres_hold_identical_raw_rows(tmp_path: Path, profiles_dir: Path,
                                                      pg_cluster: Cluster) -> None:
    tree = tmp_path / "tree"
    write_every_resource(tree, rows=25)
    write_bytes(tree, "users/2026-09-02-10-00-00.csv", QUIRKY_USERS.encode("utf-8"))
    dbname = f"t_{uuid.uuid4().hex[:12]}"
    pg_cluster.create_database(dbname)
    duck = Database("duckdb", {"LMS_DUCKDB_PATH": str(tmp_path / "a.duckdb")}, profiles_dir)
    postgres = Database("postgres", pg_cluster.env(dbname), profiles_dir)
    try:
        assert duck.load(tree).exit_code == 0
        assert postgres.load(tree).exit_code == 0
        for resource in RESOURCES:
            duck_rows = _rows(duck, resource.table)
            assert duck_rows, resource.table
            assert duck_rows == _rows(postgres, resource.table), resource.table
        extras = ("select _row_number, _extra_columns from lms_raw.users "
                  "where _extra_columns is not null")
        duck_extras = {n: json.loads(text) for n, text in duck.query(extras)}
        assert duck_extras == {n: json.loads(text) for n, text in postgres.query(extras)}
        assert duck_extras == {1: {"Shoe Size": "42"}, 2: {"Shoe Size": None},
                               3: {"Shoe Size": "9"}}
    finally:
        duck.close()
        postgres.close()
