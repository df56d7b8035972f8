"""Deterministic sample extractor trees: every resource, several source systems, real quirks.

The tree has the layout the extractors write (DESIGN.md, "The extractor CSV tree"): one
full snapshot per scope, source system and extraction day. Every value comes from a
``random.Random`` seeded with the seed and the scope it belongs to, so the same arguments
give a byte-identical tree, and a scope's rows line up from one day to the next: each day
draws the same numbers for the same row, and only the extraction time decides what changed.

A scope that has nothing to report gets no file (unless a quirk asks for an empty one), and
once a scope has rows it keeps at least one: the first row of a snapshot is never dropped.
"""

from __future__ import annotations

import csv
import os
import random
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain
from pathlib import Path

from ingest.resources import RESOURCES, RESOURCES_BY_NAME, Resource

Row = list[str]

_EPOCH = date(2000, 1, 1)
_UNIX_SECONDS_AT_EPOCH = 946_684_800
_DAY = 86_400
_HOUR = 3_600
_GOLDEN = 0.6180339887498949
_TERM_LEAD_DAYS = 14
"""The term starts this many days before the first extraction, so snapshots have history."""
_TERM_DAYS = 140
_ENROLMENTS_PER_STUDENT = 1
"""Sections each student takes in each source system (fewer when there are fewer)."""
_TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))
_RESOURCE_ORDER = {resource.name: position for position, resource in enumerate(RESOURCES)}


@dataclass
class TreeStats:
    """What a generated tree holds: files written and data rows (headers excluded)."""

    files: int = 0
    rows: int = 0
    rows_by_resource: dict[str, int] = field(default_factory=dict)


# --- source systems -------------------------------------------------------------------------


@dataclass(frozen=True)
class _IdScheme:
    base: int
    step: int = 1
    template: str = "{}"

    def format(self, serial: int) -> str:
        return self.template.format(self.base + serial * self.step)


@dataclass(frozen=True)
class SourceProfile:
    """How one LMS names things: identifiers, folder spelling and vocabularies."""

    name: str
    ordinal: int
    """Position among all profiles; keeps file timestamps of different sources apart."""
    assignment_folder: str
    ids: dict[str, _IdScheme]
    section_statuses: tuple[str, str, str]
    """Normal, archived and unpublished (staff) section."""
    enrollment_statuses: tuple[str, ...]
    categories: tuple[str, ...]
    submission_types: tuple[str, ...]
    submission_style: str
    grade_style: str
    attendance_statuses: tuple[str, str, str]
    """Absent, late, excused."""
    activity_types: tuple[str, str]
    """Topic, reply."""
    ungraded_share: float
    has_source_dates: bool

    def entity_id(self, kind: str, serial: int) -> str:
        return self.ids[kind].format(serial)


SOURCE_PROFILES: tuple[SourceProfile, ...] = (
    SourceProfile(
        name="Canvas",
        ordinal=0,
        assignment_folder="assignment",
        ids={
            "student": _IdScheme(100_032_890), "teacher": _IdScheme(90_000_100),
            "section": _IdScheme(123_400, 7), "assignment": _IdScheme(2_942_251_000, 3),
            "association": _IdScheme(8_100_000), "submission": _IdScheme(236_789_156),
            "grade": _IdScheme(1_357_982), "activity": _IdScheme(987_000_000),
        },
        section_statuses=("available", "completed", "unpublished"),
        enrollment_statuses=("active", "inactive", "invited", "completed"),
        categories=("assignment", "online_quiz", "assignment", "discussion_topic"),
        submission_types=("online_upload", "online_text_entry",
                          "['online_text_entry', 'online_upload']", "online_quiz", "none"),
        submission_style="canvas",
        grade_style="letter",
        attendance_statuses=("absent", "late", "excused"),
        activity_types=("discussion_topic", "discussion_entry"),
        ungraded_share=0.0,
        has_source_dates=True,
    ),
    SourceProfile(
        name="Schoology",
        ordinal=1,
        assignment_folder="Assignment",
        ids={
            "student": _IdScheme(99_588_000, 13), "teacher": _IdScheme(98_000_000, 13),
            "section": _IdScheme(2_385_758_954, 31), "assignment": _IdScheme(4_400_000_000, 17),
            "association": _IdScheme(4_123_000_000), "submission": _IdScheme(45_678_900_000),
            "grade": _IdScheme(11_357_982_000), "activity": _IdScheme(3_900_000_000_000),
        },
        section_statuses=("Active", "Archived", "Inactive"),
        enrollment_statuses=("Active", "Inactive", "Pending", "Archived"),
        categories=("assignment", "assessment", "assignment", "discussion"),
        submission_types=("dropbox", "", "assessment"),
        submission_style="schoology",
        grade_style="percent",
        attendance_statuses=("Absent", "Tardy", "Excused"),
        activity_types=("discussion", "discussion-reply"),
        ungraded_share=0.0,
        has_source_dates=False,
    ),
    SourceProfile(
        name="Google",
        ordinal=2,
        assignment_folder="assignment",
        ids={
            "student": _IdScheme(104_539_239_281_736_250_123, 7919),
            "teacher": _IdScheme(117_338_902_341_552_001_007, 7919),
            "section": _IdScheme(479_845_672_931, 104_729),
            "assignment": _IdScheme(512_006_321_447, 1_299_709),
            "association": _IdScheme(3_000_000_000_000, 1, "{}"),
            "submission": _IdScheme(0x1_5E7A_0000_0000, 1, "Cg4I{:x}"),
            "grade": _IdScheme(6_000_000_000_000, 1, "grade-{}"),
            "activity": _IdScheme(602_000_000_000_000),
        },
        section_statuses=("ACTIVE", "ARCHIVED", "PROVISIONED"),
        enrollment_statuses=("ACTIVE", "INVITED"),
        categories=("ASSIGNMENT", "SHORT_ANSWER_QUESTION", "ASSIGNMENT",
                    "MULTIPLE_CHOICE_QUESTION"),
        submission_types=("ASSIGNMENT", "SHORT_ANSWER_QUESTION", "MULTIPLE_CHOICE_QUESTION"),
        submission_style="google",
        grade_style="points",
        attendance_statuses=("ABSENT", "TARDY", "EXCUSED"),
        activity_types=("announcement", "comment"),
        ungraded_share=0.15,
        has_source_dates=True,
    ),
)
SOURCE_PROFILES_BY_KEY = {profile.name.lower(): profile for profile in SOURCE_PROFILES}


