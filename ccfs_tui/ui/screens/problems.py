"""The ``i`` screen: index lines that were skipped, as ``file:line: reason``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Log

from ccfs_tui.ui.formatting import count, shown

PROBLEM_LIMIT = 500
"""Characters of one problem line shown (a file name can be long)."""


class ProblemsScreen(ModalScreen[None]):
    """Lists index problems (a ``Log`` renders only the visible lines, so it scales)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,i", "dismiss", "Close")]

    def __init__(self, problems: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Log(id="problems-log", highlight=False, auto_scroll=False)

    def on_mount(self) -> None:
        log = self.query_one(Log)
        n = len(self.problems)
        log.border_title = f"{count(n)} skipped line{'s' if n != 1 else ''} · Esc closes"
        if not self.problems:
            log.write_line("No line was skipped.")
        else:
            # file names and reasons come from the files: one shown line each
            log.write_lines(shown(str(problem), PROBLEM_LIMIT) for problem in self.problems)
        log.scroll_home(animate=False)
        log.focus()
