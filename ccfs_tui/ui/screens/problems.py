"""The ``i`` screen: index lines that were skipped, as ``file:line: reason``, each cut to the
width of the screen (the file's name and the reason stay; a reason that does not fit goes
on a line of its own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Log

from ccfs_tui.ui.fit import cells, crop, crop_start
from ccfs_tui.ui.formatting import count, shown

PROBLEM_LIMIT = 500
"""Characters of one problem's file name or reason shown (a file name can be long)."""

MIN_SOURCE = 16
"""Cells the file name keeps before the reason goes to a line of its own."""


def problem_lines(problem: Any, width: int) -> list[str]:
    """``problem`` as lines of at most ``width`` cells: ``…name.csv:12: reason``, the
    path cut from its start; when the reason does not fit beside it, it follows indented
    (cut at its end only beyond a whole line). The texts come from the files: shown."""
    source = getattr(problem, "source", None)
    if source is None:  # not an IndexProblem: one line, cut at its end
        return [crop(shown(str(problem), PROBLEM_LIMIT), width)]
    line = getattr(problem, "line", 0)
    where = f":{line}" if line else ""  # line 0: the whole file
    reason = shown(getattr(problem, "reason", ""), PROBLEM_LIMIT)
    name = shown(source, PROBLEM_LIMIT)
    tail = f"{where}: {reason}"
    if cells(name) + cells(tail) <= width:
        return [name + tail]
    room = width - cells(tail)
    if room >= MIN_SOURCE:
        return [crop_start(name, room) + tail]
    return [crop_start(name, width - cells(where) - 1) + where + ":", crop("  " + reason, width)]


class ProblemsScreen(ModalScreen[None]):
    """Lists index problems (a ``Log`` renders only the visible lines, so it scales)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,i", "dismiss", "Close")]

    def __init__(self, problems: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems = problems
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Log(id="problems-log", highlight=False, auto_scroll=False)

    def on_mount(self) -> None:
        log = self.query_one(Log)
        n = len(self.problems)
        log.border_title = f"{count(n)} skipped line{'s' if n != 1 else ''} · Esc closes"
        self._write()
        log.focus()

    def on_resize(self, _event: Any) -> None:
        """Cut the lines to the new width."""
        self._write()

    def _write(self) -> None:
        log = self.query_one(Log)
        # less one cell for the scrollbar that many lines bring
        width = max(log.scrollable_content_region.width - 1, 20) if log.size.width else 76
        if width == self._width:
            return
        self._width = width
        log.clear()
        if not self.problems:
            log.write_line("No line was skipped.")
        else:
            log.write_lines(line for p in self.problems for line in problem_lines(p, width))
        log.scroll_home(animate=False)
