"""What became of the last token request for a recording: in flight, or failed and why.

The :class:`~ccfs_tui.core.session.Session` keeps one per file name; the TUI shows it in
the detail pane. Plain data, no behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccfs_tui.core.errors import CcfsError


@dataclass(frozen=True, slots=True)
class Requesting:
    """A requestPlayVoice is in flight."""


@dataclass(frozen=True, slots=True)
class Failure:
    """The last request for this file failed: what happened, what to do, the error kind."""

    message: str
    hint: str = ""
    kind: str = ""


Outcome = Requesting | Failure | None


def failure_of(error: BaseException) -> Failure:
    """``error`` as a :class:`Failure` a user can read (message, hint, kind)."""
    if isinstance(error, CcfsError):
        return Failure(error.message, error.hint, error.kind)
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return Failure(f"{error.strerror or error}{where}", "Check the path and permissions.")
    return Failure(f"{type(error).__name__}: {error}", "This is a bug; please report it.")
