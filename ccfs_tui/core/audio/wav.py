"""RIFF WAV files: read the ``fmt `` and ``data`` chunks of a recording, write a PCM header.

A recording comes from a server and may be cut short or malformed on purpose, so the reader
is bounded: it walks at most :data:`MAX_CHUNKS` chunks within the first
:data:`MAX_HEADER_BYTES` of the file, never reads a chunk body it does not need, and says
in one sentence (a :class:`WavError`) what is wrong. A ``data`` chunk that claims more bytes
than the file holds (a download cut short, or a writer that streamed and never came back to
fix the size) is taken as far as the file goes.

Supported encodings: 16-bit and 8-bit PCM (format 1), G.711 A-law (6), mu-law (7), and the
same inside ``WAVE_FORMAT_EXTENSIBLE``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from ccfs_tui.core.errors import CcfsError

FORMAT_PCM = 1
FORMAT_ALAW = 6
FORMAT_MULAW = 7
FORMAT_EXTENSIBLE = 0xFFFE

MAX_CHUNKS = 64
"""Chunks looked at before ``data`` (real files have 2 to 5)."""
MAX_HEADER_BYTES = 1 << 20
"""Where ``data`` must start by (metadata chunks before it are skipped, not read)."""
MAX_FMT_SIZE = 1024
"""The biggest ``fmt `` chunk read (16, 18 or 40 bytes in practice)."""
MAX_CHANNELS = 8
MIN_RATE, MAX_RATE = 1000, 384_000

Encoding = Literal["pcm16", "pcm8", "alaw", "mulaw"]


class WavError(CcfsError):
    """The file is not a WAV this tool can read: the message says why."""

    kind = "bad-audio"


@dataclass(frozen=True, slots=True)
class WavInfo:
    """Where the samples are and how they are coded."""

    encoding: Encoding
    channels: int
    sample_rate: int
    data_offset: int
    """File offset of the first sample byte."""
    data_size: int
    """Bytes of whole frames present in the file (at most what the header declares)."""
    declared_size: int
    """The size the ``data`` chunk header claims."""

    @property
    def sample_bytes(self) -> int:
        """Bytes per sample in the file (2 for 16-bit PCM, else 1)."""
        return 2 if self.encoding == "pcm16" else 1

    @property
    def frame_size(self) -> int:
        """Bytes per frame (one sample of every channel)."""
        return self.sample_bytes * self.channels

    @property
    def frames(self) -> int:
        """Sample frames in the file."""
        return self.data_size // self.frame_size

    @property
    def duration(self) -> float:
        """Seconds of audio in the file."""
        return self.frames / self.sample_rate

    @property
    def truncated(self) -> bool:
        """True when the file holds fewer bytes than its ``data`` chunk declares."""
        return self.data_size < self.declared_size - self.declared_size % self.frame_size

    @property
    def pcm16_size(self) -> int:
        """Bytes of the samples once decoded to 16-bit PCM."""
        return self.frames * self.channels * 2


def _fail(name: str, what: str, hint: str = "") -> WavError:
    return WavError(f"{name}: {what}", hint or "Download the recording again.")


def _read_exact(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    return data if isinstance(data, bytes) else b""


def _encoding(name: str, tag: int, bits: int) -> Encoding:
    if tag == FORMAT_PCM and bits == 16:
        return "pcm16"
    if tag == FORMAT_PCM and bits == 8:
        return "pcm8"
    if tag == FORMAT_ALAW and bits == 8:
        return "alaw"
    if tag == FORMAT_MULAW and bits == 8:
        return "mulaw"
    if tag in (FORMAT_PCM, FORMAT_ALAW, FORMAT_MULAW):
        raise _fail(name, f"{bits}-bit samples in format {tag} are not supported.")
    raise _fail(
        name,
        f"audio format {tag} is not supported (only PCM, A-law and mu-law).",
        "Open the downloaded file with a player that knows this format.",
    )


def _parse_fmt(name: str, body: bytes) -> tuple[Encoding, int, int]:
    tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == FORMAT_EXTENSIBLE:
        if len(body) < 40:
            raise _fail(name, "its extensible fmt chunk is too short.")
        tag = struct.unpack_from("<H", body, 24)[0]  # first two bytes of the SubFormat GUID
    if not 1 <= channels <= MAX_CHANNELS:
        raise _fail(name, f"{channels} channels is not a plausible recording.")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise _fail(name, f"a sample rate of {rate} Hz is not a plausible recording.")
    return _encoding(name, tag, bits), channels, rate


def read_wav_info(handle: BinaryIO, size: int | None = None, name: str = "the file") -> WavInfo:
    """The layout of the WAV open in ``handle`` (positioned at its start; ``size`` is the
    file's length, found with ``fstat`` or ``seek`` when not given). Raises
    :class:`WavError` naming ``name``."""
    if size is None:
        try:
            size = os.fstat(handle.fileno()).st_size
        except (AttributeError, OSError, ValueError):
            here = handle.tell()
            size = handle.seek(0, os.SEEK_END)
            handle.seek(here)
    head = _read_exact(handle, 12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise _fail(name, "not a WAV file (no RIFF/WAVE header).", "Open it with a player.")
    pos = 12
    fmt: tuple[Encoding, int, int] | None = None
    for _ in range(MAX_CHUNKS):
        if pos > MAX_HEADER_BYTES:
            break
        handle.seek(pos)
        header = _read_exact(handle, 8)
        if len(header) < 8:
            raise _fail(name, "the file ends before its audio data (no data chunk).")
        chunk, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
        body = pos + 8
        if chunk == b"fmt ":
            if not 16 <= chunk_size <= MAX_FMT_SIZE:
                raise _fail(name, f"its fmt chunk has an impossible size ({chunk_size}).")
            data = _read_exact(handle, chunk_size)
            if len(data) < chunk_size:
                raise _fail(name, "the file ends inside its fmt chunk.")
            fmt = _parse_fmt(name, data)
        elif chunk == b"data":
            if fmt is None:
                raise _fail(name, "its data chunk comes before any fmt chunk.")
            encoding, channels, rate = fmt
            frame = channels * (2 if encoding == "pcm16" else 1)
            present = max(0, min(chunk_size, size - body))
            info = WavInfo(encoding, channels, rate, body, present - present % frame, chunk_size)
            if info.frames == 0:
                raise _fail(name, "it holds no audio.")
            return info
        pos = body + chunk_size + (chunk_size & 1)
    raise _fail(
        name,
        f"no audio data within its first {MAX_CHUNKS} chunks or {MAX_HEADER_BYTES // 1024} KiB.",
    )


def wav_info(path: Path) -> WavInfo:
    """:func:`read_wav_info` of the file at ``path`` (an ``OSError`` if it cannot be read)."""
    with path.open("rb") as handle:
        return read_wav_info(handle, name=path.name)


def iter_data(
    handle: BinaryIO, info: WavInfo, start: int = 0, end: int | None = None, chunk: int = 1 << 16
) -> Iterator[bytes]:
    """The sample bytes ``[start, end)`` of the data chunk (offsets within it), ``chunk``
    bytes at a time; stops early if the file shrinks."""
    end = info.data_size if end is None else min(end, info.data_size)
    pos = max(0, start)
    handle.seek(info.data_offset + pos)
    while pos < end:
        data = _read_exact(handle, min(chunk, end - pos))
        if not data:
            return
        pos += len(data)
        yield data


def pcm16_header(data_size: int, sample_rate: int, channels: int) -> bytes:
    """The 44-byte header of a 16-bit PCM WAV holding ``data_size`` bytes of samples."""
    block = channels * 2
    data_size = min(data_size, RIFF_LIMIT - 36)  # players read the data to its end anyway
    return b"".join(
        (
            b"RIFF",
            struct.pack("<I", 36 + data_size + (data_size & 1)),
            b"WAVE",
            b"fmt ",
            struct.pack(
                "<IHHIIHH", 16, FORMAT_PCM, channels, sample_rate, sample_rate * block, block, 16
            ),
            b"data",
            struct.pack("<I", data_size),
        )
    )


PCM16_HEADER_SIZE = 44
RIFF_LIMIT = 0xFFFF_FFFE
"""The biggest RIFF size a 32-bit field holds (even)."""
