"""Samples of any supported WAV encoding turned into 16-bit little-endian PCM."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable

from ccfs_tui.core.audio.alaw import decode_alaw, decode_ulaw
from ccfs_tui.core.audio.wav import Encoding

_PCM8_LE = tuple(((code - 128) << 8).to_bytes(2, "little", signed=True) for code in range(256))


def _pcm8(data: bytes) -> bytes:
    return b"".join(map(_PCM8_LE.__getitem__, data))


def _pcm16(data: bytes) -> bytes:
    return data[: len(data) - len(data) % 2]


def pcm16_decoder(encoding: Encoding) -> Callable[[bytes], bytes]:
    """The function turning sample bytes of ``encoding`` into 16-bit LE PCM (whole samples)."""
    return {"alaw": decode_alaw, "mulaw": decode_ulaw, "pcm8": _pcm8, "pcm16": _pcm16}[encoding]


def pcm16_samples(data: bytes) -> array[int]:
    """16-bit LE PCM bytes as native signed samples."""
    samples = array("h", data[: len(data) - len(data) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples
