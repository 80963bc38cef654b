"""The ``a`` screen: the recent entries of the audit log (token requests and downloads).

The same JSONL file ``ccfs-tui audit`` prints (platformdirs state folder), newest first:
UTC time, profile and app id, action, outcome, resultCode, the token's fingerprint (never
the token) and the file. The highlighted entry's detail (the error text) shows below.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ccfs_tui.core.audit import AuditEntry, AuditLog
from ccfs_tui.ui.fit import cells, middle
from ccfs_tui.ui.formatting import short_name, shown
from ccfs_tui.ui.widgets.footer import KeyFooter

AUDIT_LIMIT = 500
"""How many of the most recent entries the screen lists."""


def user_audit_log() -> AuditLog:
    """The user's audit log (the file ``ccfs-tui audit`` reads), for a session without one."""
    from ccfs_tui.core.paths import app_paths

    return AuditLog(app_paths().audit_log)


WIDE_FROM = 100
"""From this many columns the table shows every column and the time its year."""

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Time (UTC)", "time", 0),
    ("Profile", "profile", 72),
    ("App id", "app_id", WIDE_FROM),
    ("Action", "action", 0),
    ("Outcome", "outcome", 0),
    ("Code", "code", 72),
    ("Token#", "token", WIDE_FROM),
    ("File", "file", 0),
)
"""(label, key, from how many columns it shows) of the table's columns, in order; the
detail lines under the table name what a narrower table leaves out."""


def columns_for(width: int) -> list[tuple[str, str, int]]:
    """The columns a table ``width`` columns wide shows."""
    return [column for column in COLUMNS if width >= column[2]]


def entry_row(
    entry: AuditEntry, *, width: int = WIDE_FROM, file_cells: int = 40
) -> tuple[Any, ...]:
    """One table row for a screen ``width`` columns wide (:func:`columns_for`): the outcome
    coloured, the token as its fingerprint only, the file's name cut to ``file_cells``
    terminal cells (its end kept), the time without its year below :data:`WIDE_FROM`.

    Every field comes from the log file (any process, or anyone, may have written it): shown,
    as Text (a str cell of a DataTable is markup; a Content cell is not measured, so its
    column would not widen)."""
    ok = entry.outcome == "ok"
    time = shown(entry.time.replace("T", " ").removesuffix("Z"))
    cells_: list[Any] = [
        Text(time if width >= WIDE_FROM else time[5:]),
        Text(middle(shown(entry.profile), 40 if width >= WIDE_FROM else 16)),
        Text(shown(entry.app_id)),
        Text(shown(entry.action)),
        Content.styled(shown(entry.outcome), "$success" if ok else "$error"),
        Text(shown(entry.result_code)),
        Text(shown(entry.token_fingerprint)),
        Text(middle(short_name(entry.file_name), file_cells)),
    ]
    return tuple(
        cell
        for cell, (_, _, shown_from) in zip(cells_, COLUMNS, strict=True)
        if width >= shown_from
    )


