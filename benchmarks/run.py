"""The one benchmark command: ``python -m benchmarks [--rows N]`` (or ``python benchmarks/run.py``).

It generates an index of N recordings once (cached in ``benchmarks/data/``, gitignored), then
measures each figure in fresh child processes (``benchmarks/child.py``), repeats the launch
figures ``--repeat`` times interleaved with their baselines, and prints a table of
figure | measured | target | baseline | ratio, every ratio against a baseline of the same run:

* launch -> first usable frame: from spawning the process (interpreter, imports and all) to
  the first painted frame whose tree shows rows with nothing covering it, under
  ``run_test(size=(120, 40))`` (the filter is on that screen). Baseline: a bare Textual
  ``App`` with one ``Static``, spawned and timed the same way. Also from app construction.
* launch -> fully loaded and searchable: from constructing ``CcfsApp(index_paths=[file])``
  to the first frame after the app finished loading (every row in the store, the tree in
  sync, any filter answers). Baseline: one plain ``csv.reader`` pass over the same file in a
  fresh process, run right after each launch. ``--load-helper off|both`` measures the load
  without the helper process too (``CCFS_LOAD_HELPER=0``; "both": one more launch and
  csv.reader pass per repeat, here and in the real terminal).
* the split search columns (numbers, file names, call ids) the filter uses are made in the
  background right after the load; the time they take is shown, and the filters are typed
  once they are there.
* filter keystroke -> view updated: queries of five kinds picked from the data, typed key by
  key into the filter (``/``, then the characters ``--gap`` seconds apart, after Pilot's own
  wait for each key), timed from the last key press to the first painted frame whose tree
  shows that query's answer (checked against ``store.filter``). The kinds use the
  documented syntax: call ids and file names as text, number prefixes as ``caller:`` /
  ``callee:``, agents as ``agent:``, dates as dates. Numbers and agent ids typed without a
  scope (a substring of six fields) are timed too and shown in their own row.
* resident memory: VmRSS of the app's process, the most of: just loaded, search columns
  split, every query typed (and the peak VmHWM); the load helper process's own peak when
  one was used.
* ``ccfs-tui --version``: median wall time of 5 runs (baseline: ``python -c pass``).
* 200 live tokens counting down, app idle: CPU time / wall time of the process over ``--idle``
  seconds, index loaded and its search columns split, the once-a-second tick on (baseline:
  the same with 0 tokens).

Nothing here asserts a time. ``--json FILE`` also writes every number.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.data import index_file

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("call id", "number prefix", "agent", "date", "file name")
UNSCOPED = ("number, unscoped", "agent id, unscoped")


# =============================================================================== queries
def _sample_rows(path: Path, count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    size = path.stat().st_size
    rows: list[list[str]] = []
    with path.open("rb") as handle:
        while len(rows) < count:
            handle.seek(rng.randrange(max(1, size - 4096)))
            handle.readline()
            fields = next(csv.reader([handle.readline().decode("utf-8").rstrip("\r\n")]), [])
            if len(fields) == 18 and fields[0] != "developer":
                rows.append(fields)
    return rows


def pick_queries(path: Path, per_kind: int, seed: int = 7) -> list[tuple[str, str]]:
    """``per_kind`` queries of each of the five kinds, from rows of the file, interleaved."""
    rng = random.Random(seed)
    picks: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for i, row in enumerate(_sample_rows(path, per_kind * 4, seed)):
        agent, call, caller, callee, begin = row[3], row[4], row[5], row[6], row[7]
        original = row[12].replace("\\", "/").rsplit("/", 1)[-1]
        scope, number = ("caller", caller) if i % 2 else ("callee", callee)
        candidates = {
            "call id": call if i % 3 == 0 else call.rsplit("-", 1)[-1],
            "number prefix": f"{scope}:{number[: rng.randint(4, 8)]}" if number else "",
            "agent": f"agent:{agent}" if agent else "",
            "date": begin[:10],
            "file name": original if i % 2 else original.split(".")[0],
        }
        for kind, query in candidates.items():
            if len(picks[kind]) < per_kind and query and query not in picks[kind]:
                picks[kind].append(query)
    return [
        (kind, picks[kind][n]) for n in range(per_kind) for kind in KINDS if n < len(picks[kind])
    ]


def pick_unscoped(path: Path, per_kind: int, seed: int = 8) -> list[tuple[str, str]]:
    """Numbers (whole, or their first 5-8 digits) and agent ids typed without a scope."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, row in enumerate(_sample_rows(path, per_kind * 6, seed)):
        number = row[5] if i % 2 else row[6]
        for kind, query in (
            (UNSCOPED[0], number if i % 3 == 0 else number[: rng.randint(5, 8)]),
            (UNSCOPED[1], row[3]),
        ):
            if query and query not in seen and sum(k == kind for k, _ in out) < per_kind:
                seen.add(query)
                out.append((kind, query))
    return out


