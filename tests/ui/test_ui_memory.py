"""Long sessions stay light: no old footer keys kept alive (Textual's own Footer leaked them:
textual#6666), and what the app moves out of the garbage collector's sight comes back."""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey
from ui_support import AppFactory, loaded, wait_for


async def test_refreshed_keys_do_not_pile_up(make_app: AppFactory) -> None:
    """Every refresh of the keys (each filter keystroke, selection or request makes one)
    rebuilds the footer; the old keys must be freed, or garbage collection pauses grow
    with the session."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        for _ in range(40):
            app.main_screen.refresh_bindings()
            await pilot.pause()
        shown = len(app.main_screen.query(FooterKey))
        gc.collect()
        alive = sum(isinstance(o, FooterKey) for o in gc.get_objects())
        assert shown > 3
        assert alive <= 3 * shown, f"{alive} footer keys alive, {shown} shown"  # 40x: leak


async def test_the_loaded_index_is_frozen_while_the_app_runs_only(make_app: AppFactory) -> None:
    """Once loaded (and its columns split) the store and widgets are frozen out of full
    collections; when the app closes they are given back, so nothing stays uncollectable."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0)
    assert gc.get_freeze_count() == 0
