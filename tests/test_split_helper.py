"""The split helper process: the search columns of a big store are split on the other core,
with the very splits (and answers) this process would make; when it cannot start, fails or
is cancelled, nothing is lost: what it left is split here (or the split stops as asked)."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from test_store import make_row, oracle

from ccfs_tui.core.recordings import blocks, helper_process, split_helper
from ccfs_tui.core.recordings import store as store_module
from ccfs_tui.core.recordings.columns import SPLIT_KINDS, SplitColumn
from ccfs_tui.core.recordings.store import RecordingStore

QUERIES = [
    "4008", "callee:4008", "caller:95", "callee:0", "5588", "caller:1", "1015", "record",
    "1015/0001", "/1015/", "wav", "y:/2/20261005", "y:\\1\\", ".V3", "/x/11/y1", "C17",
]  # fmt: skip


def _rows(count: int) -> list[tuple[str, ...]]:
    rnd = random.Random(9)
    hotlines = ["4008001000", "95588", "4004522457"]
    return [
        make_row(
            call_id=f"C{n}",
            caller_no=rnd.choice(hotlines) if n % 3 else f"138{rnd.randrange(10**8):08d}",
            callee_no=rnd.choice([*hotlines, f"0{n % 500:03d}"]),
            file_name=f"/10/1/record/{n % 7}/10{n % 40:02d}/{n:07d}.wav"
            if n % 11
            else f"/x/{n}/y{n}.wav",
            original_file_name=f"Y:\\{n % 3}\\2026100{n % 9}\\10{n % 40:02d}\\{n:07d}.V3",
        )
        for n in range(count)
    ]


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> tuple[RecordingStore, list[tuple[str, ...]]]:
    """A store of several blocks that counts as big, on a machine with a second core."""
    monkeypatch.setattr(blocks, "SEGMENT_ROWS", 600)
    monkeypatch.setattr(store_module, "SPLIT_HELPER_MIN_ROWS", 1)
    monkeypatch.setattr(store_module, "usable_cores", lambda: 2)
    rows = _rows(3_000)
    s = RecordingStore()
    for start in range(0, len(rows), 700):
        s.extend_rows(rows[start : start + 700])
    assert len(s._snapshot.blocks) >= 4
    return s, rows


def _sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Block indexes the helper answered for, as they come."""
    sent: list[int] = []
    real = split_helper.split_elsewhere

    def counted(*args: Any) -> Iterator[tuple[int, dict[int, SplitColumn]]]:
        for index, splits in real(*args):
            sent.append(index)
            yield index, splits

    monkeypatch.setattr(store_module, "split_elsewhere", counted)
    return sent


def _answers(s: RecordingStore) -> dict[str, list[int]]:
    s._search.forget()
    return {q: list(s.filter(q)) for q in QUERIES}


def test_the_helper_splits_every_block_as_this_process_would(
    big: tuple[RecordingStore, list[tuple[str, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    s, rows = big
    before = _answers(s)
    sent = _sent(monkeypatch)
    assert s.split_columns()
    shown = s._snapshot.blocks
    assert sorted(sent) == list(range(len(shown)))  # the helper did all of them
    for block in shown:
        assert set(block.splits) == set(range(len(SPLIT_KINDS)))
        for position, kind in enumerate(SPLIT_KINDS):
            assert block.splits[position] == SplitColumn.of(
                block.columns[position], block.rows, kind
            )
    after = _answers(s)
    assert after == before
    for query in QUERIES:
        assert after[query] == [i for i, r in enumerate(rows) if oracle(r, query)], query


def test_a_helper_that_cannot_run_leaves_the_split_to_this_process(
    big: tuple[RecordingStore, list[tuple[str, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    s, _ = big
    before = _answers(s)
    monkeypatch.setattr(split_helper, "MODULE", "ccfs_tui.no_such_helper_module")
    sent = _sent(monkeypatch)
    assert s.split_columns()
    assert sent == []
    assert all(len(b.splits) == len(SPLIT_KINDS) for b in s._snapshot.blocks)
    assert _answers(s) == before


def test_the_switch_turns_the_helper_off(
    big: tuple[RecordingStore, list[tuple[str, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    s, _ = big
    monkeypatch.setenv(helper_process.HELPER_SWITCH, "0")
    sent = _sent(monkeypatch)
    assert s.split_columns()
    assert sent == []
    assert all(len(b.splits) == len(SPLIT_KINDS) for b in s._snapshot.blocks)


def test_a_cancelled_split_stops_and_kills_the_helper_with_no_sk_in_its_environment(
    big: tuple[RecordingStore, list[tuple[str, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    s, _ = big
    monkeypatch.setenv("CCFS_SECRET_KEY", "split-helper-must-not-see-this")
    started: list[tuple[subprocess.Popen[bytes], dict[str, str]]] = []
    real = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = real(*args, **kwargs)
        started.append((process, kwargs["env"]))
        return process

    monkeypatch.setattr(helper_process.subprocess, "Popen", recorded)
    sent = _sent(monkeypatch)
    stop = False

    def cancelled() -> bool:
        return stop

    steps = 0
    real_yield = s.yield_to_searches

    def after_first_block(*args: Any, **kwargs: Any) -> None:
        nonlocal stop, steps
        steps += 1
        stop = True  # the user opened another index: the split of this one stops
        real_yield(*args, **kwargs)

    monkeypatch.setattr(s, "yield_to_searches", after_first_block)
    assert not s.split_columns(cancelled=cancelled)
    assert len(sent) == 1
    assert not all(len(b.splits) == len(SPLIT_KINDS) for b in s._snapshot.blocks)
    (process, env), *_ = started
    assert process.poll() is not None  # not left running
    assert "CCFS_SECRET_KEY" not in env