def resolve_sources(names: Iterable[str]) -> tuple[SourceProfile, ...]:
    """Profiles for source names given in any case, in the given order, without repeats."""
    profiles: list[SourceProfile] = []
    for name in names:
        profile = SOURCE_PROFILES_BY_KEY.get(name.strip().lower())
        if profile is None:
            known = ", ".join(p.name for p in SOURCE_PROFILES)
            raise ValueError(f"unknown source system {name!r}; known: {known}")
        if profile not in profiles:
            profiles.append(profile)
    if not profiles:
        raise ValueError("at least one source system is needed")
    return tuple(profiles)


# --- time -----------------------------------------------------------------------------------


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


def _weekday(day_number: int) -> int:
    return (_EPOCH.weekday() + day_number) % 7


class _Clock:
    """Formats timestamps (seconds since 2000-01-01) as ``YYYY-MM-DD HH:MM:SS``."""

    def __init__(self) -> None:
        self._dates: dict[int, str] = {}
        self._minutes: dict[int, str] = {}
        """``YYYY-MM-DD HH:MM:`` by minute number; bounded by the minutes the tree spans."""

    def date(self, day_number: int) -> str:
        text = self._dates.get(day_number)
        if text is None:
            text = (_EPOCH + timedelta(days=day_number)).isoformat()
            self._dates[day_number] = text
        return text

    def __call__(self, timestamp: int) -> str:
        minute_number, second = divmod(timestamp, 60)
        prefix = self._minutes.get(minute_number)
        if prefix is None:
            day_number, minute_of_day = divmod(minute_number, 1440)
            hour, minute = divmod(minute_of_day, 60)
            prefix = f"{self.date(day_number)} {hour:02d}:{minute:02d}:"
            self._minutes[minute_number] = prefix
        return prefix + _TWO_DIGITS[second]

    def optional(self, timestamp: int | None) -> str:
        return "" if timestamp is None else self(timestamp)

    def file_name(self, timestamp: int) -> str:
        return self(timestamp).replace(" ", "-").replace(":", "-") + ".csv"


# --- change model ---------------------------------------------------------------------------


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random("/".join(str(part) for part in (seed, *parts)))


def _hit(phase: float, day: int, rate: float) -> bool:
    """Whether a row with this phase is hit on this extraction day (never on the first)."""
    return day > 0 and (phase + day * _GOLDEN) % 1.0 < rate


def _last_change(phase: float, day: int, rate: float) -> int:
    """The latest extraction day up to ``day`` on which the row changed; 0 when never."""
    for candidate in range(day, 0, -1):
        if _hit(phase, candidate, rate):
            return candidate
    return 0


def _change_count(phase: float, day: int, rate: float) -> int:
    return sum(1 for candidate in range(1, day + 1) if _hit(phase, candidate, rate))


@dataclass(frozen=True)
class _Churn:
    """Daily rates of temporary absence, permanent deletion and value changes."""

    absence: float
    deletion: float
    change: float


_USER_CHURN = _Churn(absence=0.01, deletion=0.003, change=0.05)
_SECTION_CHURN = _Churn(absence=0.01, deletion=0.0, change=0.05)
_ENROLMENT_CHURN = _Churn(absence=0.02, deletion=0.005, change=0.03)
_ASSIGNMENT_CHURN = _Churn(absence=0.03, deletion=0.01, change=0.1)
_SUBMISSION_CHURN = _Churn(absence=0.01, deletion=0.002, change=0.0)
_GRADE_CHURN = _Churn(absence=0.0, deletion=0.0, change=0.25)


def _survives(absence_phase: float, deletion_draw: float, day: int, churn: _Churn) -> bool:
    """Whether a row is neither deleted for good nor absent just today."""
    if deletion_draw < 1.0 - (1.0 - churn.deletion) ** day:
        return False
    return not _hit(absence_phase, day, churn.absence)


@dataclass(frozen=True, slots=True)
class _Fate:
    """The drawn future of one row: when it is absent, deleted or changed."""

    absence_phase: float
    deletion_draw: float
    change_phase: float
    churn: _Churn

    @classmethod
    def draw(cls, rng: random.Random, churn: _Churn) -> _Fate:
        random_ = rng.random
        return cls(random_(), random_(), random_(), churn)

    def present(self, day: int, earlier_rows_kept: bool) -> bool:
        """Present today; the first row of a snapshot always is, so scopes never empty."""
        return not earlier_rows_kept or _survives(self.absence_phase, self.deletion_draw, day,
                                                  self.churn)

    def last_change(self, day: int) -> int:
        return _last_change(self.change_phase, day, self.churn.change)


# --- people ---------------------------------------------------------------------------------

_FIRST_NAMES = (
    "Mary", "Kyle", "Peter", "Larry", "Roland", "Stephen", "Olivia", "Micheal", "Kelley", "Sara",
    "Aaliyah", "Brandon", "Carmen", "Derek", "Elena", "Farah", "Gavin", "Hannah", "Isaac",
    "Jasmine", "Kevin", "Leah", "Marcus", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Samuel",
    "Tanya", "Umar", "Valerie", "Wesley", "Ximena", "Yusuf", "Zachary", "Amber", "Blake",
    "Chloe", "Dylan", "Emma", "Felix", "Grace", "Hector", "Ivy", "Jamal", "Kara", "Liam",
    "Maya", "Noah", "Paige", "Rahul", "Sofia", "Tyler", "Uma", "Victor", "Wendy", "Xavier",
    "Yara", "Zane",
)
_LAST_NAMES = (
    "Archer", "Hughes", "Nash", "Mahoney", "Phillips", "Caldwell", "Hardy", "Turner",
    "Christian", "Preston", "Abbott", "Bishop", "Castillo", "Dawson", "Ellison", "Fleming",
    "Garrison", "Holland", "Ingram", "Jennings", "Keller", "Lambert", "Morales", "Norton",
    "Ortega", "Patel", "Quincy", "Ramirez", "Sanders", "Thornton", "Underwood", "Vaughn",
    "Whitaker", "Young", "Zimmerman", "Bennett", "Coleman", "Delgado", "Espinoza", "Franklin",
    "Gibson", "Harmon", "Irwin", "Jacobs", "Kim", "Lowe", "Mendez", "Nguyen", "Olsen", "Parks",
    "Reyes", "Stanley", "Tran", "Vega", "Walsh", "Xiong", "Yates", "Zhang", "Brooks",
)
_ACCENTED_NAMES = (("José", "Núñez"), ("Zoë", "Brontë"), ("Chloé", "Müller"),
                   ("Renée", "Peña"), ("Inés", "García"))
