"""Queries: the words typed in the filter box as terms, and how text is folded to compare.

Syntax (:meth:`RecordingStore.filter`): whitespace-separated terms, ALL must match.

* ``2026-10-03``: the call began on that day; ``2026-10`` (or ``date:2026-10``): in that month.
* ``agent:10``, ``vdn:5``: the agent / VDN id starts with the value (the tree's groups).
* ``caller:138``, ``callee:4008``, ``call:1600``: that number / call id starts with the value.
* anything else: a substring of call_id, caller_no, callee_no, agent_id, file_name or
  original_file_name, where ``\\\\`` and ``/`` are the same character.

Matching ignores case. A scope the store does not know (``x:...``) is a plain substring, so
``Y:\\\\1\\\\0`` and ``12:00`` search as typed. A known scope followed by a space takes
the next word (``agent: 1001`` is ``agent:1001``). Control characters in a query are ignored.
:data:`SYNTAX` is this, as the help screen shows it (a test parses every example).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ccfs_tui.core.index import TEXT_COMMA
from ccfs_tui.core.recording import COLUMNS

_TEXT_SCOPES = {
    "caller": COLUMNS.index("caller_no"),
    "callee": COLUMNS.index("callee_no"),
    "call": COLUMNS.index("call_id"),
}
_GROUP_SCOPES = {"agent": "agent", "vdn": "vdn", "date": "day", "day": "day"}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
_CONTROL = dict.fromkeys(range(32))
_FOLDED_AWAY = bytes(b for b in range(256) if not (65 <= b <= 90 or b == 92))  # keeps A-Z, "\"
_FOLD_ASCII = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ\\", b"abcdefghijklmnopqrstuvwxyz/")


SYNTAX: tuple[tuple[str, str], ...] = (
    ("2026-10-03", "the call began on that day"),
    ("2026-10", "... in that month (date:2026-10 too)"),
    ("agent:1001", "the agent id starts with 1001 (agent: 1001 too)"),
    ("vdn:5", "the VDN id starts with 5"),
    ("caller:138", "the caller's number starts with 138"),
    ("callee:4008", "the callee's number starts with 4008"),
    ("call:1600", "the call id starts with 1600"),
    ("0084704", "anything else: in the call id, a number, the agent id or a file name"),
)
"""Every form of a filter term, with an example: (example, what it matches). Terms are
separated by spaces and must all match; case is ignored; ``\\`` and ``/`` are the same."""


@dataclass(frozen=True, slots=True)
class Term:
    """One query term, normalised. ``kind`` "text" searches text (``column`` None: every
    searched field), the others test group keys."""

    kind: str  # "text" | "agent" | "vdn" | "day"
    value: str
    prefix: bool = False
    column: int | None = None
    """A text term's field (its index in COLUMNS; None: every searched field)."""

    def needle(self) -> bytes:
        """The folded value as stored bytes (a comma in a value is stored escaped)."""
        core = self.value.replace(",", TEXT_COMMA).encode("utf-8")
        return b"\n" + core if self.prefix else core

    def covers(self, other: Term) -> bool:
        """True when every row matching ``other`` also matches self (a shorter term)."""
        if (self.kind, self.prefix, self.column) != (other.kind, other.prefix, other.column):
            return False
        if self.prefix:
            return other.value.startswith(self.value)
        return self.value in other.value


def parse_query(query: str) -> list[Term]:
    """The terms of ``query`` (see the module docstring), cheapest to evaluate first: group
    terms, then text terms, longest first."""
    terms: list[Term] = []
    for word in _words(query):
        scope, colon, rest = word.partition(":")
        key = scope.casefold()
        if colon and key in _GROUP_SCOPES:
            if rest:
                kind = _GROUP_SCOPES[key]
                terms.append(Term(kind, rest.casefold() if kind != "day" else rest, prefix=True))
            continue
        if colon and key in _TEXT_SCOPES:
            if rest:
                terms.append(Term("text", fold_text(rest), True, _TEXT_SCOPES[key]))
            continue
        if _DAY.fullmatch(word):
            terms.append(Term("day", word))
        elif _MONTH.fullmatch(word):
            terms.append(Term("day", word, prefix=True))
        elif word:
            terms.append(Term("text", fold_text(word)))
    unique = list(dict.fromkeys(terms))
    unique.sort(key=lambda t: (t.kind == "text", -len(t.value)))
    return unique


def _scope_of(word: str) -> str | None:
    """The known scope ``word`` starts with (``agent`` of ``agent:10``), else None."""
    scope, colon, _rest = word.partition(":")
    key = scope.casefold()
    return key if colon and (key in _GROUP_SCOPES or key in _TEXT_SCOPES) else None


def _words(query: str) -> list[str]:
    """The words of ``query`` (control characters dropped); a known scope with nothing
    after its colon takes the next word, unless that word has a scope of its own
    (``agent: 1001`` is ``agent:1001``)."""
    words = [raw.translate(_CONTROL) for raw in query.split()]
    joined: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        follows = words[index + 1] if index + 1 < len(words) else None
        if word.endswith(":") and _scope_of(word) and follows and not _scope_of(follows):
            word += follows
            index += 1
        joined.append(word)
        index += 1
    return joined


def fold_text(text: str) -> str:
    """How a query and the searched values compare: lower case, ``\\`` as ``/``."""
    return text.lower().replace("\\", "/")


def fold(blob: bytes) -> bytes:
    """:func:`fold_text` of UTF-8 ``blob`` (the same object when nothing changes)."""
    if blob.isascii():
        return blob.translate(_FOLD_ASCII) if blob.translate(None, _FOLDED_AWAY) else blob
    return fold_text(blob.decode("utf-8")).encode("utf-8")


def name_matches(name: str, term: Term) -> bool:
    """Does a VDN id, agent id or day match a group term (or an agent id a text term)?"""
    if term.kind == "text":
        return term.value in fold_text(name)
    if term.kind != "day":
        name = name.casefold()
    return name.startswith(term.value) if term.prefix else name == term.value
