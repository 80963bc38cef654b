"""The sample index generator and writers."""

from __future__ import annotations

import csv
import gzip
import inspect
import io
import re
import zipfile
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import islice, pairwise
from pathlib import Path

import pytest

from ccfs_tui.core.recording import COLUMNS, Recording
from ccfs_tui.emulator.sample_index import (
    CALL_COLUMNS,
    generate_recordings,
    write_bill_zip,
    write_index,
    write_sample,
)

START = date(2026, 3, 1)


@pytest.fixture(scope="module")
def rows() -> list[Recording]:
    return list(generate_recordings(3000, seed=11, start=START, days=5, app_id="demo-ak"))


def test_same_seed_same_rows_other_seed_other_rows(rows: list[Recording]) -> None:
    again = list(generate_recordings(3000, seed=11, start=START, days=5, app_id="demo-ak"))
    other = list(islice(generate_recordings(3000, seed=12, start=START, days=5), 10))
    assert again == rows
    assert other != rows[:10]


def test_is_a_streaming_generator() -> None:
    stream = generate_recordings(1_000_000, start=START, days=30)
    assert inspect.isgenerator(stream)
    assert len(list(islice(stream, 5))) == 5
    assert list(generate_recordings(0, start=START, days=1)) == []


def test_rows_look_real(rows: list[Recording]) -> None:
    assert len(rows) == 3000
    assert all(a.call_begin <= b.call_begin for a, b in pairwise(rows))
    first, last = datetime(2026, 3, 1), datetime(2026, 3, 6)
    assert all(first <= r.call_begin < last for r in rows)
    per_day = Counter(r.call_begin.date() for r in rows)
    assert sorted(per_day.values()) == [600] * 5
    assert len({r.call_id for r in rows}) == 3000
    assert all(len(r.call_id) <= 25 for r in rows)
    assert len({r.original_file_name for r in rows}) == len({r.file_name for r in rows}) == 3000
    assert 3 <= len({r.vdn_id for r in rows}) <= 6
    agents = {r.agent_id for r in rows}
    assert len(agents) == 40 and min(agents) == "1001"
    assert {r.call_type for r in rows} == {"0", "1"}
    media = Counter(r.media_type for r in rows)
    assert media["5"] > 0.9 * len(rows)
    seconds = [r.duration.total_seconds() for r in rows]
    assert min(seconds) >= 3 and max(seconds) <= 1200
    assert min(seconds) < 30 and max(seconds) > 600
    numbers = [r.caller_no if r.call_type == "0" else r.callee_no for r in rows]
    assert any(re.fullmatch(r"1[3-9]\d{9}", n) for n in numbers)  # mainland mobile
    assert any(re.fullmatch(r"0[1-9]\d{9,10}", n) for n in numbers)  # landline with area code
    assert any(n.startswith("00") for n in numbers)  # international
    assert {r.developer for r in rows} == {"demo-ak"}
    assert {r.task_status for r in rows} == {"0", "1"}


def test_file_names_follow_the_documented_shapes(rows: list[Recording]) -> None:
    for rec in rows[:500]:
        assert re.fullmatch(r"/\d+/\d+/record/100/\d{4}/\d{7}\.wav", rec.file_name)
        assert len(rec.file_name) <= 225
        day = rec.call_begin.strftime("%Y%m%d")
        assert re.fullmatch(
            rf"Y:\\1\\0\\{day}\\{rec.agent_id}\\\d{{7}}\.V3", rec.original_file_name
        )
        assert rec.play_file_name == rec.original_file_name.replace("\\", "/")
        stem = rec.file_name.rsplit("/", 1)[1][:-4]
        assert rec.original_file_name.endswith(f"\\{stem}.V3")
        assert rec.call_id.endswith(stem)


def test_transfers_share_a_call_id_and_stay_sorted() -> None:
    recs = list(generate_recordings(2000, start=START, days=2, transfers=0.2, seed=3))
    assert len(recs) == 2000
    assert all(a.call_begin <= b.call_begin for a, b in pairwise(recs))
    calls = Counter((r.cc_id, r.call_id) for r in recs)
    assert 200 < sum(1 for n in calls.values() if n == 2) < 500
    assert len({r.original_file_name for r in recs}) == 2000
    parts = [r for r in recs if calls[(r.cc_id, r.call_id)] == 2]
    first, second = sorted(
        (r for r in parts if r.call_id == parts[0].call_id), key=lambda r: r.call_begin
    )
    assert second.call_begin == first.call_end and second.vdn_id == first.vdn_id
    threes = [k for k, n in calls.items() if n == 3]
    assert threes and max(calls.values()) == 3
    legs = sorted(
        (r for r in recs if (r.cc_id, r.call_id) == threes[0]), key=lambda r: r.call_begin
    )
    assert legs[1].call_begin == legs[0].call_end and legs[2].call_begin == legs[1].call_end


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_write_index_round_trips(tmp_path: Path, rows: list[Recording]) -> None:
    path = tmp_path / "index.csv"
    assert write_index(path, rows[:100]) == 100
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == 101 and b"\n" not in raw.replace(b"\r\n", b"")
    table = _read(raw.decode("utf-8"))
    assert table[0] == list(COLUMNS)
    assert table[1:] == [r.to_row() for r in rows[:100]]
    assert not list(tmp_path.glob(".*tmp"))


