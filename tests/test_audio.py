"""Audio core: G.711 decoding against known values, the WAV reader on good, cut and hostile
files, the waveform of known audio."""

from __future__ import annotations

import math
import struct
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccfs_tui.core.audio.alaw import ALAW_TO_PCM16, ULAW_TO_PCM16, decode_alaw, decode_ulaw
from ccfs_tui.core.audio.decode import pcm16_decoder
from ccfs_tui.core.audio.wav import (
    MAX_CHUNKS,
    WavError,
    iter_data,
    pcm16_header,
    read_wav_info,
    wav_info,
)
from ccfs_tui.core.audio.waveform import SILENCE_PEAK, compute_waveform, format_duration
from ccfs_tui.emulator.audio import linear_to_alaw, make_wav, wav_header

# ---- G.711 ----------------------------------------------------------------------------

# (code, sample) pairs of ITU-T G.711 A-law: the smallest step each side of zero, the
# segment limits and full scale (even bits inverted, sign bit 1 = positive).
ALAW_KNOWN = [
    (0xD5, 8),
    (0x55, -8),
    (0xD4, 24),
    (0xC5, 264),  # first value of segment 1
    (0xA5, 16896),  # first value of segment 7 (0x108 << 6)
    (0x80, 5504),
    (0x00, -5504),
    (0xAA, 32256),  # loudest positive code
    (0x2A, -32256),  # loudest negative code
]


@pytest.mark.parametrize(("code", "sample"), ALAW_KNOWN)
def test_alaw_known_values(code: int, sample: int) -> None:
    assert ALAW_TO_PCM16[code] == sample
    assert decode_alaw(bytes([code])) == struct.pack("<h", sample)


def test_alaw_table_is_complete_and_odd_symmetric() -> None:
    assert len(ALAW_TO_PCM16) == 256
    assert len(set(ALAW_TO_PCM16)) == 256  # no two codes give the same sample
    assert all(ALAW_TO_PCM16[c ^ 0x80] == -ALAW_TO_PCM16[c] for c in range(256))


def test_ulaw_known_values() -> None:
    assert ULAW_TO_PCM16[0xFF] == 0 and ULAW_TO_PCM16[0x7F] == 0
    assert ULAW_TO_PCM16[0x80] == 32124 and ULAW_TO_PCM16[0x00] == -32124
    assert ULAW_TO_PCM16[0xFE] == 8 and ULAW_TO_PCM16[0x7E] == -8
    assert decode_ulaw(b"\x80\x00") == struct.pack("<hh", 32124, -32124)


def test_tables_equal_the_old_audioop_where_it_still_exists() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")  # gone in Python 3.13
    every = bytes(range(256))
    assert decode_alaw(every) == audioop.alaw2lin(every, 2)
    assert decode_ulaw(every) == audioop.ulaw2lin(every, 2)


