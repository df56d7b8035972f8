"""The `ingest` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from ingest.connect import RAW_SCHEMA, ConnectionFailed, open_engine
from ingest.dbconn import Database, first_line, open_database
from ingest.engine import Engine
from ingest.load import LoadSummary, run_load
from ingest.profile import ProfileError, load_target

app = typer.Typer(
    name="ingest",
    help="Load LMS extractor CSV trees into raw tables and report on them.",
    no_args_is_help=True,
    add_completion=False,
)
stderr = Console(stderr=True)
LISTED_FILES = 20
"""Rejected or warned-about files named on stderr before the rest are only counted."""

TargetOption = Annotated[
    str | None, typer.Option("--target", "-t", help="Profile target (default: the profile's).")]
ProfilesDirOption = Annotated[
    Path | None,
    typer.Option("--profiles-dir", help="Folder holding profiles.yml (default: as dbt finds it).",
                 file_okay=False)]
SchemaOption = Annotated[
    str, typer.Option("--raw-schema", help="Schema of the raw tables.")]


def _fail(message: str) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


def _engine(target: str | None, profiles_dir: Path | None, raw_schema: str) -> Engine:
    try:
        profile_target = load_target(profiles_dir, target)
        stderr.print(f"target {profile_target.describe()}", highlight=False)
        return open_engine(profile_target, raw_schema)
    except (ProfileError, ConnectionFailed) as error:
        raise _fail(str(error)) from None


def _print_summary(summary: LoadSummary) -> None:
    table = Table(title=f"load {summary.load_id}", title_justify="left")
    for column in ("resource", "files", "loaded", "rows", "replaced", "skipped", "rejected"):
        table.add_column(column, justify="left" if column == "resource" else "right")
    for name, entry in summary.by_resource().items():
        table.add_row(name, *(str(value) for value in vars(entry).values()))
    stderr.print(table)
    rejected = [r for r in summary.reports if r.status == "rejected"]
    warned = [r for r in summary.reports if r.warning and r.status != "rejected"]
    for style, reports in (("red", rejected), ("yellow", warned)):
        for report in reports[:LISTED_FILES]:
            text = report.reason if report.status == "rejected" else (
                f"{report.path}: {report.reason}")
            stderr.print(f"[{style}]{report.status}[/{style}] {text}", highlight=False,
                         soft_wrap=True)
        if len(reports) > LISTED_FILES:
            stderr.print(f"[{style}]... and {len(reports) - LISTED_FILES} more "
                         f"{reports[0].status} files[/{style}] (all of them: --json)",
                         highlight=False)


@app.command()
def load(
    csvpath: Annotated[Path, typer.Option("--csvpath", help="Root of the extractor CSV tree.",
                                          exists=True, file_okay=False, readable=True)],
    target: TargetOption = None,
    profiles_dir: ProfilesDirOption = None,
    raw_schema: SchemaOption = RAW_SCHEMA,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Load every file of an extractor tree into raw tables; files already loaded are skipped.

    Exit code 0 when everything loaded or was skipped, 1 when any file was rejected,
    2 for usage, configuration or connection errors.
    """
    engine = _engine(target, profiles_dir, raw_schema)
    try:
        with Progress("{task.description}", BarColumn(), MofNCompleteColumn(), "files",
                      TimeRemainingColumn(), console=stderr, disable=not stderr.is_terminal,
                      transient=True) as bar:

            def start_progress(total_files: int) -> Callable[[int], None]:
                task = bar.add_task("loading", total=total_files)
                return lambda done: bar.advance(task, done)

            summary = run_load(engine, csvpath, start_progress)
    except ConnectionFailed as error:
        raise _fail(str(error)) from None
    finally:
        engine.close()
    _print_summary(summary)
    if as_json:
        sys.stdout.write(json.dumps(summary.as_json(), indent=2, default=str) + "\n")
    raise typer.Exit(code=summary.exit_code)


