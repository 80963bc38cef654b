"""Which file names are index files, and the order they are read in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fnmatch import fnmatchcase

RECORD_PATTERNS = ("*_record*.csv", "*_record*.csv.gz")
"""Index file names (case-insensitive), in folders and zips; folders also give ``*.zip``."""

_NATURAL = re.compile(r"([0-9]+)")


def natural_key(text: str) -> tuple[str | int, ...]:
    """Sort key that orders digit runs by value: ``a2`` < ``a10``; case-insensitive."""
    parts = _NATURAL.split(text)
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))


def name_matches(name: str, patterns: Sequence[str]) -> bool:
    """Does ``name`` match one of the lower-case ``patterns``, ignoring case?"""
    lowered = name.casefold()
    return any(fnmatchcase(lowered, pattern) for pattern in patterns)


def base_name(name: str) -> str:
    """The last part of a zip member's name (``/`` or ``\\`` separated)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]
