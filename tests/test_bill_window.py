"""Time ranges of queryBillData: typed forms, and windows of at most 3 days covering a range."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from ccfs_tui.core.bill_window import (
    MAX_SPAN,
    BillWindow,
    format_bill_time,
    parse_bill_time,
    split_range,
)


def test_the_three_forms_and_a_bare_day_as_the_end() -> None:
    assert parse_bill_time("2026-11-20") == datetime(2026, 11, 20, 0, 0, 0)
    assert parse_bill_time("2026-11-20", end=True) == datetime(2026, 11, 20, 23, 59, 59)
    assert parse_bill_time("2026-11-20 14:30") == datetime(2026, 11, 20, 14, 30, 0)
    assert parse_bill_time("2026-11-20 14:30", end=True) == datetime(2026, 11, 20, 14, 30, 0)
    assert parse_bill_time(" 2026-11-20 14:30:05 ") == datetime(2026, 11, 20, 14, 30, 5)
    assert parse_bill_time("2026-11-20T14:30:05") == datetime(2026, 11, 20, 14, 30, 5)


@pytest.mark.parametrize(
    "text",
    ["", "20261120", "2026-11-20 14", "2026-11-20 1430", "yesterday", "2026-11-20 14:30:05Z"],
)
def test_other_shapes_are_refused_with_the_forms_named(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_bill_time(text)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-11-20 24:00", "2026-11-20 12:60:00"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_bill_time(text)


def test_format_is_what_ccfs_reads() -> None:
    assert format_bill_time(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05"
    window = BillWindow(datetime(2026, 1, 2), datetime(2026, 1, 3, 23, 59, 59))
    assert (window.begin_text, window.end_text) == ("2026-01-02 00:00:00", "2026-01-03 23:59:59")


def test_a_range_of_at_most_three_days_is_one_window() -> None:
    begin = datetime(2026, 11, 1)
    assert split_range(begin, begin + MAX_SPAN) == [BillWindow(begin, begin + MAX_SPAN)]
    assert split_range(begin, begin) == [BillWindow(begin, begin)]


def test_seven_days_are_three_windows_of_whole_days() -> None:
    begin = parse_bill_time("2026-11-01")
    end = parse_bill_time("2026-11-07", end=True)
    assert [str(w) for w in split_range(begin, end)] == [
        "2026-11-01 00:00:00 .. 2026-11-03 23:59:59",
        "2026-11-04 00:00:00 .. 2026-11-06 23:59:59",
        "2026-11-07 00:00:00 .. 2026-11-07 23:59:59",
    ]


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        ("2026-11-01 10:17:03", "2026-11-20 08:00:00"),
        ("2026-11-01 00:00:00", "2026-11-04 00:00:01"),
        ("2026-02-27 13:00:00", "2026-03-09 12:59:59"),
        ("2025-12-30 23:59:59", "2026-01-12 00:00:00"),
    ],
)
def test_windows_cover_the_range_exactly(begin: str, end: str) -> None:
    start, stop = parse_bill_time(begin), parse_bill_time(end)
    windows = split_range(start, stop)
    assert len(windows) > 1
    assert windows[0].begin == start and windows[-1].end == stop
    for window in windows:
        assert window.begin <= window.end
        assert window.end - window.begin <= MAX_SPAN  # CC-FS would answer 0300014
    for previous, following in itertools.pairwise(windows):
        assert following.begin == previous.end + timedelta(seconds=1)  # no gap, no overlap


def test_a_range_ending_before_it_begins_is_refused() -> None:
    with pytest.raises(ValueError, match="before it begins"):
        split_range(datetime(2026, 11, 2), datetime(2026, 11, 1))