def test_write_index_options(tmp_path: Path, rows: list[Recording]) -> None:
    plain = tmp_path / "lf.csv"
    write_index(plain, rows[:10], header=False, newline="\n", encoding="utf-8-sig")
    raw = plain.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert _read(raw.decode("utf-8-sig")) == [r.to_row() for r in rows[:10]]

    packed = tmp_path / "index.csv.gz"
    write_index(packed, rows[:50])
    with gzip.open(packed, "rt", encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle))[1:] == [r.to_row() for r in rows[:50]]


def test_write_index_quotes_only_when_needed(tmp_path: Path, rows: list[Recording]) -> None:
    from dataclasses import replace

    odd = replace(rows[0], caller_no='+86 "VIP", 138')
    path = tmp_path / "q.csv"
    write_index(path, [odd, rows[1]], header=False)
    first, second = path.read_bytes().decode("utf-8").split("\r\n")[:2]
    assert '"+86 ""VIP"", 138"' in first and '"' not in second


def test_write_bill_zip_with_parts(tmp_path: Path, rows: list[Recording]) -> None:
    path = tmp_path / "20260301_42.zip"
    names = write_bill_zip(path, rows[:250], split_rows=100)
    assert names == [
        "20260301_42_record_1.csv",
        "20260301_42_record_2.csv",
        "20260301_42_record_3.csv",
        "20260301_42_call.csv",
    ]
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == names
        parts = [_read(archive.read(n).decode("utf-8")) for n in names]
    assert [len(p) - 1 for p in parts[:3]] == [100, 100, 50]
    assert all(p[0] == list(COLUMNS) for p in parts[:3])
    assert [row for p in parts[:3] for row in p[1:]] == [r.to_row() for r in rows[:250]]
    calls = parts[3]
    assert calls[0] == list(CALL_COLUMNS) and len(calls) == 251
    cdr = dict(zip(CALL_COLUMNS, calls[1], strict=True))
    assert cdr["call_id"] == rows[0].call_id and cdr["call_begin"] == rows[0].to_row()[7]
    assert cdr["wait_begin"] <= cdr["ack_begin"] <= cdr["call_begin"]


def test_write_bill_zip_single_part_and_exact_multiple(
    tmp_path: Path, rows: list[Recording]
) -> None:
    single = write_bill_zip(tmp_path / "20260301_1.zip", rows[:5])
    assert single == ["20260301_1_record.csv", "20260301_1_call.csv"]
    exact = write_bill_zip(tmp_path / "20260301_2.zip", rows[:20], split_rows=10)
    assert exact == ["20260301_2_record_1.csv", "20260301_2_record_2.csv", "20260301_2_call.csv"]
    empty = write_bill_zip(tmp_path / "20260301_3.zip", [], split_rows=10)
    assert empty == ["20260301_3_record_1.csv", "20260301_3_call.csv"]


def test_write_sample_gives_the_catalogue_of_the_index(tmp_path: Path) -> None:
    path = tmp_path / "sample.csv"
    catalogue = write_sample(path, 300, app_id="demo-ak", start=START, days=3)
    table = _read(path.read_text(encoding="utf-8"))[1:]
    assert len(table) == len(catalogue) == 300
    for row in table:
        entry = catalogue.by_play_name(row[12])
        assert entry is not None and entry.owner == "demo-ak"
        assert entry.file_name == row[9] and entry.call_id == row[4]
        begin, end = (datetime.strptime(v, "%Y-%m-%d %H:%M:%S") for v in row[7:9])
        assert entry.duration == (end - begin).total_seconds()


def test_write_sample_ends_today_by_default(tmp_path: Path) -> None:
    write_sample(tmp_path / "s.csv", 70, app_id="a", days=7)
    table = _read((tmp_path / "s.csv").read_text(encoding="utf-8"))[1:]
    days = {row[7][:10] for row in table}
    today = date.today()
    assert max(days) == today.isoformat()
    assert min(days) == (today - timedelta(days=6)).isoformat()


def test_write_sample_can_write_the_matching_cdr_file(tmp_path: Path) -> None:
    index, calls = tmp_path / "sample.csv", tmp_path / "sample_call.csv"
    catalogue = write_sample(
        index, 400, app_id="demo-ak", start=START, days=2, transfers=0.3, calls_path=calls
    )
    records = _read(index.read_text(encoding="utf-8"))
    cdrs = _read(calls.read_text(encoding="utf-8"))
    assert cdrs[0] == list(CALL_COLUMNS) and len(CALL_COLUMNS) == 29
    assert all(len(row) == 29 for row in cdrs[1:])
    col = {name: i for i, name in enumerate(CALL_COLUMNS)}
    legs = Counter(
        (row[col["call_id"]], row[col["agent_id"]], row[col["call_begin"]], row[col["call_end"]])
        for row in cdrs[1:]
    )
    assert legs == Counter((r[4], r[3], r[7], r[8]) for r in records[1:])
    per_call = Counter(row[col["call_id"]] for row in cdrs[1:])
    assert set(per_call.values()) == {1, 2, 3} and len(catalogue) == 400
    # a call's legs are together, numbered 1, 2 ... and -1 on the last
    rows = [row for row in cdrs[1:] if per_call[row[col["call_id"]]] == 3][:3]
    assert [row[col["call_id_num"]] for row in rows] == ["1", "2", "-1"]
    assert len({row[col["call_id"]] for row in rows}) == 1
