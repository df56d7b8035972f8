"""Kill a real `ingest load` process mid-load: no file is half-loaded, the next run finishes."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.csvtree import count_csv_rows, write_resource
from tests.dbhelpers import Database

FILES = 40
ROWS_PER_FILE = 20_000


def _make_tree(root: Path) -> dict[str, int]:
    expected = {}
    for index in range(FILES):
        timestamp = f"2026-09-{index // 24 + 1:02d}-{index % 24:02d}-00-00"
        path = write_resource(root, "users", timestamp, rows=ROWS_PER_FILE)
        expected[path.relative_to(root).as_posix()] = count_csv_rows(path)
    return expected


def _wait_until_loading(database: Database, process, deadline: float) -> None:
    """Return once the process has committed or is writing data, while it still runs."""
    # DuckDB writes large inserts straight into the database file, before they commit.
    duckdb_files = []
    if database.target == "duckdb":
        duckdb_file = Path(database.env["LMS_DUCKDB_PATH"])
        duckdb_files = [duckdb_file, duckdb_file.with_name(duckdb_file.name + ".wal")]
    while time.monotonic() < deadline and process.poll() is None:
        if database.target == "duckdb":
            if sum(f.stat().st_size for f in duckdb_files if f.exists()) > 4 << 20:
                return
        else:
            try:
                if database.scalar("select count(*) from lms_raw.ingest_ledger") > 0:
                    return
            except Exception:  # the raw schema may not exist yet
                pass
            finally:
                database.close()
        time.sleep(0.01)


@pytest.mark.slow
def test_killed_load_leaves_whole_files_and_rerun_completes(database: Database,
                                                            tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    expected = _make_tree(tree)
    process = database.ingest_process("load", "--csvpath", str(tree))
    _wait_until_loading(database, process, time.monotonic() + 120)
    assert process.poll() is None, "the load finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    counts = dict(database.query(
        "select _file_path, count(*) from lms_raw.users group by _file_path"))
    database.close()
    assert all(counts[path] == expected[path] for path in counts), "a file was half-loaded"
    assert len(counts) < FILES

    result = database.load(tree)
    assert result.exit_code == 0, result.stderr
    assert result.summary["resources"]["users"]["loaded"] == FILES - len(counts)
    final = dict(database.query(
        "select _file_path, count(*) from lms_raw.users group by _file_path"))
    assert final == expected
    duplicates = database.scalar(
        "select count(*) from (select _file_path, _row_number from lms_raw.users "
        "group by _file_path, _row_number having count(*) > 1) as d")
    assert duplicates == 0
    assert database.scalar(
        "select count(*) from lms_raw.ingest_ledger where status = 'loaded'") == FILES
