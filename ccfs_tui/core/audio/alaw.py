"""G.711 A-law and mu-law to 16-bit PCM, by 256-entry tables (ITU-T G.711).

CC-FS delivers recordings as A-law (reference section 5), which not every browser plays;
``audioop`` is gone in Python 3.13, so the decoding is done here. Each table maps a code
byte to the signed 16-bit sample G.711 assigns it (the same values as the reference
decoder ``alaw2linear`` / ``ulaw2linear`` of the ITU's software tools): ``0xD5`` -> 8,
``0x55`` -> -8, ``0xAA`` -> 32256, ``0x2A`` -> -32256 in A-law.
"""

from __future__ import annotations


def _alaw_sample(code: int) -> int:
    """G.711 A-law: even bits inverted (XOR 0x55), sign bit set for positive values,
    three segment bits, four mantissa bits; each value is the middle of its interval."""
    code ^= 0x55
    mantissa = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    value = mantissa + 8 if segment == 0 else (mantissa + 0x108) << (segment - 1)
    return value if code & 0x80 else -value


def _ulaw_sample(code: int) -> int:
    """G.711 mu-law: all bits inverted, sign, three exponent bits, four mantissa bits,
    with the bias of 0x84 (132) removed."""
    code = ~code & 0xFF
    value = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return 0x84 - value if code & 0x80 else value - 0x84


ALAW_TO_PCM16: tuple[int, ...] = tuple(_alaw_sample(code) for code in range(256))
"""A-law code -> signed 16-bit sample."""

ULAW_TO_PCM16: tuple[int, ...] = tuple(_ulaw_sample(code) for code in range(256))
"""mu-law code -> signed 16-bit sample."""


def _pcm16_bytes(table: tuple[int, ...]) -> tuple[bytes, ...]:
    return tuple(value.to_bytes(2, "little", signed=True) for value in table)


_ALAW_LE = _pcm16_bytes(ALAW_TO_PCM16)
_ULAW_LE = _pcm16_bytes(ULAW_TO_PCM16)


def decode_alaw(data: bytes) -> bytes:
    """A-law bytes -> 16-bit little-endian PCM (two bytes per input byte)."""
    return b"".join(map(_ALAW_LE.__getitem__, data))


def decode_ulaw(data: bytes) -> bytes:
    """mu-law bytes -> 16-bit little-endian PCM (two bytes per input byte)."""
    return b"".join(map(_ULAW_LE.__getitem__, data))
