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
from ccfs_tui.ui.formatting import short_name, shown
from ccfs_tui.ui.widgets.footer import KeyFooter

AUDIT_LIMIT = 500
"""How many of the most recent entries the screen lists."""


def user_audit_log() -> AuditLog:
    """The user's audit log (the file ``ccfs-tui audit`` reads), for a session without one."""
    from ccfs_tui.core.paths import app_paths

    return AuditLog(app_paths().audit_log)


def entry_row(entry: AuditEntry) -> tuple[Any, ...]:
    """One table row: the outcome coloured, the token as its fingerprint only.

    Every field comes from the log file (any process, or anyone, may have written it): shown,
    as Text (a str cell of a DataTable is markup; a Content cell is not measured, so its
    column would not widen)."""
    ok = entry.outcome == "ok"
    return (
        Text(shown(entry.time.replace("T", " ").removesuffix("Z"))),
        Text(shown(entry.profile)),
        Text(shown(entry.app_id)),
        Text(shown(entry.action)),
        Content.styled(shown(entry.outcome), "$success" if ok else "$error"),
        Text(shown(entry.result_code)),
        Text(shown(entry.token_fingerprint)),
        Text(short_name(entry.file_name)),
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

    def compose(self) -> ComposeResult:
        yield Header(icon="▶")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="audit-detail")
        yield Static(id="audit-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        tables = self.query(DataTable)
        if not tables:  # the app is shutting down: nothing was composed
            return
        table = tables.first()
        for label, key in (
            ("Time (UTC)", "time"),
            ("Profile", "profile"),
            ("App id", "app_id"),
            ("Action", "action"),
            ("Outcome", "outcome"),
            ("Code", "code"),
            ("Token#", "token"),
            ("File", "file"),
        ):
            table.add_column(label, key=key)
        table.border_title = "Audit log · newest first"
        table.focus()
        self.action_reload()

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
        table = self.query_one(DataTable)
        table.clear()
        for index, entry in enumerate(entries):
            table.add_row(*entry_row(entry), key=str(index))
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
