"""Group keys: one 64-bit number a row for the tree's VDN -> day -> agent grouping.

A key is VDN code << 48 | agent code << 32 | the call_begin day as BCD (0x20261003), where
the codes number the VDN and agent ids in the order they were first seen
(:class:`GroupCodes`); with more VDNs or agents than the bit fields hold, a key is
:data:`WIDE` | a (VDN, agent) pair code << 32 | the day instead. Keys are made in bulk: many
small numbers are packed into one big int of 8-byte little-endian fields (:func:`pack_u64`)
and combined with shifts and ORs, never one Python object per row; a test on one field of
every key (:func:`rows_with_field_in`) is a ``translate`` per byte value.
"""

from __future__ import annotations

import functools
import sys
from array import array
from collections.abc import Sequence

from ccfs_tui.core.index import NCOLS, TEXT_COMMA, TEXT_NEWLINE
from ccfs_tui.core.index.dates import TIME_BYTES
from ccfs_tui.core.recording import COLUMNS

_AGENT, _VDN = COLUMNS.index("agent_id"), COLUMNS.index("vdn_id")
_STEP = NCOLS - 1  # field c (1-16) of every row is split_text()[c::_STEP]

_HIGH_NIBBLE = bytes.maketrans(b"0123456789", bytes(range(0, 160, 16)))
_LOW_NIBBLE = bytes.maketrans(b"0123456789", bytes(range(10)))
WIDE = 1 << 63
"""The bit of a key made without the VDN and agent bit fields (too many codes for them)."""
VDN_BITS, AGENT_BITS = 15, 16
"""The codes that fit a key's VDN and agent fields (each field is 16 bits wide)."""


def bcd_days(begins: bytes, count: int) -> int:
    """The call_begin day of each row as BCD (``2026-10-03`` -> 0x20261003), packed as by
    :func:`pack_u64` (the numeric order of the days is date order), from the rows' call_begin
    values each followed by ``\n`` (:meth:`RowBatch.begin_times`)."""
    if len(begins) != TIME_BYTES * count:
        raise ValueError("call_begin values must be YYYY-MM-DD hh:mm:ss")
    out = bytearray(8 * count)
    for byte, (high, low) in enumerate(((8, 9), (5, 6), (2, 3), (0, 1))):
        tens = int.from_bytes(begins[high::TIME_BYTES].translate(_HIGH_NIBBLE), "little")
        ones = int.from_bytes(begins[low::TIME_BYTES].translate(_LOW_NIBBLE), "little")
        out[byte::8] = (tens | ones).to_bytes(count, "little")
    return int.from_bytes(out, "little")