# =============================================================================== children
def _busy() -> float:
    """CPU seconds all cores spent busy so far (0 where /proc/stat is missing)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


OTHER_LOAD: list[tuple[float, float]] = []
"""(CPU seconds used by other processes, wall seconds) of every child run."""


def run_child(
    mode: str,
    args: dict[str, Any] | None = None,
    timeout: float = 1800,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """One measurement in a fresh interpreter (``extra_env`` added to its environment);
    ``spawned_at`` is when it was started. Notes how busy the machine was with other work
    meanwhile (in :data:`OTHER_LOAD`)."""
    command = [sys.executable, "-m", "benchmarks.child", mode, json.dumps(args or {})]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.update(extra_env or {})
    busy, mine = _busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    spawned = time.time()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - mine.ru_utime) + (after.ru_stime - mine.ru_stime)
    OTHER_LOAD.append((max(0.0, _busy() - busy - used), wall))
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            result: dict[str, Any] = json.loads(line[len("BENCH-RESULT ") :])
            result["spawned_at"] = spawned
            return result
    output = done.stdout[-3000:] + done.stderr[-3000:]
    raise RuntimeError(f"benchmark child {mode} failed:\n{output}")


def _wall(command: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 50 values: the 48th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-int(fraction * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure, as a dict (also what ``--json`` writes)."""
    rows = args.rows
    path = index_file(rows)
    queries = pick_queries(path, max(1, args.queries // len(KINDS)))[: args.queries]
    unscoped = pick_unscoped(path, max(1, args.unscoped // 2))[: args.unscoped]
    mode = getattr(args, "load_helper", "on")
    switch = {"CCFS_LOAD_HELPER": "0" if mode == "off" else "1"}
    bare, launches, csvs, launches_off, csvs_off = [], [], [], [], []
    for i in range(args.repeat):
        bare.append(run_child("bare"))
        typed = [list(q) for q in queries + unscoped] if i == 0 else []
        launch = {"index": str(path), "queries": typed, "gap": args.gap}
        launches.append(run_child("launch", launch, extra_env=switch))
        csvs.append(run_child("csv", {"index": str(path)}))
        print(
            f"  run {i + 1}/{args.repeat}: fully loaded {launches[-1]['loaded']:.2f} s, "
            f"csv.reader {csvs[-1]['seconds']:.2f} s"
        )
        if mode == "both":
            launch = {"index": str(path), "queries": [], "gap": args.gap}
            launches_off.append(run_child("launch", launch, extra_env={"CCFS_LOAD_HELPER": "0"}))
            csvs_off.append(run_child("csv", {"index": str(path)}))
            print(
                f"  run {i + 1}/{args.repeat}, load helper off: fully loaded "
                f"{launches_off[-1]['loaded']:.2f} s, csv.reader {csvs_off[-1]['seconds']:.2f} s"
            )
    version = _wall(_version_command())
    python = _wall([sys.executable, "-c", "pass"])
    idle = run_child("idle", {"index": str(path), "tokens": 200, "seconds": args.idle})
    idle0 = run_child("idle", {"index": str(path), "tokens": 0, "seconds": args.idle})
    median = statistics.median
    off: dict[str, Any] = {}
    if launches_off:
        off = {
            "loaded_off": median(x["loaded"] for x in launches_off),
            "csv_reader_off": median(c["seconds"] for c in csvs_off),
            "loaded_off_ratio": median(
                x["loaded"] / c["seconds"] for x, c in zip(launches_off, csvs_off, strict=True)
            ),
            "helper_off": [x["helper"] for x in launches_off],
        }
    return {
        **off,
        "load_helper": mode,
        "rows": rows,
        "machine": machine(),
        "bare_launch": median(b["first_frame_wall"] - b["spawned_at"] for b in bare),
        "bare_first_frame": median(b["first_frame"] for b in bare),
        "launch": median(x["first_frame_wall"] - x["spawned_at"] for x in launches),
        "first_frame": median(x["first_frame"] for x in launches),
        "loading_at_first_frame": [x["loading_at_first_frame"] for x in launches],
        "loaded": median(x["loaded"] for x in launches),
        "indexed": median(
            x["indexed"] - x["loaded"] if x["indexed"] is not None else float("nan")
            for x in launches
        ),
        "loaded_from_spawn": median(
            x["loaded"] - x["first_frame"] + x["first_frame_wall"] - x["spawned_at"]
            for x in launches
        ),
        "csv_reader": median(c["seconds"] for c in csvs),
        "loaded_ratio": median(
            x["loaded"] / c["seconds"] for x, c in zip(launches, csvs, strict=True)
        ),
        "rows_loaded": [x["rows"] for x in launches],
        "tree_totals": [x["tree_total"] for x in launches],
        "helper": [x["helper"] for x in launches],
        "rss_loaded": median(x["memory"]["VmRSS"] for x in launches),
        "rss": median(
            max(x[k]["VmRSS"] for k in ("memory", "memory_split", "memory_end")) for x in launches
        ),
        "hwm": median(x["memory_end"]["VmHWM"] for x in launches),
        "filters": launches[0].get("filters", []),
        "version": version,
        "python_pass": python,
        "idle_cpu": idle["cpu_percent"],
        "idle_live": idle["live"],
        "idle_cpu_no_tokens": idle0["cpu_percent"],
        "other_load": 100
        * sum(cpu for cpu, _ in OTHER_LOAD)
        / max(sum(wall for _, wall in OTHER_LOAD), 1e-9),
    }


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table: figure | measured | target | baseline | ratio."""
    rows = result["rows"]
    n = f"{rows / 1e6:g}M" if rows >= 1_000_000 else f"{rows / 1e3:g}k"
    ms = 1000.0
    main = [f for f in result["filters"] if f["kind"] in KINDS]
    loose = [f for f in result["filters"] if f["kind"] in UNSCOPED]

    def filter_row(label: str, found: list[dict[str, Any]]) -> str:
        seconds = [f["seconds"] for f in found]
        p50, p95 = percentile(seconds, 0.5), percentile(seconds, 0.95)
        return (
            f"| filter keystroke -> view updated, {n} rows, {label}: p95 of {len(seconds)} "
            f"(p50 {p50 * ms:.0f} ms, max {max(seconds) * ms:.0f} ms) | {p95 * ms:.0f} ms | "
            f"<= 100 ms | 100 ms (target) | {p95 * ms / 100:.2f}x |"
        )

    helper_peaks = [h["peak"] for h in result["helper"] if h["used"]]
    helper = (
        f", load helper peak {statistics.median(helper_peaks) / 2**20:.0f} MB"
        if helper_peaks
        else ""
    )
    mode = result.get("load_helper", "on")
    switch = {"on": "", "off": "; CCFS_LOAD_HELPER=0", "both": "; load helper on"}[mode]
    lines = [
        "| figure | measured | target | baseline | ratio |",
        "|---|---|---|---|---|",
        f"| launch -> first usable frame, {n} rows (from process start) | "
        f"{result['launch']:.2f} s | <= 0.5 s | {result['bare_launch']:.2f} s (bare Textual "
        f"app) | {result['launch'] / result['bare_launch']:.2f}x |",
        f"| the same from app construction | {result['first_frame']:.2f} s | | "
        f"{result['bare_first_frame']:.2f} s (bare Textual app) | "
        f"{result['first_frame'] / result['bare_first_frame']:.2f}x |",
        f"| launch -> fully loaded and searchable, {n} rows (from app construction{switch}) | "
        f"{result['loaded']:.2f} s | <= 1.0x csv.reader | {result['csv_reader']:.2f} s "
        f"(csv.reader pass) | {result['loaded_ratio']:.2f}x |",
    ]
    if "loaded_off" in result:
        lines.append(
            f"| the same with the load helper off (CCFS_LOAD_HELPER=0) | "
            f"{result['loaded_off']:.2f} s | <= 1.0x csv.reader | "
            f"{result['csv_reader_off']:.2f} s (csv.reader pass) | "
            f"{result['loaded_off_ratio']:.2f}x |"
        )
    lines.append(
        f"| split search columns for the filter, made in the background once loaded | "
        f"+{result['indexed']:.2f} s after the load | | | |"
    )
    if main:
        lines.append(filter_row("call id, number prefix, agent, date, file name", main))
    if loose:
        lines.append(filter_row("numbers and agent ids typed without a scope", loose))
    lines += [
        f"| resident memory, {n} rows loaded, columns split, filters typed (just loaded "
        f"{result['rss_loaded'] / 2**20:.0f} MB; peak {result['hwm'] / 2**20:.0f} MB{helper}) | "
        f"{result['rss'] / 2**20:.0f} MB | <= 500 MB | 500 MB (target) | "
        f"{result['rss'] / 2**20 / 500:.2f}x |",
        f"| `ccfs-tui --version` | {result['version']:.2f} s | <= 0.3 s | "
        f"{result['python_pass']:.2f} s (`python -c pass`) | "
        f"{result['version'] / result['python_pass']:.2f}x |",
        f"| 200 live tokens counting down, app idle | {result['idle_cpu']:.2f} % of a core | "
        f"<= 2 % | {result['idle_cpu_no_tokens']:.2f} % (0 tokens) | "
        f"{result['idle_cpu'] / max(result['idle_cpu_no_tokens'], 0.01):.2f}x |",
    ]
    notes = [
        f"Other work on the machine during the runs: {result['other_load']:.0f} % of a core "
        "on average (the load uses both cores; the csv.reader baseline one).",
        f"From process start the full load takes {result['loaded_from_spawn']:.2f} s; "
        f"loading was still running at the first usable frame: "
        f"{sum(result['loading_at_first_frame'])} of {len(result['loading_at_first_frame'])}.",
    ]
    if set(result["rows_loaded"]) != {rows} or set(result["tree_totals"]) != {rows}:
        notes.append(
            f"WARNING: rows loaded {result['rows_loaded']}, tree totals {result['tree_totals']}"
        )
    off_runs = result.get("helper_off", []) + (result["helper"] if mode == "off" else [])
    if any(h["used"] for h in off_runs):
        notes.append("WARNING: a load helper ran in a launch with CCFS_LOAD_HELPER=0")
    wrong = [f["query"] for f in result["filters"] if not f["correct"]]
    if wrong:
        notes.append(f"WARNING: wrong filter answers: {wrong}")
    by_kind = []
    for kind in (*KINDS, *UNSCOPED):
        values = [f["seconds"] for f in result["filters"] if f["kind"] == kind]
        if values:
            by_kind.append(
                f"{kind} p50 {statistics.median(values) * ms:.0f} / max {max(values) * ms:.0f} ms"
            )
    if by_kind:
        notes.append("Filter by kind: " + "; ".join(by_kind) + ".")
    return "\n".join([*lines, "", *notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="recordings (default 1M)")
    parser.add_argument("--repeat", type=int, default=3, help="launches to take the median of")
    parser.add_argument("--queries", type=int, default=50, help="filter queries (5 kinds)")
    parser.add_argument("--unscoped", type=int, default=10, help="unscoped number/agent queries")
    parser.add_argument("--gap", type=float, default=0.05, help="extra seconds between keys")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measurement")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--during", type=int, default=30, help="most queries typed while loading")
    parser.add_argument("--after", type=int, default=10, help="queries typed right after the load")
    parser.add_argument(
        "--load-helper",
        choices=("on", "off", "both"),
        default="on",
        help="the helper process that reads part of a big index: on (default), off "
        "(CCFS_LOAD_HELPER=0), or both (each repeat also launches once with it off)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--no-terminal", action="store_true", help="headless figures only")
    where.add_argument("--terminal-only", action="store_true", help="real-terminal figures only")
    args = parser.parse_args(argv)
    from benchmarks import terminal

    path = index_file(args.rows)
    print(f"ccfs-tui benchmark: {args.rows:,} recordings ({path.stat().st_size / 1e6:.0f} MB)")
    print(f"machine: {machine()}")
    result: dict[str, Any] = {}
    if not args.no_terminal:
        missing = terminal.available()
        if missing:
            print(f"  real-terminal figures skipped: {missing}")
        else:
            figures = terminal.measure(args, path, args.rows)
            print()
            print(terminal.table(figures))
            print()
            result["terminal"] = figures
    if not args.terminal_only:
        result.update(measure(args))
        print()
        print("Headless (Textual run_test, 120x40):")
        print()
        print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
