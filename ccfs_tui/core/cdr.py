"""CDR files (``*_call_<n>.csv`` in a downloadBillFile zip): the legs of each call.

Reference section 6: the CDR columns come in a fixed order and their number depends on the
platform version (18 up to AICC 22.100, 23 up to 23.100, then 29), so they are read by
position and a line of 18, 23 or 29 columns is accepted. One call may have several rows
(one per leg), joined on ``call_id``; ``call_id_num`` is ``-1`` for a call's only or last
row, else 1, 2, 3 ...

What is read (:func:`read_cdrs`): a ``*_call*.csv`` file (any name when passed directly), a
zip (every member whose base name matches ``*_call*.csv``, in natural order) or a folder
(recursively, ``*_call*.csv`` and ``*.zip``). A header line (the column names) is skipped.
Encoding per line: UTF-8 (a BOM is dropped), else GB18030.

Problems are :class:`~ccfs_tui.core.index.IndexProblem` (``file:line: reason``, zip
members as ``archive.zip!member.csv``), the form the index reader uses: a wrong column
count, bytes that are neither UTF-8 nor GB18030, a NUL or other control character, an
unterminated quote, an empty call_id, a call_id_num that is not a whole number. Each such line
is skipped and the rest is read; nothing here raises for any input bytes. At most
:data:`MAX_PROBLEMS_PER_FILE` problems are listed per file, then one line counts the rest.
"""

from __future__ import annotations

import csv
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import IO

from ccfs_tui.core.index import IndexProblem

CDR_COLUMNS: tuple[str, ...] = (
    "developer",
    "account_id",
    "cc_id",
    "agent_id",
    "call_id",
    "caller_no",
    "callee_no",
    "wait_begin",
    "wait_end",
    "ack_begin",
    "ack_end",
    "call_begin",
    "call_end",
    "device_type",
    "device_no",
    "call_type",
    "release_cause",
    "call_id_num",
    "vdn_id",
    "pre_device_type",
    "pre_device_no",
    "skill_id",
    "current_skill_id",
    "device_in",
    "pre_device_in",
    "service_no",
    "leave_reason",
    "media_type",
    "sub_media_type",
)
"""Every documented CDR column, in file order (AICC 23.100 and later)."""
COLUMN_COUNTS = frozenset({18, 23, 29})
"""Column counts of the platform versions (22.100 added 19-23, 23.100 added 24-29)."""
CDR_PATTERN = "*_call*.csv"
MAX_PROBLEMS_PER_FILE = 1000
MAX_LINE_BYTES = 64 * 1024
DEVICE_TYPES = {"1": "queue", "2": "agent", "3": "IVR"}

_COL = {name: i for i, name in enumerate(CDR_COLUMNS)}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HEADER = tuple(CDR_COLUMNS)
_DIGITS = re.compile(r"([0-9]+)")


def natural_key(text: str) -> tuple[str | int, ...]:
    """Sort key ordering digit runs by value (``_call_2`` before ``_call_10``)."""
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(_DIGITS.split(text)))


@dataclass(frozen=True, slots=True)
class CdrLeg:
    """One CDR row: one leg of a call. Times are kept as written (tenant time)."""

    fields: tuple[str, ...]
    """The row's values by position (18, 23 or 29 of them)."""
    source: str
    """``file:line`` where the row was read."""

    def get(self, column: str) -> str:
        """The value of a documented column, ``""`` when this platform version lacks it."""
        index = _COL[column]
        return self.fields[index] if index < len(self.fields) else ""

    @property
    def call_id(self) -> str:
        return self.get("call_id")

    @property
    def leg_number(self) -> int:
        """``call_id_num``: -1 for the only or last leg, else 1, 2, 3 ..."""
        return int(self.get("call_id_num"))

    @property
    def device_type_label(self) -> str:
        """``queue``, ``agent``, ``IVR``, or the code as written."""
        code = self.get("device_type")
        return DEVICE_TYPES.get(code, code)

    def summary(self) -> dict[str, str]:
        """What the detail pane shows of a leg (labels -> raw values)."""
        return {
            "wait": _span(self.get("wait_begin"), self.get("wait_end")),
            "answer": _span(self.get("ack_begin"), self.get("ack_end")),
            "begin": self.get("call_begin"),
            "end": self.get("call_end"),
            "device": " ".join(v for v in (self.device_type_label, self.get("device_no")) if v),
            "release cause": self.get("release_cause"),
            "leave reason": self.get("leave_reason"),
        }


