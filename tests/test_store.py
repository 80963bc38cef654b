"""The recording store: what the filter box, the tree and the detail pane show."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import tracemalloc
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccfs_tui.core.index import iter_index, read_recordings, recording_from_row
from ccfs_tui.core.recording import COLUMNS
from ccfs_tui.core.recordings import (
    NO_AGENT,
    NO_VDN,
    RecordingStore,
    blocks,
    byte_search,
    columns,
    group_keys,
    load_index,
    loading,
    tree,
)
from ccfs_tui.core.recordings import load_helper as helper_module

CORPUS = Path(__file__).parent / "data" / "index"
C = {name: i for i, name in enumerate(COLUMNS)}
SEARCHED = ("agent_id", "call_id", "caller_no", "callee_no", "file_name", "original_file_name")


def make_row(**values: str) -> tuple[str, ...]:
    base = {
        "developer": "dev1",
        "account_id": "ACC01",
        "cc_id": "1",
        "agent_id": "1001",
        "call_id": "1700000000-1",
        "caller_no": "13800138000",
        "callee_no": "4008001",
        "call_begin": "2026-10-03 09:00:00",
        "call_end": "2026-10-03 09:01:00",
        "file_name": "/10/1/record/100/1001/0903379.wav",
        "task_status": "1",
        "task_result": "success",
        "original_file_name": "Y:\\17\\0\\20261003\\1001\\0903379.V3",
        "vdn_id": "5",
        "call_type": "0",
        "media_type": "5",
        "user_wanted_skill_id": "3",
        "current_skill_id": "3",
    }
    base.update(values)
    return tuple(base[c] for c in COLUMNS)


ROWS = [
    make_row(),  # 0
    make_row(call_id="1700000000-2", caller_no="13900001111", agent_id="1002"),  # 1
    make_row(
        call_id="1700000100-7",
        caller_no="02155550000",
        callee_no="95588",
        call_begin="2026-10-04 23:59:50",
        call_end="2026-10-05 00:00:20",
        original_file_name="Y:\\17\\0\\20261004\\1002\\1234567.V3",
        file_name="/10/1/record/100/1002/1234567.wav",
        vdn_id="12",
    ),  # 2
    make_row(call_id="ABC-9", agent_id="", vdn_id="", caller_no="+8613800138000"),  # 3
    make_row(
        call_id="1700000000-3",
        agent_id="张三",
        developer="dev, with comma",
        account_id="two\nlines",
        call_begin="2026-10-03 08:00:00",
        call_end="2026-10-03 07:59:00",  # ends before it begins: accepted
    ),  # 4
    make_row(
        call_id="1700000000-4",
        agent_id="1010",
        vdn_id="10",
        call_begin="2026-11-01 10:00:00",
        call_end="2026-11-01 10:00:05",
    ),  # 5
]


@pytest.fixture
def store() -> RecordingStore:
    s = RecordingStore()
    s.extend_rows(ROWS[:2])
    s.extend_rows(ROWS[2:])
    return s


# --------------------------------------------------------------------------- rows


def test_recording_is_built_from_the_row(store: RecordingStore) -> None:
    assert len(store) == len(ROWS)
    assert list(store.all_ids()) == list(range(len(ROWS)))
    for row_id, row in enumerate(ROWS):
        recording = store.recording(row_id)
        assert recording == recording_from_row(row)
        assert tuple(recording.to_row()) == row
    assert store.recording(4).developer == "dev, with comma"
    assert store.recording(4).account_id == "two\nlines"
    assert store.recording(4).duration == timedelta(0)
    with pytest.raises(IndexError):
        store.recording(len(ROWS))
    with pytest.raises(IndexError):
        store.recording(-1)


def test_reader_to_store_keeps_every_recording() -> None:
    s = RecordingStore()
    for chunk in iter_index(CORPUS / "good", chunk_size=4):
        s.extend_rows(chunk.rows)
    recordings, _ = read_recordings(CORPUS / "good")
    assert len(s) == len(recordings) == 81
    assert [s.recording(i) for i in range(len(s))] == recordings


def test_bad_rows_are_refused_and_nothing_is_added(store: RecordingStore) -> None:
    for bad in (
        [ROWS[0][:17]],
        [make_row(call_begin="2026-10-03")],
        [make_row(call_end="2026-02-30 10:00:00")],
        [make_row(agent_id="10\x1f01")],
    ):
        with pytest.raises(ValueError):
            store.extend_rows([ROWS[1], *bad])
    assert len(store) == len(ROWS)
    store.extend_rows([])
    assert len(store) == len(ROWS)


# --------------------------------------------------------------------------- filter


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1700000000-2", [1]),  # a call id
        ("1700000000", [0, 1, 4, 5]),  # part of one
        ("abc-9", [3]),  # any case
        ("caller:138", [0, 4, 5]),  # number prefix: +86138... does not start with 138
        ("13800138000", [0, 3, 4, 5]),  # substring: +8613800138000 holds it
        ("callee:955", [2]),
        ("call:1700000100", [2]),
        ("agent:100", [0, 1, 2]),  # 1010 does not start with 100
        ("agent:1002", [1]),
        ("AGENT:张", [4]),
        ("张三", [4]),
        ("vdn:1", [2, 5]),  # prefix: 12 and 10
        ("2026-10-03", [0, 1, 3, 4]),  # the day the call began
        ("2026-10-04", [2]),
        ("2026-10-05", []),  # 2's call ended that day, but began the day before
        ("2026-11", [5]),
        ("date:2026-1", [0, 1, 2, 3, 4, 5]),
        ("Y:\\17\\0\\20261004", [2]),  # original_file_name as in the index
        ("y:/17/0/20261004", [2]),  # the other slash form, other case
        ("record/100/1002/1234567.WAV", [2]),
        ("record\\100\\1002", [2]),  # a file_name with backslashes typed
        ("1002 2026-10-04", [2]),  # AND
        ("1002   2026-10-03 ", [1]),
        ("agent:1001 caller:138", [0]),
        ("dev1", []),  # developer is not searched
        ("success", []),  # nor task_result
        ("09:00", []),  # nor the times
        ("95588 13800138000", []),
        ("zzz", []),
        ("x:1001", []),  # an unknown scope is a plain substring
        ("agent:", list(range(6))),  # an empty scoped term is ignored
        ("", list(range(6))),
        ("  \t ", list(range(6))),
        ("1700000000-2\x00", [1]),  # control characters are ignored
    ],
)
def test_filter(store: RecordingStore, query: str, expected: list[int]) -> None:
    assert list(store.filter(query)) == expected


def test_filter_within_ids(store: RecordingStore) -> None:
    assert list(store.filter("1700000000", range(1, 5))) == [1, 4]
    assert list(store.filter("1700000000", [5, 1, 1, 99, -3])) == [1, 5]
    assert list(store.filter("", [3, 1, 3])) == [1, 3]
    assert list(store.filter("1700000000", range(0))) == []
    assert list(store.filter("agent:1001", store.all_ids()[2:])) == [2]


def test_filter_sees_rows_added_after_a_first_answer(store: RecordingStore) -> None:
    assert list(store.filter("1700000000")) == [0, 1, 4, 5]
    store.extend_rows([make_row(call_id="1700000000-9")])
    assert list(store.filter("1700000000")) == [0, 1, 4, 5, 6]
    assert list(store.filter("1700000000", range(6, 7))) == [6]


# --------------------------------------------------------------------------- tree


def test_children_counts_and_labels(store: RecordingStore) -> None:
    assert store.children(None, ()) == [("5", 3), ("10", 1), ("12", 1), (NO_VDN, 1)]
    assert store.children(None, ("5",)) == [("2026-10-03", 3)]
    assert store.children(None, ("5", "2026-10-03")) == [("1001", 1), ("1002", 1), ("张三", 1)]
    assert store.children(None, (NO_VDN, "2026-10-03")) == [(NO_AGENT, 1)]
    assert store.children(None, ("nope",)) == []
    assert store.days() == ["2026-10-03", "2026-10-04", "2026-11-01"]
    with pytest.raises(ValueError):
        store.children(None, ("5", "2026-10-03", "1001"))


def test_leaves_are_ordered_by_call_begin(store: RecordingStore) -> None:
    store.extend_rows(
        [
            make_row(call_id="late", call_begin="2026-10-03 18:00:00"),
            make_row(call_id="early", call_begin="2026-10-03 00:00:01"),
        ]
    )
    assert store.leaves(None, ("5", "2026-10-03", "1001")) == [7, 0, 6]
    assert store.leaves(None, (NO_VDN, "2026-10-03", NO_AGENT)) == [3]
    assert store.leaves(None, ("5", "2026-10-03", "9999")) == []
    with pytest.raises(ValueError):
        store.leaves(None, ("5", "2026-10-03"))


def test_tree_of_a_filter_matches_the_filter(store: RecordingStore) -> None:
    ids = store.filter("1700000000")
    assert sum(n for _, n in store.children(ids, ())) == len(ids)
    assert store.children(ids, ()) == [("5", 3), ("10", 1)]
    assert store.children(ids, ("5", "2026-10-03")) == [("1001", 1), ("1002", 1), ("张三", 1)]
    assert store.leaves(ids, ("5", "2026-10-03", "1002")) == [1]
    assert store.leaves(ids, ("12", "2026-10-04", "1002")) == []
    assert store.children(range(2, 4), ()) == [("12", 1), (NO_VDN, 1)]
    assert store.leaves(range(0, 1), ("5", "2026-10-03", "1001")) == [0]
    assert store.children([], ()) == []


# --------------------------------------------------------------------------- against an oracle


def fold(text: str) -> str:
    return text.lower().replace("\\", "/")


SCOPES = ("agent", "vdn", "date", "day", "caller", "callee", "call")


def scoped(word: str) -> bool:
    scope, colon, _rest = word.partition(":")
    return bool(colon) and scope.casefold() in SCOPES


def oracle_words(query: str) -> list[str]:
    """The words of ``query``; ``agent: 10`` (a scope, a space, a word without a scope of its
    own) is one word, ``agent:10``."""
    words = ["".join(ch for ch in raw if ord(ch) >= 32) for raw in query.split()]
    joined: list[str] = []
    while words:
        word = words.pop(0)
        if word.endswith(":") and scoped(word) and words and not scoped(words[0]):
            word += words.pop(0)
        joined.append(word)
    return joined


def oracle(row: Sequence[str], query: str) -> bool:
    """The documented query semantics, written plainly."""
    day = row[C["call_begin"]][:10]
    for word in oracle_words(query):
        scope, colon, rest = word.partition(":")
        key = scope.casefold()
        if colon and key in SCOPES:
            if not rest:
                continue
            if key in ("agent", "vdn"):
                ok = row[C[f"{key}_id"]].casefold().startswith(rest.casefold())
            elif key in ("date", "day"):
                ok = day.startswith(rest)
            else:
                column = {"caller": "caller_no", "callee": "callee_no", "call": "call_id"}[key]
                ok = fold(row[C[column]]).startswith(fold(rest))
        elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", word):
            ok = day == word
        elif re.fullmatch(r"[0-9]{4}-[0-9]{2}", word):
            ok = day.startswith(word)
        elif word:
            ok = any(fold(word) in fold(row[C[name]]) for name in SEARCHED)
        else:
            continue
        if not ok:
            return False
    return True


_pick = st.sampled_from


@st.composite
def random_row(draw: st.DrawFn) -> tuple[str, ...]:
    begin = datetime(2024, 2, 27) + timedelta(seconds=draw(st.integers(0, 5 * 86400)))
    end = begin + timedelta(seconds=draw(st.integers(-60, 4000)))
    digits = st.text("0123456789", min_size=0, max_size=6)
    return make_row(
        developer=draw(_pick(["dev1", "1", "ACC,1", "x\ny"])),
        agent_id=draw(_pick(["1001", "1002", "10", "", "张三", "Ab", "ab,c"])),
        vdn_id=draw(_pick(["1", "2", "10", "", "V1"])),
        call_id=draw(st.text("0123456789-AB", min_size=1, max_size=8)),
        caller_no=draw(digits),
        callee_no=draw(_pick(["", "+86", "95588"])) + draw(digits),
        call_begin=f"{begin:%Y-%m-%d %H:%M:%S}",
        call_end=f"{end:%Y-%m-%d %H:%M:%S}",
        file_name="/a/" + draw(digits) + draw(_pick([".wav", ".WAV", "\\b.wav"])),
        original_file_name=draw(_pick(["Y:\\1\\", "y:/1/", "Y:\\1/"])) + draw(digits) + ".V3",
        task_result=draw(_pick(["success", "failed"])),
    )


@st.composite
def random_query(draw: st.DrawFn, rows: list[tuple[str, ...]]) -> str:
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        row = draw(_pick(rows))
        name = draw(_pick([*SEARCHED, "call_begin", "vdn_id", "developer"]))
        value = row[C[name]]
        start = draw(st.integers(0, len(value)))
        piece = value[start : draw(st.integers(start, len(value)))]
        piece = draw(
            _pick([piece, piece.upper(), piece.replace("\\", "/"), piece.replace("/", "\\")])
        )
        piece = "".join(piece.split())
        scope = draw(
            _pick(["", "", "agent:", "vdn:", "caller:", "callee:", "call:", "date:", "x:"])
        )
        terms.append(draw(_pick([scope + piece, value[:10], value[:7], "1", "zz"])))
    return " ".join(terms)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[tuple[str, ...]], list[int], list[str]]:
    rows = draw(st.lists(random_row(), min_size=1, max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(rows)), max_size=4)))
    queries = draw(st.lists(random_query(rows), min_size=1, max_size=4))
    return rows, cuts, queries


def _chunks(rows: list[tuple[str, ...]], cuts: list[int]) -> Iterator[list[tuple[str, ...]]]:
    start = 0
    for cut in [*cuts, len(rows)]:
        yield rows[start:cut]
        start = cut


def _check(rows: list[tuple[str, ...]], cuts: list[int], queries: list[str]) -> None:
    s = RecordingStore()
    loaded: list[tuple[str, ...]] = []
    for chunk in _chunks(rows, cuts):
        s.extend_rows(chunk)
        loaded.extend(chunk)
        for query in queries:  # also while loading: answers must follow new rows
            want = [i for i, row in enumerate(loaded) if oracle(row, query)]
            assert list(s.filter(query)) == want, query
    answers = {query: list(s.filter(query)) for query in queries}
    assert s.split_columns()  # the number dictionaries change no answer
    for query in queries:
        ids = list(s.filter(query))
        assert ids == answers[query]
        assert list(s.filter(query, range(1, len(rows)))) == [i for i in ids if i >= 1]
        assert list(s.filter(query, ids[::-1])) == ids
        # the tree over a filter counts exactly the filtered rows, by vdn/day/agent
        def group(r: tuple[str, ...]) -> tuple[str, str, str]:
            return (r[C["vdn_id"]] or NO_VDN, r[C["call_begin"]][:10], r[C["agent_id"]] or NO_AGENT)

        groups = Counter(group(rows[i]) for i in ids)
        vdns: Counter[str] = Counter()
        for (vdn, _, _), n in groups.items():
            vdns[vdn] += n
        assert dict(s.children(s.filter(query), ())) == dict(vdns)  # the top level alone
        seen: Counter[tuple[str, str, str]] = Counter()
        for vdn, _ in s.children(ids, ()):
            for day, _ in s.children(ids, (vdn,)):
                for agent, n in s.children(ids, (vdn, day)):
                    leaves = s.leaves(ids, (vdn, day, agent))
                    assert len(leaves) == n
                    mine = [i for i in ids if group(rows[i]) == (vdn, day, agent)]
                    assert leaves == sorted(mine, key=lambda i: rows[i][C["call_begin"]])
                    whole = s.filter(query)  # the same rows as a Selection: the same leaves
                    assert s.leaves(whole, (vdn, day, agent)) == leaves
                    few, tree._FEW_ROWS = tree._FEW_ROWS, 0  # whole groups
                    try:
                        assert s.leaves(ids, (vdn, day, agent)) == leaves
                    finally:
                        tree._FEW_ROWS = few
                    seen[vdn, day, agent] = n
        assert seen == groups
    for row_id, row in enumerate(rows):
        assert tuple(s.recording(row_id).to_row()) == row


SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(scenario())
def test_filter_and_tree_agree_with_the_oracle(case: tuple) -> None:
    _check(*case)


@SETTINGS
@given(scenario())
def test_oracle_with_tiny_segments_and_the_bulk_search(
    monkeypatch: pytest.MonkeyPatch, case: tuple
) -> None:
    monkeypatch.setattr(blocks, "SEGMENT_ROWS", 3)
    monkeypatch.setattr(columns, "column_mask", byte_search.dense_column_mask)
    _check(*case)


@SETTINGS
@given(scenario())
def test_oracle_without_memmem(monkeypatch: pytest.MonkeyPatch, case: tuple) -> None:
    monkeypatch.setattr(byte_search, "_memmem", None)
    monkeypatch.setattr(blocks, "SEGMENT_ROWS", 5)
    _check(*case)


@SETTINGS
@given(scenario())
def test_oracle_when_vdn_and_agent_codes_do_not_fit_the_key(
    monkeypatch: pytest.MonkeyPatch, case: tuple
) -> None:
    monkeypatch.setattr(group_keys, "VDN_BITS", 1)  # 2 VDNs, then the wide keys
    monkeypatch.setattr(group_keys, "AGENT_BITS", 1)
    monkeypatch.setattr(blocks, "SEGMENT_ROWS", 7)
    _check(*case)


# --------------------------------------------------------------------------- scale


def _generated_rows(count: int, seed: int = 7) -> list[tuple[str, ...]]:
    rnd = random.Random(seed)
    rows = []
    for n in range(count):
        agent = 1000 + rnd.randrange(60)
        begin = datetime(2026, 10, 1) + timedelta(seconds=n * 2)
        rows.append(
            make_row(
                agent_id=str(agent),
                vdn_id=str(agent % 4),
                call_id=f"{1700000000 + n}-{rnd.randrange(99999)}",
                caller_no=f"1380013{rnd.randrange(10000):04d}",
                call_begin=f"{begin:%Y-%m-%d %H:%M:%S}",
                call_end=f"{begin + timedelta(seconds=rnd.randrange(600)):%Y-%m-%d %H:%M:%S}",
                file_name=f"/10/1/record/100/{agent}/{n:07d}.wav",
                original_file_name=f"Y:\\17\\0\\{begin:%Y%m%d}\\{agent}\\{n:07d}.V3",
            )
        )
    return rows


def test_a_large_store_answers_like_the_oracle(tmp_path: Path) -> None:
    rows = _generated_rows(60_000)
    path = tmp_path / "big_record.csv"
    path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    s = RecordingStore()
    for chunk in iter_index(path, chunk_size=5_000):
        s.extend_rows(chunk.rows)
    assert len(s) == len(rows)
    pick = rows[43_210]
    for query in (
        pick[C["call_id"]],
        pick[C["caller_no"]][:9],
        "13800",  # every row: the bulk search
        f"agent:{pick[C['agent_id']]}",
        pick[C["call_begin"]][:10],
        pick[C["original_file_name"]].split("\\", 4)[-1].lower(),
        "wav 2026-10-02",
        "0",
    ):
        want = [i for i, row in enumerate(rows) if oracle(row, query)]
        assert list(s.filter(query)) == want, query
        got: list[int] = []
        for start in range(0, len(s), 5_000):  # the way the UI asks, slice by slice
            got.extend(s.filter(query, s.all_ids()[start : start + 5_000]))
        assert got == want
    assert sum(n for _, n in s.children(None, ())) == len(rows)


def test_memory_per_row_stays_near_the_line_length(tmp_path: Path) -> None:
    """The row text, the folded search columns (about 0.6 of a line here) and a group key."""
    rows = _generated_rows(40_000, seed=3)
    path = tmp_path / "mem_record.csv"
    text = "".join(",".join(r) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    chunks = [chunk.rows for chunk in iter_index(path)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        s = RecordingStore()
        for chunk in chunks:
            s.extend_rows(chunk)
        s.children(None, ())
        s.filter("1380013")
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    line = len(text.encode()) / len(rows)
    assert used / len(rows) < 1.7 * line + 16, (used / len(rows), line)


# --------------------------------------------------------------------------- selections


def test_a_selection_is_a_sequence_with_group_counts(tmp_path: Path) -> None:
    rows = _generated_rows(3_000, seed=5)
    s = RecordingStore()
    s.extend_rows(rows)
    for query in ("1380013", "agent:1010", "2026-10-01", "wav", "zzz", "0 1"):
        selection = s.select(query)
        assert selection is not None
        want = [i for i, row in enumerate(rows) if oracle(row, query)]
        assert len(selection) == len(want) and list(selection) == want
        assert [selection[i] for i in range(len(want))] == want
        assert all(i in selection for i in want[:50]) and -1 not in selection
        assert "x" not in selection and len(rows) not in selection
        assert selection.ids_between(100, 900) == [i for i in want if 100 <= i < 900]
        keys = Counter(s._snapshot.key_of(i) for i in want)
        assert selection.counts() == +keys
        assert selection.rows == len(rows)


def test_a_cancelled_search_answers_nothing() -> None:
    s = RecordingStore()
    s.extend_rows(_generated_rows(2_000))
    assert s.select("1380013", cancelled=lambda: True) is None
    assert len(s.select("1380013", cancelled=lambda: False) or ()) == len(s.filter("1380013"))


def test_search_columns_find_every_hit_sparse_or_dense() -> None:
    rows = [make_row(caller_no=f"{n % 97:04d}{n}", call_id=f"C{n}") for n in range(2_000)]
    s = RecordingStore()
    s.extend_rows(rows)
    for query in ("0001", "00", "1", "caller:0042", "c19", "callee:4008", "C1999"):
        assert list(s.filter(query)) == [i for i, r in enumerate(rows) if oracle(r, query)]


# --------------------------------------------------------------------------- loading


def _big_index(tmp_path: Path, count: int = 6_000, newline: str = "\r\n") -> tuple[Path, list]:
    rows = _generated_rows(count, seed=11)
    lines = [",".join(r) for r in rows]
    bad = {10: "short,line", count // 2 + 7: "also,bad", count - 3: "x"}
    for n, text in bad.items():
        lines[n] = text
    path = tmp_path / "big_record.csv"
    header = ",".join(COLUMNS)
    path.write_bytes((newline.join([header, *lines]) + newline).encode())
    return path, [r for i, r in enumerate(rows) if i not in bad]


def _load(path: Path, **options: object) -> tuple[RecordingStore, list[str], list]:
    s = RecordingStore()
    steps = list(load_index(s, [path], chunk_size=700, **options))  # type: ignore[arg-type]
    problems = [str(p) for step in steps for p in step.problems]
    return s, problems, steps


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_helper_process_reads_the_tail_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    path, rows = _big_index(tmp_path, newline=newline)
    alone, problems, _ = _load(path, helper=False)
    monkeypatch.setattr(loading, "HELPER_MIN_BYTES", 1)
    monkeypatch.setattr(loading, "usable_cores", lambda: 2)
    frames = helper_module.LoadHelper.frames
    delivered: list[bool] = []

    def counted(self: helper_module.LoadHelper, cancelled: Any) -> Iterator[dict]:
        for frame in frames(self, cancelled):
            delivered.append(bool(frame["count"]))
            yield frame
        delivered.append(self.ok)

    monkeypatch.setattr(helper_module.LoadHelper, "frames", counted)
    both, both_problems, steps = _load(path)
    assert any(delivered[:-1]) and delivered[-1]  # the helper process sent rows, then "done"
    assert len(both) == len(alone) == len(rows)
    got = [both.recording(i) for i in range(len(rows))]
    assert got == [alone.recording(i) for i in range(len(rows))]
    assert [tuple(r.to_row()) for r in got] == rows
    assert both_problems == problems
    assert [p.split(":")[-2] for p in problems] == ["12", "3009", "5999"]
    assert both.children(None, ()) == alone.children(None, ())
    for query in ("1380013", "agent:1010", "2026-10-01", "caller:13800131"):
        assert list(both.filter(query)) == list(alone.filter(query))
    assert steps[-1].bytes_done == steps[-1].bytes_total == path.stat().st_size


def test_ccfs_load_helper_0_reads_everything_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, rows = _big_index(tmp_path)
    monkeypatch.setattr(loading, "HELPER_MIN_BYTES", 1)
    monkeypatch.setattr(loading, "usable_cores", lambda: 2)
    started: list[tuple[object, ...]] = []
    start = helper_module.LoadHelper.start

    def counted(cls: type, *args: object) -> helper_module.LoadHelper | None:
        started.append(args)
        return start(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(helper_module.LoadHelper, "start", classmethod(counted))
    _, problems, _ = _load(path)
    assert len(started) == 1  # the switch unset: a helper process reads the tail
    for off in ("0", " 0 "):
        started.clear()
        monkeypatch.setenv("CCFS_LOAD_HELPER", off)
        alone, alone_problems, _ = _load(path)
        assert not started
        assert [tuple(alone.recording(i).to_row()) for i in range(len(alone))] == rows
        assert alone_problems == problems
    monkeypatch.setenv("CCFS_LOAD_HELPER", "1")
    _load(path)
    assert len(started) == 1


def test_problems_over_both_parts_are_capped_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _generated_rows(2_000, seed=2)
    lines = [",".join(r) if i % 50 else "bad" for i, r in enumerate(rows)]
    path = tmp_path / "cap_record.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(loading, "MAX_PROBLEMS_PER_FILE", 30)
    monkeypatch.setattr(loading, "HELPER_MIN_BYTES", 1)
    monkeypatch.setattr(loading, "usable_cores", lambda: 2)
    s, problems, _ = _load(path)
    assert len(s) == 2_000 - 40
    assert len(problems) == 31
    assert [int(p.split(":")[-2]) for p in problems[:30]] == [1 + 50 * i for i in range(30)]
    assert problems[-1] == f"{path}: 10 more skipped lines not listed"


def test_when_the_helper_stops_half_way_the_rest_is_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, rows = _big_index(tmp_path)
    _, problems, _ = _load(path, helper=False)
    monkeypatch.setattr(loading, "HELPER_MIN_BYTES", 1)
    monkeypatch.setattr(loading, "usable_cores", lambda: 2)
    frames = helper_module.LoadHelper.frames

    def two_frames(self: helper_module.LoadHelper, cancelled: Any) -> Iterator[dict]:
        for n, frame in enumerate(frames(self, cancelled)):
            if n == 2:
                self.ok = False
                return
            yield frame

    monkeypatch.setattr(helper_module.LoadHelper, "frames", two_frames)
    s, got, _ = _load(path)
    assert [tuple(s.recording(i).to_row()) for i in range(len(s))] == rows
    assert got == problems
    monkeypatch.setattr(helper_module.LoadHelper, "start", classmethod(lambda *a: None))
    s, got, _ = _load(path)
    assert len(s) == len(rows) and got == problems


def test_a_cancelled_load_stops_and_adds_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _big_index(tmp_path)
    monkeypatch.setattr(loading, "HELPER_MIN_BYTES", 1)
    monkeypatch.setattr(loading, "usable_cores", lambda: 2)
    stop = [False]
    for helper in (False, True):
        s = RecordingStore()
        stop[0] = False
        steps = load_index(
            s, [path], chunk_size=500, helper=helper, cancelled=lambda: stop[0]
        )
        first = next(steps)
        stop[0] = True
        assert list(steps) == []
        assert len(s) == first.rows == 500


def test_a_stuck_helper_is_given_up_and_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, rows = _big_index(tmp_path)
    monkeypatch.setattr(loading, "HELPER_MIN_BYTES", 1)
    monkeypatch.setattr(loading, "usable_cores", lambda: 2)
    monkeypatch.setattr(helper_module, "HELPER_STALL", 0.3)
    started: list[subprocess.Popen[bytes]] = []

    def stuck(cls: type, *args: object) -> helper_module.LoadHelper:
        fd, name = tempfile.mkstemp(dir=tmp_path)
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        started.append(process)
        return helper_module.LoadHelper(process, fd, name)

    monkeypatch.setattr(helper_module.LoadHelper, "start", classmethod(stuck))
    s, _, _ = _load(path)
    assert [tuple(s.recording(i).to_row()) for i in range(len(s))] == rows
    assert started and started[0].poll() is not None  # killed, not left running


def test_split_columns_answer_like_the_columns() -> None:
    """Once loaded, numbers and file names are searched through their splits (shared
    values and folders found once); every answer stays the same, across the folder/base
    boundary too."""
    rnd = random.Random(4)
    hotlines = ["4008001000", "95588", "4004522457"]
    rows = [
        make_row(
            call_id=f"C{n}",
            caller_no=rnd.choice(hotlines) if n % 3 else f"138{rnd.randrange(10**8):08d}",
            callee_no=rnd.choice([*hotlines, f"0{n % 500:03d}"]),
            file_name=f"/10/1/record/{n % 7}/10{n % 40:02d}/{n:07d}.wav"
            if n % 11
            else f"/x/{n}/y{n}.wav",
            original_file_name=f"Y:\\{n % 3}\\2026100{n % 9}\\10{n % 40:02d}\\{n:07d}.V3",
        )
        for n in range(3_000)
    ]
    s = RecordingStore()
    s.extend_rows(rows)
    queries = [
        "4008", "callee:4008", "caller:95", "callee:0", "callee:01", "5588", "caller:1",
        "1015", "record", "1015/0001", "/1015/", "15/00010", "wav", "y:/2/20261005",
        "y:\\1\\", "v3", ".V3", "/x/11/y1", "x/", "0001001.wav", "1001.v",
    ]
    before = {q: list(s.filter(q)) for q in queries}
    asked: list[int] = []

    def second_time() -> bool:  # cancels after the first column
        asked.append(1)
        return len(asked) > 1

    assert not s.split_columns(cancelled=second_time)
    assert s.split_columns()
    block = s._snapshot.blocks[0]
    for column in (columns.CALLEE, columns.FILE, columns.ORIGINAL):
        assert block.splits[columns.SEARCH_COLUMNS.index(column)].count  # they share
    for query in queries:
        s._search.forget()
        assert list(s.filter(query)) == before[query] == [
            i for i, r in enumerate(rows) if oracle(r, query)
        ], query
