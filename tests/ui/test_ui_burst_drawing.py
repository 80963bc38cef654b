"""A burst of keys (a paste, typeahead) is drawn once, at its end, with its answer: the
screen is not drawn between two of its keys (each such frame delayed the answer to the
whole burst), and it is never left undrawn: not after the burst, not while the keys wait
for a hold (Enter in the filter waiting for its first match), not while one key's work
runs long."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from test_ui_input import burst, filter_value, settled, type_text
from ui_support import AppFactory, loaded, wait_for

from ccfs_tui.ui.app import CcfsApp


def count_batches(app: CcfsApp) -> dict[str, int]:
    """How often the gate held the drawing back and let it go again."""
    batch = app.input_gate._batch
    assert batch is not None
    counts = {"begin": 0, "end": 0}
    hold = batch._hold

    def counted_hold() -> Callable[[], None]:
        counts["begin"] += 1
        release = hold()

        def counted_release() -> None:
            counts["end"] += 1
            release()

        return counted_release

    batch._hold = counted_hold
    return counts


def drawn(app: CcfsApp) -> bool:
    return app._batch_count == 0


async def test_a_burst_is_drawn_once_at_its_end(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        counts = count_batches(app)
        frames: list[str] = []
        screen: Any = app.main_screen
        refresh = screen._compositor_refresh

        def counted_refresh() -> None:
            frames.append(filter_value(app))
            refresh()

        screen._compositor_refresh = counted_refresh
        type_text(app, "/1001")
        await settled(pilot, app)
        await wait_for(pilot, lambda: drawn(app) and frames and frames[-1] == "1001")
        assert counts == {"begin": 1, "end": 1}
        # no frame showed the filter half typed: the burst was drawn at its end
        assert not [value for value in frames if value not in ("", "1001")]
        assert "1001" in app.export_screenshot()


async def test_the_screen_is_drawn_while_keys_wait_for_a_hold(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        browser = app.main_screen.browser
        gate = app.input_gate
        seen: list[tuple[bool, int]] = []  # (drawn, keys waiting) when a hold began
        hold = gate.hold

        def watched_hold(reason: str) -> None:
            hold(reason)
            seen.append((drawn(app), gate.waiting))

        gate.hold = watched_hold  # type: ignore[method-assign]
        real_search = browser._search
        waiting: list[tuple[str, int, bool]] = []

        def held_search(query: str, generation: int, catch_up: bool) -> None:
            waiting.append((query, generation, catch_up))  # answered when the test says

        browser._search = held_search  # type: ignore[method-assign]
        burst(app, "/", "1", "0", "0", "1", "enter", "j", "j")
        await wait_for(pilot, lambda: seen and waiting and gate._holds)
        await pilot.pause(0.2)
        assert gate.waiting == 2  # the two j wait for Enter's answer ...
        assert drawn(app)  # ... and the screen shows the filter meanwhile
        assert "1001" in app.export_screenshot()
        browser._search = real_search  # type: ignore[method-assign]
        real_search(*waiting[-1])
        await settled(pilot, app)
        assert drawn(app)


async def test_a_search_holds_the_drawing_for_its_answer_a_moment_only(
    make_app: AppFactory,
) -> None:
    """The typed text and its answer come in one frame; a search that does not answer
    within 0.1 s lets the screen show the typed text anyway."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        browser = app.main_screen.browser
        real_search = browser._search
        waiting: list[tuple[str, int, bool]] = []

        def held_search(query: str, generation: int, catch_up: bool) -> None:
            waiting.append((query, generation, catch_up))

        browser._search = held_search  # type: ignore[method-assign]
        type_text(app, "/1001")
        await wait_for(pilot, lambda: waiting and not drawn(app))  # held for the answer
        await wait_for(pilot, lambda: drawn(app), timeout=2)  # ... 0.1 s at most
        assert "1001" in app.export_screenshot()
        browser._search = real_search  # type: ignore[method-assign]
        burst(app, "2")  # answered this time: held, then drawn with the answer
        await wait_for(pilot, lambda: filter_value(app) == "10012")
        await wait_for(pilot, lambda: drawn(app) and browser.applied_query == "10012")
        assert browser._drawing_held is None
