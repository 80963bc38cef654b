"""The ``t`` screen: every token with its file and live time left, and actions on it.

It is given the main screen that opened it: the session's tokens, the token jobs (a
download or renewal started here runs on after it closes), and the main screen's
``revealed`` and ``now`` reactives, which it watches. A ``TokensChanged`` message says
the token store changed meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.coordinate import Coordinate
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ccfs_tui.core.tokens import Token
from ccfs_tui.ui.actions import BY_ID, TOKENS, bindings_for
from ccfs_tui.ui.fit import cells, middle
from ccfs_tui.ui.formatting import countdown_style, countdown_text, shown, token_text
from ccfs_tui.ui.messages import TokensChanged
from ccfs_tui.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from ccfs_tui.ui.screens.main import MainScreen


LEFT_WIDTH = 9
"""Cells of the time-left column: ``✗ expired``."""

WIDE_FROM = 100
"""From this many columns the expiry shows its year."""

EXPIRES_FROM = 72
"""From this many columns the expiry has a column (below, the time left says it)."""


def token_key(token: Token) -> str:
    """Row key of a token: its profile and fingerprint (never the token itself)."""
    return f"{token.profile}:{token.fingerprint}"


class TokensScreen(Screen[None]):
    """All tokens, nearest expiry first."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for(TOKENS))
    """From the action table (ui/actions.py): the same ids as the main screen's keys."""

    keys_state: var[tuple[str | None, bool, bool]] = var(
        (None, False, False), bindings=True, init=False
    )
    """What the keys depend on: the highlighted token, whether it is live, whether a
    request runs (the footer follows it)."""

    def __init__(self, owner: MainScreen) -> None:
        super().__init__()
        self.owner = owner
        """The main screen: its session, token jobs, ``revealed`` and ``now``."""
        self.session = owner.session
        self.jobs = owner.jobs
        self._expires = True

    def compose(self) -> ComposeResult:
        yield Header(icon="▶")
        yield DataTable(id="tokens-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="tokens-hint")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        tables = self.query(DataTable)
        if not tables:  # the app is shutting down: nothing was composed
            return
        table = tables.first()
        self._add_columns(table)
        table.border_title = "Playback tokens"
        self.reload()
        table.focus()
        self.watch(self.owner, "now", self.tick, init=False)
        self.watch(self.owner, "revealed", self.reload, init=False)
        self.watch(self.owner, "working", self._follow, init=False)

    # ----------------------------------------------------------------- data
    def _left(self, token: Token, now: datetime) -> Content:
        return Content.styled(countdown_text(token, now), countdown_style(token, now))

    def _add_columns(self, table: DataTable[Any]) -> None:
        """The columns for this width: the expiry only from :data:`EXPIRES_FROM` columns
        (the time left says it), with its year from :data:`WIDE_FROM`."""
        self._expires = self.size.width >= EXPIRES_FROM
        table.add_column("Left", key="left", width=LEFT_WIDTH)
        table.add_column("File", key="file")
        table.add_column("Token", key="token")
        if self._expires:
            table.add_column("Expires (UTC)", key="expires")
        table.add_column("Profile", key="profile")

    def _widths(self, tokens: list[Token]) -> tuple[int, int, bool]:
        """Cells for the file and the profile, and whether the expiry shows its year, so
        that every column fits the width: the file's distinguishing end stays."""
        narrow = self.size.width < WIDE_FROM
        token_cells = max((cells(token_text(t, self.owner.revealed)) for t in tokens), default=9)
        profile = max(min(max((cells(shown(t.profile)) for t in tokens), default=7), 16), 7)
        expires = (14 if narrow else 19) + 2 if self._expires else 0
        fixed = LEFT_WIDTH + token_cells + expires + profile + 2 * 4 + 3
        return max(self.size.width - fixed, 12), profile, not narrow

    def reload(self) -> None:
        """Rebuild the rows from the token store (keeps the cursor on the same token)."""
        table = self.query_one(DataTable)
        current = self.selected_token()
        tokens = self.session.tokens.all()
        now = self.session.clock()
        table.clear()
        file_cells, profile_cells, year = self._widths(tokens)
        expires = "%Y-%m-%d %H:%M:%S" if year else "%m-%d %H:%M:%S"
        for token in tokens:
            # from the token store file: shown, and Text (a str cell is markup; a Content cell
            # is not measured, so its column would not widen); cut by cells, never by len
            row: list[Any] = [
                self._left(token, now),
                Text(middle(shown(token.file_name), file_cells)),
                Text(token_text(token, self.owner.revealed)),
            ]
            if self._expires:
                row.append(f"{token.expires_at.astimezone(UTC):{expires}}")
            row.append(Text(middle(shown(token.profile), profile_cells)))
            table.add_row(*row, key=token_key(token))
        if current is not None and any(token_key(t) == token_key(current) for t in tokens):
            table.move_cursor(row=table.get_row_index(token_key(current)))
        hint = self.query_one("#tokens-hint", Static)
        hint.update(
            f"{len(tokens)} token(s), {len(self.session.tokens.live())} live."
            if tokens
            else "No token yet: press Enter on a recording in the main screen."
        )
        self._follow()

    def on_resize(self, _event: Any) -> None:
        """Cut the files and profiles to the new width (the expiry comes or goes)."""
        tables = self.query(DataTable)
        if not tables:
            return
        table = tables.first()
        if (self.size.width >= EXPIRES_FROM) != self._expires:
            table.clear(columns=True)
            self._add_columns(table)
        self.reload()

    def tick(self, now: datetime) -> None:
        """Recompute every time left from the absolute expiries."""
        table = self.query_one(DataTable)
        for token in self.session.tokens.all():
            key = token_key(token)
            if key in table.rows:
                table.update_cell(key, "left", self._left(token, now))
        self._follow()

    def _follow(self) -> None:
        token = self.selected_token()
        live = token is not None and not token.is_expired(self.session.clock())
        key = token_key(token) if token is not None else None
        self.keys_state = (key, live, self.jobs.request_running())

    def selected_token(self) -> Token | None:
        """The token under the cursor."""
        table = self.query_one(DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        try:
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        except Exception:
            return None
        return next((t for t in self.session.tokens.all() if token_key(t) == key), None)

    # ----------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only the keys that apply to the highlighted token; an action shown in the
        footer only from some width acts through its hidden twin (``action(1)``) below it,
        so that "Back" keeps its place."""
        allowed = self._applies(action)
        wide_from = BY_ID[action].footer_from if action in BY_ID else 0
        if not wide_from or not allowed:
            return allowed if not parameters else False
        return (self.size.width >= wide_from) != bool(parameters)

    def _applies(self, action: str) -> bool:
        if action in ("back", "reveal_token"):
            return True
        token = self.selected_token()
        if token is None:
            return False
        live = not token.is_expired(self.session.clock())
        if action in ("copy_url", "download", "play"):
            return live
        if action == "renew_token":
            return not self.jobs.request_running()
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The footer follows the new row."""
        self._follow()

    def action_copy_url(self) -> None:
        """Copy the highlighted token's URL."""
        if (token := self.selected_token()) is not None:
            self.jobs.copy_url(token)

    def action_download(self, _narrow: int = 0) -> None:
        """Download the highlighted token's audio."""
        if (token := self.selected_token()) is not None:
            self.jobs.download(token)

    def action_play(self) -> None:
        """Play the highlighted token's audio."""
        if (token := self.selected_token()) is not None:
            self.jobs.play(token)

    def action_renew_token(self, _narrow: int = 0) -> None:
        """Request a new token for the same file."""
        if (token := self.selected_token()) is not None:
            self.jobs.renew(token)

    def action_remove_token(self) -> None:
        """Forget the highlighted token."""
        if (token := self.selected_token()) is not None:
            self.jobs.remove_token(token)
            self.reload()

    def action_reveal_token(self) -> None:
        """Show or mask the tokens (here and on the main screen)."""
        self.owner.revealed = not self.owner.revealed

    def on_tokens_changed(self, _message: TokensChanged) -> None:
        """A token came or went meanwhile (a renewal): list them again."""
        self.reload()

    def action_back(self) -> None:
        """Back to the recordings."""
        self.dismiss()

    def on_screen_resume(self, _event: Any) -> None:
        self.reload()
