"""The key footer: Textual's, without its leak of old keys."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's :class:`~textual.widgets.Footer`, minus a leak (Textualize/textual#6666).

    The footer recomposes whenever the screen's bindings are refreshed, and each key it
    makes binds itself to the footer's ``compact`` reactive. Textual drops those watchers
    only when ``compact`` changes, so every old key (with its styles and rendered lines)
    stayed alive: after a few hundred filter keystrokes, tens of thousands of objects and
    full garbage collections of 100-200 ms. Here the watchers of keys that are gone are
    dropped after each recompose.
    """

    async def recompose(self) -> None:
        await super().recompose()
        watchers = getattr(self, "__watchers", {})  # where Textual keeps them (reactive.py)
        entries = watchers.get("compact", [])
        entries[:] = [(node, callback) for node, callback in entries if node.is_attached]
