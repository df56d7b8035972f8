"""What every database engine offers the loader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ingest.inspect import InspectedFile
from ingest.resources import Resource

LOADED, SKIPPED, REJECTED, REPLACED = "loaded", "skipped", "rejected", "replaced"


@dataclass(frozen=True)
class LedgerEntry:
    file_path: str
    sha256: str
    status: str


@dataclass(frozen=True)
class LedgerRow:
    file_path: str
    resource: str | None
    file_timestamp: datetime | None
    size_bytes: int
    sha256: str
    row_count: int | None
    status: str
    reason: str | None
    load_id: str
    loaded_at: datetime
    known_before: bool = False
    """The ledger already has a row for this path and content (e.g. an earlier rejection)."""


@dataclass(frozen=True)
class LoadRequest:
    """One file to load, and what the ledger knew of it."""

    file: InspectedFile
    replaces_earlier_version: bool
    """Its path was loaded before with other content."""
    known_before: bool = False
    """The ledger has a row for this very content (an earlier attempt that failed)."""


@dataclass(frozen=True)
class FileOutcome:
    request: LoadRequest
    rows: int | None
    error: str | None
    """The engine's own error text when the file was refused."""


class Engine(Protocol):
    name: str

    def prepare(self) -> None:
        """Create the raw schema, raw tables and ledger when missing (and add new columns)."""

    def ledger_entries(self) -> list[LedgerEntry]:
        """Every (path, content) the ledger knows, with its latest status."""

    def load_files(self, resource: Resource, requests: list[LoadRequest], load_id: str,
                   loaded_at: datetime) -> list[FileOutcome]:
        """Load files of one resource sharing one column layout.

        Each file's rows and its ledger row commit together; a refused file leaves nothing
        behind and is returned with its error (its ledger row is written by the caller).
        """

    def record(self, rows: list[LedgerRow]) -> None:
        """Write ledger rows for files that were not loaded (skipped or rejected)."""

    def status(self) -> list[dict[str, object]]:
        """Ledger summary per resource and status."""

    def close(self) -> None: ...


def loaded_ledger_row(request: LoadRequest, rows: int, load_id: str,
                      loaded_at: datetime) -> LedgerRow:
    inspected = request.file
    return LedgerRow(
        file_path=inspected.relative_path,
        resource=inspected.extract.resource.name if inspected.extract.resource else None,
        file_timestamp=inspected.extract.timestamp,
        size_bytes=inspected.size,
        sha256=inspected.sha256,
        row_count=rows,
        status=LOADED,
        reason=("content changed since an earlier load; earlier rows replaced"
                if request.replaces_earlier_version else None),
        load_id=load_id,
        loaded_at=loaded_at,
        known_before=request.known_before,
    )


LEDGER_COLUMNS = ("file_path", "resource", "file_timestamp", "size_bytes", "sha256",
                  "row_count", "status", "reason", "load_id", "loaded_at")


def ledger_values(row: LedgerRow) -> tuple[object, ...]:
    return tuple(getattr(row, column) for column in LEDGER_COLUMNS)


class BatchFailed(Exception):
    """A batch could not be loaded; the engine has rolled its transaction back."""


def isolate_failures(attempt: Callable[[list[LoadRequest]], list[FileOutcome]],
                     requests: list[LoadRequest]) -> list[FileOutcome]:
    """Load ``requests`` together; when that fails, halve until each bad file stands alone.

    Good files are still loaded in batches, and a bad file costs a logarithmic number of
    retries instead of one retry per neighbour.
    """
    try:
        return attempt(requests)
    except BatchFailed as error:
        if len(requests) == 1:
            return [FileOutcome(requests[0], None, str(error))]
    middle = len(requests) // 2
    return (isolate_failures(attempt, requests[:middle])
            + isolate_failures(attempt, requests[middle:]))
