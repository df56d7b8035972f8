"""Benchmark `ingest load` against each engine's own bulk load of the same files.

Prints, measured in the same run on the same machine:
  * ingest time / native time for a ~1M-row tree and for a tree of thousands of small files,
    on DuckDB (native: read_csv with explicit columns, all files of a resource in one call)
    and PostgreSQL (native: COPY FROM STDIN per file through psycopg 3, one transaction);
  * the peak RSS of the `ingest` process.

Run: .venv/bin/python scripts/bench_ingest.py [--rows-scale 1.0] [--keep DIR] [--repeats N]
         [--engines duckdb,postgres] [--trees large,small]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from ingest.inspect import inspect_file  # noqa: E402
from ingest.layout import walk_tree  # noqa: E402
from ingest.sample import generate_tree  # noqa: E402
from tools.pgcluster import Cluster, start_cluster  # noqa: E402


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float = 0.0


def files_by_layout(root: Path) -> dict[tuple[str, tuple[str, ...]], list[Path]]:
    """Files grouped by resource and header, as a hand-written native load would read them."""
    groups: dict[tuple[str, tuple[str, ...]], list[Path]] = defaultdict(list)
    for extract in walk_tree(root):
        inspected = inspect_file(extract)
        if extract.resource and inspected.size and not inspected.problem:
            groups[(extract.resource.table, tuple(inspected.header))].append(extract.path)
    return groups


def native_duckdb(root: Path, database: Path) -> Measurement:
    groups = files_by_layout(root)
    start = time.perf_counter()
    connection = duckdb.connect(str(database))
    for index, ((table, header), paths) in enumerate(groups.items()):
        columns = ", ".join(f"'{name.lower()}': 'VARCHAR'" for name in header)
        file_list = ", ".join(f"'{path}'" for path in paths)
        connection.execute(
            f"create table if not exists {table}_{index} as select * from read_csv("
            f"[{file_list}], columns = {{{columns}}}, header = true, auto_detect = false, "
            "hive_partitioning = false) limit 0")
        connection.execute(
            f"insert into {table}_{index} select * from read_csv([{file_list}], "
            f"columns = {{{columns}}}, header = true, auto_detect = false, "
            "hive_partitioning = false)")
    connection.close()
    return Measurement(time.perf_counter() - start)


def native_postgres(root: Path, conninfo: str) -> Measurement:
    groups = files_by_layout(root)
    start = time.perf_counter()
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        for index, ((table, header), paths) in enumerate(groups.items()):
            columns = ", ".join(f'"{name.lower()}"' for name in header)
            cursor.execute(f"create table {table}_{index} ("
                           + ", ".join(f'"{name.lower()}" text' for name in header) + ")")
            for path in paths:
                statement = f"copy {table}_{index} ({columns}) from stdin (format csv, header true)"
                with cursor.copy(statement) as copy, path.open("rb") as stream:
                    while chunk := stream.read(1 << 20):
                        copy.write(chunk)
        connection.commit()
    return Measurement(time.perf_counter() - start)


_MEASURED_INGEST = """
import atexit, sys
def report_peak():
    with open('/proc/self/status') as status, open(sys.argv[1], 'w') as out:
        out.write(next(line for line in status if line.startswith('VmHWM')))
atexit.register(report_peak)
from ingest.cli import app
app(sys.argv[2:], prog_name='ingest')
"""


def run_ingest(root: Path, target: str, env: dict[str, str], profiles_dir: Path) -> Measurement:
    """Time `ingest load` in its own process and read its peak RSS (VmHWM) as it exits.

    The peak is read inside the child: a forked child's rusage would also count the memory of
    this benchmark process, which holds the native loads' buffers.
    """
    peak_file = Path(tempfile.mkstemp(prefix="ingest-peak-")[1])
    command = [sys.executable, "-c", _MEASURED_INGEST, str(peak_file), "load", "--csvpath",
               str(root), "--target", target, "--profiles-dir", str(profiles_dir)]
    start = time.perf_counter()
    result = subprocess.run(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"ingest failed:\n{result.stderr}")
    peak_kb = int(peak_file.read_text().split()[1])
    peak_file.unlink()
    return Measurement(seconds, peak_kb / 1024)


def startup_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ingest", "--help"], capture_output=True, check=True)
    return time.perf_counter() - start


def tree_shape(root: Path) -> tuple[int, int]:
    files = rows = 0
    for table_paths in files_by_layout(root).values():
        files += len(table_paths)
    for path in root.rglob("*.csv"):
        with path.open("rb") as stream:
            rows += max(sum(1 for _ in stream) - 1, 0)
    return files, rows


def fresh_duckdb_file(path: Path) -> Path:
    """A database path with nothing behind it: kept trees reuse the work folder."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return path


def measure_pair(engine: str, root: Path, work: Path, cluster: Cluster, profiles_dir: Path,
                 run_name: str) -> tuple[Measurement, Measurement]:
    """(ingest, native) for one engine, each into an empty database."""
    if engine == "duckdb":
        native = native_duckdb(root, fresh_duckdb_file(work / f"native-{run_name}.duckdb"))
        database = fresh_duckdb_file(work / f"ingest-{run_name}.duckdb")
        return run_ingest(root, "duckdb", {"LMS_DUCKDB_PATH": str(database)},
                          profiles_dir), native
    for name in (f"native_{run_name}", f"ingest_{run_name}"):
        cluster.create_database(name)
    native = native_postgres(root, cluster.conninfo(f"native_{run_name}"))
    return run_ingest(root, "postgres", cluster.env(f"ingest_{run_name}"), profiles_dir), native


def compare(label: str, root: Path, work: Path, cluster: Cluster, profiles_dir: Path,
            repeats: int, engines: list[str]) -> list[str]:
    files, lines = tree_shape(root)
    lines_out = [f"\n## {label}: {files} files, ~{lines:,} data lines, "
                 f"{sum(p.stat().st_size for p in root.rglob('*.csv')) / 1e6:.0f} MB"]
    results: dict[str, list[tuple[Measurement, Measurement]]] = defaultdict(list)
    for attempt in range(repeats):
        for engine in engines:
            run_name = f"{label.split()[0]}_{attempt}"
            pair = measure_pair(engine, root, work, cluster, profiles_dir, run_name)
            print(f"{label} {engine} run {attempt + 1}: ingest {pair[0].seconds:.2f} s "
                  f"({pair[0].peak_rss_mb:.0f} MB), native {pair[1].seconds:.2f} s",
                  file=sys.stderr)
            results[engine].append(pair)
    lines_out.append("| engine | ingest load (s) | native (s) | ratio | ingest peak RSS (MB) |")
    lines_out.append("|---|---|---|---|---|")
    for engine, pairs in results.items():
        best_ingest = min(pair[0].seconds for pair in pairs)
        best_native = min(pair[1].seconds for pair in pairs)
        rss = max(pair[0].peak_rss_mb for pair in pairs)
        lines_out.append(f"| {engine} | {best_ingest:.2f} | {best_native:.2f} | "
                         f"{best_ingest / best_native:.2f} | {rss:.0f} |")
    return lines_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows-scale", type=float, default=1.0,
                        help="scale the large tree (1.0 is about a million rows)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per measurement; best kept")
    parser.add_argument("--keep", type=Path, help="generate trees here and keep them")
    parser.add_argument("--engines", default="duckdb,postgres",
                        help="comma-separated engines to measure")
    parser.add_argument("--trees", default="large,small",
                        help="comma-separated trees to measure: large, small")
    options = parser.parse_args()

    work = options.keep or Path(tempfile.mkdtemp(prefix="edfi-lms-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    profiles_dir = work / "profiles"
    profiles_dir.mkdir(exist_ok=True)
    shutil.copy(PROJECT_ROOT / "profiles.example.yml", profiles_dir / "profiles.yml")

    large, small = work / "large", work / "small"
    if not large.exists():
        scale = options.rows_scale
        generate_tree(large, seed=7, days=2, students=int(22000 * scale),
                      sections=int(880 * scale), quirks=True)
    if not small.exists():
        generate_tree(small, seed=11, days=3, students=2000, sections=90,
                      assignments_per_section=3, quirks=True)

    engines = options.engines.split(",")
    trees = {"large": ("large tree", large), "small": ("small-file tree", small)}
    cluster = start_cluster()
    try:
        report = ["# ingest load benchmark",
                  f"python -m ingest --help (interpreter + imports): {startup_seconds():.2f} s"]
        for tree in options.trees.split(","):
            label, root = trees[tree]
            report += compare(label, root, work, cluster, profiles_dir, options.repeats,
                              engines)
    finally:
        cluster.stop()
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(report))


if __name__ == "__main__":
    main()
