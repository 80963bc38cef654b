"""Fixtures of the real-terminal tests: ``ccfs-tui demo`` running in tmux panes.

One app per terminal size is started per test module (starting one costs a few
seconds) and brought back to a known state before every test (:meth:`TmuxApp.home`);
tests about launching and quitting start their own. Every app has its own tmux server and
its own HOME/XDG folders under pytest's temporary folder; the servers are killed at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux_app import NO_TMUX, SIZES, AppPool, TmuxApp, tmux_missing


@pytest.fixture(scope="module")
def app_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppPool]:
    """The long-lived apps; each quits with ctrl+q at the end and must exit with status 0."""
    if tmux_missing():
        pytest.skip(NO_TMUX)
    pool = AppPool(tmp_path_factory.mktemp)
    try:
        yield pool
    finally:
        problems = pool.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def app(app_pool: AppPool) -> TmuxApp:
    """``ccfs-tui demo`` at 120x36: loaded, filter closed, all recordings shown, tree focused."""
    return app_pool.get(*SIZES["120x36"])


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[TmuxApp]:
    """An app of its own (not started yet: the test starts it), killed after the test."""
    if tmux_missing():
        pytest.skip(NO_TMUX)
    app = TmuxApp(tmp_path / "terminal")
    try:
        yield app
    finally:
        app.kill()