class AuditScreen(Screen[None]):
    """Recent audit entries, newest first."""

    DEFAULT_CSS = """
    #audit-table { height: 1fr; border: round $primary; }
    #audit-detail { height: auto; max-height: 4; padding: 0 1; }
    #audit-hint { height: auto; padding: 0 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,f5", "reload", "Refresh"),
        Binding("escape,a,q", "close", "Back"),
    ]

    def __init__(self, log: AuditLog, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.audit_log = log
        self.entries: list[AuditEntry] = []
        self.loaded = False
        self._cancel_read = threading.Event()
        self._columns = COLUMNS
        self._error = ""

    def compose(self) -> ComposeResult:
        yield Header(icon="▶")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="audit-detail")
        yield Static(id="audit-hint")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        tables = self.query(DataTable)
        if not tables:  # the app is shutting down: nothing was composed
            return
        table = tables.first()
        self._add_columns(table)
        table.border_title = "Audit log · newest first"
        table.focus()
        self.action_reload()

    def _add_columns(self, table: DataTable[Any]) -> None:
        self._columns = tuple(columns_for(self.size.width))
        for label, key, _shown_from in self._columns:
            table.add_column(label, key=key)

    def _file_cells(self, entries: list[AuditEntry]) -> int:
        """Cells left for the file's name once the other columns have their widest cell
        (each column has a cell of padding on either side; the table a border and a
        scrollbar)."""
        width = self.size.width
        rows = [entry_row(e, width=width, file_cells=1)[:-1] for e in entries[:AUDIT_LIMIT]]
        fixed = 3 + 2 * len(self._columns)
        for index, (label, _key, _shown_from) in enumerate(self._columns[:-1]):
            fixed += max([cells(label), *(cells(str(row[index])) for row in rows)])
        return max(self.size.width - fixed, 12)

    def on_resize(self, _event: Any) -> None:
        """The columns of the new width (:data:`COLUMNS`); the file's name is cut anew."""
        tables = self.query(DataTable)
        if not tables or not self.loaded:
            return
        table = tables.first()
        if tuple(columns_for(self.size.width)) != self._columns:
            table.clear(columns=True)
            self._add_columns(table)
        self.show_entries(self.entries, self._error)

    def action_reload(self) -> None:
        """Read the log again (in a thread: the file may be long)."""
        self.run_worker(self._load(), exclusive=True, group="audit", exit_on_error=False)

    async def _load(self) -> None:
        """The read runs in a daemon thread that stops between two blocks once cancelled (the
        screen closed, or a newer reload): a huge log can neither keep the app from exiting
        (``asyncio.to_thread``'s threads are joined at exit) nor read on for nothing."""
        self._cancel_read.set()
        cancel = self._cancel_read = threading.Event()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[tuple[list[AuditEntry], str]] = loop.create_future()
        log = self.audit_log

        def read() -> None:
            try:
                result = (log.recent(AUDIT_LIMIT, cancel.is_set), "")
            except OSError as exc:
                result = ([], f"Cannot read {log.path}: {exc.strerror or exc}")
            except Exception as exc:  # shown in the hint, never a crash of the screen
                result = ([], f"Cannot read {log.path}: {type(exc).__name__}")

            def deliver() -> None:
                if not done.done():
                    done.set_result(result)

            with contextlib.suppress(RuntimeError):  # the loop is closed: the app has gone
                loop.call_soon_threadsafe(deliver)

        threading.Thread(target=read, name="ccfs-tui audit reader", daemon=True).start()
        try:
            entries, error = await done
        except asyncio.CancelledError:
            cancel.set()
            raise
        if cancel.is_set():
            return
        self.show_entries(entries[::-1], error)

    def on_unmount(self) -> None:
        """Stop a read still running."""
        self._cancel_read.set()

    def show_entries(self, entries: list[AuditEntry], error: str = "") -> None:
        """Fill the table (newest first) and say where the entries come from."""
        if not self.is_mounted:
            return
        self.entries = entries
        self._error = error
        table = self.query_one(DataTable)
        table.clear()
        file_cells = self._file_cells(entries)
        for index, entry in enumerate(entries):
            row = entry_row(entry, width=self.size.width, file_cells=file_cells)
            table.add_row(*row, key=str(index))
        if entries:
            table.move_cursor(row=0)
        hint = self.query_one("#audit-hint", Static)
        path = Path(self.audit_log.path)
        notes = []
        if self.audit_log.skipped_lines:
            notes.append(f"{self.audit_log.skipped_lines} over-long line(s) skipped")
        if self.audit_log.warning:
            notes.append(self.audit_log.warning)
        note = (" · " + " · ".join(notes)) if notes else ""
        note, where = shown(note), shown(path)  # the log's path and warnings: never markup
        if error:
            hint.update(Content.styled(shown(error) + note, "$error"))
        elif entries:
            hint.update(
                Content(f"{len(entries)} most recent entries of {where} · r refreshes{note}")
            )
        else:
            hint.update(Content(f"No token request or download yet ({where}).{note}"))
        self._show_detail()
        self.loaded = True

    def selected_entry(self) -> AuditEntry | None:
        """The entry under the cursor."""
        table = self.query_one(DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return self.entries[int(key)] if key is not None else None

    def _show_detail(self) -> None:
        entry = self.selected_entry()
        detail = self.query_one("#audit-detail", Static)
        detail.display = entry is not None
        if entry is None:
            return
        text = shown(entry.detail or ("ok" if entry.outcome == "ok" else entry.outcome))
        keys = {key for _label, key, _from in self._columns}
        left_out = [  # what the table has no column for at this width, here
            value
            for key, value in (
                ("profile", shown(entry.profile)),
                ("app_id", shown(entry.app_id)),
                ("token", f"token# {shown(entry.token_fingerprint) or '—'}"),
                ("code", f"resultCode {shown(entry.result_code)}" if entry.result_code else ""),
            )
            if key not in keys and value
        ]
        text = " · ".join([*left_out, text])
        detail.update(
            Content.assemble(
                (f"{shown(entry.action)} ", "bold"),
                shown(entry.file_name),
                "\n",
                (text, "$text-muted"),
            )
        )

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the highlighted entry's file and detail."""
        self._show_detail()

    def on_screen_resume(self, _event: Any) -> None:
        if self.loaded:
            self.action_reload()

    def action_close(self) -> None:
        """Back to the recordings."""
        self.dismiss()