@app.command()
def status(
    target: TargetOption = None,
    profiles_dir: ProfilesDirOption = None,
    raw_schema: SchemaOption = RAW_SCHEMA,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Summarise the load ledger: files and rows per resource and status."""
    engine = _engine(target, profiles_dir, raw_schema)
    try:
        engine.prepare()
        rows = engine.status()
    finally:
        engine.close()
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
        return
    table = Table()
    for column in ("resource", "status", "files", "rows", "last_loaded_at"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[column]) for column in
                        ("resource", "status", "files", "rows", "last_loaded_at")))
    Console().print(table)


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", file_okay=False,
                                      help="Folder for the tree; must be absent or empty.")],
    seed: Annotated[int, typer.Option(help="Same seed and options, same bytes.")] = 42,
    days: Annotated[int, typer.Option(min=1, help="Daily extractions.")] = 3,
    students: Annotated[int, typer.Option(min=1, help="Students, in every source.")] = 40,
    sections: Annotated[int, typer.Option(min=1, help="Sections per source.")] = 6,
    assignments: Annotated[int, typer.Option(min=0, help="Assignments per section.")] = 4,
    sources: Annotated[str, typer.Option(
        help="Comma-separated source systems: canvas, schoology, google.")
    ] = "canvas,schoology,google",
    start_date: Annotated[str, typer.Option(
        "--start-date", help="Day of the first extraction, YYYY-MM-DD.")] = "2026-09-01",
    quirks: Annotated[bool, typer.Option(
        "--quirks/--no-quirks", help="Add the quirks of real extractor files.")] = True,
) -> None:
    """Write a deterministic sample extractor tree: every resource, several source systems."""
    import time
    from datetime import date

    from ingest.sample import generate_tree

    try:
        start = date.fromisoformat(start_date)
    except ValueError:
        raise _fail(f"--start-date {start_date!r} is not a YYYY-MM-DD date") from None
    began = time.perf_counter()
    try:
        stats = generate_tree(out, seed=seed, days=days, students=students, sections=sections,
                              assignments_per_section=assignments, sources=sources.split(","),
                              start=start, quirks=quirks)
    except (ValueError, FileExistsError) as error:
        raise _fail(str(error)) from None
    typer.echo(f"sample tree {out}: {stats.files} files, {stats.rows} rows "
               f"in {time.perf_counter() - began:.1f}s", err=True)


def _database(target: str | None, profiles_dir: Path | None, *,
              read_only: bool = False) -> Database:
    try:
        profile_target = load_target(profiles_dir, target)
        stderr.print(f"target {profile_target.describe()}", highlight=False)
        return open_database(profile_target, read_only=read_only)
    except (ProfileError, ConnectionFailed) as error:
        raise _fail(str(error)) from None


@app.command("demo-ods")
def demo_ods(
    target: TargetOption = None,
    profiles_dir: ProfilesDirOption = None,
    seed: Annotated[int, typer.Option(help="As given to `ingest sample`.")] = 42,
    students: Annotated[int, typer.Option(min=1, help="As given to `ingest sample`.")] = 40,
    sections: Annotated[int, typer.Option(min=1, help="As given to `ingest sample`.")] = 6,
    start_date: Annotated[str, typer.Option(
        "--start-date", help="As given to `ingest sample`, YYYY-MM-DD.")] = "2026-09-01",
    quirks: Annotated[bool, typer.Option(
        "--quirks/--no-quirks", help="As given to `ingest sample` (quirks change names).")
    ] = True,
    force: Annotated[bool, typer.Option(
        "--force", help="Drop and recreate the tables this command creates, if they exist.")
    ] = False,
) -> None:
    """Create a sample Ed-Fi ODS (schemas edfi, lmsx) matching `ingest sample`'s data.

    Refuses (exit code 2) when schema edfi already has tables, unless --force; even then it
    never touches a table it does not create.
    """
    from datetime import date

    from ingest.demo_ods import DemoOdsError, build_rows, create_demo_ods

    try:
        start = date.fromisoformat(start_date)
    except ValueError:
        raise _fail(f"--start-date {start_date!r} is not a YYYY-MM-DD date") from None
    rows = build_rows(seed=seed, students=students, sections=sections, start=start,
                      quirks=quirks)
    database = _database(target, profiles_dir)
    try:
        create_demo_ods(database, rows, force=force)
    except DemoOdsError as error:
        raise _fail(str(error)) from None
    finally:
        database.close()
    descriptor_count = rows.count("edfi.descriptor")
    typer.echo(f"demo ODS: {rows.count('edfi.student')} students, "
               f"{rows.count('edfi.section')} sections, "
               f"{rows.count('edfi.studentsectionassociation')} enrolments, "
               f"{descriptor_count} descriptors", err=True)


@app.command()
def exceptions(
    out: Annotated[Path, typer.Option("--out", file_okay=False,
                                      help="Folder for the reports (one folder per report).")],
    target: TargetOption = None,
    profiles_dir: ProfilesDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Write the exception views to CSV reports and print match rates per source system.

    Exit code 0 when at least one exception view exists, 2 when none does or for usage,
    configuration or connection errors.
    """
    from ingest.exceptions_report import (
        NOT_BUILT,
        REPORTS,
        match_rates,
        present_relations,
        timestamp_name,
        write_report,
    )

    database = _database(target, profiles_dir, read_only=True)
    stamp = timestamp_name()
    try:
        present = present_relations(database)
        if not any(view in present for report in REPORTS for view in report.relations):
            names = ", ".join(view for report in REPORTS for view in report.relations)
            raise _fail(f"no exception view exists ({names}): {NOT_BUILT}")
        results = [write_report(database, report, present, out, stamp) for report in REPORTS]
        rates = match_rates(database, present)
    except database.errors as error:
        raise _fail(f"cannot read the exception views: {first_line(error)}") from None
    finally:
        database.close()
    for result in results:
        for view, count in result.rows.items():
            typer.echo(f"{result.folder}: {view}: {count} rows -> {result.path}", err=True)
        for view in result.missing:
            typer.echo(f"{result.folder}: {view}: {NOT_BUILT}", err=True)
    for entity, entity_rates in rates.items():
        if isinstance(entity_rates, str):
            typer.echo(f"match rate {entity}: {entity_rates}", err=True)
            continue
        for rate in entity_rates:
            shown = "no active records" if rate.rate is None else f"{rate.rate:.1%}"
            typer.echo(f"match rate {entity} {rate.sourcesystem}: {rate.matched}/{rate.active} "
                       f"linked ({shown})", err=True)
    if as_json:
        summary = {
            "timestamp": stamp,
            "reports": [{"report": result.folder,
                         "file": None if result.path is None else str(result.path),
                         "rows": result.rows, "missing_views": result.missing}
                        for result in results],
            "match_rates": {entity: entity_rates if isinstance(entity_rates, str)
                            else [rate.as_json() for rate in entity_rates]
                            for entity, entity_rates in rates.items()},
        }
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
