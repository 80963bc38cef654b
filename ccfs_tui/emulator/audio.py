"""G.711 A-law RIFF WAV files, as a CC-FS delivers recordings (reference section 5).

The encoder is hand-written (``audioop`` is deprecated and gone in Python 3.13). A file lasts
as long as its call in the catalogue and sounds like one: two "voices" (tones with a
rise-and-fall per syllable) taking turns, with pauses of a quiet line between turns, so a
waveform shows talk and silence. It is deterministic, seeded by the file name, so the same
recording always downloads byte-for-byte the same.
"""

from __future__ import annotations

import math
import random
import struct
import threading
import zlib
from collections import OrderedDict
from functools import lru_cache

SAMPLE_RATE = 8000
FORMAT_ALAW = 6
MAX_SECONDS = 2 * 3600.0
"""The longest audio made (a catalogue entry claiming more gets this much)."""
MIN_SECONDS = 1.0

_SEG_END = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def linear_to_alaw(sample: int) -> int:
    """Encode one signed 16-bit sample as an A-law byte (ITU-T G.711)."""
    sample = max(-32768, min(32767, sample)) >> 3
    if sample >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        sample = -sample - 1
    seg = next((i for i, end in enumerate(_SEG_END) if sample <= end), 8)
    if seg == 8:
        return 0x7F ^ mask
    value = seg << 4
    value |= (sample >> 1 if seg < 2 else sample >> seg) & 0x0F
    return value ^ mask


def alaw_to_linear(code: int) -> int:
    """Decode one A-law byte to a signed 16-bit sample (ITU-T G.711)."""
    code ^= 0x55
    value = (code & 0x0F) << 4
    seg = (code & 0x70) >> 4
    if seg == 0:
        value += 8
    elif seg == 1:
        value += 0x108
    else:
        value = (value + 0x108) << (seg - 1)
    return value if code & 0x80 else -value


@lru_cache(maxsize=1)
def _alaw_table() -> bytes:
    """The A-law byte of every 13-bit value (A-law drops the 3 low bits of 16)."""
    return bytes(linear_to_alaw(value << 3) for value in range(-4096, 4096))


def alaw_encode(samples: list[int]) -> bytes:
    """Encode signed 16-bit samples to A-law bytes (by table: fast)."""
    table = _alaw_table()
    return bytes(table[(max(-32768, min(32767, s)) >> 3) + 4096] for s in samples)


def wav_header(data_size: int) -> bytes:
    """The canonical non-PCM header: RIFF, an 18-byte ``fmt`` (cbSize 0), ``fact``, ``data``.

    ``data_size`` is the number of A-law bytes (= samples); an odd size gets a pad byte
    after the data, which the RIFF size counts.
    """
    pad = data_size & 1
    fmt = struct.pack(
        "<HHIIHHH", FORMAT_ALAW, 1, SAMPLE_RATE, SAMPLE_RATE, 1, 8, 0
    )  # tag, channels, rate, byte rate, block align, bits, cbSize
    riff_size = 4 + (8 + len(fmt)) + (8 + 4) + (8 + data_size + pad)
    return b"".join(
        (
            b"RIFF",
            struct.pack("<I", riff_size),
            b"WAVE",
            b"fmt ",
            struct.pack("<I", len(fmt)),
            fmt,
            b"fact",
            struct.pack("<II", 4, data_size),
            b"data",
            struct.pack("<I", data_size),
        )
    )


def audio_seconds(duration: float) -> float:
    """Length of the emulated audio: the call's duration (at least 1 s, at most 2 hours)."""
    return min(max(duration, MIN_SECONDS), MAX_SECONDS)


# Tone frequencies that divide 8000 Hz exactly, so one period is a whole number of samples.
_FREQUENCIES = (200, 250, 320, 400, 500, 640, 800, 1000)
_SYLLABLES = 10
_CACHE_BYTES = 64 << 20

SILENCE_LIMIT = 256
"""Every sample of a pause is quieter than this (of 32767): about -42 dBFS, a quiet line."""