_NICKNAMES = ("Bo", "Jay", "Kit", "Max", "Sky")
_EMAIL_DOMAIN = "gbisd.org"
_TEACHER_PERSON_OFFSET = 10_000_000


@dataclass(frozen=True)
class _Person:
    name: str
    login: str
    email: str
    sis_id: str
    first: str
    last: str


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _name_parts(index: int, first_names: Sequence[str], last_names: Sequence[str],
                quirks: bool) -> tuple[str, str, int]:
    """First and last name of a person plus how many earlier people share them."""
    if quirks and index % 37 == 1:
        first, last = _ACCENTED_NAMES[(index // 37) % len(_ACCENTED_NAMES)]
        return first, last, index // 37
    first_count, last_count = len(first_names), len(last_names)
    cycle, first_position = divmod(index, first_count)
    last_position = (cycle * (first_count + 1) + first_position) % last_count
    return (first_names[first_position], last_names[last_position],
            index // (first_count * last_count))


def _person(index: int, sis_id: str, first_names: Sequence[str], last_names: Sequence[str],
            quirks: bool) -> _Person:
    first, last, repeat = _name_parts(index, first_names, last_names, quirks)
    suffix = str(repeat + 1) if repeat else ""
    login = f"{_ascii(first)}.{_ascii(last)}{suffix}".lower()
    email = f"{_ascii(first)}.{_ascii(last)}{suffix}@{_EMAIL_DOMAIN}"
    name = f"{first} {last}"
    if quirks and index % 41 == 2:
        name = f'{last}, {first} "{_NICKNAMES[index % len(_NICKNAMES)]}"'
    return _Person(name=name, login=login, email=email, sis_id=sis_id, first=first, last=last)


def _people(seed: int, students: int, teachers: int,
            quirks: bool) -> tuple[list[_Person], list[_Person]]:
    rng = _rng(seed, "names")
    first_names, last_names = list(_FIRST_NAMES), list(_LAST_NAMES)
    rng.shuffle(first_names)
    rng.shuffle(last_names)
    student_people = [_person(index, str(604_863 + 11 * index), first_names, last_names, quirks)
                      for index in range(students)]
    teacher_people = [_person(_TEACHER_PERSON_OFFSET + index, str(207_268 + 3 * index),
                              first_names, last_names, quirks) for index in range(teachers)]
    return student_people, teacher_people


# --- sections and assignments ---------------------------------------------------------------

_COURSES = (
    ("ALG1", "Algebra I"), ("GEOM", "Geometry"), ("ENG1", "English I"), ("ENG2", "English II"),
    ("BIO1", "Biology"), ("CHEM", "Chemistry"), ("PHYS", "Physics"), ("WHIS", "World History"),
    ("USHI", "U.S. History"), ("SPA1", "Spanish I"), ("ART1", "Art I"),
    ("CSCI", "Computer Science"),
)
_SCHOOLS = (255901001, 255901044, 255901107)
_PERIODS = 8
_ASSIGNMENT_TOPICS = ("Homework", "Reading response", "Chapter quiz", "Lab report",
                      "Unit test", "Project milestone", "Practice set", "Exit ticket")
_DESCRIPTIONS = ("Complete the exercises in the workbook.",
                 "Upload a photo or scan of your work.",
                 "Answer every question in full sentences.",
                 "Submit your draft before class.")
_QUOTED_TITLES = ('Read "Hamlet", act {n}', 'Essay: "Why, and how?" part {n}')
_QUOTED_DESCRIPTION = 'Answer questions 1-5, then write a short "reflection", max. 200 words.'
_MAX_POINTS = (10, 20, 25, 50, 100)


@dataclass(frozen=True)
class _Assignment:
    serial: int
    identifier: str
    title: str
    category: str
    description: str
    unlock: int
    lock: int | None
    due: int | None
    submission_type: str
    max_points: int | None
    created: int
    fate: _Fate


@dataclass(frozen=True)
class _Section:
    serial: int
    identifier: str
    sis_identifier: str
    title: str
    description: str
    term: str
    status: str
    teacher: int
    roster: list[int]
    assignments: list[_Assignment]
    created: int
    fate: _Fate
    is_staff: bool


def _catalogue_entry(catalogue_index: int) -> tuple[str, str, int, int]:
    """Course code, course name, period and school of an SIS section of the catalogue."""
    code, course = _COURSES[catalogue_index % len(_COURSES)]
    period = 1 + (catalogue_index // len(_COURSES)) % _PERIODS
    school = _SCHOOLS[(catalogue_index // len(_COURSES)) % len(_SCHOOLS)]
    return code, course, period, school


def _sis_section_identifier(catalogue_index: int, school_year: int) -> str:
    code, _, period, school = _catalogue_entry(catalogue_index)
    sequence = 1 + catalogue_index // (len(_COURSES) * _PERIODS)
    room = 100 + (catalogue_index * 37) % 300
    return f"{school}{period:02d}Trad{room}{code}{sequence}{school_year}"


def _catalogue_index(profile: SourceProfile, serial: int) -> int:
    """Which SIS section an LMS section teaches; a few are shared across or within sources."""
    if profile.ordinal > 0 and serial % 10 == 3:
        return serial * len(SOURCE_PROFILES)
    if serial % 10 == 5:
        serial -= 1
    return serial * len(SOURCE_PROFILES) + profile.ordinal


# --- the world ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    seed: int
    days: int
    students: int
    sections: int
    assignments_per_section: int
    start: date
    quirks: bool
    resources: frozenset[str]

    @property
    def teachers(self) -> int:
        return max(1, (self.sections + 2) // 3)

    @property
    def first_day(self) -> int:
        return _day_number(self.start)

    @property
    def term_start(self) -> int:
        return self.first_day - _TERM_LEAD_DAYS

    @property
    def school_year(self) -> int:
        return self.start.year if self.start.month >= 7 else self.start.year - 1

    @property
    def slot_stride(self) -> int:
        """Room for every student plus the teacher in a per-section identifier serial."""
        return self.students + 1


@dataclass
class _Source:
    profile: SourceProfile
    student_ids: list[str]
    teacher_ids: list[str]
    sections: list[_Section]
    no_sis_remainder: int


def _build_assignment(settings: _Settings, profile: SourceProfile, rng: random.Random,
                      serial: int, number: int) -> _Assignment:
    first_day = settings.first_day
    topic = rng.choice(_ASSIGNMENT_TOPICS)
    title = f"{topic} {number}"
    description = rng.choice(_DESCRIPTIONS)
    if settings.quirks and serial % 7 == 3:
        title = _QUOTED_TITLES[serial % 2].format(n=number)
    if settings.quirks and serial % 5 == 1:
        description = _QUOTED_DESCRIPTION
    due_day = first_day + rng.randint(-7, 10)
    has_due = rng.random() >= 0.1
    due = due_day * _DAY + 23 * _HOUR + 59 * 60 if has_due else None
    created = (due_day - rng.randint(3, 14)) * _DAY + rng.randint(7 * _HOUR, 17 * _HOUR)
    created = max(created, settings.term_start * _DAY + 7 * _HOUR)
    unlock = (created // _DAY + 1) * _DAY + 8 * _HOUR
    graded = rng.random() >= profile.ungraded_share
    return _Assignment(
        serial=serial,
        identifier=profile.entity_id("assignment", serial),
        title=title,
        category=rng.choice(profile.categories),
        description=description,
        unlock=unlock,
        lock=due + 2 * _DAY if due is not None else None,
        due=due,
        submission_type=rng.choice(profile.submission_types),
        max_points=rng.choice(_MAX_POINTS) if graded else None,
        created=created,
        fate=_Fate.draw(rng, _ASSIGNMENT_CHURN),
    )


def _build_section(settings: _Settings, profile: SourceProfile, serial: int,
                   roster: list[int]) -> _Section:
    rng = _rng(settings.seed, profile.name, "section", serial)
    catalogue = _catalogue_index(profile, serial)
    code, course, period, school = _catalogue_entry(catalogue)
    year = f"{settings.school_year}-{settings.school_year + 1}"
    term = f"{school}_{year}_Fall"
    if catalogue % 4 == 0:
        term += f",{school}_{year}_Spring"
    first_assignment = serial * settings.assignments_per_section
    assignments = [
        _build_assignment(settings, profile, rng, first_assignment + number, number + 1)
        for number in range(settings.assignments_per_section)
    ]
    return _Section(
        serial=serial,
        identifier=profile.entity_id("section", serial),
        sis_identifier=_sis_section_identifier(catalogue, settings.school_year),
        title=f"{code}-{period}",
        description=f"{course} (period {period})",
        term=term,
        status=profile.section_statuses[1 if serial % 9 == 8 else 0],
        teacher=serial % settings.teachers,
        roster=roster,
        assignments=assignments,
        created=(settings.term_start - 10) * _DAY + rng.randint(8 * _HOUR, 16 * _HOUR),
        fate=_Fate.draw(rng, _SECTION_CHURN),
        is_staff=False,
    )


def _staff_section(settings: _Settings, profile: SourceProfile) -> _Section:
    """A section with a teacher and nothing else, like a staff room course."""
    serial = settings.sections
    rng = _rng(settings.seed, profile.name, "section", serial)
    return _Section(
        serial=serial,
        identifier=profile.entity_id("section", serial),
        sis_identifier="",
        title="STAFF-1",
        description="Staff announcements",
        term="",
        status=profile.section_statuses[2],
        teacher=0,
        roster=[],
        assignments=[],
        created=(settings.term_start - 20) * _DAY + 9 * _HOUR,
        fate=_Fate(0.0, 1.0, rng.random(), _SECTION_CHURN),
        is_staff=True,
    )


def _rosters(settings: _Settings, profile: SourceProfile) -> list[list[int]]:
    rng = _rng(settings.seed, profile.name, "rosters")
    rosters: list[list[int]] = [[] for _ in range(settings.sections)]
    per_student = min(_ENROLMENTS_PER_STUDENT, settings.sections)
    section_numbers = range(settings.sections)
    for student in range(settings.students):
        for section in sorted(rng.sample(section_numbers, per_student)):
            rosters[section].append(student)
    return rosters


def _build_source(settings: _Settings, profile: SourceProfile) -> _Source:
    rosters = _rosters(settings, profile)
    sections = [_build_section(settings, profile, serial, roster)
                for serial, roster in enumerate(rosters)]
    sections.append(_staff_section(settings, profile))
    return _Source(
        profile=profile,
        student_ids=[profile.entity_id("student", index) for index in range(settings.students)],
        teacher_ids=[profile.entity_id("teacher", index) for index in range(settings.teachers)],
        sections=sections,
        no_sis_remainder=(3 + 11 * profile.ordinal) % 47,
    )


# --- the roster, for a sample ODS -----------------------------------------------------------


@dataclass(frozen=True)
class RosterStudent:
    """A student as the SIS knows them; every source system has an account for each."""

    sis_id: str
    """StudentUniqueId; the users' SISUserIdentifier (where a source has one)."""
    first_name: str
    last_name: str
    email: str
    """The users' EmailAddress, the same in every source system."""


@dataclass(frozen=True)
class RosterSection:
    """An LMS section with students, and the SIS section it teaches."""

    source_system: str
    identifier: str
    """The section's SourceSystemIdentifier."""
    sis_identifier: str
    """SISSectionIdentifier; several LMS sections may teach the same SIS section."""
    course_code: str
    school_id: int
    students: tuple[int, ...]
    """Positions in ``Roster.students``."""


@dataclass(frozen=True)
class Roster:
    school_year: int
    """The calendar year the school year starts in: 2026 for 2026-2027."""
    term_start: date
    students: tuple[RosterStudent, ...]
    sections: tuple[RosterSection, ...]
    """Every section of every source system but the staff section (its roster may be empty)."""


def sample_roster(*, seed: int = 42, students: int = 40, sections: int = 6,
                  sources: Sequence[str] = ("Canvas", "Schoology", "Google"),
                  start: date = date(2026, 9, 1), quirks: bool = True) -> Roster:
    """The students and sections ``generate_tree`` writes for the same arguments."""
    for name, value in (("students", students), ("sections", sections)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
    settings = _Settings(seed=seed, days=1, students=students, sections=sections,
                         assignments_per_section=0, start=start, quirks=quirks,
                         resources=frozenset())
    people, _ = _people(seed, students, settings.teachers, quirks)
    roster_sections = []
    for profile in resolve_sources(sources):
        for serial, roster in enumerate(_rosters(settings, profile)):
            catalogue = _catalogue_index(profile, serial)
            code, _, _, school = _catalogue_entry(catalogue)
            roster_sections.append(RosterSection(
                source_system=profile.name,
                identifier=profile.entity_id("section", serial),
                sis_identifier=_sis_section_identifier(catalogue, settings.school_year),
                course_code=code, school_id=school, students=tuple(roster)))
    return Roster(
        school_year=settings.school_year,
        term_start=_EPOCH + timedelta(days=settings.term_start),
        students=tuple(RosterStudent(person.sis_id, person.first, person.last, person.email)
                       for person in people),
        sections=tuple(roster_sections))


# --- one extraction -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Enrolment:
    slot: int
    user_id: str
    association_serial: int
    association_id: str
    status: str
    changed_day: int


class _Extraction:
    """One source system's extraction on one day: the rows of every scope."""

    def __init__(self, settings: _Settings, source: _Source, day: int, clock: _Clock,
                 students: list[_Person], teachers: list[_Person]) -> None:
        self.settings = settings
        self.source = source
        self.profile = source.profile
        self.day = day
        self.day_number = settings.first_day + day
        self.clock = clock
        self.students = students
        self.teachers = teachers
        self._jitter = _rng(settings.seed, self.profile.name, "clock", day).randrange(20)
        self.class_days = [number for number in range(settings.term_start, self.day_number)
                           if _weekday(number) < 5]

    def timestamp(self, resource: str) -> int:
        minute = 4 + 12 * self.profile.ordinal + _RESOURCE_ORDER[resource]
        second = 20 * self.profile.ordinal + self._jitter
        return self.day_number * _DAY + 15 * _HOUR + minute * 60 + second

    def change_time(self, changed_day: int, phase: float) -> int:
        """When a change seen first on ``changed_day`` happened: that morning."""
        return ((self.settings.first_day + changed_day) * _DAY + 6 * _HOUR
                + int(phase * 8 * _HOUR))

    def audit(self, created: int, modified: int) -> list[str]:
        clock = self.clock
        if self.profile.has_source_dates:
            return [clock(created), clock(modified), clock(created - 61), clock(modified - 61)]
        return [clock(created), clock(modified), "", ""]

    # users and sections

    def users(self) -> Iterator[Row]:
        rng = _rng(self.settings.seed, self.profile.name, "users")
        kept = False
        accounts = chain(
            (("student", index, person, self.source.student_ids[index])
             for index, person in enumerate(self.students)),
            (("teacher", index, person, self.source.teacher_ids[index])
             for index, person in enumerate(self.teachers)),
        )
        account_day = self.settings.term_start - 30
        for role, index, person, user_id in accounts:
            fate = _Fate.draw(rng, _USER_CHURN)
            created = account_day * _DAY + int(rng.random() * 20 * _DAY)
            if not fate.present(self.day, kept):
                continue
            kept = True
            changed = fate.last_change(self.day)
            modified = self.change_time(changed, fate.change_phase) if changed else created
            no_sis = role == "student" and index % 47 == self.source.no_sis_remainder
            yield [user_id, self.profile.name, role, person.login,
                   "" if no_sis else person.sis_id, person.name, person.email,
                   *self.audit(created, modified)]

    def present_sections(self) -> list[_Section]:
        present: list[_Section] = []
        for section in self.source.sections:
            if section.fate.present(self.day, bool(present)):
                present.append(section)
        return present

    def sections(self, present: list[_Section]) -> Iterator[Row]:
        for section in present:
            changed = section.fate.last_change(self.day)
            modified = (self.change_time(changed, section.fate.change_phase) if changed
                        else section.created)
            yield [section.identifier, self.profile.name, section.sis_identifier,
                   section.title, section.description, section.term, section.status,
                   *self.audit(section.created, modified)]

    # section scope

    def enrolments(self, section: _Section) -> list[_Enrolment]:
        """The associations of a section present today: students first, then the teacher."""
        rng = _rng(self.settings.seed, self.profile.name, "enrolments", section.serial)
        statuses = self.profile.enrollment_statuses
        stride = self.settings.slot_stride
        present: list[_Enrolment] = []
        for slot, student in enumerate(section.roster):
            fate = _Fate.draw(rng, _ENROLMENT_CHURN)
            status_draw = rng.random()
            if not fate.present(self.day, bool(present)):
                continue
            changed = fate.last_change(self.day)
            status = statuses[0]
            if status_draw >= 0.92:
                status = statuses[1 + int((status_draw - 0.92) / 0.08 * (len(statuses) - 1))]
            elif changed and status_draw < 0.5:
                status = statuses[1]
            serial = section.serial * stride + slot
            present.append(_Enrolment(slot, self.source.student_ids[student], serial,
                                      self.profile.entity_id("association", serial),
                                      status, changed))
        teacher_serial = section.serial * stride + self.settings.students
        present.append(_Enrolment(-1, self.source.teacher_ids[section.teacher], teacher_serial,
                                  self.profile.entity_id("association", teacher_serial),
                                  statuses[0], 0))
        return present

    def associations(self, section: _Section, enrolments: list[_Enrolment]) -> Iterator[Row]:
        start = self.clock(self.settings.term_start * _DAY)
        end = self.clock((self.settings.term_start + _TERM_DAYS) * _DAY)
        for enrolment in enrolments:
            modified = (self.change_time(enrolment.changed_day, 0.5) if enrolment.changed_day
                        else section.created)
            yield [enrolment.association_id, self.profile.name, enrolment.status, start, end,
                   enrolment.user_id, section.identifier,
                   *self.audit(section.created, modified)]

    def present_assignments(self, section: _Section) -> list[_Assignment]:
        now = self.timestamp("assignments")
        present: list[_Assignment] = []
        for assignment in section.assignments:
            if assignment.created <= now and assignment.fate.present(self.day, bool(present)):
                present.append(assignment)
        return present

    def assignments(self, section: _Section, present: list[_Assignment]) -> Iterator[Row]:
        clock = self.clock
        for assignment in present:
            changed = assignment.fate.last_change(self.day)
            title = f"{assignment.title} (revised)" if changed else assignment.title
            modified = (self.change_time(changed, assignment.fate.change_phase) if changed
                        else assignment.created)
            max_points = "" if assignment.max_points is None else str(assignment.max_points)
            yield [assignment.identifier, self.profile.name, title, assignment.category,
                   assignment.description, clock(assignment.unlock),
                   clock.optional(assignment.lock), clock.optional(assignment.due),
                   assignment.submission_type, max_points, section.identifier,
                   *self.audit(assignment.created, modified)]

    def submissions(self, section: _Section, assignment: _Assignment) -> Iterator[Row]:
        rng = _rng(self.settings.seed, self.profile.name, "submissions", assignment.serial)
        now = self.timestamp("submissions")
        status_of = _SUBMISSION_STATUS[self.profile.submission_style]
        reference = assignment.due if assignment.due is not None else assignment.unlock + 3 * _DAY
        stride = self.settings.slot_stride
        random_, day, churn = rng.random, self.day, _SUBMISSION_CHURN
        kept = False
        for slot, student in enumerate(section.roster):
            never, offset, delay, score, regrade, absence, deletion = (
                random_(), random_(), random_(), random_(), random_(), random_(), random_())
            submitted = None
            if never >= 0.12:
                earliest = assignment.unlock + 600 + int(offset * 6 * _HOUR)
                submitted = max(reference + int((offset * 144 - 96) * _HOUR), earliest)
            graded = submitted + int((6 + delay * 90) * _HOUR) if submitted is not None else None
            status = status_of(now, assignment.due, submitted, graded)
            if status is None or (kept and not _survives(absence, deletion, day, churn)):
                continue
            kept = True
            yield self._submission_row(assignment, slot, student, stride * assignment.serial,
                                       now, status, submitted, graded, score, regrade)

    def _submission_row(self, assignment: _Assignment, slot: int, student: int, serial_base: int,
                        now: int, status: str, submitted: int | None, graded: int | None,
                        score: float, regrade: float) -> Row:
        shown_submitted = submitted if submitted is not None and submitted <= now else None
        earned, grade = "", ""
        modified = created = shown_submitted or assignment.due or assignment.created
        if self.profile.submission_style == "google":
            created = assignment.created
            modified = shown_submitted or created
        if graded is not None and graded <= now and assignment.max_points is not None:
            fraction = 0.45 + 0.55 * score
            modified = graded
            regraded = graded + _DAY + int(regrade * 30 * _HOUR)
            if regrade < 0.06 and regraded <= now:
                fraction = min(1.0, fraction + 0.1)
                modified = regraded
            earned = str(round(fraction * assignment.max_points))
            grade = _grade_text(self.profile.grade_style, fraction, earned)
        return [self.profile.entity_id("submission", serial_base + slot), self.profile.name,
                status, self.clock.optional(shown_submitted), earned, grade,
                assignment.identifier, self.source.student_ids[student],
                *self.audit(created, modified)]

    def attendance_events(self, section: _Section) -> Iterator[Row]:
        rng = _rng(self.settings.seed, self.profile.name, "attendance", section.serial)
        absent, late, excused = self.profile.attendance_statuses
        stride = self.settings.slot_stride
        now = self.timestamp("attendance-events")
        for class_day in self.class_days:
            event_time = class_day * _DAY + (7 + section.serial % _PERIODS) * _HOUR
            day_text = self.clock.date(class_day).replace("-", "")
            for slot, student in enumerate(section.roster):
                draw = rng.random()
                if draw >= 0.04:
                    continue
                status = (absent, late, excused)[int(draw / 0.04 * 3)]
                corrected = event_time + int((1 + rng.random() * 3) * _DAY)
                modified = event_time + 8 * _HOUR
                if status == absent and draw < 0.005 and corrected <= now:
                    status, modified = excused, corrected
                association = self.profile.entity_id("association",
                                                     section.serial * stride + slot)
                yield [f"{association}-{day_text}", self.profile.name, self.clock(event_time),
                       status, section.identifier, self.source.student_ids[student],
                       association, *self.audit(event_time + 8 * _HOUR, modified)]

    def section_activities(self, section: _Section) -> Iterator[Row]:
        if section.is_staff:
            return
        rng = _rng(self.settings.seed, self.profile.name, "activities", section.serial)
        topic_type, reply_type = self.profile.activity_types
        first_serial = section.serial * 10_000_000
        topic_id = self.profile.entity_id("activity", first_serial)
        topic_time = self.settings.term_start * _DAY + 9 * _HOUR
        yield [topic_id, self.profile.name, topic_type, self.clock(topic_time), "published", "",
               "", section.identifier, self.source.teacher_ids[section.teacher],
               *self.audit(topic_time, topic_time)]
        serial = first_serial
        for class_day in self.class_days:
            for student in section.roster:
                if rng.random() >= 0.05:
                    continue
                serial += 1
                when = class_day * _DAY + 9 * _HOUR + int(rng.random() * 10 * _HOUR)
                minutes = str(1 + int(rng.random() * 45))
                yield [self.profile.entity_id("activity", serial), self.profile.name,
                       reply_type, self.clock(when), "published", topic_id, minutes,
                       section.identifier, self.source.student_ids[student],
                       *self.audit(when, when)]

    def grades(self, section: _Section, enrolments: list[_Enrolment]) -> Iterator[Row]:
        rng = _rng(self.settings.seed, self.profile.name, "grades", section.serial)
        by_slot = {enrolment.slot: enrolment for enrolment in enrolments}
        for slot in range(len(section.roster)):
            base, phase = rng.random(), rng.random()
            enrolment = by_slot.get(slot)
            if enrolment is None:
                continue
            changes = _change_count(phase, self.day, _GRADE_CHURN.change)
            fraction = min(1.0, 0.55 + 0.45 * base + 0.015 * changes)
            last = _last_change(phase, self.day, _GRADE_CHURN.change)
            modified = (self.change_time(last, phase) if last
                        else self.settings.term_start * _DAY + 20 * _DAY)
            points = str(round(fraction * 100))
            yield [self.profile.entity_id("grade", enrolment.association_serial),
                   self.profile.name, _grade_text(self.profile.grade_style, fraction, points),
                   "current", enrolment.association_id, *self.audit(section.created, modified)]

    # source scope, by date

    def system_activities(self) -> Iterator[Row]:
        activity_day = self.day_number - 1
        rng = _rng(self.settings.seed, self.profile.name, "system", activity_day)
        recorded = self.timestamp("system-activities")
        audit = [self.clock(recorded)] * 2 + ["", ""]
        for user_id in chain(self.source.student_ids, self.source.teacher_ids):
            if rng.random() >= 0.5:
                continue
            signed_in = activity_day * _DAY + 7 * _HOUR + int(rng.random() * 14 * _HOUR)
            millis = rng.randrange(1000)
            yield self._sign_row("in", user_id, signed_in, millis, "", audit)
            stay = rng.random()
            if stay < 0.85:
                minutes = 5 + int(stay * 110)
                yield self._sign_row("out", user_id, signed_in + minutes * 60, millis,
                                     str(minutes), audit)

    def _sign_row(self, direction: str, user_id: str, when: int, millis: int, minutes: str,
                  audit: list[str]) -> Row:
        unix = when + _UNIX_SECONDS_AT_EPOCH
        return [f"{direction}#{user_id}#{unix}.{millis:03d}", self.profile.name, user_id,
                f"sign-{direction}", self.clock(when), "active", "", minutes, *audit]


def _canvas_status(now: int, due: int | None, submitted: int | None,
                   graded: int | None) -> str | None:
    if submitted is not None and submitted <= now:
        if graded is not None and graded <= now:
            return "graded"
        return "late" if due is not None and submitted > due else "submitted"
    return "missing" if due is not None and due <= now else None


def _schoology_status(now: int, due: int | None, submitted: int | None,
                      graded: int | None) -> str | None:
    if submitted is None or submitted > now:
        return None
    return "late" if due is not None and submitted > due else "on-time"


def _google_status(now: int, due: int | None, submitted: int | None,
                   graded: int | None) -> str | None:
    if submitted is None or submitted > now:
        return "CREATED"
    return "RETURNED" if graded is not None and graded <= now else "TURNED_IN"


SUBMISSION_STATUS_VALUES: dict[str, tuple[str, ...]] = {
    "Canvas": ("graded", "late", "submitted", "missing"),
    "Schoology": ("on-time", "late"),
    "Google": ("CREATED", "TURNED_IN", "RETURNED"),
}
"""Every SubmissionStatus each source system's submissions can have (by profile name)."""
_SUBMISSION_STATUS = {"canvas": _canvas_status, "schoology": _schoology_status,
                      "google": _google_status}
_LETTERS = ((0.97, "A+"), (0.93, "A"), (0.9, "A-"), (0.87, "B+"), (0.83, "B"), (0.8, "B-"),
            (0.77, "C+"), (0.73, "C"), (0.7, "C-"), (0.6, "D"), (0.0, "F"))


def _grade_text(style: str, fraction: float, points: str) -> str:
    if style == "letter":
        return next(letter for floor, letter in _LETTERS if fraction >= floor)
    if style == "percent":
        return f"{fraction * 100:.1f}"
    return points


# --- quirks ---------------------------------------------------------------------------------

_VALUE_QUIRKS = ("no_seconds", "double_space", "leading_space")
_FILE_QUIRKS = ("bom", "no_bom", "crlf", "no_final_newline")
_EMPTY_QUIRKS = ("zero_byte", "header_only")


@dataclass(frozen=True)
class _FilePlan:
    bom: bool
    line_end: str
    final_newline: bool
    value_rate: float


_CLEAN_PLAN = _FilePlan(bom=False, line_end="\n", final_newline=True, value_rate=0.0)


class _Quirks:
    """Decides, file by file and row by row, which real-world quirks to add.

    The first files and rows get one of each quirk, so even a tiny tree has them all;
    later ones get them at random, always in some files or rows and never in all.
    """

    def __init__(self, enabled: bool, seed: int) -> None:
        self.enabled = enabled
        self._rng = _rng(seed, "quirks")
        self._due_file = list(_FILE_QUIRKS) if enabled else []
        self._due_value = list(_VALUE_QUIRKS) if enabled else []
        self._due_empty = list(_EMPTY_QUIRKS) if enabled else []

    @property
    def values_due(self) -> bool:
        return bool(self._due_value)

    def plan_file(self) -> _FilePlan:
        if not self.enabled:
            return _CLEAN_PLAN
        rng = self._rng
        bom = rng.random() < 0.85
        crlf = rng.random() < 0.03
        final_newline = rng.random() >= 0.03
        value_rate = 0.05 if rng.random() < 0.1 else 0.0
        due = self._due_file.pop(0) if self._due_file else ""
        bom = (bom or due == "bom") and due != "no_bom"
        return _FilePlan(bom=bom, line_end="\r\n" if crlf or due == "crlf" else "\n",
                         final_newline=final_newline and due != "no_final_newline",
                         value_rate=value_rate)

    def empty_scope(self) -> str:
        """What to write for a scope without rows: ``zero_byte``, ``header_only`` or ``""``."""
        if not self.enabled:
            return ""
        roll = self._rng.random()
        if self._due_empty:
            return self._due_empty.pop(0)
        if roll < 0.02:
            return "zero_byte"
        return "header_only" if roll < 0.1 else ""

    def header_only_bom(self) -> bool:
        return self.enabled and self._rng.random() < 0.85

    def mangle(self, row: Row, timestamp_columns: Sequence[int], rate: float) -> int | None:
        """Maybe spoil one timestamp of the row in place; returns a column to force-quote."""
        if self._due_value:
            kind = self._due_value[0]
        elif rate and self._rng.random() < rate:
            kind = self._rng.choice(_VALUE_QUIRKS)
        else:
            return None
        candidates = [index for index in timestamp_columns if len(row[index]) == 19]
        if not candidates:
            return None
        if self._due_value:
            self._due_value.pop(0)
        column = self._rng.choice(candidates)
        value = row[column]
        if kind == "no_seconds":
            row[column] = value[:16]
        elif kind == "double_space":
            row[column] = f"{value[:10]}  {value[11:]}"
        else:
            row[column] = f" {value}"
            return column
        return None


def _timestamp_columns(resource: Resource) -> tuple[int, ...]:
    return tuple(index for index, column in enumerate(resource.columns)
                 if column.endswith(("Date", "DateTime")))


_TIMESTAMP_COLUMNS = {resource.name: _timestamp_columns(resource) for resource in RESOURCES}


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _line_quoting(row: Row, column: int, line_end: str) -> str:
    """A CSV line like ``csv.writer`` writes, with one more value quoted."""
    fields = [_quoted(value) if index == column or any(c in value for c in ',"\r\n') else value
              for index, value in enumerate(row)]
    return ",".join(fields) + line_end


# --- writing --------------------------------------------------------------------------------


class _TreeWriter:
    def __init__(self, root: Path, quirks: _Quirks, clock: _Clock, stats: TreeStats) -> None:
        self._root = root
        self._quirks = quirks
        self._clock = clock
        self._stats = stats
        self._folders: set[str] = set()

    def write(self, folder: str, resource: Resource, timestamp: int,
              rows: Iterable[Row]) -> None:
        row_iterator = iter(rows)
        first = next(row_iterator, None)
        if first is None:
            self._write_empty(folder, resource, timestamp)
            return
        path = self._path(folder, timestamp)
        plan = self._quirks.plan_file()
        count = self._write_rows(path, resource, plan, chain((first,), row_iterator))
        if not plan.final_newline:
            os.truncate(path, path.stat().st_size - len(plan.line_end))
        self._count(resource, count)

    def _path(self, folder: str, timestamp: int) -> Path:
        directory = self._root / folder
        if folder not in self._folders:
            directory.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return directory / self._clock.file_name(timestamp)

    def _count(self, resource: Resource, rows: int) -> None:
        self._stats.files += 1
        self._stats.rows += rows
        self._stats.rows_by_resource[resource.name] += rows

    def _write_rows(self, path: Path, resource: Resource, plan: _FilePlan,
                    rows: Iterator[Row]) -> int:
        count = 0
        with open(path, "w", encoding="utf-8", newline="", buffering=1 << 16) as handle:
            if plan.bom:
                handle.write("\ufeff")
            writer = csv.writer(handle, lineterminator=plan.line_end)
            writer.writerow(resource.columns)
            writerow = writer.writerow
            if plan.value_rate or self._quirks.values_due:
                columns = _TIMESTAMP_COLUMNS[resource.name]
                for row in rows:
                    quoted = self._quirks.mangle(row, columns, plan.value_rate)
                    if quoted is None:
                        writerow(row)
                    else:
                        handle.write(_line_quoting(row, quoted, plan.line_end))
                    count += 1
            else:
                for row in rows:
                    writerow(row)
                    count += 1
        return count

    def _write_empty(self, folder: str, resource: Resource, timestamp: int) -> None:
        kind = self._quirks.empty_scope()
        if not kind:
            return
        path = self._path(folder, timestamp)
        if kind == "zero_byte":
            path.write_bytes(b"")
        else:
            bom = "\ufeff" if self._quirks.header_only_bom() else ""
            path.write_text(bom + ",".join(resource.columns) + "\n", encoding="utf-8")
        self._count(resource, 0)


# --- the tree -------------------------------------------------------------------------------


def _write_extraction(writer: _TreeWriter, extraction: _Extraction) -> None:
    wanted = extraction.settings.resources
    profile = extraction.profile

    def emit(folder: str, name: str, rows: Iterable[Row]) -> None:
        if name in wanted:
            writer.write(folder, RESOURCES_BY_NAME[name], extraction.timestamp(name), rows)

    present = extraction.present_sections()
    emit("users", "users", extraction.users())
    emit("sections", "sections", extraction.sections(present))
    for section in present:
        base = f"section={section.identifier}"
        enrolments = extraction.enrolments(section)
        assignments = extraction.present_assignments(section)
        emit(f"{base}/section-associations", "section-associations",
             extraction.associations(section, enrolments))
        emit(f"{base}/assignments", "assignments", extraction.assignments(section, assignments))
        for assignment in assignments:
            emit(f"{base}/{profile.assignment_folder}={assignment.identifier}/submissions",
                 "submissions", extraction.submissions(section, assignment))
        emit(f"{base}/attendance-events", "attendance-events",
             extraction.attendance_events(section))
        emit(f"{base}/section-activities", "section-activities",
             extraction.section_activities(section))
        emit(f"{base}/grades", "grades", extraction.grades(section, enrolments))
    activity_date = extraction.clock.date(extraction.day_number - 1)
    emit(f"system-activities/date={activity_date}", "system-activities",
         extraction.system_activities())


def _check_arguments(out: Path, days: int, students: int, sections: int,
                     assignments_per_section: int) -> None:
    for name, value, least in (("days", days, 1), ("students", students, 1),
                               ("sections", sections, 1),
                               ("assignments_per_section", assignments_per_section, 0)):
        if value < least:
            raise ValueError(f"{name} must be at least {least}, not {value}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty folder")


def _resource_names(resources: Collection[str] | None) -> frozenset[str]:
    if resources is None:
        return frozenset(RESOURCES_BY_NAME)
    unknown = sorted(set(resources) - set(RESOURCES_BY_NAME))
    if unknown:
        raise ValueError(f"unknown resources: {', '.join(unknown)}")
    return frozenset(resources)


def generate_tree(out: Path, *, seed: int = 42, days: int = 3, students: int = 40,
                  sections: int = 6, assignments_per_section: int = 4,
                  sources: Sequence[str] = ("Canvas", "Schoology", "Google"),
                  start: date = date(2026, 9, 1), quirks: bool = True,
                  resources: Collection[str] | None = None) -> TreeStats:
    """Write a sample extractor tree under ``out`` (absent or empty) and describe it.

    ``days`` daily extractions from ``start`` of every source system; each source has
    ``sections`` sections (plus one staff section without students), every student takes
    one section per source. ``resources`` limits the resource folders written.
    """
    out = Path(out)
    _check_arguments(out, days, students, sections, assignments_per_section)
    settings = _Settings(seed=seed, days=days, students=students, sections=sections,
                         assignments_per_section=assignments_per_section, start=start,
                         quirks=quirks, resources=_resource_names(resources))
    profiles = resolve_sources(sources)
    student_people, teacher_people = _people(seed, students, settings.teachers, quirks)
    world = [_build_source(settings, profile) for profile in profiles]
    out.mkdir(parents=True, exist_ok=True)
    clock = _Clock()
    stats = TreeStats(rows_by_resource={resource.name: 0 for resource in RESOURCES
                                        if resource.name in settings.resources})
    writer = _TreeWriter(out, _Quirks(quirks, seed), clock, stats)
    for day in range(days):
        for source in world:
            _write_extraction(writer, _Extraction(settings, source, day, clock,
                                                  student_people, teacher_people))
    return stats