def pack_u64(values: Sequence[int]) -> int:
    """``values`` (each below 2**64) as one big int: value ``i`` in bytes ``8 * i`` to
    ``8 * i + 7``, little-endian, so that shifts and ORs act on all of them at once."""
    packed = array("Q", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return int.from_bytes(packed.tobytes(), "little")


def unpack_u64(value: int, count: int) -> array[int]:
    """The ``count`` numbers packed in ``value`` by :func:`pack_u64`."""
    out = array("Q")
    out.frombytes(value.to_bytes(8 * count, "little"))
    if sys.byteorder == "big":
        out.byteswap()
    return out


def day_text(bcd: int) -> str:
    """``YYYY-MM-DD`` of a BCD day."""
    digits = f"{bcd:08x}"
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def _name_of(value: bytes) -> str:
    """A VDN or agent id as shown, from its stored bytes."""
    text = value.decode("utf-8")
    if TEXT_COMMA in text or TEXT_NEWLINE in text:
        text = text.replace(TEXT_COMMA, ",").replace(TEXT_NEWLINE, "\n")
    return text


@functools.lru_cache(maxsize=4096)
def _member_table(values: frozenset[int]) -> bytes:
    table = bytearray(256)
    for value in values:
        table[value] = 1
    return bytes(table)


def rows_with_field_in(
    raw: bytes,
    offset: int,
    width: int,
    values: set[int] | frozenset[int],
    strided: dict[int, bytes],
) -> int:
    """Per group key in ``raw`` (8 little-endian bytes each), whether its field of ``width``
    bytes at byte ``offset`` is one of ``values``: a big int with one byte per key, 1 or 0
    (its bytes are a row mask). One translate per byte value; ``strided`` caches the byte
    columns of ``raw`` between calls."""
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
        return rows_with_field_in(raw, top, 1, set(by_top), strided)  # the top byte decides
    hit = 0
    for high, rest in by_top.items():
        match = int.from_bytes(column.translate(_member_table(frozenset({high}))), "little")
        if match:
            hit |= match & rows_with_field_in(raw, offset, width - 1, rest, strided)
    return hit


class GroupCodes:
    """VDN and agent ids as small codes, and the 64-bit group keys made of them."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[dict[bytes, int], list[str]]] = {
            "vdn": ({}, []),
            "agent": ({}, []),
        }
        self.raw: dict[str, list[bytes]] = {"vdn": [], "agent": []}  # code -> value as stored
        self.pairs: tuple[dict[tuple[int, int], int], list[tuple[int, int]]] = ({}, [])
        self.wide = False
        """Some keys are wide (:data:`WIDE`): absurdly many VDNs or agents."""
        self._names: dict[int, tuple[str, str, str]] = {}  # group key -> (vdn, day, agent)
        self._days: dict[int, str] = {}

    def ids(self, kind: str) -> list[str]:
        """The VDN (``kind`` "vdn") or agent ids by code (do not modify)."""
        return self.values[kind][1]

    def names_of(self, key: int) -> tuple[str, str, str]:
        """(vdn, day, agent) of a group key."""
        names = self._names.get(key)
        if names is None:
            if key & WIDE:
                vdn_code, agent_code = self.pairs[1][(key >> 32) & 0x7FFFFFFF]
            else:
                vdn_code, agent_code = key >> 48, (key >> 32) & 0xFFFF
            bcd = key & 0xFFFFFFFF
            day = self._days.get(bcd)
            if day is None:
                day = self._days[bcd] = day_text(bcd)
            vdn = self.values["vdn"][1][vdn_code]
            names = self._names[key] = (vdn, day, self.values["agent"][1][agent_code])
        return names

    def encode(self, kind: str, values: list[bytes]) -> list[int]:
        """The code of each value (new values get the next codes)."""
        index, names = self.values[kind]
        codes = list(map(index.get, values))
        if None in codes:
            raw = self.raw[kind]
            for value in dict.fromkeys(values):
                if value not in index:
                    names.append(_name_of(value))
                    raw.append(value)
                    index[value] = len(names) - 1
            codes = list(map(index.__getitem__, values))
        return codes  # type: ignore[return-value]

    def key(self, vdn: int, agent: int, day: int) -> int:
        """The group key of codes ``vdn`` and ``agent`` and a BCD ``day``."""
        if vdn < 1 << VDN_BITS and agent < 1 << AGENT_BITS:
            return vdn << 48 | agent << 32 | day
        index, pairs = self.pairs
        pair = index.get((vdn, agent))
        if pair is None:
            pairs.append((vdn, agent))
            pair = index[vdn, agent] = len(pairs) - 1
        return WIDE | pair << 32 | day

    def keys(self, split: list[bytes], count: int, begins: bytes) -> array[int]:
        """The group key of every row of a comma-split text (``begins``: its
        :meth:`RowBatch.begin_times`)."""
        days = bcd_days(begins, count)
        vdns = self.encode("vdn", split[_VDN::_STEP])
        agents = self.encode("agent", split[_AGENT::_STEP])
        vdn_names, agent_names = self.values["vdn"][1], self.values["agent"][1]
        if len(vdn_names) <= 1 << VDN_BITS and len(agent_names) <= 1 << AGENT_BITS:
            return unpack_u64(pack_u64(vdns) << 48 | pack_u64(agents) << 32 | days, count)
        self.wide = True  # absurdly many VDNs or agents: slower, same keys for known pairs
        return array("Q", map(self.key, vdns, agents, unpack_u64(days, count)))


class CodeMap:
    """Another process's codes -> these (the load helper numbers VDNs and agents on its own)."""

    def __init__(self, codes: GroupCodes) -> None:
        self.codes = codes
        self.maps: dict[str, list[int]] = {"vdn": [], "agent": []}

    def learn(self, new_ids: dict[str, list[bytes]]) -> None:
        """The ids the other process coded next (by kind), as stored, in code order."""
        for kind in ("vdn", "agent"):
            new = new_ids[kind]
            if new:
                self.maps[kind].extend(self.codes.encode(kind, new))

    def key(self, key: int) -> int:
        """The key here of the other process's group ``key``."""
        if key & WIDE:
            raise ValueError("a load helper sent a wide group key")
        vdn, agent = self.maps["vdn"][key >> 48], self.maps["agent"][(key >> 32) & 0xFFFF]
        return self.codes.key(vdn, agent, key & 0xFFFFFFFF)
