"""The right pane: playback state, the waveform and the listening URL once downloaded,
every field of the recording, and the signed request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.style import Style
from textual.widgets import ProgressBar, Static

from ccfs_tui.core.cdr import CdrLeg
from ccfs_tui.core.outcomes import Failure, Outcome, Requesting
from ccfs_tui.core.recording import Recording
from ccfs_tui.core.tokens import Token
from ccfs_tui.ui.actions import BY_ID, first_key
from ccfs_tui.ui.formatting import (
    countdown_style,
    countdown_text,
    recording_fields,
    shown,
    shown_lines,
    token_text,
)
from ccfs_tui.ui.widgets.call_legs import CallLegs
from ccfs_tui.ui.widgets.loose_call import LooseCall, LooseCallView
from ccfs_tui.ui.widgets.waveform import WaveformView


def mask_url(url: str, token: Token, revealed: bool) -> str:
    """The playback URL with its token masked unless revealed (shown: the base URL comes
    from the profile or the token store)."""
    return shown(url if revealed else url.replace(token.token, token.masked))


_FIRST_HEADERS = ("authorization", "host", "content-type", "content-length")


def _header_order(item: tuple[str, str]) -> tuple[int, str]:
    """The signed headers (and the signature) first, then the rest by name."""
    name = item[0].lower()
    rank = _FIRST_HEADERS.index(name) if name in _FIRST_HEADERS else len(_FIRST_HEADERS)
    return rank, name


@dataclass(slots=True)
class DownloadState:
    """The progress bar and note of the last download, and the file they belong to."""

    file_name: str | None
    done: int = 0
    total: int | None = None
    note: str = ""
    bar: bool = True


class DetailPane(VerticalScroll):
    """Shows one recording; the main screen feeds it (it never reads the network itself).

    ``keys`` are the keys in effect (the action table with the user's keymap): its hints
    name them."""

    def __init__(self, keys: Mapping[str, Sequence[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys: Mapping[str, Sequence[str]] = keys or {}
        self.recording: Recording | None = None
        self.outcome: Outcome = None
        self.token: Token | None = None
        self.url = ""
        self.revealed = False
        self.now: datetime | None = None
        self.group_text = ""
        self.idle_text = ""
        """Shown when neither a recording nor a group is under the cursor (plain text)."""
        self._preview_note = ""
        self.download: DownloadState | None = None
        self.loose: LooseCall | None = None
        """A call fetched by its id, shown instead of a recording (no index row)."""
        self.listen_urls: tuple[str, ...] = ()
        """Every listening URL shown: one per recording of a call fetched by its id."""
        self.ssh_line = ""

    def compose(self) -> ComposeResult:
        yield LooseCallView(self.keys, id="loose")
        yield Static(id="playback")
        yield Static(id="listen")
        yield ProgressBar(id="download-bar", total=100, show_eta=False)
        yield Static(id="download-note")
        yield WaveformView(id="waveform")
        yield CallLegs(id="legs")
        yield Static(id="fields")
        yield Static(id="request")

    def on_mount(self) -> None:
        self.border_title = "Recording"
        self.query_one("#download-bar").display = False
        self.query_one("#download-note").display = False
        self.query_one("#listen").display = False
        self.render_all()

    # ----------------------------------------------------------------- feeding
    def show(
        self,
        recording: Recording | None,
        *,
        group_text: str = "",
        outcome: Outcome = None,
        token: Token | None = None,
        url: str = "",
        preview: Any = None,
        preview_note: str = "",
        now: datetime | None = None,
    ) -> None:
        """Show ``recording`` (or a group summary) with its playback state."""
        changed = recording is not self.recording or self.loose is not None
        self.loose = None
        self.recording = recording
        self.group_text = group_text
        self.outcome = outcome
        self.token = token
        self.url = url
        self.now = now
        self.render_all(preview=preview, preview_note=preview_note)
        if changed:
            self._render_download()
            self.scroll_home(animate=False)

    def set_playback(
        self, *, outcome: Outcome, token: Token | None, url: str, now: datetime
    ) -> None:
        """Update only the playback part."""
        self.outcome = outcome
        self.token = token
        self.url = url
        self.now = now
        self._render_playback()

    def tick(self, now: datetime) -> None:
        """Recompute the countdown from the token's absolute expiry."""
        self.now = now
        if self.token is not None:
            self._render_playback()

    def set_revealed(self, revealed: bool) -> None:
        """Show or mask the token."""
        self.revealed = revealed
        self._render_playback()

    def set_download(
        self, done: int, total: int | None, note: str, *, file_name: str | None = None
    ) -> None:
        """Show download progress of ``file_name`` (``total`` None: size unknown).

        The bar and its note show only while the recording of ``file_name`` is the one shown
        (``None``: the recording shown now); they come back when it is selected again.
        """
        if file_name is None:
            file_name = self._shown_file()
        self.download = DownloadState(file_name, done, total, note, bar=True)
        self._render_download()

    def set_download_note(self, note: str, *, hide_bar: bool = False) -> None:
        """A line under the progress bar (where the file went, errors) of the last download."""
        state = self.download
        if state is None:
            state = self.download = DownloadState(self._shown_file(), bar=False)
        state.note = note
        if hide_bar:
            state.bar = False
        self._render_download()

    def _shown_file(self) -> str | None:
        return self.recording.play_file_name if self.recording is not None else None

    def _render_download(self) -> None:
        state = self.download
        visible = state is not None and state.file_name == self._shown_file()
        bar = self.query_one("#download-bar", ProgressBar)
        label = self.query_one("#download-note", Static)
        bar.display = bool(visible and state is not None and state.bar)
        label.display = bool(visible and state is not None and state.note)
        if visible and state is not None:
            if state.bar:
                bar.update(total=state.total, progress=state.done)
            label.update(Content(shown(state.note)))

    def set_audio(self, path: Path | None) -> None:
        """The downloaded audio of the recording shown (None: not downloaded): its
        waveform is computed in the background and drawn as wide as the pane."""
        self.query_one(WaveformView).show_audio(path)

    @property
    def listen_url(self) -> str:
        """The listening server's URL of the recording shown ("": not served)."""
        return self.listen_urls[0] if self.listen_urls else ""

    def set_listen(self, url: str, ssh_line: str = "") -> None:
        """The listening server's URL of the recording shown ("": not served) and the
        ``ssh -L`` line that brings the server to the laptop."""
        self.set_listen_urls((url,) if url else (), ssh_line)

    def set_listen_urls(self, urls: Sequence[str], ssh_line: str = "") -> None:
        """The listening server's URLs of what is shown (a call fetched by its id: one per
        recording, in the order of its list; none: not served) and the ``ssh -L`` line."""
        urls = tuple(urls)
        if (urls, ssh_line) == (self.listen_urls, self.ssh_line):
            return
        self.listen_urls, self.ssh_line = urls, ssh_line
        widget = self.query_one("#listen", Static)
        widget.display = bool(urls)
        if not urls:
            return
        copied = " (URL copied):" if len(urls) == 1 else " (URLs copied, one per recording):"
        lines = [Content.assemble(("Listen in your browser", "bold"), (copied, "dim"))]
        for number, url in enumerate(urls, 1):
            # an OSC 8 hyperlink: the terminal opens it on a click (ctrl/shift-click)
            link = Content.styled(url, Style(link=url, underline=True))
            lines.append(Content.assemble(f"{number}. ", link) if len(urls) > 1 else link)
        if ssh_line:
            lines.append(Content.assemble(("on your laptop first: ", "dim"), shown(ssh_line)))
        widget.update(Content("\n").join(lines))

    def show_preview_note(self, note: str) -> None:
        """Say why no signed preview can be shown."""
        self._preview_note = note
        if self.recording is not None:
            self._render_request(None, note)

    # ----------------------------------------------------------------- rendering
    def show_loose(self, call: LooseCall) -> None:
        """Show ``call`` (fetched by its id, no index row) instead of a recording."""
        changed = self.loose is None or self.loose.call_id != call.call_id
        self.recording = None
        self.group_text = ""
        self.outcome, self.token, self.url = None, None, ""
        self.loose = call
        self.render_all()
        if changed:
            self._render_download()
            self.scroll_home(animate=False)

    def show_legs(self, call_id: str | None, legs: Sequence[CdrLeg] | None) -> None:
        """The CDR legs of the call shown (``legs`` None: no CDR file loaded)."""
        self.query_one(CallLegs).show_legs(call_id, legs)

    def render_all(self, preview: Any = None, preview_note: str = "") -> None:
        """Redraw every section."""
        self.query_one(LooseCallView).show_call(self.loose)
        self.query_one("#playback").display = self.loose is None
        self._render_playback()
        self._render_fields()
        self._render_request(preview, preview_note)

    def _render_playback(self) -> None:
        self.query_one("#playback", Static).update(self._playback_content())

    def _playback_content(self) -> Content:
        rec = self.recording
        if rec is None:
            if self.group_text:
                return Content.from_markup(
                    "$text\n[dim]Enter expands · / filters[/]", text=shown(self.group_text)
                )
            if self.idle_text:  # no index, or the filter matched nothing: what to do
                return Content(self.idle_text)
            return Content.from_markup(
                "[dim]Pick a recording: ↑↓ move, Enter expands, / filters.[/]"
            )
        outcome = self.outcome
        if isinstance(outcome, Requesting):
            return Content.from_markup(
                "[$accent b]Requesting a playback token…[/]\n[dim]Esc cancels[/]"
            )
        lines: list[Content] = []
        if isinstance(outcome, Failure):
            # a server's text may be in them (resultDesc): shown, and never markup
            msg = shown_lines(outcome.message)
            lines.append(Content.from_markup("[$error b]✗ $msg[/]", msg=msg))
            if outcome.hint:
                hint = shown_lines(outcome.hint)
                lines.append(Content.from_markup("[$error]$hint[/]", hint=hint))
        token = self.token
        if token is not None and self.now is not None:
            tok = token_text(token, self.revealed)
            if token.is_expired(self.now):
                lines.append(
                    Content.from_markup(
                        "[$error b]✗ Token $tok expired[/] · [b]$key[/] renews it",
                        tok=tok,
                        key=self._key("renew_token"),
                    )
                )
            else:
                left = countdown_text(token, self.now)  # with a glyph: never colour alone
                style = countdown_style(token, self.now)
                lines.append(Content.from_markup("[$success b]✓ resultCode 0[/] success"))
                lines.append(
                    Content.from_markup(
                        f"Token [b]$tok[/] · [{style} b]$left[/] left", tok=tok, left=left
                    )
                )
                if self.url:
                    lines.append(
                        Content.from_markup(
                            "[dim]$url[/]", url=mask_url(self.url, token, self.revealed)
                        )
                    )
                lines.append(self._token_keys())
        elif not isinstance(outcome, Failure):
            lines.append(
                Content.from_markup(
                    "[dim]Enter or [b]$key[/b]: request a token · [b]$listen[/b]: listen[/]",
                    key=self._key("request_token"),
                    listen=self._key("listen"),
                )
            )
        return Content("\n").join(lines)

    def _key(self, action_id: str) -> str:
        return first_key(self.keys, action_id)

    def _token_keys(self) -> Content:
        """``c Copy URL d Download p Play l Listen v Reveal``: the keys in effect, the
        table's labels."""
        parts = []
        for action_id in ("copy_url", "download", "play", "listen", "reveal_token"):
            label = BY_ID[action_id].label
            if action_id == "reveal_token" and self.revealed:
                label = "Hide"
            parts.append(
                Content.from_markup("[b]$key[/b] $label", key=self._key(action_id), label=label)
            )
        return Content(" ").join(parts).stylize("dim")

    def _render_fields(self) -> None:
        rec = self.recording
        widget = self.query_one("#fields", Static)
        widget.display = rec is not None
        if rec is None:
            return
        rows = [
            Content.assemble((f"{label:<14}", "dim"), value)
            for label, value in recording_fields(rec)
        ]
        rows.append(Content.assemble(("fileName sent ", "bold"), shown(rec.play_file_name)))
        widget.update(Content("\n").join(rows))

    def _render_request(self, preview: Any, note: str) -> None:
        widget = self.query_one("#request", Static)
        widget.display = self.recording is not None
        if self.recording is None:
            return
        widget.border_title = "Signed request"
        if preview is None:
            note = shown_lines(note) if note else "Not signed yet."
            widget.update(Content.from_markup("[dim]$note[/]", note=note))
            return
        # the fileName of the body and the URL come from the index and the profile
        lines = [Content.assemble((f"{preview.method} ", "bold"), shown(preview.url))]
        for name, value in sorted(preview.headers.items(), key=_header_order):
            lines.append(Content.assemble((f"{shown(name)}: ", "dim"), shown(value)))
        if preview.body:
            body = preview.body if isinstance(preview.body, str) else str(preview.body)
            lines.append(Content(""))
            lines.append(Content(shown_lines(body)))
        widget.update(Content("\n").join(lines))
