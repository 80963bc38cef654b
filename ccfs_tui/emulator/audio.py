"""G.711 A-law RIFF WAV files, as a CC-FS delivers recordings (reference section 5).

The encoder is hand-written (``audioop`` is deprecated and gone in Python 3.13). Each file's
sound is deterministic: a few tones and a little noise seeded by the file name, so the same
recording always downloads byte-for-byte the same.
"""

from __future__ import annotations

import math
import random
import struct
import zlib
from functools import lru_cache

SAMPLE_RATE = 8000
FORMAT_ALAW = 6
MAX_SECONDS = 30.0
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


def alaw_encode(samples: list[int]) -> bytes:
    """Encode signed 16-bit samples to A-law bytes."""
    return bytes(linear_to_alaw(s) for s in samples)


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
    """Length of the emulated audio: the call's duration, clamped to 1..30 seconds."""
    return min(max(duration, MIN_SECONDS), MAX_SECONDS)


# Tone frequencies that divide 8000 Hz exactly, so one period is a whole number of samples.
_FREQUENCIES = (200, 250, 320, 400, 500, 640, 800, 1000)
_VARIANTS = 6


def _period_variants(rng: random.Random, freq: int, amplitude: float) -> list[bytes]:
    """A few A-law encodings of one period of a tone, each with its own light noise."""
    period = SAMPLE_RATE // freq
    base = [amplitude * math.sin(2 * math.pi * i / period) for i in range(period)]
    harmonic = [0.3 * amplitude * math.sin(6 * math.pi * i / period) for i in range(period)]
    return [
        bytes(
            linear_to_alaw(int(b + h + rng.gauss(0, 300)))
            for b, h in zip(base, harmonic, strict=True)
        )
        for _ in range(_VARIANTS)
    ]


@lru_cache(maxsize=64)
def alaw_samples(key: str, seconds: float) -> bytes:
    """Deterministic A-law audio for ``key``: two "voices" taking turns, pauses, noise."""
    rng = random.Random(zlib.crc32(key.encode("utf-8")))
    total = max(1, round(seconds * SAMPLE_RATE))
    voices = [
        _period_variants(rng, freq, rng.uniform(4000, 9000)) for freq in rng.sample(_FREQUENCIES, 2)
    ]
    hiss = bytes(linear_to_alaw(int(rng.gauss(0, 120))) for _ in range(256))
    parts: list[bytes] = []
    produced = 0
    turn = 0
    while produced < total:
        # A "sentence" of one voice, then a short pause of hiss.
        variants = voices[turn]
        period = len(variants[0])
        talk = rng.randint(SAMPLE_RATE // 4, SAMPLE_RATE * 3 // 2) // period
        parts.append(b"".join(rng.choices(variants, k=max(1, talk))))
        pause = rng.randint(SAMPLE_RATE // 20, SAMPLE_RATE // 3)
        offset = rng.randrange(len(hiss))
        parts.append((hiss[offset:] + hiss * (pause // len(hiss) + 1))[:pause])
        produced += max(1, talk) * period + pause
        turn ^= 1
    return b"".join(parts)[:total]


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
