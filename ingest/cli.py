"""The `ingest` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="ingest",
    help="Load LMS extractor CSV trees into raw tables and report on them.",
    no_args_is_help=True,
    add_completion=False,
)
