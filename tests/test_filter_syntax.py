"""The filter syntax the help screen shows (query.SYNTAX) is the parser's: every example
parses to the term it describes; a known scope followed by a space takes the next word."""

from __future__ import annotations

from ccfs_tui.core.recording import COLUMNS
from ccfs_tui.core.recordings.query import SYNTAX, Term, parse_query

EXPECTED = {
    "2026-10-03": Term("day", "2026-10-03"),
    "2026-10": Term("day", "2026-10", prefix=True),
    "agent:1001": Term("agent", "1001", prefix=True),
    "vdn:5": Term("vdn", "5", prefix=True),
    "caller:138": Term("text", "138", True, COLUMNS.index("caller_no")),
    "callee:4008": Term("text", "4008", True, COLUMNS.index("callee_no")),
    "call:1600": Term("text", "1600", True, COLUMNS.index("call_id")),
    "0084704": Term("text", "0084704"),
}


def test_every_example_of_the_help_parses_to_the_term_it_describes() -> None:
    assert [example for example, _ in SYNTAX] == list(EXPECTED)
    for example, meaning in SYNTAX:
        assert parse_query(example) == [EXPECTED[example]], example
        assert meaning  # said in words


def test_a_scope_then_a_space_takes_the_next_word() -> None:
    assert parse_query("agent: 1001") == parse_query("agent:1001")
    assert parse_query("caller: 138 2026-10-03") == parse_query("caller:138 2026-10-03")
    assert parse_query("agent:") == []  # still typing: nothing to search yet
    # the next word has a scope of its own: each stands alone
    assert parse_query("agent: vdn:5") == parse_query("vdn:5")
    # an unknown scope is text, as typed
    assert parse_query("x: 1") == [Term("text", "x:"), Term("text", "1")]
