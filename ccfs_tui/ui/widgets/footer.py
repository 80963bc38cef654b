"""The key footer: Textual's, without its leak of old keys, remade only when it changes."""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's :class:`~textual.widgets.Footer`, minus a leak (Textualize/textual#6666)
    and minus the rebuilds that change nothing.

    The footer recomposes whenever the screen's bindings are refreshed, and each key it
    makes binds itself to the footer's ``compact`` reactive. Textual drops those watchers
    only when ``compact`` changes, so every old key (with its styles and rendered lines)
    stayed alive: after a few hundred filter keystrokes, tens of thousands of objects and
    full garbage collections of 100-200 ms. Here the watchers of keys that are gone are
    dropped after each recompose.

    And the bindings are refreshed far more often than they change: each answer of the
    filter moves the cursor, which refreshes them (the screen's ``recording`` decides which
    keys can act), and every recompose removes and mounts every key again, styles and
    layout included. In a real terminal that was the main thread's biggest cost while a
    search ran on the other thread (profiled at 1M rows: the footer's rebuilds and the
    layouts they set off held the GIL most of a keystroke's answer). The footer is now
    remade only when what it would show differs (:meth:`shown`).
    """

    _shown: Hashable = None

    def shown(self) -> Hashable:
        """What :meth:`compose` would show: each shown binding's key, label, action, state
        and group, and the command palette's key (None before the bindings are ready)."""
        if not self._bindings_ready or not self.is_attached:
            return None
        app = self.app
        keys = tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip,
                binding.group and (binding.group.description, binding.group.compact),
            )
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return keys, self.compact, self.show_command_palette

    async def recompose(self) -> None:
        shown = self.shown()
        if shown is not None and shown == self._shown and self.children:
            return  # the same keys in the same states: nothing to remake
        await super().recompose()
        self._shown = shown
        watchers = getattr(self, "__watchers", {})  # where Textual keeps them (reactive.py)
        entries = watchers.get("compact", [])
        entries[:] = [(node, callback) for node, callback in entries if node.is_attached]
