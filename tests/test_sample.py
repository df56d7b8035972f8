"""The sample tree generator: layout, CSV shape, determinism, quirks, change over days, CLI."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.layout import ExtractFile, classify
from ingest.resources import RESOURCES, RESOURCES_BY_NAME
from ingest.sample import TreeStats, generate_tree

BOM = b"\xef\xbb\xbf"
SOURCES = ("Canvas", "Schoology", "Google")
SMALL = {"students": 12, "sections": 3, "days": 2}


@dataclass
class TreeFile:
    placed: ExtractFile
    raw: bytes
    records: list[list[str]]
    """Header and data rows as a CSV parser reads them; empty for a zero-byte file."""

    @property
    def rows(self) -> list[list[str]]:
        return self.records[1:]

    @property
    def values(self) -> list[str]:
        return [value for row in self.rows for value in row]


def read_tree(root: Path) -> list[TreeFile]:
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        files.append(TreeFile(classify(root, path), raw, records))
    return files


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in root.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def quirky(tmp_path_factory: pytest.TempPathFactory) -> tuple[TreeStats, list[TreeFile]]:
    root = tmp_path_factory.mktemp("quirky")
    stats = generate_tree(root)
    return stats, read_tree(root)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[TreeStats, list[TreeFile]]:
    root = tmp_path_factory.mktemp("clean")
    stats = generate_tree(root, quirks=False)
    return stats, read_tree(root)


@pytest.fixture(params=["quirky", "clean"])
def tree(request: pytest.FixtureRequest) -> tuple[TreeStats, list[TreeFile]]:
    return request.getfixturevalue(request.param)


# --- determinism ----------------------------------------------------------------------------


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    first = generate_tree(tmp_path / "a", seed=7, **SMALL)
    second = generate_tree(tmp_path / "b", seed=7, **SMALL)
    assert first == second
    a, b = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert len(a) == first.files
    assert a == b


def test_another_seed_gives_other_bytes(tmp_path: Path) -> None:
    generate_tree(tmp_path / "a", seed=7, **SMALL)
    generate_tree(tmp_path / "b", seed=8, **SMALL)
    a, b = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert a.keys() != b.keys()
    assert len(set(a.values()) & set(b.values())) < len(a) // 10


# --- layout and CSV shape -------------------------------------------------------------------


def test_every_file_is_placed_as_a_resource_with_a_timestamp(
        tree: tuple[TreeStats, list[TreeFile]]) -> None:
    stats, files = tree
    assert len(files) == stats.files
    for file in files:
        assert file.placed.known, file.placed.relative_path
        assert file.placed.problem is None, file.placed.problem
        assert file.placed.timestamp is not None
    assert {file.placed.resource.name for file in files} == set(RESOURCES_BY_NAME)


def test_both_assignment_folder_spellings_are_used(
        quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    spellings = {part.split("=")[0] for file in files
                 for part in file.placed.relative_path.split("/") if part.lower().startswith(
                     "assignment=")}
    assert spellings == {"assignment", "Assignment"}


def test_headers_are_the_resource_columns_and_rows_are_complete(
        tree: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = tree
    checked = 0
    for file in files:
        if not file.raw:
            continue
        columns = file.placed.resource.columns
        assert tuple(file.records[0]) == columns, file.placed.relative_path
        for row in file.rows:
            assert len(row) == len(columns), (file.placed.relative_path, row)
            checked += 1
    assert checked > 1000


def test_stats_count_the_rows_a_parser_finds(tree: tuple[TreeStats, list[TreeFile]]) -> None:
    stats, files = tree
    parsed: Counter[str] = Counter()
    for file in files:
        parsed[file.placed.resource.name] += len(file.rows)
    assert stats.rows == sum(parsed.values())
    assert stats.rows_by_resource == {resource.name: parsed[resource.name]
                                      for resource in RESOURCES}


def test_required_columns_are_filled_and_timestamps_are_well_formed(
        clean: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = clean
    stamp = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
    for file in files:
        resource = file.placed.resource
        required = [resource.columns.index(name) for name in resource.required]
        dated = [index for index, name in enumerate(resource.columns)
                 if name.endswith(("Date", "DateTime"))]
        for row in file.rows:
            assert all(row[index] for index in required), (file.placed.relative_path, row)
            assert all(stamp.fullmatch(row[index]) for index in dated if row[index]), row


def test_every_source_writes_every_resource(quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    rows: Counter[tuple[str, str]] = Counter()
    for file in files:
        source_column = file.placed.resource.columns.index("SourceSystem")
        for row in file.rows:
            rows[file.placed.resource.name, row[source_column]] += 1
    missing = [(resource.name, source) for resource in RESOURCES for source in SOURCES
               if rows[resource.name, source] == 0]
    assert not missing
    assert set(source for _, source in rows) == set(SOURCES)


def test_file_names_of_different_sources_differ_in_shared_folders(
        quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    users = [file for file in files if file.placed.resource.name == "users"]
    assert len(users) == 3 * len(SOURCES)
    by_day: defaultdict[str, set[str]] = defaultdict(set)
    for file in users:
        by_day[file.placed.timestamp.date().isoformat()].add(file.rows[0][1])
    assert all(sources == set(SOURCES) for sources in by_day.values())


# --- quirks ---------------------------------------------------------------------------------


def _has_value(pattern: str) -> Callable[[TreeFile], bool]:
    compiled = re.compile(pattern)
    return lambda file: any(compiled.fullmatch(value) for value in file.values)


QUIRKS: dict[str, Callable[[TreeFile], bool]] = {
    "byte-order mark": lambda file: file.raw.startswith(BOM),
    "CRLF line ends": lambda file: b"\r\n" in file.raw,
    "no final newline": lambda file: bool(file.raw) and not file.raw.endswith(b"\n"),
    "zero-byte file": lambda file: file.raw == b"",
    "header-only file": lambda file: len(file.records) == 1,
    "timestamp without seconds": _has_value(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"),
    "doubled space in timestamp": _has_value(r"\d{4}-\d{2}-\d{2}  \d{2}:\d{2}(:\d{2})?"),
    "leading space in quoted value": lambda file: re.search(
        rb'(^|,)" \d{4}-\d{2}-\d{2}', file.raw, re.MULTILINE) is not None,
    "comma and doubled quotes in quoted value": lambda file: (
        b'""' in file.raw and any('"' in value and "," in value for value in file.values)),
    "non-ASCII name": lambda file: any(ord(char) > 127 for value in file.values
                                       for char in value),
}


@pytest.mark.parametrize("quirk", QUIRKS)
def test_each_quirk_is_in_some_files_but_not_all(
        quirk: str, quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    hits = sum(1 for file in files if QUIRKS[quirk](file))
    assert 0 < hits < len(files)


@pytest.mark.parametrize("quirk", QUIRKS)
def test_no_quirks_gives_clean_files(quirk: str,
                                     clean: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = clean
    assert [file.placed.relative_path for file in files if QUIRKS[quirk](file)] == []


def test_value_quirks_touch_few_rows(quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    stats, files = quirky
    odd = re.compile(r" ?\d{4}-\d{2}-\d{2} {1,2}\d{2}:\d{2}(:\d{2})?")
    good = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
    spoiled = sum(1 for file in files for row in file.rows
                  if any(odd.fullmatch(value) and not good.fullmatch(value) for value in row))
    assert 3 <= spoiled < stats.rows * 0.05


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_tiny_tree_still_has_every_quirk(tmp_path: Path, seed: int) -> None:
    stats = generate_tree(tmp_path, seed=seed, students=3, sections=1, days=1,
                          sources=["Canvas"])
    files = read_tree(tmp_path)
    assert stats.rows < 100
    assert [quirk for quirk, found in QUIRKS.items()
            if not any(found(file) for file in files)] == []


# --- realism --------------------------------------------------------------------------------


def _rows_by_column(file: TreeFile, column: str) -> dict[str, list[str]]:
    index = file.placed.resource.columns.index(column)
    return {row[index]: row for row in file.rows}


def test_a_person_has_the_same_sis_id_and_email_in_every_source(
        quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    emails_by_sis: defaultdict[str, set[str]] = defaultdict(set)
    sources_by_sis: defaultdict[str, set[str]] = defaultdict(set)
    without_sis = 0
    for file in files:
        if file.placed.resource.name != "users":
            continue
        for row in file.rows:
            source, sis, email = row[1], row[4], row[6]
            if not sis:
                without_sis += 1
                continue
            emails_by_sis[sis].add(email)
            sources_by_sis[sis].add(source)
    assert all(len(emails) == 1 for emails in emails_by_sis.values())
    assert sum(1 for sources in sources_by_sis.values() if len(sources) == 3) > 30
    assert without_sis > 0


def test_section_ids_are_unique_across_sources_and_some_sis_sections_are_shared(
        quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    sources_by_section: defaultdict[str, set[str]] = defaultdict(set)
    sections_by_sis: defaultdict[str, set[str]] = defaultdict(set)
    for file in files:
        if file.placed.resource.name == "sections":
            for row in file.rows:
                sources_by_section[row[0]].add(row[1])
                if row[2]:
                    sections_by_sis[row[2]].add(row[0])
    assert all(len(sources) == 1 for sources in sources_by_section.values())
    assert len(sources_by_section) == 3 * (6 + 1)
    assert any(len(sections) > 1 for sections in sections_by_sis.values())
    assert all(re.fullmatch(r"\d{11}Trad\d{3}[A-Z0-9]+\d{4}", sis) for sis in sections_by_sis)


def test_association_ids_are_unique_per_source_and_grades_point_at_them(
        quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    owner: dict[tuple[str, str], tuple[str, str]] = {}
    for file in files:
        if file.placed.resource.name == "section-associations":
            for row in file.rows:
                pair = (row[5], row[6])
                assert owner.setdefault((row[1], row[0]), pair) == pair
    grades = [row for file in files if file.placed.resource.name == "grades"
              for row in file.rows]
    assert grades
    assert all((row[1], row[4]) in owner for row in grades)


def test_snapshots_change_from_day_to_day(quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    """Across the days of a scope, rows disappear, come back, appear and change."""
    _, files = quirky
    scopes: defaultdict[str, list[TreeFile]] = defaultdict(list)
    for file in files:
        if file.rows:
            scopes[file.placed.relative_path.rsplit("/", 1)[0] + file.rows[0][1]].append(file)
    events: Counter[str] = Counter()
    for snapshots in scopes.values():
        snapshots.sort(key=lambda file: file.placed.timestamp)
        days = [_rows_by_column(file, "SourceSystemIdentifier") for file in snapshots]
        seen: set[str] = set()
        for before, after in zip(days, days[1:], strict=False):
            seen |= before.keys()
            events["deleted"] += len(before.keys() - after.keys())
            events["returned"] += len((after.keys() - before.keys()) & seen)
            events["new"] += len(after.keys() - seen)
            events["changed"] += sum(1 for key in before.keys() & after.keys()
                                     if before[key][:-4] != after[key][:-4])
    assert all(events[kind] > 0 for kind in ("deleted", "returned", "new", "changed")), events


def test_submission_statuses_follow_each_source(
        quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    statuses: defaultdict[str, set[str]] = defaultdict(set)
    for file in files:
        if file.placed.resource.name == "submissions":
            for row in file.rows:
                statuses[row[1]].add(row[2])
    assert statuses["Canvas"] == {"submitted", "graded", "missing", "late"}
    assert statuses["Schoology"] == {"on-time", "late"}
    assert statuses["Google"] == {"TURNED_IN", "RETURNED", "CREATED"}


def test_submission_types_include_lists(quirky: tuple[TreeStats, list[TreeFile]]) -> None:
    _, files = quirky
    types = {row[8] for file in files if file.placed.resource.name == "assignments"
             for row in file.rows}
    assert "['online_text_entry', 'online_upload']" in types


# --- scale, options and errors --------------------------------------------------------------


def test_a_medium_tree_has_the_expected_order_of_rows(tmp_path: Path) -> None:
    stats = generate_tree(tmp_path, students=2000, sections=40, days=1)
    users = stats.rows_by_resource["users"]
    assert 0.97 * 3 * 2000 < users <= 3 * (2000 + 14)
    teacher_associations = 3 * (40 + 1)
    associations = stats.rows_by_resource["section-associations"]
    assert 0.95 * 3 * 2000 < associations - teacher_associations <= 3 * 2000
    assert 20_000 < stats.rows < 60_000
    assert stats.files > 3 * 40 * 5


def test_resources_limit_what_is_written(tmp_path: Path) -> None:
    stats = generate_tree(tmp_path, resources=["users", "grades"], **SMALL)
    assert set(stats.rows_by_resource) == {"users", "grades"}
    assert {file.placed.resource.name for file in read_tree(tmp_path)} == {"users", "grades"}


def test_sources_are_matched_in_any_case(tmp_path: Path) -> None:
    generate_tree(tmp_path, sources=["google"], **SMALL)
    names = {file.rows[0][1] for file in read_tree(tmp_path) if file.rows}
    assert names == {"Google"}


@pytest.mark.parametrize("arguments", [{"sources": ["Moodle"]}, {"students": 0},
                                       {"resources": ["people"]}])
def test_bad_arguments_are_refused(tmp_path: Path, arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        generate_tree(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()


def test_a_non_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate_tree(tmp_path)


# --- command line ---------------------------------------------------------------------------


def test_cli_writes_a_tree_and_summarises_it(tmp_path: Path) -> None:
    out = tmp_path / "tree"
    result = CliRunner().invoke(app, [
        "sample", "--out", str(out), "--seed", "5", "--days", "2", "--students", "10",
        "--sections", "2", "--sources", "canvas,google", "--start-date", "2026-10-05",
        "--no-quirks"])
    assert result.exit_code == 0, result.output
    expected = generate_tree(tmp_path / "api", seed=5, days=2, students=10, sections=2,
                             sources=["Canvas", "Google"], start=date(2026, 10, 5),
                             quirks=False)
    assert tree_bytes(out) == tree_bytes(tmp_path / "api")
    assert f"{expected.files} files" in result.stderr
    assert f"{expected.rows} rows" in result.stderr
    assert sorted(path.name for path in (out / "users").iterdir())[0].startswith("2026-10-05-")


@pytest.mark.parametrize("arguments", [["--sources", "canvas,moodle"],
                                       ["--start-date", "5.10.2026"]])
def test_cli_refuses_bad_options(tmp_path: Path, arguments: list[str]) -> None:
    result = CliRunner().invoke(app, ["sample", "--out", str(tmp_path / "tree"), *arguments])
    assert result.exit_code == 2
    assert not (tmp_path / "tree").exists()