def _span(begin: str, end: str) -> str:
    return f"{begin} .. {end}" if begin or end else ""


def _leg_order(leg: CdrLeg) -> tuple[int, str]:
    number = leg.leg_number
    return (1 << 30 if number < 0 else number, leg.source)


@dataclass(slots=True)
class CdrTable:
    """Legs by call id, and the lines that were skipped."""

    legs: dict[str, list[CdrLeg]] = field(default_factory=dict)
    problems: list[IndexProblem] = field(default_factory=list)
    rows: int = 0

    def legs_of(self, call_id: str) -> list[CdrLeg]:
        """The legs of ``call_id`` in leg order (1, 2, ... then the last, ``-1``)."""
        return sorted(self.legs.get(call_id.strip(), ()), key=_leg_order)

    def add(self, leg: CdrLeg) -> None:
        self.legs.setdefault(leg.call_id, []).append(leg)
        self.rows += 1

    def extend(self, other: CdrTable) -> None:
        """Take in the legs and problems of ``other`` (files read later)."""
        for call_id, legs in other.legs.items():
            self.legs.setdefault(call_id, []).extend(legs)
        self.problems.extend(other.problems)
        self.rows += other.rows


def is_cdr_name(name: str) -> bool:
    """True for a CDR file name (``*_call*.csv``, any case, any folder)."""
    return fnmatch(_base_name(name).casefold(), CDR_PATTERN)


def read_cdrs(paths: Iterable[str | os.PathLike[str]]) -> CdrTable:
    """Read every CDR file under ``paths`` (files, zips, folders) into one table."""
    table = CdrTable()
    for path in paths:
        _read_path(Path(path), table, explicit=True)
    return table


