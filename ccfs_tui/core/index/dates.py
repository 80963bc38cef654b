"""The two time columns: one ``YYYY-MM-DD hh:mm:ss`` value, or many checked at once."""

from __future__ import annotations

import functools
import re
from datetime import datetime

from ccfs_tui.core.recording import COLUMNS

NCOLS = len(COLUMNS)
BEGIN_COLUMN = COLUMNS.index("call_begin")
END_COLUMN = COLUMNS.index("call_end")
TIME_BYTES = 20
"""One time as checked in bulk: ``YYYY-MM-DD hh:mm:ss`` and a newline."""

_TIME_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_SHAPE_TABLE = bytes.maketrans(b"0123456789", b"9999999999")
_SHAPE = b"9999-99-99 99:99:99\n"


def parse_time(text: str) -> datetime | None:
    """``YYYY-MM-DD hh:mm:ss`` as a naive datetime, or None when it is not a real time."""
    if len(text) != 19 or not _TIME_SHAPE.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@functools.cache
def _digit_table(allowed: str) -> bytes:
    """Translation table: each character of ``allowed`` -> 1, every other byte -> 0."""
    table = bytearray(256)
    for byte in allowed.encode():
        table[byte] = 1
    return bytes(table)


def dates_ok(fields: list[str]) -> bool:
    """True when every call_begin and call_end of the flat ``fields`` is a valid time."""
    values = fields[BEGIN_COLUMN::NCOLS] + fields[END_COLUMN::NCOLS]
    if not values:
        return True
    return times_ok(("\n".join(values) + "\n").encode("utf-8", "replace"), len(values))


def times_ok(joined: bytes, count: int) -> bool:
    """True when ``joined``, ``count`` values each followed by ``\n``, are all valid times.

    Exact, with no Python per value: every value takes :data:`TIME_BYTES` bytes, a
    translation checks the shape, strided slices check each digit's range, and big-int AND/OR
    combine the conditions of all values at once (one byte per value). Feb 29 (leap years)
    and anything odd answer False, and the caller checks value by value.
    """
    if len(joined) != count * TIME_BYTES or joined.translate(_SHAPE_TABLE) != _SHAPE * count:
        return False

    slices: dict[int, bytes] = {}

    def digits(pos: int) -> bytes:
        if pos not in slices:
            slices[pos] = joined[pos::TIME_BYTES]
        return slices[pos]

    # Tens digits with a plain range.
    for pos, allowed in ((5, b"01"), (8, b"0123"), (11, b"012"), (14, b"012345"), (17, b"012345")):
        if digits(pos).translate(None, allowed):
            return False
    if b"0000-" in joined:  # year 0 (a "0000-" can only be a year here)
        return False

    def has(pos: int, chars: str) -> int:
        """Per value: 1 where the digit at ``pos`` is one of ``chars``, else 0."""
        return int.from_bytes(digits(pos).translate(_digit_table(chars)), "little")

    m1_0, m1_1, m2_0, m2_2 = has(5, "0"), has(5, "1"), has(6, "0"), has(6, "2")
    d1_0, d1_2, d1_3 = has(8, "0"), has(8, "2"), has(8, "3")
    month_bad = (m1_0 & m2_0) | (m1_1 & has(6, "3456789"))
    day_bad = (d1_0 & has(9, "0")) | (d1_3 & has(9, "23456789"))
    short_month = (m1_0 & has(6, "469")) | (m1_1 & has(6, "1"))
    february = m1_0 & m2_2
    length_bad = (d1_3 & has(9, "1") & short_month) | (d1_3 & february)
    hour_bad = has(11, "2") & has(12, "456789")
    leap_day = d1_2 & has(9, "9") & february  # valid only in leap years: check one by one
    return not (month_bad | day_bad | length_bad | hour_bad | leap_day)
