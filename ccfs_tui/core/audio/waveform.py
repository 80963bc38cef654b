"""A recording's waveform from its WAV data: a peak envelope, the duration, the silence.

The file is read once, in chunks, and only one number per column is kept, so memory does
not grow with the recording. 8-bit codes (A-law, mu-law, 8-bit PCM) are not decoded: a
256-byte table turns each code into the rank of its loudness (``bytes.translate``) and the
loudest code of each block is found by ``max`` on bytes, both in C.

Silence is the share of the audio in blocks of at most 10 ms whose peak stays under
:data:`SILENCE_PEAK` (about -30 dBFS: line hiss and comfort noise stay well below it,
speech goes well above it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ccfs_tui.core.audio.alaw import ALAW_TO_PCM16, ULAW_TO_PCM16
from ccfs_tui.core.audio.decode import pcm16_samples
from ccfs_tui.core.audio.wav import Encoding, WavInfo, iter_data, read_wav_info

FULL_SCALE = 32768
SILENCE_PEAK = 1024
"""A block whose peak is below this (of 32768) is silent."""
BLOCK_SECONDS = 0.01
DB_RANGE = 48.0
"""The quietest level drawn above the baseline, in dB below full scale."""
LEVELS = " ▁▂▃▄▅▆▇█"
CHUNK_BYTES = 1 << 16


def _rank_tables(magnitude: list[int]) -> tuple[bytes, tuple[int, ...]]:
    """For 8-bit codes: code -> loudness rank (a translate table), rank -> magnitude."""
    values = tuple(sorted(set(magnitude)))
    rank = {value: index for index, value in enumerate(values)}
    return bytes(rank[m] for m in magnitude), values


_RANKS: dict[Encoding, tuple[bytes, tuple[int, ...]]] = {
    "alaw": _rank_tables([abs(v) for v in ALAW_TO_PCM16]),
    "mulaw": _rank_tables([abs(v) for v in ULAW_TO_PCM16]),
    "pcm8": _rank_tables([abs(code - 128) << 8 for code in range(256)]),
}


@dataclass(frozen=True, slots=True)
class Waveform:
    """The envelope of a recording: one peak per column, 0 (silence) to 1 (full scale)."""

    peaks: tuple[float, ...]
    duration: float
    """Seconds."""
    silence: float
    """Share of the audio that is silent, 0 to 1."""

    @property
    def summary(self) -> str:
        """``1:05 · 42 % silence``."""
        return f"{format_duration(self.duration)} · {round(self.silence * 100)} % silence"

    def rows(self, height: int = 2) -> list[str]:
        """The envelope drawn with block characters in ``height`` lines (top line first),
        on a dB scale so that quiet speech still shows; silence is the lowest block."""
        units = [max(1, round(_level(peak) * height * 8)) for peak in self.peaks]
        return [
            "".join(LEVELS[min(8, max(0, u - (height - 1 - row) * 8))] for u in units)
            for row in range(height)
        ]


def format_duration(seconds: float) -> str:
    """``1:05`` or ``1:02:03``."""
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _level(peak: float) -> float:
    """0..1 on a dB scale: -:data:`DB_RANGE` dBFS or less is 0, full scale is 1."""
    if peak <= 0:
        return 0.0
    return min(1.0, max(0.0, 1 + 20 * math.log10(peak) / DB_RANGE))


class _Envelope:
    """Block peaks folded into columns as they come."""

    def __init__(self, info: WavInfo, columns: int) -> None:
        self.columns = columns
        self.block_frames = max(
            1, min(round(info.sample_rate * BLOCK_SECONDS), info.frames // columns)
        )
        self.blocks = math.ceil(info.frames / self.block_frames)
        self.peaks = [-1] * columns
        self.silent_frames = 0
        self.index = 0

    def add(self, peak: int, frames: int) -> None:
        column = self.index * self.columns // self.blocks
        if peak > self.peaks[column]:
            self.peaks[column] = peak
        if peak < SILENCE_PEAK:
            self.silent_frames += frames
        self.index += 1

    def finish(self) -> list[int]:
        last = 0
        out = []
        for peak in self.peaks:  # columns no block reached (a file shorter than the width)
            last = peak if peak >= 0 else last
            out.append(last)
        return out


def compute_waveform(
    path: Path, columns: int, cancelled: Callable[[], bool] | None = None
) -> Waveform | None:
    """The waveform of the WAV at ``path`` in ``columns`` columns (at least 1), or ``None``
    when ``cancelled()`` turns true during the scan. Raises ``WavError`` / ``OSError``."""
    columns = max(1, columns)
    with path.open("rb") as handle:
        info = read_wav_info(handle, name=path.name)
        envelope = _Envelope(info, columns)
        block_bytes = envelope.block_frames * info.frame_size
        chunk = max(1, CHUNK_BYTES // block_bytes) * block_bytes
        ranks = _RANKS.get(info.encoding)
        for data in iter_data(handle, info, chunk=chunk):
            if cancelled is not None and cancelled():
                return None
            if ranks is not None:
                loudness = data.translate(ranks[0])
                for start in range(0, len(data), block_bytes):
                    block = loudness[start : start + block_bytes]
                    envelope.add(ranks[1][max(block)], len(block) // info.frame_size)
            else:
                samples = pcm16_samples(data)
                step = block_bytes // 2
                for start in range(0, len(samples), step):
                    block16 = samples[start : start + step]
                    peak = max(max(block16), -min(block16))
                    envelope.add(peak, len(block16) // info.channels)
    peaks = envelope.finish()
    return Waveform(
        peaks=tuple(min(1.0, peak / FULL_SCALE) for peak in peaks),
        duration=info.duration,
        silence=envelope.silent_frames / info.frames,
    )
