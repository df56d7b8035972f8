"""Decide what each file of a tree needs, hand batches to the engine, and tell what happened."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from queue import Queue
from threading import Thread

from ingest.diagnose import explain_rejection
from ingest.engine import (
    LOADED,
    REJECTED,
    SKIPPED,
    Engine,
    LedgerRow,
    LoadRequest,
)
from ingest.inspect import InspectedFile, inspect_file
from ingest.layout import ExtractFile, walk_tree

INSPECT_AHEAD = 8192
"""Files inspected ahead of the loader at most."""
BATCH_BYTES = 16 << 20
BATCH_FILES = 2000
FIRST_BATCH_FILES = 64

Progress = Callable[[int], None]
"""Called with the number of files just dealt with."""


@dataclass(frozen=True)
class FileReport:
    path: str
    resource: str | None
    status: str
    rows: int | None = None
    reason: str | None = None
    warning: bool = False
    replaced: bool = False


@dataclass
class ResourceSummary:
    files: int = 0
    loaded: int = 0
    rows: int = 0
    replaced: int = 0
    skipped: int = 0
    rejected: int = 0


@dataclass
class LoadSummary:
    load_id: str
    reports: list[FileReport] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileReport]:
        return [report for report in self.reports if report.status == REJECTED]

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def by_resource(self) -> dict[str, ResourceSummary]:
        summary: dict[str, ResourceSummary] = defaultdict(ResourceSummary)
        for report in self.reports:
            entry = summary[report.resource or "(not in layout)"]
            entry.files += 1
            if report.status == LOADED:
                entry.loaded += 1
                entry.rows += report.rows or 0
                entry.replaced += int(report.replaced)
            elif report.status == SKIPPED:
                entry.skipped += 1
            else:
                entry.rejected += 1
        return dict(sorted(summary.items()))

    def as_json(self) -> dict[str, object]:
        return {
            "load_id": self.load_id,
            "exit_code": self.exit_code,
            "resources": {name: vars(entry) for name, entry in self.by_resource().items()},
            "files": [vars(report) for report in self.reports
                      if report.status != SKIPPED or report.warning],
        }


def new_load_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"


class _Batcher:
    """Collects load requests per resource and column layout and hands out full batches.

    The first batches are small, so that loading starts while the tree is still being
    inspected; each batch handed out doubles the size allowed, up to ``BATCH_FILES``.
    """

    def __init__(self) -> None:
        self.groups: dict[tuple[str, tuple[str, ...]], list[LoadRequest]] = defaultdict(list)
        self.sizes: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
        self.file_limit = FIRST_BATCH_FILES

    def add(self, request: LoadRequest, layout: Layout) -> list[LoadRequest] | None:
        resource = request.file.extract.resource
        assert resource is not None
        key = (resource.name, layout.key)
        full = None
        group = self.groups[key]
        if group and (self.sizes[key] + request.file.size > BATCH_BYTES
                      or len(group) >= self.file_limit):
            full = group
            self.groups[key], self.sizes[key] = [], 0
            self.file_limit = min(2 * self.file_limit, BATCH_FILES)
        self.groups[key].append(request)
        self.sizes[key] += request.file.size
        return full

    def rest(self) -> Iterator[list[LoadRequest]]:
        yield from (group for group in self.groups.values() if group)
        self.groups.clear()


_DONE = object()


@dataclass
class Layout:
    """A header and what its columns load into, shared by every file that has it."""

    first: InspectedFile
    """The first file with this layout; the others share its lists."""

    @cached_property
    def key(self) -> tuple[str, ...]:
        """``InspectedFile.layout_key``, worked out once: files with the same key can be read
        by one statement."""
        return self.first.layout_key


class _Inspection:
    """Walks the tree in one thread and inspects its files in another, ahead of the loader.

    Iterating yields inspected files in walk order, each with its column layout; ``total`` is
    the number of files once the walk is done (None before).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.total: int | None = None
        self._extracts: Queue[object] = Queue()
        self._inspected: Queue[object] = Queue(maxsize=INSPECT_AHEAD)
        self._layouts: dict[tuple[tuple[str, ...], tuple[str | None, ...]], Layout] = {}
        Thread(target=self._walk, name="walk", daemon=True).start()
        Thread(target=self._inspect, name="inspect", daemon=True).start()

    def _walk(self) -> None:
        try:
            count = 0
            for extract in walk_tree(self.root):
                self._extracts.put(extract)
                count += 1
            self.total = count
        except BaseException as error:  # handed on to the consumer, which re-raises it
            self._extracts.put(error)
        finally:
            self._extracts.put(_DONE)

    def _inspect(self) -> None:
        try:
            while (item := self._extracts.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, ExtractFile)
                self._inspected.put(self._share_layout(inspect_file(item)))
        except BaseException as error:  # handed on to the consumer, which re-raises it
            self._inspected.put(error)
        finally:
            self._inspected.put(_DONE)

    def _share_layout(self, inspected: InspectedFile) -> tuple[InspectedFile, Layout]:
        """Files with the same header share one header list (thousands wait in batches), and
        the layout key is worked out once."""
        key = (tuple(inspected.header), tuple(inspected.column_targets))
        layout = self._layouts.setdefault(key, Layout(inspected))
        inspected.header = layout.first.header
        inspected.column_targets = layout.first.column_targets
        return inspected, layout

    def __iter__(self) -> Iterator[tuple[InspectedFile, Layout]]:
        while (item := self._inspected.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, tuple)
            yield item


