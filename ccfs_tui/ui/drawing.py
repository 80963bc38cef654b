"""Holding the app's drawing back for a moment, so that one frame shows the end of the work.

Drawing a frame takes the event loop 10-20 ms at 120x36 (more when the layout changes),
holding the GIL. Two moments draw frames nobody needs, measured in a real terminal at 1M
rows: between two keys of a burst (a paste, typeahead: the input gate, ``input_gate.Batch``),
and while the filter's search runs on its thread right after a key (the frame with the
typed text took the GIL from the search: a burst's answer p50 91 -> 66 ms without it;
``RecordingBrowser``). Both use :func:`hold_drawing` (Textual's batch update) and let go
within 0.1 s whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Release = Callable[[], None]


def hold_drawing(app: Any) -> Release:
    """Keep ``app`` from drawing until the returned function is called (once: more calls
    do nothing). Holds nest; the last one let go draws what changed meanwhile."""
    app._begin_batch()  # Textual's App.batch_update(), split in its two halves
    released = False

    def release() -> None:
        nonlocal released
        if released:
            return
        released = True
        app._end_batch()
        if app._batch_count == 0 and app.screen_stack:
            # the screen skipped its updates meanwhile: its next look for work draws them
            app.screen.check_idle()

    return release
