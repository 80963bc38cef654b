"""Benchmark data: a cached 18-column index of N recordings (benchmarks/data/, gitignored)."""

from __future__ import annotations

import csv
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ccfs_tui.emulator.sample_index import generate_recordings, write_index

DATA_DIR = Path(__file__).parent / "data"


def index_file(rows: int) -> Path:
    """The index of ``rows`` recordings over 30 days, generated once and reused."""
    path = DATA_DIR / f"bench_{rows}_record.csv"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp.csv")
        write_index(tmp, generate_recordings(rows, seed=1, start=date(2026, 10, 1), days=30))
        tmp.replace(path)
        print(f"  generated {path.name} ({rows:,} rows) in {time.perf_counter() - started:.1f} s")
    return path


def csv_reader_pass(path: Path) -> tuple[float, int]:
    """The baseline: one plain ``csv.reader`` pass over the file. Returns (seconds, rows)."""
    started = time.perf_counter()
    rows = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for _row in csv.reader(handle):
            rows += 1
    return time.perf_counter() - started, rows


def bench_tokens(count: int, now: datetime) -> list[Any]:
    """``count`` live tokens of profile ``default``, issued 5 s apart up to ``now`` (the
    newest expires last): what the idle figures count down, headless and in a terminal."""
    from ccfs_tui.core.tokens import Token

    return [
        Token.issued(
            f"BENCH{i:06d}TOKEN{i:06d}", f"Y:/1/0/bench/{i}.V3", now - timedelta(seconds=5 * i)
        )
        for i in range(count)
    ]
