"""One measurement in a fresh interpreter: ``python -m benchmarks.child MODE ...``.

Imports as little as it can before the app does (the launch figures start when the parent
spawned this process). Prints ``BENCH-RESULT {json}`` as its last line.
"""

from __future__ import annotations

import time

_SPAWNED = time.time()  # as early as this process can tell

import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SIZE = (120, 40)


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
        self.watchers: list[tuple[Callable[[], bool], list[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            painted = renderable is not None and not app._batch_count
            original(screen, renderable)
            if painted:
                now, wall = time.perf_counter(), time.time()
                for condition, box in list(self.watchers):
                    if condition():
                        box.extend((now, wall))
                        self.watchers.remove((condition, box))

        app._display = display

    def when(self, condition: Callable[[], bool]) -> list[float]:
        """A box that gets (perf_counter, time.time) of the first painted frame at which
        ``condition()`` holds."""
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


# =============================================================================== modes
async def bare() -> dict[str, Any]:
    """A bare Textual app with one Static: construction (and process start) to first frame."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

    started = time.perf_counter()
    app = Bare()
    first = FrameClock(app).when(lambda: True)
    async with app.run_test(size=SIZE):
        await _wait(first, 60, "the first frame")
    return {"first_frame": first[0] - started, "first_frame_wall": first[1]}


def _tree_total(tree: Any) -> int:
    return sum(int(str(child.label).split()[-1].replace(",", "")) for child in tree.root.children)


async def launch(index: Path, queries: list[list[str]], gap: float) -> dict[str, Any]:
    """CcfsApp on ``index``: first usable frame, fully loaded, memory, then typed queries."""
    from ccfs_tui.core.recordings import RecordingStore, load_helper
    from ccfs_tui.core.session import Session
    from ccfs_tui.ui.app import CcfsApp
    from ccfs_tui.ui.widgets.browser import RecordingBrowser

    helper: dict[str, Any] = {"used": False, "peak": 0}
    frames_of = load_helper.LoadHelper.frames

    def frames(job: Any, cancelled: Any) -> Any:
        helper["used"] = True
        yield from frames_of(job, cancelled)
        helper["peak"] = job.peak

    load_helper.LoadHelper.frames = frames  # type: ignore[method-assign]
    indexed: list[float] = []
    split_columns = RecordingStore.split_columns

    def splitting(store: Any, cancelled: Any = lambda: False) -> bool:
        done = split_columns(store, cancelled)
        indexed.append(time.perf_counter())
        return done

    RecordingStore.split_columns = splitting  # type: ignore[method-assign]

    finished: list[float] = []
    finish = RecordingBrowser._finish_loading

    def finish_loading(browser: RecordingBrowser, note: str) -> None:
        finish(browser, note)
        finished.append(time.perf_counter())

    RecordingBrowser._finish_loading = finish_loading  # type: ignore[method-assign]

    started = time.perf_counter()
    app = CcfsApp(Session(), index_paths=[index], player_finder=lambda: None, environ={})
    clock = FrameClock(app)

    def usable() -> bool:
        """Rows on screen (the tree shows groups and nothing covers it) and the filter is
        there to type into."""
        screen = app.main_screen
        if not screen.is_mounted or screen.query("LoadingIndicator"):
            return False
        browser = screen.browser
        tree = browser.tree_widget
        return bool(tree.root.children) and tree.region.height > 0 and browser.filter_input.parent

    first = clock.when(usable)
    loaded = clock.when(lambda: bool(finished))
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        await _wait(first, 60, "the first usable frame")
        out["first_frame"] = first[0] - started
        out["first_frame_wall"] = first[1]
        out["loading_at_first_frame"] = app.main_screen.browser.index_loading
        out["loaded"] = await _wait(loaded, 600, "the end of the load") - started
        out["cpu_loaded"] = time.process_time()  # every thread of this process, from its start
        out["rows"] = len(app.store)
        out["tree_total"] = _tree_total(app.main_screen.browser.tree_widget)
        out["memory"] = _status()
        out["helper"] = helper
        deadline = time.perf_counter() + 30
        while not indexed and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        out["indexed"] = (indexed[0] - started) if indexed else None
        out["memory_split"] = _status()
        if queries:
            out["filters"] = await _type_queries(app, pilot, clock, queries, gap)
        out["memory_end"] = _status()
    return out


async def _type_queries(
    app: Any, pilot: Any, clock: FrameClock, queries: list[list[str]], gap: float
) -> list[dict[str, Any]]:
    """Type each query key by key; time the last key to the frame showing its answer."""
    browser = app.main_screen.browser
    applied: list[tuple[str, bool]] = []  # (query, cleared): no answer kept alive here
    apply_filter = browser.apply_filter

    def apply(query: str, ids: Any) -> None:
        apply_filter(query, ids)
        applied.append((query, ids is None))

    browser.apply_filter = apply
    results = []
    await pilot.pause(0.5)
    for kind, query in queries:
        await pilot.press("slash")
        for char in query[:-1]:
            await pilot.press(char)
            await asyncio.sleep(gap)
        shown = clock.when(lambda q=query: bool(applied) and applied[-1][0] == q)
        pressed = time.perf_counter()
        await pilot.press(query[-1])
        at = await _wait(shown, 60, f"the answer to {query!r}")
        matches = browser.matches()
        results.append(
            {
                "kind": kind,
                "query": query,
                "seconds": at - pressed,
                "matches": matches,
                "correct": matches == len(app.store.filter(query)),
            }
        )
        cleared = clock.when(lambda: bool(applied) and applied[-1][1])
        await pilot.press("escape")
        await _wait(cleared, 60, "the cleared filter")
        await asyncio.sleep(gap)
    return results


async def idle(index: Path, tokens: int, seconds: float) -> dict[str, Any]:
    """CPU of the process while the app idles with ``tokens`` live tokens counting down."""
    from benchmarks.data import bench_tokens
    from ccfs_tui.core.clock import utc_now
    from ccfs_tui.core.session import Session
    from ccfs_tui.core.tokens import TokenStore
    from ccfs_tui.ui.app import CcfsApp

    store = TokenStore(None)
    for token in bench_tokens(tokens, utc_now()):
        store.add(token)
    app = CcfsApp(
        Session(tokens=store), index_paths=[index], player_finder=lambda: None, environ={}
    )
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline and (
            not app.main_screen.is_mounted
            or app.main_screen.browser.index_loading
            or not len(app.store)
            or any(w.group == "index" and not w.is_finished for w in app.workers)
        ):  # loaded, and the background split of the search columns done
            await pilot.pause(0.05)
        # the split starts once the tree is drawn after the load, so it may not have begun
        # yet: wait for a quiet half second too (a 10 s window that caught the split read
        # 12-14 % of a core, idle or not)
        while time.perf_counter() < deadline:
            wall, cpu = time.perf_counter(), time.process_time()
            await pilot.pause(0.5)
            if time.process_time() - cpu < 0.05 * (time.perf_counter() - wall):
                break
        await pilot.pause(1.0)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.sleep(seconds)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        live = len(app.session.tokens.live())
    return {"cpu_percent": 100 * cpu / wall, "live": live}


def csv_pass(index: Path) -> dict[str, Any]:
    """The baseline: one plain csv.reader pass, in a fresh process like the app's."""
    from benchmarks.data import csv_reader_pass

    seconds, rows = csv_reader_pass(index)
    return {"seconds": seconds, "rows": rows}


def expect(index: Path, queries: list[str], out: Path) -> dict[str, Any]:
    """The store's own answer to each query, for a terminal run to check its screen against:
    the matching row ids (file order) as ``array("I")`` bytes in ``out/<n>.ids``. Loaded
    here by one process (the rows are the file's rows in file order, as in the app)."""
    from array import array

    from ccfs_tui.core.recordings import RecordingStore, load_index

    store = RecordingStore()
    for _step in load_index(store, [index], chunk_size=20_000, helper=False):
        pass
    counts = []
    for n, query in enumerate(queries):
        ids = array("I", sorted(store.filter(query)))
        (out / f"{n}.ids").write_bytes(ids.tobytes())
        counts.append(len(ids))
    return {"rows": len(store), "counts": counts}


def main(argv: list[str]) -> int:
    mode, args = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    result: dict[str, Any]
    if mode == "bare":
        result = asyncio.run(bare())
    elif mode == "launch":
        result = asyncio.run(launch(Path(args["index"]), args.get("queries", []), args["gap"]))
    elif mode == "idle":
        result = asyncio.run(idle(Path(args["index"]), args["tokens"], args["seconds"]))
    elif mode == "expect":
        result = expect(Path(args["index"]), args["queries"], Path(args["out"]))
    elif mode == "csv":
        result = csv_pass(Path(args["index"]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    result["spawned_wall"] = _SPAWNED
    print("BENCH-RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
