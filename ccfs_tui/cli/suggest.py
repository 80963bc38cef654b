"""A mistyped subcommand (``ccfs-tui tokn ...``): name the command it probably meant.

Any first word that is not a command opens the TUI on it as an index path, so a typo used
to end as "no such file" (exit 1). A word that looks like a command and not like a path
(no ``/``, ``.``, ``\\`` or ``~``, and no such file or folder here) gets a suggestion and
exit 2 instead.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

CUTOFF = 0.75
"""How alike a word and a command must be (difflib ratio): ``tokn``/``token`` is 0.89; an
index name such as ``indx.csv`` never gets here (it holds a dot)."""


def meant_command(word: str, commands: Iterable[str]) -> str | None:
    """The command ``word`` is probably a typo of, or None (a path, or like no command)."""
    if not word or word.startswith("-") or any(c in word for c in "/.\\~"):
        return None
    if os.path.lexists(word):
        return None
    found = difflib.get_close_matches(word.lower(), sorted(commands), n=1, cutoff=CUTOFF)
    return found[0] if found else None
