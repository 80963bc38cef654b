"""The one benchmark command: ``python -m benchmarks [--rows N]`` (or ``python benchmarks/run.py``).

It generates (once, cached in ``benchmarks/data/``) an index of N recordings, then measures,
each in a fresh child process so one figure does not disturb the next:

* launch -> first usable frame: from constructing ``CcfsApp(index_paths=[file])`` under
  ``run_test(size=(120, 40))`` to the first painted frame whose tree shows rows (the filter is
  part of that screen). Baseline: a bare Textual ``App`` with one ``Static``, construction to
  its first painted frame, measured the same way.
* launch -> fully loaded: to the first frame after the app finished loading (every row in the
  store, the tree in sync). Baseline: one plain ``csv.reader`` pass over the same file, in the
  same child process, right after the app exits.
* filter keystroke -> view updated: queries of five kinds picked from the data (call ids,
  number prefixes, agent ids, dates, file-name parts) are typed key by key into the filter
  (``/`` then the characters, ``--gap`` seconds apart, a fast typist); the time runs from the
  last key press to the first painted frame after the tree shows that query's answer. The
  answer is checked against ``store.filter``. Escape clears the filter between queries.
* resident memory after the full load: VmRSS and the peak VmHWM from /proc/self/status.
* ``ccfs-tui --version``: wall time of the subprocess, median of 5 (baseline ``python -c pass``).
* 200 live tokens counting down, app idle: CPU time of the process over ``--idle`` seconds of
  wall time with the index loaded and the once-a-second tick on (baseline: 0 tokens).

Times are medians over ``--repeat`` launches; every ratio is measured / baseline of the same
run. Nothing here asserts a time: it prints a table (and ``--json`` writes the numbers).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.data import csv_reader_pass, index_file

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)
KINDS = ("call id", "number prefix", "agent", "date", "file name")


# =============================================================================== helpers
def _status() -> dict[str, int]:
    """VmRSS / VmHWM of this process in bytes (0 where /proc is missing)."""
    out = {"VmRSS": 0, "VmHWM": 0}
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in out:
                    out[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return out


class FrameClock:
    """Wraps ``app._display`` to learn when a frame is painted (headless: when it would be)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames = 0
        self.watchers: list[tuple[Callable[[], bool], list[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            painted = renderable is not None and not app._batch_count
            original(screen, renderable)
            if painted:
                now = time.perf_counter()
                self.frames += 1
                for condition, box in list(self.watchers):
                    if condition():
                        box.append(now)
                        self.watchers.remove((condition, box))

        app._display = display

    def when(self, condition: Callable[[], bool]) -> list[float]:
        """A box that gets the time of the first painted frame at which ``condition()`` holds."""
        box: list[float] = []
        self.watchers.append((condition, box))
        return box


async def _wait(box: list[float], timeout: float, what: str) -> float:
    deadline = time.perf_counter() + timeout
    while not box:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.001)
    return box[0]


def _tree_total(tree: Any) -> int:
    total = 0
    for child in tree.root.children:
        total += int(str(child.label).split()[-1].replace(",", ""))
    return total


# =============================================================================== queries
def pick_queries(path: Path, per_kind: int, seed: int = 7) -> list[tuple[str, str]]:
    """``per_kind`` queries of each kind, from rows of the file (deterministic)."""
    rng = random.Random(seed)
    size = path.stat().st_size
    rows: list[list[str]] = []
    with path.open("rb") as handle:
        while len(rows) < per_kind * 3:
            handle.seek(rng.randrange(max(1, size - 4096)))
            handle.readline()
            line = handle.readline().decode("utf-8").rstrip("\r\n")
            fields = next(csv.reader([line]), [])
            if len(fields) == 18 and fields[0] != "developer":
                rows.append(fields)
    picks: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for i, row in enumerate(rows):
        agent, call, caller, callee, begin = row[3], row[4], row[5], row[6], row[7]
        original = row[12].replace("\\", "/").rsplit("/", 1)[-1]
        number = caller if i % 2 else callee
        candidates = {
            "call id": call if i % 3 else call.rsplit("-", 1)[-1],
            "number prefix": number[: rng.randint(5, 8)],
            "agent": f"agent:{agent}" if i % 2 else agent,
            "date": begin[:10],
            "file name": original if i % 2 else original.split(".")[0],
        }
        for kind, query in candidates.items():
            if len(picks[kind]) < per_kind and query and query not in picks[kind]:
                picks[kind].append(query)
    out = []
    for n in range(per_kind):
        for kind in KINDS:
            if n < len(picks[kind]):
                out.append((kind, picks[kind][n]))
    return out


# =============================================================================== children
async def _child_bare() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

    started = time.perf_counter()
    app = Bare()
    frames = FrameClock(app)
    first = frames.when(lambda: True)
    async with app.run_test(size=SIZE):
        at = await _wait(first, 30, "the first frame")
    return {"first_frame": at - started}


async def _child_launch(
    path: Path, rows: int, queries: list[tuple[str, str]], gap: float
) -> dict[str, Any]:
    from ccfs_tui.core.tokens import TokenStore
    from ccfs_tui.ui.app import CcfsApp

    started = time.perf_counter()
    app = CcfsApp(
        index_paths=[path],
        token_store=TokenStore(None),
        player_finder=lambda: None,
        environ={},
    )
    frames = FrameClock(app)
    finished: list[float] = []
    original_finish = app._finish_loading

    def finish(note: str) -> None:
        original_finish(note)
        finished.append(time.perf_counter())

    app._finish_loading = finish  # type: ignore[method-assign]

    def usable() -> bool:
        screen = app.main_screen
        if not screen.is_mounted:
            return False
        browser = screen.browser
        return bool(browser.tree_widget.root.children) and browser.filter_input is not None

    first = frames.when(usable)
    loaded = frames.when(lambda: bool(finished))
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        out["first_frame"] = await _wait(first, 60, "the first usable frame") - started
        out["loaded"] = await _wait(loaded, 600, "the end of the load") - started
        tree = app.main_screen.browser.tree_widget
        out["rows"] = len(app.store)
        out["tree_total"] = _tree_total(tree)
        out["memory"] = _status()
        if queries:
            out["filters"] = await _type_queries(app, pilot, frames, queries, gap)
    out["csv_reader"] = csv_reader_pass(path)[0]
    return out


async def _type_queries(
    app: Any, pilot: Any, frames: FrameClock, queries: list[tuple[str, str]], gap: float
) -> list[dict[str, Any]]:
    browser = app.main_screen.browser
    applied: list[tuple[str, Any]] = []
    original_apply = browser.apply_filter

    def apply(query: str, ids: Any) -> None:
        original_apply(query, ids)
        applied.append((query, ids))

    browser.apply_filter = apply
    results = []
    await pilot.pause(0.3)
    for kind, query in queries:
        await pilot.press("slash")
        for char in query[:-1]:
            await pilot.press(char)
            await asyncio.sleep(gap)
        box = frames.when(lambda q=query: bool(applied) and applied[-1][0] == q)
        pressed = time.perf_counter()
        await pilot.press(query[-1])
        shown = await _wait(box, 60, f"the answer to {query!r}")
        matches = browser.matches()
        expected = len(app.store.filter(query))
        results.append(
            {
                "kind": kind,
                "query": query,
                "seconds": shown - pressed,
                "matches": matches,
                "correct": matches == expected,
            }
        )
        cleared = frames.when(lambda: bool(applied) and applied[-1][1] is None)
        await pilot.press("escape")
        await _wait(cleared, 60, "the cleared filter")
        await asyncio.sleep(gap)
    return results


async def _child_idle(path: Path, tokens: int, seconds: float) -> dict[str, Any]:
    from datetime import timedelta

    from ccfs_tui.core.clock import utc_now
    from ccfs_tui.core.tokens import Token, TokenStore
    from ccfs_tui.ui.app import CcfsApp

    store = TokenStore(None)
    now = utc_now()
    for i in range(tokens):
        issued = now - timedelta(seconds=5 * i)
        store.add(Token.issued(f"BENCH{i:06d}TOKEN{i:06d}", f"Y:/1/0/bench/{i}.V3", issued))
    app = CcfsApp(index_paths=[path], token_store=store, player_finder=lambda: None, environ={})
    async with app.run_test(size=SIZE) as pilot:
        while app.loading or not len(app.store):
            await pilot.pause(0.05)
        await pilot.pause(1.0)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.sleep(seconds)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        live = len(app.tokens.live())
    return {"cpu_percent": 100 * cpu / wall, "live": live}


def _child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("--index", type=Path)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--queries", default="[]")
    parser.add_argument("--gap", type=float, default=0.05)
    parser.add_argument("--tokens", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.mode == "bare":
        result = asyncio.run(_child_bare())
    elif args.mode == "launch":
        queries = [tuple(q) for q in json.loads(args.queries)]
        result = asyncio.run(_child_launch(args.index, args.rows, queries, args.gap))
    elif args.mode == "idle":
        result = asyncio.run(_child_idle(args.index, args.tokens, args.seconds))
    else:
        raise SystemExit(f"unknown child mode {args.mode}")
    print("BENCH-RESULT " + json.dumps(result))
    return 0


def run_child(mode: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its result comes back as JSON."""
    command = [sys.executable, "-m", "benchmarks.run", "--child", mode, *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT ") :])  # type: ignore[no-any-return]
    output = done.stdout[-3000:] + done.stderr[-3000:]
    raise RuntimeError(f"benchmark child {mode} failed:\n{output}")


# =============================================================================== the run
def _wall(command: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _version_command() -> list[str]:
    script = Path(sys.executable).with_name("ccfs-tui")
    if script.exists():
        return [str(script), "--version"]
    found = shutil.which("ccfs-tui")
    return [found, "--version"] if found else [sys.executable, "-m", "ccfs_tui", "--version"]


def machine() -> str:
    import textual

    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    return (
        f"{platform.machine()}, {cores} cores ({usable} usable), Python "
        f"{platform.python_version()}, textual {getattr(textual, '__version__', '?')}, "
        f"{platform.system()} {platform.release()}"
    )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure, as a dict (also what ``--json`` writes)."""
    rows = args.rows
    path = index_file(rows)
    print(f"ccfs-tui benchmark: {rows:,} recordings ({path.stat().st_size / 1e6:.0f} MB)")
    print(f"machine: {machine()}")
    queries = pick_queries(path, max(1, args.queries // len(KINDS)))[: args.queries]
    bare = [run_child("bare")["first_frame"] for _ in range(args.repeat)]
    launches = []
    for i in range(args.repeat):
        extra = ["--queries", json.dumps(queries), "--gap", str(args.gap)] if i == 0 else []
        launches.append(
            run_child("launch", "--index", str(path), "--rows", str(rows), *extra)
        )
        print(f"  launch {i + 1}/{args.repeat}: {launches[-1]['loaded']:.2f} s to fully loaded")
    version = _wall(_version_command())
    python = _wall([sys.executable, "-c", "pass"])
    idle = run_child("idle", "--index", str(path), "--tokens", "200", "--seconds", str(args.idle))
    idle0 = run_child("idle", "--index", str(path), "--tokens", "0", "--seconds", str(args.idle))
    filters = launches[0].get("filters", [])
    return {
        "rows": rows,
        "machine": machine(),
        "bare_first_frame": statistics.median(bare),
        "first_frame": statistics.median(x["first_frame"] for x in launches),
        "loaded": statistics.median(x["loaded"] for x in launches),
        "csv_reader": statistics.median(x["csv_reader"] for x in launches),
        "loaded_ratio": statistics.median(x["loaded"] / x["csv_reader"] for x in launches),
        "rows_loaded": [x["rows"] for x in launches],
        "tree_totals": [x["tree_total"] for x in launches],
        "rss": statistics.median(x["memory"]["VmRSS"] for x in launches),
        "hwm": statistics.median(x["memory"]["VmHWM"] for x in launches),
        "filters": filters,
        "version": version,
        "python_pass": python,
        "idle_cpu": idle["cpu_percent"],
        "idle_live": idle["live"],
        "idle_cpu_no_tokens": idle0["cpu_percent"],
    }


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table: figure | measured | target | baseline | ratio."""
    rows = result["rows"]
    n = f"{rows / 1e6:g}M" if rows >= 1_000_000 else f"{rows / 1e3:g}k"
    seconds = [f["seconds"] for f in result["filters"]]
    wrong = [f["query"] for f in result["filters"] if not f["correct"]]
    ms = 1000.0
    lines = [
        "| figure | measured | target | baseline | ratio |",
        "|---|---|---|---|---|",
        "| launch -> first usable frame, {n} rows | {:.2f} s | <= 0.5 s | {:.2f} s (bare Textual "
        "app) | {:.2f}x |".format(
            result["first_frame"],
            result["bare_first_frame"],
            result["first_frame"] / result["bare_first_frame"],
            n=n,
        ),
        f"| launch -> fully loaded and searchable, {n} rows | {result['loaded']:.2f} s | "
        f"<= 1.0x csv.reader | {result['csv_reader']:.2f} s (csv.reader pass) | "
        f"{result['loaded_ratio']:.2f}x |",
    ]
    if seconds:
        p50, p95 = _percentile(seconds, 0.5), _percentile(seconds, 0.95)
        lines.append(
            f"| filter keystroke -> view updated, {n} rows, p95 of {len(seconds)} "
            f"(p50 {p50 * ms:.0f} ms, max {max(seconds) * ms:.0f} ms) | {p95 * ms:.0f} ms | "
            f"<= 100 ms | 100 ms (target) | {p95 * ms / 100:.2f}x |"
        )
    lines += [
        f"| resident memory, {n} rows loaded (peak {result['hwm'] / 2**20:.0f} MB) | "
        f"{result['rss'] / 2**20:.0f} MB | <= 500 MB | 500 MB (target) | "
        f"{result['rss'] / 2**20 / 500:.2f}x |",
        f"| `ccfs-tui --version` | {result['version']:.2f} s | <= 0.3 s | "
        f"{result['python_pass']:.2f} s (`python -c pass`) | "
        f"{result['version'] / result['python_pass']:.2f}x |",
        f"| 200 live tokens counting down, app idle | {result['idle_cpu']:.2f} % | <= 2 % | "
        f"{result['idle_cpu_no_tokens']:.2f} % (0 tokens) | "
        f"{result['idle_cpu'] / max(result['idle_cpu_no_tokens'], 0.01):.2f}x |",
    ]
    notes = []
    if set(result["rows_loaded"]) != {rows} or set(result["tree_totals"]) != {rows}:
        notes.append(
            f"WARNING: rows loaded {result['rows_loaded']}, tree totals {result['tree_totals']}"
        )
    if wrong:
        notes.append(f"WARNING: wrong filter answers: {wrong}")
    if seconds:
        by_kind = []
        for kind in KINDS:
            values = [f["seconds"] for f in result["filters"] if f["kind"] == kind]
            if values:
                by_kind.append(f"{kind} p50 {statistics.median(values) * ms:.0f} ms / max "
                               f"{max(values) * ms:.0f} ms")
        notes.append("filter by kind: " + "; ".join(by_kind))
    return "\n".join([*lines, "", *notes])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="recordings (default 1M)")
    parser.add_argument("--repeat", type=int, default=3, help="launches to take the median of")
    parser.add_argument("--queries", type=int, default=50, help="filter queries (5 kinds)")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between typed keys")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measurement")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = measure(args)
    print()
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