def cdr_sources(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Which of ``paths`` (the index paths opened) may hold CDR files, for :func:`read_cdrs`:
    folders, zips with a ``*_call*.csv`` member and ``*_call*.csv`` files (an index file or a
    zip of index files only is left out: read as CDRs it would be misread or reported)."""
    found: list[Path] = []
    for entry in paths:
        path = Path(entry)
        try:
            if path.is_dir() or is_cdr_name(path.name):
                found.append(path)
            elif zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    if any(is_cdr_name(name) for name in archive.namelist()):
                        found.append(path)
        except (OSError, zipfile.BadZipFile, ValueError):
            continue  # the index reader reports what cannot be read
    return found


def read_cdr_stream(handle: IO[bytes], source: str, table: CdrTable | None = None) -> CdrTable:
    """Read one CDR CSV from a binary stream (e.g. a zip member) into ``table``."""
    table = table if table is not None else CdrTable()
    _Reader(source, table).read(handle)
    return table


def _read_path(path: Path, table: CdrTable, *, explicit: bool) -> None:
    source = str(path)
    try:
        if path.is_dir():
            entries = sorted(path.iterdir(), key=lambda p: (p.is_dir(), natural_key(p.name)))
            for entry in entries:
                if (
                    entry.is_dir()
                    or entry.name.casefold().endswith(".zip")
                    or is_cdr_name(entry.name)
                ):
                    _read_path(entry, table, explicit=False)
            return
        with open(path, "rb") as handle:
            magic = handle.read(4)
            handle.seek(0)
            if magic.startswith(b"PK"):
                _read_zip(handle, source, table, explicit=explicit)
            else:
                read_cdr_stream(handle, source, table)
    except OSError as exc:
        table.problems.append(IndexProblem(source, 0, exc.strerror or type(exc).__name__))


def _read_zip(handle: IO[bytes], source: str, table: CdrTable, *, explicit: bool) -> None:
    try:
        archive = zipfile.ZipFile(handle)
        members = [i for i in archive.infolist() if not i.is_dir() and is_cdr_name(i.filename)]
    except Exception as exc:  # BadZipFile, OSError, ValueError ... on damaged archives
        table.problems.append(
            IndexProblem(source, 0, f"not a readable zip archive ({type(exc).__name__})")
        )
        return
    with archive:
        if not members and explicit:
            table.problems.append(IndexProblem(source, 0, "no *_call*.csv file in this zip"))
        for info in sorted(members, key=lambda i: natural_key(i.filename)):
            where = f"{source}!{info.filename}"
            try:
                with archive.open(info) as member:
                    read_cdr_stream(member, where, table)
            except Exception as exc:  # encrypted, damaged, unsupported compression ...
                table.problems.append(
                    IndexProblem(where, 0, f"cannot read this zip member ({type(exc).__name__})")
                )


class _Reader:
    def __init__(self, source: str, table: CdrTable) -> None:
        self.source = source
        self.table = table
        self.count = 0
        self.line = 0
        self.encoding_note: dict[int, str] = {}

    def problem(self, line: int, reason: str) -> None:
        self.count += 1
        if self.count <= MAX_PROBLEMS_PER_FILE:
            self.table.problems.append(IndexProblem(self.source, line, reason))

    def lines(self, handle: IO[bytes]) -> Iterator[str]:
        """Decoded physical lines; a line that cannot be decoded is noted and given as ""."""
        first = True
        for raw in iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""):
            self.line += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                self.encoding_note[self.line] = f"line longer than {MAX_LINE_BYTES // 1024} KiB"
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = handle.readline(MAX_LINE_BYTES + 1)
                yield "\n"
                continue
            if first and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            first = False
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("gb18030")
                except UnicodeDecodeError:
                    self.encoding_note[self.line] = "bytes that are neither UTF-8 nor GB18030"
                    yield "\n"
                    continue
            if _CONTROL.search(text):
                self.encoding_note[self.line] = "control characters (binary data?)"
                yield "\n"
                continue
            yield text

    def read(self, handle: IO[bytes]) -> None:
        try:
            self._read(handle)
        except Exception as exc:  # damaged compressed data and the like
            self.problem(
                0, f"cannot read the data ({type(exc).__name__}); the lines after it were not read"
            )
        if self.count > MAX_PROBLEMS_PER_FILE:
            extra = self.count - MAX_PROBLEMS_PER_FILE
            self.table.problems.append(
                IndexProblem(self.source, 0, f"{extra} more skipped line(s) not listed")
            )

    def _read(self, handle: IO[bytes]) -> None:
        reader = csv.reader(self.lines(handle), strict=True)
        while True:
            start = self.line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.problem(start, f"not CSV ({exc})")
                continue
            for line in sorted(self.encoding_note):
                self.problem(line, self.encoding_note.pop(line))
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            self._row(row, start)
        for line in sorted(self.encoding_note):
            self.problem(line, self.encoding_note.pop(line))

    def _row(self, row: list[str], line: int) -> None:
        fields = tuple(value.strip() for value in row)
        if tuple(f.casefold() for f in fields) == _HEADER[: len(fields)]:
            return
        if len(fields) not in COLUMN_COUNTS:
            self.problem(line, f"{len(fields)} columns (a CDR line has 18, 23 or 29)")
            return
        call_id = fields[_COL["call_id"]]
        if not call_id:
            self.problem(line, "call_id (column 5) is empty")
            return
        number = fields[_COL["call_id_num"]]
        if not re.fullmatch(r"-?\d{1,9}", number):
            self.problem(line, f"call_id_num (column 18) is not a whole number: {number[:40]!r}")
            return
        self.table.add(CdrLeg(fields, f"{self.source}:{line}"))


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]