class _CountedProgress:
    """Counts files dealt with until the walk knows the total, then shows both."""

    def __init__(self, start: Callable[[int], Progress] | None) -> None:
        self._start = start
        self._advance: Progress | None = None
        self._done = 0

    def start(self, total: int) -> None:
        if self._advance is None and self._start is not None:
            self._advance = self._start(total)
            if self._done:
                self._advance(self._done)

    def __call__(self, files: int) -> None:
        if self._advance is None:
            self._done += files
        else:
            self._advance(files)


class Loader:
    def __init__(self, engine: Engine, progress: Progress | None = None) -> None:
        self.engine = engine
        self.progress = progress or (lambda _bytes: None)
        self.loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
        self.load_id = new_load_id(self.loaded_at)
        self.summary = LoadSummary(load_id=self.load_id)
        self._unrecorded: list[LedgerRow] = []

    def _ledger_row(self, inspected: InspectedFile, status: str, reason: str,
                    known_before: bool) -> LedgerRow:
        extract = inspected.extract
        return LedgerRow(
            file_path=inspected.relative_path,
            resource=extract.resource.name if extract.resource else None,
            file_timestamp=extract.timestamp, size_bytes=inspected.size,
            sha256=inspected.sha256, row_count=None, status=status, reason=reason,
            load_id=self.load_id, loaded_at=self.loaded_at, known_before=known_before)

    def _report(self, inspected: InspectedFile, status: str, reason: str | None = None,
                rows: int | None = None, warning: bool = False, replaced: bool = False) -> None:
        resource = inspected.extract.resource
        self.summary.reports.append(FileReport(
            path=inspected.relative_path, resource=resource.name if resource else None,
            status=status, rows=rows, reason=reason, warning=warning, replaced=replaced))

    def run(self, root: Path, progress: Callable[[int], Progress] | None = None) -> None:
        known = {(e.file_path, e.sha256): e.status for e in self.engine.ledger_entries()}
        loaded_paths = {path for (path, _sha), status in known.items() if status == LOADED}
        batcher = _Batcher()
        inspection = _Inspection(root)
        counted = _CountedProgress(progress)
        self.progress = counted
        for inspected, layout in inspection:
            if inspection.total is not None:
                counted.start(inspection.total)
            earlier_status = known.get((inspected.relative_path, inspected.sha256))
            request = self._decide(inspected, earlier_status, loaded_paths)
            if request is None:
                self.progress(1)
            elif batch := batcher.add(request, layout):
                self._load(batch)
        counted.start(inspection.total or 0)
        for batch in batcher.rest():
            self._load(batch)
        self.engine.record(self._unrecorded)
        self._unrecorded = []

    def _decide(self, inspected: InspectedFile, earlier_status: str | None,
                loaded_paths: set[str]) -> LoadRequest | None:
        """Report what needs no loading; return a request for what does."""
        extract = inspected.extract
        reason: str | None = None
        if not extract.known:
            reason = "CSV file in a folder the extractor layout does not have"
        elif inspected.size == 0:
            reason = "empty file (0 bytes): not a snapshot, nothing loaded"
        if reason:
            self._report(inspected, SKIPPED, reason, warning=True)
            if earlier_status is None:
                self._unrecorded.append(
                    self._ledger_row(inspected, SKIPPED, reason, known_before=False))
        elif earlier_status == LOADED:
            self._report(inspected, SKIPPED, "already loaded")
        elif inspected.problem:
            self._reject(inspected, inspected.problem, known_before=earlier_status is not None)
        else:
            return LoadRequest(
                inspected, replaces_earlier_version=inspected.relative_path in loaded_paths,
                known_before=earlier_status is not None)
        return None

    def _reject(self, inspected: InspectedFile, reason: str, known_before: bool) -> None:
        message = f"{inspected.relative_path}: {reason}"
        self._report(inspected, REJECTED, message)
        self._unrecorded.append(
            self._ledger_row(inspected, REJECTED, message, known_before=known_before))

    def _load(self, batch: list[LoadRequest]) -> None:
        resource = batch[0].file.extract.resource
        assert resource is not None
        extra_columns = batch[0].file.extra_columns  # one column layout per batch
        for outcome in self.engine.load_files(resource, batch, self.load_id, self.loaded_at):
            inspected = outcome.request.file
            if outcome.error is None:
                self._report(inspected, LOADED, _loaded_note(outcome.request, extra_columns),
                             rows=outcome.rows, warning=bool(extra_columns),
                             replaced=outcome.request.replaces_earlier_version)
            else:
                self._reject(inspected, explain_rejection(
                    inspected.extract.path, inspected.header, outcome.error),
                    known_before=outcome.request.known_before)
            self.progress(1)


def _loaded_note(request: LoadRequest, extra_columns: list[str]) -> str | None:
    notes = []
    if request.replaces_earlier_version:
        notes.append("content changed since an earlier load; earlier rows replaced")
    if extra_columns:
        notes.append("columns not in the format kept in _extra_columns: "
                     + ", ".join(extra_columns))
    return "; ".join(notes) or None


def run_load(engine: Engine, root: Path,
             progress: Callable[[int], Progress] | None = None) -> LoadSummary:
    """Load a tree; ``progress`` is given the number of files and returns the callback that
    advances it by files done."""
    engine.prepare()
    loader = Loader(engine)
    loader.run(root, progress)
    return loader.summary