def test_decoding_an_encoded_tone_gives_the_tone_back() -> None:
    tone = [int(9000 * math.sin(2 * math.pi * i / 20)) for i in range(200)]
    decoded = struct.unpack(f"<{len(tone)}h", decode_alaw(bytes(map(linear_to_alaw, tone))))
    # A-law keeps about 12 bits: each sample within its quantisation step (1/32 of it)
    assert all(abs(d - t) <= max(16, abs(t) // 16) for d, t in zip(decoded, tone, strict=True))


def test_pcm8_and_pcm16_decoders() -> None:
    assert pcm16_decoder("pcm8")(bytes([0, 128, 255])) == struct.pack("<hhh", -32768, 0, 32512)
    assert pcm16_decoder("pcm16")(b"\x01\x02\x03") == b"\x01\x02"


# ---- WAV files ------------------------------------------------------------------------


def _write(tmp_path: Path, data: bytes, name: str = "rec.wav") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _chunk(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _fmt(tag: int = 1, channels: int = 1, rate: int = 8000, bits: int = 16) -> bytes:
    align = channels * bits // 8
    return _chunk(b"fmt ", struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits))


def test_reads_the_emulators_alaw_wav(tmp_path: Path) -> None:
    data = make_wav("X:/1/2.V3", 3.0)
    info = wav_info(_write(tmp_path, data))
    assert (info.encoding, info.channels, info.sample_rate) == ("alaw", 1, 8000)
    assert info.frames == 24000 and info.duration == pytest.approx(3.0)
    assert data[info.data_offset - 8 : info.data_offset - 4] == b"data"
    assert not info.truncated
    assert info.pcm16_size == 48000


def test_pcm16_header_reads_back(tmp_path: Path) -> None:
    samples = struct.pack("<4h", 1, -1, 300, -300)
    path = _write(tmp_path, pcm16_header(len(samples), 16000, 2) + samples)
    info = wav_info(path)
    assert (info.encoding, info.channels, info.sample_rate, info.frames) == ("pcm16", 2, 16000, 2)
    with path.open("rb") as handle:
        assert b"".join(iter_data(handle, info)) == samples


def test_extensible_format_and_metadata_chunks_before_data(tmp_path: Path) -> None:
    guid_tail = bytes.fromhex("000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, 8000, 8000, 1, 8, 22, 8, 0)
    fmt += struct.pack("<H", 6) + guid_tail  # SubFormat: A-law
    path = _write(
        tmp_path,
        _riff(_chunk(b"LIST", b"x" * 301), _chunk(b"fmt ", fmt), _chunk(b"data", b"\xd5" * 80)),
    )
    info = wav_info(path)
    assert info.encoding == "alaw" and info.frames == 80


def test_a_cut_download_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    whole = make_wav("X:/cut.V3", 2.0)
    info = wav_info(_write(tmp_path, whole[:5000]))
    assert info.truncated
    assert info.data_size == 5000 - info.data_offset
    assert info.declared_size == 16000


HOSTILE = {
    "not RIFF": b"MThd" + b"\x00" * 40,
    "empty": b"",
    "RIFF without WAVE": b"RIFF\x10\x00\x00\x00AVI " + b"\x00" * 8,
    "fmt claims 4 GB": _riff(b"fmt " + struct.pack("<I", 0xFFFFFFFF) + b"\x00" * 16),
    "fmt cut short": _riff(b"fmt " + struct.pack("<I", 16) + b"\x01\x00"),
    "data before fmt": _riff(_chunk(b"data", b"\x00" * 8), _fmt()),
    "no data chunk": _riff(_fmt()),
    "a chunk jumps past the end": _riff(_fmt(), b"junk" + struct.pack("<I", 0x7FFFFFFF)),
    "too many chunks": _riff(_fmt(), *[_chunk(b"junk", b"")] * (MAX_CHUNKS + 5)),
    "zero channels": _riff(_fmt(channels=0), _chunk(b"data", b"\x00" * 8)),
    "zero sample rate": _riff(_fmt(rate=0), _chunk(b"data", b"\x00" * 8)),
    "MP3 inside": _riff(_fmt(tag=0x55), _chunk(b"data", b"\x00" * 8)),
    "24-bit PCM": _riff(_fmt(bits=24), _chunk(b"data", b"\x00" * 9)),
    "no audio": _riff(_fmt(), _chunk(b"data", b"")),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_headers_give_one_clear_error_naming_the_file(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, HOSTILE[case], "call-42.wav")
    with pytest.raises(WavError) as caught:
        wav_info(path)
    message = str(caught.value)
    assert message.startswith("call-42.wav: ")
    assert "\n" not in message and len(message) < 300


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_after_the_riff_header_only_ever_raise_wav_error(tail: bytes) -> None:
    import io

    data = b"RIFF" + struct.pack("<I", len(tail) + 4) + b"WAVE" + tail
    try:
        info = read_wav_info(io.BytesIO(data), len(data))
    except WavError:
        return
    assert 0 < info.data_size <= len(data) - info.data_offset


# ---- waveform -------------------------------------------------------------------------


def _tone_then_silence(seconds: float = 2.0, amplitude: int = 8000) -> list[int]:
    count = int(8000 * seconds)
    tone = [int(amplitude * math.sin(2 * math.pi * 400 * i / 8000)) for i in range(count)]
    return tone + [0] * count


def test_waveform_of_a_tone_then_silence(tmp_path: Path) -> None:
    samples = _tone_then_silence()
    data = bytes(map(linear_to_alaw, samples))
    path = _write(tmp_path, wav_header(len(data)) + data)
    wave = compute_waveform(path, 40)
    assert wave is not None
    assert wave.duration == pytest.approx(4.0)
    assert wave.silence == pytest.approx(0.5, abs=0.01)
    assert len(wave.peaks) == 40
    assert all(p == pytest.approx(8000 / 32768, rel=0.05) for p in wave.peaks[:20])
    assert all(p * 32768 < SILENCE_PEAK for p in wave.peaks[20:])
    top, bottom = wave.rows(2)
    assert len(top) == len(bottom) == 40
    assert bottom[:20] == "█" * 20 and top[20:] == " " * 20
    assert bottom[20:] == "▁" * 20  # silence: the lowest block, still a visible line
    assert wave.summary == "0:04 · 50 % silence"


def test_waveform_reads_pcm16_the_same(tmp_path: Path) -> None:
    samples = _tone_then_silence(1.0)
    data = struct.pack(f"<{len(samples)}h", *samples)
    path = _write(tmp_path, pcm16_header(len(data), 8000, 1) + data)
    wave = compute_waveform(path, 10)
    assert wave is not None
    assert wave.silence == pytest.approx(0.5, abs=0.01)
    assert max(wave.peaks[:5]) == pytest.approx(8000 / 32768, rel=0.01)
    assert max(wave.peaks[5:]) == 0


def test_waveform_of_a_file_shorter_than_the_width_fills_every_column(tmp_path: Path) -> None:
    data = bytes(map(linear_to_alaw, [20000, 20000, 0, 0, 0]))
    wave = compute_waveform(_write(tmp_path, wav_header(len(data)) + data), 80)
    assert wave is not None
    assert len(wave.peaks) == 80 and wave.peaks[0] > 0.5 and wave.peaks[-1] < 0.001


def test_waveform_can_be_cancelled(tmp_path: Path) -> None:
    path = _write(tmp_path, make_wav("X:/c.V3", 3.0))
    assert compute_waveform(path, 40, cancelled=lambda: True) is None


def test_format_duration() -> None:
    assert format_duration(65.4) == "1:05"
    assert format_duration(3723) == "1:02:03"