@lru_cache(maxsize=len(_FREQUENCIES))
def _syllables(freq: int) -> tuple[bytes, ...]:
    """Encoded "syllables" of a voice at ``freq``: 0.1-0.35 s of a tone and its third
    harmonic under a rise-and-fall envelope, each at its own loudness, with light noise."""
    rng = random.Random(freq)
    out = []
    for _ in range(_SYLLABLES):
        length = rng.randint(SAMPLE_RATE // 10, SAMPLE_RATE * 35 // 100)
        loudness = rng.uniform(2500, 11000)
        step = 2 * math.pi * freq / SAMPLE_RATE
        out.append(
            alaw_encode(
                [
                    int(
                        loudness
                        * math.sin(math.pi * i / length) ** 0.6
                        * (math.sin(step * i) + 0.3 * math.sin(3 * step * i))
                        + rng.gauss(0, 200)
                    )
                    for i in range(length)
                ]
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _hush() -> bytes:
    """Two seconds of a quiet line (every sample well under :data:`SILENCE_LIMIT`)."""
    rng = random.Random(0)
    return alaw_encode([max(-100, min(100, int(rng.gauss(0, 30)))) for _ in range(2 * SAMPLE_RATE)])


def _pause(rng: random.Random, samples: int) -> bytes:
    hush = _hush()
    offset = rng.randrange(len(hush))
    return (hush[offset:] + hush * (samples // len(hush) + 1))[:samples]


def _conversation(key: str, total: int) -> bytes:
    """``total`` A-law samples: two voices taking turns of 1-5 s, pauses of 0.5-3 s between
    turns (quiet line), short gaps between syllables."""
    rng = random.Random(zlib.crc32(key.encode("utf-8")))
    voices = [_syllables(freq) for freq in rng.sample(_FREQUENCIES, 2)]
    parts: list[bytes] = [_pause(rng, rng.randint(SAMPLE_RATE // 5, SAMPLE_RATE))]
    produced = len(parts[0])
    turn = rng.randrange(2)
    while produced < total:
        talk = rng.randint(SAMPLE_RATE, 5 * SAMPLE_RATE)
        while talk > 0 and produced < total:
            syllable = rng.choice(voices[turn])
            gap = _pause(rng, rng.randint(0, SAMPLE_RATE // 12))
            parts += (syllable, gap)
            talk -= len(syllable) + len(gap)
            produced += len(syllable) + len(gap)
        pause = _pause(rng, rng.randint(SAMPLE_RATE // 2, 3 * SAMPLE_RATE))
        parts.append(pause)
        produced += len(pause)
        turn ^= 1
    return b"".join(parts)[:total]


class _ByteBudgetCache:
    """The latest audio made, up to a total size (a 20-minute call is 9.6 MB)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int]) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[str, int], value: bytes) -> None:
        with self._lock:
            if key in self._items or len(value) > self.budget:
                return
            self._items[key] = value
            self._size += len(value)
            while self._size > self.budget:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)


_cache = _ByteBudgetCache(_CACHE_BYTES)


def alaw_samples(key: str, seconds: float) -> bytes:
    """Deterministic A-law audio for ``key``, ``seconds`` long: a conversation with pauses.

    Made on demand from a few cached syllables (milliseconds even for a 20-minute call) and
    kept in a small cache, so a recording always has the same bytes.
    """
    total = max(1, round(seconds * SAMPLE_RATE))
    data = _cache.get((key, total))
    if data is None:
        data = _conversation(key, total)
        _cache.put((key, total), data)
    return data


def make_wav(key: str, duration: float) -> bytes:
    """A complete A-law WAV for the recording ``key`` lasting ``audio_seconds(duration)``."""
    data = alaw_samples(key, audio_seconds(duration))
    return wav_header(len(data)) + data + (b"\x00" if len(data) & 1 else b"")


def parse_wav_header(data: bytes) -> dict[str, int]:
    """Read the fields of a WAV header (for tests and sanity checks). Raises ``ValueError``."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF WAVE file")
    info: dict[str, int] = {"riff_size": struct.unpack_from("<I", data, 4)[0]}
    pos = 12
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if chunk == b"fmt ":
            tag, channels, rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", data, body)
            info.update(
                format_tag=tag,
                channels=channels,
                sample_rate=rate,
                byte_rate=byte_rate,
                block_align=align,
                bits_per_sample=bits,
                fmt_size=size,
            )
            if size >= 18:
                info["cb_size"] = struct.unpack_from("<H", data, body + 16)[0]
        elif chunk == b"fact":
            info["fact_samples"] = struct.unpack_from("<I", data, body)[0]
        elif chunk == b"data":
            info["data_offset"] = body
            info["data_size"] = size
            break
        pos = body + size + (size & 1)
    if "format_tag" not in info or "data_size" not in info:
        raise ValueError("WAV without fmt or data chunk")
    return info
