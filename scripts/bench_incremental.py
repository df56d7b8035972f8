"""Benchmark the data store's incremental runs: is one new night's work independent of history?

For a history of N nights and of 2N nights, it loads and builds the history, then adds one more
night and times the incremental `dbt build` (wall time, and the summed execution time of the
incremental state models from dbt's run_results.json). Prints both and their ratio; a ratio
near 1 means the new night costs work in proportion to its own files, not to the history.

Run: .venv/bin/python scripts/bench_incremental.py [--nights 4] [--students 3000] [--engine duckdb]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from ingest.layout import parse_file_timestamp  # noqa: E402
from ingest.sample import generate_tree  # noqa: E402
from tools.pgcluster import Cluster, start_cluster  # noqa: E402

START = date(2026, 9, 1)
BIN = Path(sys.executable).parent


def copy_nights(source: Path, target: Path, nights: int) -> None:
    """Copy the files extracted on the first `nights` days of `source` into `target`."""
    last_day = START + timedelta(days=nights - 1)
    for path in source.rglob("*.csv"):
        stamp = parse_file_timestamp(path.name)
        if stamp is not None and stamp.date() <= last_day:
            destination = target / path.relative_to(source)
            if not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)


def run(command: list[str], env: dict[str, str], allowed: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=False)
    if result.returncode not in allowed:
        raise SystemExit(f"{command[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr}")
    return time.perf_counter() - start


def state_model_seconds(target_path: Path) -> float:
    results = json.loads((target_path / "run_results.json").read_text())
    return sum(r["execution_time"] for r in results["results"]
               if r["unique_id"].startswith("model.edfi_lms.int_lms__")
               and r["unique_id"].endswith("_state"))


def measure(history: int, full_tree: Path, work: Path, env: dict[str, str],
            target: str) -> tuple[float, float, int]:
    tree = work / f"tree-{history}"
    target_path = work / f"target-{target}-{history}"
    # The data store only: matching and LMSX need an ODS, which this benchmark does not make.
    dbt = [str(BIN / "dbt"), "build", "--target", target, "--target-path", str(target_path),
           "--log-path", str(work / "logs"), "--quiet", "--select",
           "+path:models/intermediate/state"]
    ingest = [str(BIN / "ingest"), "load", "--csvpath", str(tree), "--target", target]
    copy_nights(full_tree, tree, history)
    run(ingest, env, allowed=(0, 1))
    run(dbt, env)
    copy_nights(full_tree, tree, history + 1)
    run(ingest, env, allowed=(0, 1))
    wall = run(dbt, env)
    rows = sum(max(sum(1 for _ in p.open("rb")) - 1, 0) for p in tree.rglob("*.csv"))
    return wall, state_model_seconds(target_path), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=4, help="N: the shorter history")
    parser.add_argument("--students", type=int, default=3000)
    parser.add_argument("--sections", type=int, default=120)
    parser.add_argument("--engine", choices=["duckdb", "postgres"], default="duckdb")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="edfi-lms-incremental-"))
    profiles = work / "profiles"
    profiles.mkdir()
    shutil.copy(PROJECT_ROOT / "profiles.example.yml", profiles / "profiles.yml")
    full_tree = work / "full"
    generate_tree(full_tree, seed=5, days=2 * options.nights + 1, students=options.students,
                  sections=options.sections, start=START)
    cluster: Cluster | None = start_cluster() if options.engine == "postgres" else None
    lines = [f"# incremental dbt build, {options.engine}: one new night after N and 2N nights",
             "| history | rows in tree | dbt build wall (s) | state models (s) |",
             "|---|---|---|---|"]
    try:
        measured = []
        for history in (options.nights, 2 * options.nights):
            env = {**os.environ, "DBT_PROFILES_DIR": str(profiles),
                   "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                   "LMS_DUCKDB_PATH": str(work / f"history-{history}.duckdb")}
            if cluster is not None:
                cluster.create_database(f"history_{history}")
                env.update(cluster.env(f"history_{history}"))
            wall, models, rows = measure(history, full_tree, work, env, options.engine)
            measured.append((wall, models))
            lines.append(f"| {history} nights | {rows:,} | {wall:.2f} | {models:.2f} |")
        (short_wall, short_models), (long_wall, long_models) = measured
        lines.append(f"\nratio 2N/N: dbt build wall {long_wall / short_wall:.2f}, "
                     f"state models {long_models / short_models:.2f}")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
