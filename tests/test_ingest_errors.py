"""Bad input: the file is rejected with file, line and column; nothing of it loads; the rest does.

Every case puts a good file beside the bad one in the same folder, so both engines must pull
the bad file out of a batch without losing its neighbours.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.resources import RESOURCES_BY_NAME
from tests.csvtree import csv_text, sample_row, write_bytes, write_resource
from tests.dbhelpers import Database

USERS = RESOURCES_BY_NAME["users"]
HEADER = ",".join(USERS.columns)
GOOD_ROW = ",".join(sample_row("users", 1))
BAD_NAME = "users/2026-09-02-10-00-00.csv"

CASES = {
    "missing required column": (
        csv_text([c for c in USERS.columns if c != "UserRole"], [["a"] * 10]).encode(),
        r"line 1: missing required column\(s\): UserRole"),
    "too few fields": (
        f"{HEADER}\n{GOOD_ROW}\nu2,Canvas,student\n".encode(),
        r"line 3, column 4 \(LocalUserIdentifier\): expected 11 fields, found 3"),
    "too many fields": (
        f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW},surplus\n".encode(),
        r"line 3, column 12: expected 11 fields, found 12"),
    "bytes that are not UTF-8": (
        f"{HEADER}\n{GOOD_ROW}\n".encode() + b"u2,Canvas,student,x,y,N\xe9e,e,a,b,c,d\n",
        r"line 3, column 6 \(Name\), character 24: bytes are not valid UTF-8"),
    "unterminated quote": (
        f'{HEADER}\n{GOOD_ROW}\nu2,Canvas,student,"never closed,y,n,e,a,b,c,d\n'.encode(),
        r"line 3: quoted value is not terminated"),
    "duplicate header": (
        f"{HEADER},Name\n{GOOD_ROW},x\n".encode(),
        r"line 1, column 12: column 'Name' appears twice"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_rejected_alone(database: Database, tmp_path: Path, case: str) -> None:
    content, expected_message = CASES[case]
    tree = tmp_path / "tree"
    write_resource(tree, "users", "2026-09-01-10-00-00", rows=3)
    write_bytes(tree, BAD_NAME, content)
    write_resource(tree, "users", "2026-09-03-10-00-00", rows=4, first_index=10)
    write_resource(tree, "sections", "2026-09-02-10-00-00", rows=2)

    result = database.load(tree)

    assert result.exit_code == 1
    rejected = [f for f in result.summary["files"] if f["status"] == "rejected"]
    assert [f["path"] for f in rejected] == [BAD_NAME]
    assert re.search(re.escape(BAD_NAME) + ": " + expected_message, rejected[0]["reason"]), \
        rejected[0]["reason"]
    assert BAD_NAME in result.stderr
    assert database.query(
        "select _file_path, count(*) from lms_raw.users group by _file_path order by 1") == [
        ("users/2026-09-01-10-00-00.csv", 3), ("users/2026-09-03-10-00-00.csv", 4)]
    assert database.scalar("select count(*) from lms_raw.sections") == 2
    ledger = database.query(
        f"select status, reason from lms_raw.ingest_ledger where file_path = '{BAD_NAME}'")
    assert len(ledger) == 1 and ledger[0][0] == "rejected"
    assert re.search(expected_message, ledger[0][1])

    write_resource(tree, "users", "2026-09-02-10-00-00", rows=5, first_index=20)
    fixed = database.load(tree)
    assert fixed.exit_code == 0
    assert fixed.summary["resources"]["users"]["loaded"] == 1
    assert database.scalar(
        f"select count(*) from lms_raw.users where _file_path = '{BAD_NAME}'") == 5
    assert database.scalar("select count(*) from lms_raw.users") == 12


def test_file_name_that_is_not_a_timestamp(database: Database, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_resource(tree, "users", "2026-09-01-10-00-00", rows=1)
    write_bytes(tree, "users/latest.csv", f"{HEADER}\n{GOOD_ROW}\n".encode())
    result = database.load(tree)
    assert result.exit_code == 1
    assert "users/latest.csv: file name 'latest.csv' is not a timestamp" in result.stderr
    assert database.scalar("select count(*) from lms_raw.users") == 1


def test_rejecting_the_same_file_twice_keeps_one_ledger_row(database: Database,
                                                            tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_bytes(tree, BAD_NAME, CASES["too few fields"][0])
    assert database.load(tree).exit_code == 1
    assert database.load(tree).exit_code == 1
    assert database.query("select status from lms_raw.ingest_ledger") == [("rejected",)]


def test_changed_file_that_is_now_bad_keeps_the_earlier_rows(database: Database,
                                                             tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_resource(tree, "users", "2026-09-02-10-00-00", rows=3)
    database.load(tree)
    write_bytes(tree, BAD_NAME, CASES["unterminated quote"][0])
    result = database.load(tree)
    assert result.exit_code == 1
    assert database.scalar("select count(*) from lms_raw.users") == 3
    assert sorted(database.query("select status from lms_raw.ingest_ledger")) == [
        ("loaded",), ("rejected",)]
