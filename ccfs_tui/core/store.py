"""The recording model the UI reads (index -> model -> widgets): append-only, no object per row.

Layout. Rows are kept as their own CSV text (:attr:`RowBatch.text`: UTF-8, fields joined by
``,``, one ``\n`` per row; usually the index file's bytes as read) in segments of 16k+ rows,
one ``bytes`` each, plus one 64-bit group key per row in an ``array('Q')``: VDN code << 48 |
agent code << 32 | the call_begin day as BCD (0x20261003), all computed in bulk. That is the
line length + 8 bytes a row, + 4 for row offsets made when first needed. A :class:`Recording`
is built from a row's text only when asked for; a group's rows are found by their key's bytes.

Query syntax (:meth:`RecordingStore.filter`): whitespace-separated terms, ALL must match.

* ``2026-10-03``: the call began on that day; ``2026-10`` (or ``date:2026-10``): in that month.
* ``agent:10``, ``vdn:5``: the agent / VDN id starts with the value (the tree's groups).
* ``caller:138``, ``callee:4008``, ``call:1600``: that number / call id starts with the value.
* anything else: a substring of call_id, caller_no, callee_no, agent_id, file_name or
  original_file_name, where ``\\`` and ``/`` are the same character.

Matching ignores case. A scope the store does not know (``x:...``) is a plain substring, so
``Y:\\1\\0`` and ``12:00`` search as typed. Control characters in a query are ignored.

Speed: a text term is searched per segment in the segment's bytes (``bytes.find`` when few
rows hit, bulk ``replace``/``translate`` when many do; a term with letters or slashes first
looks for a part that case and slashes cannot change); VDN, agent and day terms test the
group keys' bytes and never read the text. Answers are cached per term and segment, so the
UI's slice-by-slice filtering and typing one more character stay cheap.

Tree: ``children(ids, ())`` gives VDNs, ``(vdn,)`` days, ``(vdn, day)`` agents, each with a count
of the rows in ``ids`` (None: every row); ``leaves`` gives a group's row ids by call_begin. An
empty VDN or agent id shows as :data:`NO_VDN` / :data:`NO_AGENT`, and paths accept those labels.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress

from ccfs_tui.core.index_reader import (
    NCOLS,
    TEXT_COMMA,
    TEXT_NEWLINE,
    RowBatch,
    natural_key,
    parse_time,
    recording_from_row,
)
from ccfs_tui.core.recording import COLUMNS, Recording

SEGMENT_ROWS = 1 << 14
"""A segment is closed once it holds at least this many rows."""
NO_VDN = "(no VDN)"
NO_AGENT = "(no agent)"

_AGENT, _CALL, _CALLER, _CALLEE = (
    COLUMNS.index(c) for c in ("agent_id", "call_id", "caller_no", "callee_no")
)
_BEGIN, _VDN = COLUMNS.index("call_begin"), COLUMNS.index("vdn_id")
_SEARCHED = frozenset(
    COLUMNS.index(c)
    for c in ("agent_id", "call_id", "caller_no", "callee_no", "file_name", "original_file_name")
)
_TEXT_SCOPES = {"caller": _CALLER, "callee": _CALLEE, "call": _CALL}
_GROUP_SCOPES = {"agent": "agent", "vdn": "vdn", "date": "day", "day": "day"}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
_CONTROL = dict.fromkeys(range(32))
_BAD_TEXT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f{TEXT_COMMA}{TEXT_NEWLINE}]")
# Everything but NUL (a hit), "," (a field ends) and "\n" (a row ends) goes, to see hits.
_NOT_SIGNATURE = bytes(b for b in range(256) if b not in (0, 0x2C, 0x0A))
_CACHE_BYTES = 24 << 20


@dataclass(frozen=True, slots=True)
class _Term:
    """One query term, normalised: ``kind`` "text" searches bytes, the others group codes."""

    kind: str  # "text" | "agent" | "vdn" | "day"
    value: str
    prefix: bool = False
    fields: frozenset[int] = _SEARCHED
    lower: bool = False  # the segment text must be lower-cased first (ASCII)
    unicode_lower: bool = False  # ... with full Unicode rules
    slash: bool = False  # ... and "\\" read as "/"

    @property
    def cores(self) -> tuple[bytes, ...]:
        """Up to two longest runs (3+ characters) of the value that case and slash folding
        leave alone, to look for in unfolded text first."""
        if not (self.lower or self.slash):
            return ()
        runs, run = [], ""
        for ch in self.value + "/":
            if ch not in "/\\" and ch.lower() == ch == ch.upper():
                run += ch
            else:
                runs.append(run)
                run = ""
        ranked = sorted((r for r in runs if len(r) >= 3), key=len, reverse=True)[:2]
        return tuple(r.replace(",", TEXT_COMMA).encode("utf-8") for r in ranked)

    @property
    def pattern(self) -> bytes:
        core = self.value.replace(",", TEXT_COMMA).encode("utf-8")
        return b"," + core if self.prefix else core

    def covers(self, other: _Term) -> bool:
        """True when every row matching ``other`` also matches self (a shorter term)."""
        if (self.kind, self.prefix, self.fields) != (other.kind, other.prefix, other.fields):
            return False
        if self.prefix:
            return other.value.startswith(self.value)
        return self.value in other.value


def parse_query(query: str) -> list[_Term]:
    """The terms of ``query``, cheapest to evaluate first (see the module docstring)."""
    terms: list[_Term] = []
    for raw in query.split():
        word = raw.translate(_CONTROL)
        scope, colon, rest = word.partition(":")
        key = scope.casefold()
        if colon and key in _GROUP_SCOPES:
            if rest:
                kind = _GROUP_SCOPES[key]
                terms.append(_Term(kind, rest.casefold() if kind != "day" else rest, prefix=True))
            continue
        if colon and key in _TEXT_SCOPES:
            if rest:
                terms.append(_text_term(rest, True, frozenset({_TEXT_SCOPES[key]})))
            continue
        if _DAY.fullmatch(word):
            terms.append(_Term("day", word))
        elif _MONTH.fullmatch(word):
            terms.append(_Term("day", word, prefix=True))
        elif word:
            terms.append(_text_term(word, False, _SEARCHED))
    unique = list(dict.fromkeys(terms))
    unique.sort(key=lambda t: (t.kind == "text", -len(t.value)))
    return unique


def _text_term(word: str, prefix: bool, fields: frozenset[int]) -> _Term:
    lowered = word.lower()
    cased = lowered != word.upper()
    slash = "/" in word or "\\" in word
    if slash:
        lowered = lowered.replace("\\", "/")
    return _Term(
        "text",
        lowered,
        prefix=prefix,
        fields=fields,
        lower=cased,
        unicode_lower=cased and not word.isascii(),
        slash=slash,
    )


class _Segment:
    """The CSV text of consecutive rows: ``\\n`` + rows, each ending in ``\\n``."""

    __slots__ = ("_blob", "_offsets", "pieces", "rows", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.rows = 0
        self.pieces: list[bytes] = [b"\n"]
        self._blob: bytes | None = None
        self._offsets: array[int] | None = None

    def append(self, text: bytes, rows: int) -> None:
        self.pieces.append(text)
        self.rows += rows
        self._blob = None
        self._offsets = None

    @property
    def blob(self) -> bytes:
        if self._blob is None:
            self._blob = b"".join(self.pieces)
            self.pieces = [self._blob]
        return self._blob

    def offsets(self) -> array[int]:
        """Start of each row in :attr:`blob`, and one past the end (made on first use)."""
        if self._offsets is None:
            lengths = map(len, self.blob.split(b"\n")[1:-1])
            self._offsets = array("I", accumulate(map((1).__add__, lengths), initial=1))
        return self._offsets

    def line(self, index: int) -> bytes:
        offsets = self.offsets()
        return self.blob[offsets[index] : offsets[index + 1] - 1]

    def variant(self, term: _Term) -> bytes:
        return _variant(self.blob, term)


def _variant(text: bytes, term: _Term) -> bytes:
    """``text`` the way ``term`` compares: lower-cased and/or with "\\" as "/"."""
    if term.unicode_lower:
        text = text.decode("utf-8").lower().encode("utf-8")
    elif term.lower:
        text = text.lower()
    if term.slash:
        text = text.replace(b"\\", b"/")
    return text


def _line_hit(line: bytes, pattern: bytes, shift: int, fields: frozenset[int]) -> bool:
    """Does ``pattern`` occur in ``line`` (one row) inside one of ``fields``?"""
    at = line.find(pattern)
    while at >= 0:
        if line.count(b",", 0, at + shift) in fields:
            return True
        at = line.find(pattern, at + 1)
    return False


def _text_mask(blob: bytes, rows: int, term: _Term) -> bytes | None:
    """Per row 1/0: does ``term`` match? None when no row does. ``blob`` is the variant."""
    pattern, fields = term.pattern, term.fields
    shift = 1 if term.prefix else 0
    find, count, rfind = blob.find, blob.count, blob.rfind
    at = find(pattern)
    if at < 0:
        return None
    limit = max(64, rows // 32)
    probe = len(blob) // 32
    if count(pattern, at, at + probe) > limit // 16:
        return _dense_mask(blob, rows, pattern, shift, fields)
    hits: list[int] = []
    row, counted, steps = -1, 0, 0
    while at >= 0:
        steps += 1
        if steps > limit:
            return _dense_mask(blob, rows, pattern, shift, fields)
        where = at + shift
        row += count(b"\n", counted, where)
        counted = where
        if count(b",", rfind(b"\n", 0, where) + 1, where) in fields:
            hits.append(row)
            at = find(pattern, find(b"\n", where))
        else:
            at = find(pattern, at + 1)
    if not hits:
        return None
    mask = bytearray(rows)
    for row in hits:
        mask[row] = 1
    return bytes(mask)


def _dense_mask(
    blob: bytes, rows: int, pattern: bytes, shift: int, fields: frozenset[int]
) -> bytes | None:
    """Many hits, in bulk: mark them, keep only marks and separators, and judge each distinct
    row shape (which fields hold a mark) once."""
    if len(pattern) == 1:  # one pass: the byte becomes the mark, all but marks and separators go
        table = bytes.maketrans(pattern, b"\x00")
        marks = blob.translate(table, _NOT_SIGNATURE.replace(pattern, b""))
    else:
        marked = blob.replace(pattern, pattern[:shift] + bytes(len(pattern) - shift))
        marks = marked.translate(None, _NOT_SIGNATURE)
    shapes = marks.split(b"\n")[1:-1]
    if len(shapes) != rows:  # cannot happen with checked rows
        raise ValueError("stored rows and their count disagree")
    verdict = {shape: _shape_hit(shape, fields) for shape in set(shapes)}
    if not any(verdict.values()):
        return None
    return bytes(map(verdict.__getitem__, shapes))


def _shape_hit(shape: bytes, fields: frozenset[int]) -> int:
    """1 when a row shape (its commas and marks) has a mark in one of ``fields``."""
    parts = shape.split(b",")
    return 1 if any(parts[field] for field in fields if field < len(parts)) else 0


_HIGH_NIBBLE = bytes.maketrans(b"0123456789", bytes(range(0, 160, 16)))
_LOW_NIBBLE = bytes.maketrans(b"0123456789", bytes(range(10)))
_WIDE = 1 << 63  # group keys made without the bit fields below
_VDN_BITS, _AGENT_BITS = 15, 16


def _day_lanes(begins: list[str]) -> int:
    """The call_begin day of each row as BCD (``2026-10-03`` -> 0x20261003), as one big int
    of 8-byte little-endian lanes; numeric order of the lanes is date order."""
    count = len(begins)
    lanes = ("\n".join(begins) + "\n").encode("utf-8")
    if len(lanes) != 20 * count:
        raise ValueError("call_begin values must be YYYY-MM-DD hh:mm:ss")
    out = bytearray(8 * count)
    for byte, (high, low) in enumerate(((8, 9), (5, 6), (2, 3), (0, 1))):
        tens = int.from_bytes(lanes[high::20].translate(_HIGH_NIBBLE), "little")
        ones = int.from_bytes(lanes[low::20].translate(_LOW_NIBBLE), "little")
        out[byte::8] = (tens | ones).to_bytes(count, "little")
    return int.from_bytes(out, "little")


def _lanes(values: Sequence[int]) -> int:
    """``values`` as one big int of 8-byte little-endian lanes."""
    packed = array("Q", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return int.from_bytes(packed.tobytes(), "little")


def _unlanes(value: int, count: int) -> array[int]:
    out = array("Q")
    out.frombytes(value.to_bytes(8 * count, "little"))
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _day_text(bcd: int) -> str:
    digits = f"{bcd:08x}"
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def _matches(name: str, term: _Term) -> bool:
    """Does a VDN id, agent id or day match a group term?"""
    if term.kind != "day":
        name = name.casefold()
    return name.startswith(term.value) if term.prefix else name == term.value


@functools.lru_cache(maxsize=4096)
def _member_table(values: frozenset[int]) -> bytes:
    table = bytearray(256)
    for value in values:
        table[value] = 1
    return bytes(table)


def _lanes_in(
    raw: bytes,
    offset: int,
    width: int,
    values: set[int] | frozenset[int],
    strided: dict[int, bytes],
) -> int:
    """Per 8-byte lane of ``raw``, 1 where the little-endian field of ``width`` bytes at
    ``offset`` is one of ``values`` (a big int of 1-byte lanes): one translate per byte value."""
    top = offset + width - 1
    column = strided.get(top)
    if column is None:
        column = strided[top] = raw[top::8]
    if width == 1:
        return int.from_bytes(column.translate(_member_table(frozenset(values))), "little")
    shift = 8 * (width - 1)
    by_top: dict[int, set[int]] = {}
    for value in values:
        by_top.setdefault(value >> shift, set()).add(value & ((1 << shift) - 1))
    if len(by_top) > 1 and all(len(rest) == 1 << shift for rest in by_top.values()):
        return _lanes_in(raw, top, 1, set(by_top), strided)  # whole blocks: the top byte decides
    hit = 0
    for high, rest in by_top.items():
        match = int.from_bytes(column.translate(_member_table(frozenset({high}))), "little")
        if match:
            hit |= match & _lanes_in(raw, offset, width - 1, rest, strided)
    return hit


def _marked(mask: bytes, first: int) -> Iterable[int]:
    """``first + i`` for each i where ``mask[i]`` is 1."""
    ones = mask.count(1)
    if ones == len(mask):
        return range(first, first + ones)
    if ones * 16 > len(mask):
        return compress(range(first, first + len(mask)), mask)
    out = []
    at = mask.find(1)
    while at >= 0:
        out.append(first + at)
        at = mask.find(1, at + 1)
    return out


def _ones(mask: bytes) -> int:
    """Rows marked in a 1/0 mask."""
    return mask.count(1)


class RecordingStore:
    """Every loaded recording, by row id (0..len-1 in load order)."""

    def __init__(self) -> None:
        self._rows = 0
        self._segments: list[_Segment] = []
        self._starts: list[int] = []
        # Per row, its group: VDN code << 48 | agent code << 32 | BCD day (or _WIDE | pair << 32
        # | BCD day once there are too many VDNs or agents for those bit fields).
        self._group = array("Q")
        self._values: dict[str, tuple[dict[str, int], list[str]]] = {
            "vdn": ({}, []),
            "agent": ({}, []),
        }
        self._pairs: tuple[dict[tuple[int, int], int], list[tuple[int, int]]] = ({}, [])
        self._names: dict[int, tuple[str, str, str]] = {}  # group key -> (vdn, day, agent)
        self._days: dict[int, str] = {}
        self._ordered: dict[int, tuple[int, list[int]]] = {}
        self._masks: OrderedDict[tuple[_Term, int], tuple[int, bytes | None]] = OrderedDict()
        self._mask_bytes = 0
        self._recent: list[_Term] = []
        self._wanted: dict[_Term, tuple[int, set[int]]] = {}  # group term -> codes / days
        self._wide_keys = False
        self._day_codes: tuple[int, set[int]] = (0, set())  # distinct BCD days, per counts size
        self._all_counts: Counter[int] = Counter()
        self._counted = 0
        self._views: OrderedDict[int, _View] = OrderedDict()

    # ------------------------------------------------------------------ loading
    def extend_rows(self, rows: Iterable[Sequence[str]]) -> None:
        """Append validated 18-field rows as ids ``len(self)`` on.

        A ``RowBatch`` from index_reader is taken as validated (and is fastest); other rows
        are checked first: ValueError, and nothing added, for a wrong field count, a bad
        call_begin/call_end or a control character.
        """
        batch = rows if isinstance(rows, RowBatch) else _checked(rows)
        count = len(batch)
        if not count:
            return
        fields = batch.fields
        days = _day_lanes(fields[_BEGIN::NCOLS])
        vdns = self._encode("vdn", fields[_VDN::NCOLS])
        agents = self._encode("agent", fields[_AGENT::NCOLS])
        vdn_names, agent_names = self._values["vdn"][1], self._values["agent"][1]
        if len(vdn_names) <= 1 << _VDN_BITS and len(agent_names) <= 1 << _AGENT_BITS:
            group = _unlanes(_lanes(vdns) << 48 | _lanes(agents) << 32 | days, count)
        else:  # absurdly many VDNs or agents: slower, same keys for the pairs seen before
            group = array("Q", map(self._key, vdns, agents, _unlanes(days, count)))
            self._wide_keys = True
        text = batch.text
        if not self._segments or self._segments[-1].rows >= SEGMENT_ROWS:
            self._segments.append(_Segment(self._rows))
            self._starts.append(self._rows)
        self._segments[-1].append(text, count)
        self._group.extend(group)
        self._rows += count

    def _encode(self, kind: str, values: list[str]) -> list[int]:
        index, names = self._values[kind]
        codes = list(map(index.get, values))
        if None in codes:
            for value in dict.fromkeys(values):
                if value not in index:
                    index[value] = len(names)
                    names.append(value)
            codes = list(map(index.__getitem__, values))
        return codes  # type: ignore[return-value]

    def _key(self, vdn: int, agent: int, day: int) -> int:
        if vdn < 1 << _VDN_BITS and agent < 1 << _AGENT_BITS:
            return vdn << 48 | agent << 32 | day
        index, pairs = self._pairs
        pair = index.get((vdn, agent))
        if pair is None:
            pair = index[vdn, agent] = len(pairs)
            pairs.append((vdn, agent))
        return _WIDE | pair << 32 | day

    def _name(self, key: int) -> tuple[str, str, str]:
        """(vdn, day, agent) of a group key."""
        names = self._names.get(key)
        if names is None:
            if key & _WIDE:
                vdn_code, agent_code = self._pairs[1][(key >> 32) & 0x7FFFFFFF]
            else:
                vdn_code, agent_code = key >> 48, (key >> 32) & 0xFFFF
            bcd = key & 0xFFFFFFFF
            day = self._days.get(bcd)
            if day is None:
                day = self._days[bcd] = _day_text(bcd)
            vdn = self._values["vdn"][1][vdn_code]
            names = self._names[key] = (vdn, day, self._values["agent"][1][agent_code])
        return names

    def _day_set(self) -> set[int]:
        """Every call_begin day, as BCD."""
        counts = self._counts()
        if self._day_codes[0] != len(counts):
            self._day_codes = (len(counts), {key & 0xFFFFFFFF for key in counts})
        return self._day_codes[1]

    def _counts(self) -> Counter[int]:
        """Rows per group key over every row (kept up to date on use)."""
        if self._counted < self._rows:
            self._all_counts.update(self._group[self._counted :])
            self._counted = self._rows
        return self._all_counts

    # ------------------------------------------------------------------ rows
    def __len__(self) -> int:
        return self._rows

    def all_ids(self) -> Sequence[int]:
        """Every row id, in load order."""
        return range(self._rows)

    def recording(self, row_id: int) -> Recording:
        """The recording of ``row_id`` (built now; IndexError when there is none)."""
        if not 0 <= row_id < self._rows:
            raise IndexError(f"no row {row_id} (the store holds {self._rows})")
        segment = self._segment_of(row_id)
        line = segment.line(row_id - segment.start).decode("utf-8")
        values = line.split(",")
        if TEXT_COMMA in line or TEXT_NEWLINE in line:
            values = [v.replace(TEXT_COMMA, ",").replace(TEXT_NEWLINE, "\n") for v in values]
        return recording_from_row(values)

    def days(self) -> list[str]:
        """Every call_begin day (``YYYY-MM-DD``), in order."""
        return [_day_text(bcd) for bcd in sorted(self._day_set())]

    def _segment_of(self, row_id: int) -> _Segment:
        return self._segments[bisect.bisect_right(self._starts, row_id) - 1]

    # ------------------------------------------------------------------ filtering
    def filter(self, query: str, ids: Sequence[int] | None = None) -> Sequence[int]:
        """Ascending ids (of ``ids``, default all) of the rows matching ``query``."""
        terms = parse_query(query)
        if isinstance(ids, range) and ids.step == 1:
            ids = range(max(ids.start, 0), min(ids.stop, self._rows))
        elif ids is None:
            ids = range(self._rows)
        else:
            ids = sorted({i for i in ids if 0 <= i < self._rows})
        if not terms:
            return ids
        found: list[int] = []
        if isinstance(ids, range):
            if not ids:
                return found
            first = bisect.bisect_right(self._starts, ids.start) - 1
            for index in range(first, len(self._segments)):
                segment = self._segments[index]
                if segment.start >= ids.stop:
                    break
                mask = self._segment_mask(terms, index)
                if mask is None:
                    continue
                low = max(ids.start, segment.start)
                high = min(ids.stop, segment.start + segment.rows)
                part = mask[low - segment.start : high - segment.start]
                found.extend(_marked(part, low))
            return found
        masks: dict[int, bytes | None] = {}
        for row_id in ids:
            index = bisect.bisect_right(self._starts, row_id) - 1
            if index not in masks:
                masks[index] = self._segment_mask(terms, index)
            mask = masks[index]
            if mask is not None and mask[row_id - self._starts[index]]:
                found.append(row_id)
        return found

    def _segment_mask(self, terms: list[_Term], index: int) -> bytes | None:
        """1/0 per row of segment ``index``: all ``terms`` match. None when no row does."""
        if len(terms) == 1:
            return self._term_mask(terms[0], index, None)
        current: int | None = None
        for term in terms:
            mask = self._term_mask(term, index, current)
            if mask is None:
                return None
            value = int.from_bytes(mask, "little")
            current = value if current is None else current & value
            if not current:
                return None
        assert current is not None
        return current.to_bytes(self._segments[index].rows, "little")

    def _term_mask(self, term: _Term, index: int, current: int | None) -> bytes | None:
        segment = self._segments[index]
        rows = segment.rows
        cached = self._masks.get((term, index))
        if cached is not None and cached[0] == rows:
            self._masks.move_to_end((term, index))
            return cached[1]
        if term.kind != "text":
            mask = self._group_mask(term, index)
            self._remember(term, index, mask)
            return mask
        # A shorter term already answered here narrows the rows to look at (typing).
        narrowed = None
        for weaker in self._recent:
            hit = self._masks.get((weaker, index))
            if hit is not None and hit[0] == rows and weaker.covers(term):
                if hit[1] is None:
                    self._remember(term, index, None)
                    return None
                if narrowed is None or _ones(hit[1]) < _ones(narrowed):
                    narrowed = hit[1]
        few = max(32, rows // 64)
        if narrowed is not None and _ones(narrowed) <= few:
            mask = self._rows_mask(term, segment, narrowed)
        elif current is not None and current.bit_count() <= few:
            # Only the rows the other terms left: exact for this query, not worth keeping.
            return self._rows_mask(term, segment, current.to_bytes(rows, "little"))
        else:
            candidates = self._prefiltered(term, segment)
            if candidates is not None:
                mask = self._rows_mask(term, segment, candidates)
            else:
                mask = _text_mask(segment.variant(term), rows, term)
        self._remember(term, index, mask)
        if term not in self._recent:
            self._recent = [term, *self._recent[:15]]
        return mask

    def _prefiltered(self, term: _Term, segment: _Segment) -> bytes | None:
        """For a term that needs case or slash folding: the rows whose raw text holds a part
        of the term that folding leaves alone, when they are few (None otherwise)."""
        blob = segment.blob
        find, count = blob.find, blob.count
        limit = max(32, segment.rows // 64)
        for needle in term.cores:
            marked = bytearray(segment.rows)
            at, row, counted, found = find(needle), -1, 0, 0
            while at >= 0 and found <= limit:
                row += count(b"\n", counted, at)
                counted = at
                marked[row] = 1
                found += 1
                at = find(needle, find(b"\n", at))
            if found <= limit:
                return bytes(marked)
        return None

    def _rows_mask(self, term: _Term, segment: _Segment, candidates: bytes) -> bytes | None:
        """``term`` checked row by row, on the rows marked in ``candidates`` only."""
        pattern, shift = term.pattern, 1 if term.prefix else 0
        out = bytearray(segment.rows)
        anything = False
        for row in compress(range(segment.rows), candidates):
            if _line_hit(_variant(segment.line(row), term), pattern, shift, term.fields):
                out[row] = 1
                anything = True
        return bytes(out) if anything else None

    def _group_mask(self, term: _Term, index: int) -> bytes | None:
        """Rows of segment ``index`` whose VDN, agent or day matches: tests on key bytes."""
        wanted = self._wanted_codes(term)
        if not wanted:
            return None
        segment = self._segments[index]
        keys = self._group[segment.start : segment.start + segment.rows]
        if term.kind != "day" and self._wide_keys:
            names = self._values[term.kind][1]
            matched = {names[code] for code in wanted}
            position = 0 if term.kind == "vdn" else 2
            chosen = {k for k in self._counts() if self._name(k)[position] in matched}
            mask = bytes(map(chosen.__contains__, keys))
            return mask if 1 in mask else None
        if sys.byteorder == "big":
            keys.byteswap()
        offset, width = {"day": (0, 4), "agent": (4, 2), "vdn": (6, 2)}[term.kind]
        hit = _lanes_in(keys.tobytes(), offset, width, wanted, {})
        return hit.to_bytes(segment.rows, "little") if hit else None

    def _wanted_codes(self, term: _Term) -> set[int]:
        """VDN / agent codes, or BCD days, that a group term matches (cached per term)."""
        if term.kind == "day":
            seen = self._day_set()
            known = self._wanted.get(term)
            if known is None or known[0] != len(seen):
                days = {bcd for bcd in seen if _matches(_day_text(bcd), term)}
                known = self._wanted[term] = (len(seen), days)
        else:
            names = self._values[term.kind][1]
            known = self._wanted.get(term)
            if known is None or known[0] != len(names):
                codes = {code for code, name in enumerate(names) if _matches(name, term)}
                known = self._wanted[term] = (len(names), codes)
        while len(self._wanted) > 64:
            del self._wanted[next(iter(self._wanted))]
        return known[1]

    def _remember(self, term: _Term, index: int, mask: bytes | None) -> None:
        key = (term, index)
        old = self._masks.pop(key, None)
        if old is not None and old[1] is not None:
            self._mask_bytes -= len(old[1])
        self._masks[key] = (self._segments[index].rows, mask)
        if mask is not None:
            self._mask_bytes += len(mask)
        while self._mask_bytes > _CACHE_BYTES and self._masks:
            _, (_, dropped) = self._masks.popitem(last=False)
            if dropped is not None:
                self._mask_bytes -= len(dropped)

    # ------------------------------------------------------------------ tree
    def children(self, ids: Sequence[int] | None, path: tuple[str, ...]) -> list[tuple[str, int]]:
        """Groups under ``path`` with their row counts among ``ids`` (None: all rows)."""
        if len(path) > 2:
            raise ValueError(f"children() takes a path of 0-2 keys, not {len(path)}")
        view = self._view(ids)
        key = tuple(_unlabel(v, NO_VDN) if i == 0 else v for i, v in enumerate(path))
        cached = view.sorted.get(key)
        if cached is None:
            counts = view.levels(self._name)[len(key)].get(key, {})
            empty = (NO_VDN, "", NO_AGENT)[len(key)]
            cached = [(name or empty, n) for name, n in counts.items()]
            if len(key) == 1:
                cached.sort()
            else:
                cached.sort(key=lambda item: natural_key(item[0]))
            view.sorted[key] = cached
        return list(cached)

    def leaves(self, ids: Sequence[int] | None, path: tuple[str, ...]) -> list[int]:
        """Row ids of one (vdn, day, agent) group among ``ids`` (None: all), by call_begin."""
        if len(path) != 3:
            raise ValueError(f"leaves() takes a (vdn, day, agent) path, not {path!r}")
        wanted = (_unlabel(path[0], NO_VDN), path[1], _unlabel(path[2], NO_AGENT))
        view = self._view(ids)
        key = view.key_of(wanted, self._name)
        if key is None:
            return []
        rows = self._ordered_rows(key)
        inside = view.counts[key]
        if inside == len(rows):
            return list(rows)
        if isinstance(ids, range):
            return [r for r in rows if r in ids]
        chosen = view.membership(self._rows)
        return list(compress(rows, map(chosen.__getitem__, rows)))

    def _ordered_rows(self, key: int) -> list[int]:
        """Every row of group ``key`` by call_begin (ties in load order), cached."""
        total = self._counts()[key]
        cached = self._ordered.get(key)
        if cached is not None and cached[0] == total:
            return cached[1]
        rows = self._rows_of(key, total)
        begins = [self._begin_text(row) for row in rows]
        order = sorted(range(len(rows)), key=begins.__getitem__)
        ordered = [rows[i] for i in order]
        self._ordered[key] = (total, ordered)
        return ordered

    def _rows_of(self, key: int, total: int) -> list[int]:
        """Row ids of group ``key``, found as the key's 8 bytes in the key array."""
        needle = key.to_bytes(8, sys.byteorder)
        rows: list[int] = []
        group = self._group
        for segment in self._segments:
            raw = group[segment.start : segment.start + segment.rows].tobytes()
            at = raw.find(needle)
            while at >= 0:
                if at % 8:
                    at = raw.find(needle, at + 1)
                    continue
                rows.append(segment.start + at // 8)
                at = raw.find(needle, at + 8)
            if len(rows) >= total:
                break
        return rows

    def _begin_text(self, row_id: int) -> bytes:
        segment = self._segment_of(row_id)
        return segment.line(row_id - segment.start).split(b",", _BEGIN + 1)[_BEGIN]

    def _is_all(self, ids: Sequence[int]) -> bool:
        return (
            isinstance(ids, range) and ids.step == 1 and ids.start <= 0 and ids.stop >= self._rows
        )

    def _view(self, ids: Sequence[int] | None) -> _View:
        """Group counts of ``ids`` as a tree, cached per ids object (None: every row)."""
        whole = ids is None or self._is_all(ids)
        key = -1 if whole else id(ids)
        size = self._rows if whole else len(ids)  # type: ignore[arg-type]
        view = self._views.get(key)
        if view is not None and view.ids is (None if whole else ids) and view.size == size:
            self._views.move_to_end(key)
            return view
        if whole:
            counts = self._counts()
        else:
            assert ids is not None
            group = self._group
            try:
                counts = Counter(map(group.__getitem__, ids))
            except (IndexError, TypeError):
                counts = Counter(group[i] for i in ids if 0 <= i < self._rows)
        view = _View(None if whole else ids, size, counts)
        self._views[key] = view
        while len(self._views) > 4:
            self._views.popitem(last=False)
        return view


class _View:
    """Counts of one ids selection: per group key, and per tree level and path."""

    __slots__ = ("_keys", "_levels", "_membership", "counts", "ids", "size", "sorted")

    def __init__(self, ids: Sequence[int] | None, size: int, counts: Counter[int]) -> None:
        self.ids = ids
        self.size = size
        self.counts = counts
        self.sorted: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        self._levels: tuple[dict[tuple[str, ...], dict[str, int]], ...] | None = None
        self._keys: dict[tuple[str, str, str], int] | None = None
        self._membership: bytearray | None = None

    def levels(
        self, name: Callable[[int], tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, ...], dict[str, int]], ...]:
        """Per level (VDN, day, agent): parent path -> child name -> rows."""
        if self._levels is None:
            levels: tuple[dict[tuple[str, ...], dict[str, int]], ...] = ({}, {}, {})
            for key, count in self.counts.items():
                if not count:
                    continue
                vdn, day, agent = name(key)
                for level, parent, child in (
                    (0, (), vdn),
                    (1, (vdn,), day),
                    (2, (vdn, day), agent),
                ):
                    below = levels[level].setdefault(parent, {})
                    below[child] = below.get(child, 0) + count
            self._levels = levels
        return self._levels

    def key_of(
        self, path: tuple[str, str, str], name: Callable[[int], tuple[str, str, str]]
    ) -> int | None:
        """The group key of a (vdn, day, agent) path that has rows here."""
        if self._keys is None:
            self._keys = {name(key): key for key, count in self.counts.items() if count}
        return self._keys.get(path)

    def membership(self, rows: int) -> bytearray:
        """1 at each row id in the selection."""
        if self._membership is None or len(self._membership) != rows:
            chosen = bytearray(rows)
            for row in self.ids or ():
                if 0 <= row < rows:
                    chosen[row] = 1
            self._membership = chosen
        return self._membership


def _unlabel(value: str, label: str) -> str:
    return "" if value == label else value


def _checked(rows: Iterable[Sequence[str]]) -> RowBatch:
    """Rows from elsewhere than the reader: 18 fields, real times, no control characters."""
    batch = RowBatch.from_rows(rows)
    fields = batch.fields
    for index, value in enumerate(fields):
        if _BAD_TEXT.search(value):
            raise ValueError(f"row {index // NCOLS}: control character in {COLUMNS[index % NCOLS]}")
    for column in (_BEGIN, _BEGIN + 1):
        for row, value in enumerate(fields[column::NCOLS]):
            if parse_time(value) is None:
                raise ValueError(f"row {row}: {COLUMNS[column]} is not a time: {value!r}")
    return batch
