"""The baseline of the real-terminal launch figure: a bare Textual app with one Static.

``python benchmarks/bare_app.py``: launched in tmux exactly as the app is; its first frame
shows :data:`READY`. Imports nothing else (the figure counts the interpreter and Textual).
"""

from textual.app import App, ComposeResult
from textual.widgets import Static

READY = "bare textual app ready"


class Bare(App[None]):
    """One Static."""

    def compose(self) -> ComposeResult:
        yield Static(READY)


if __name__ == "__main__":
    Bare().run()
