"""The emulator's recordings last as long as their calls and sound like one: talk and pauses."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from io import BytesIO

import httpx
import pytest

from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import C2Auth
from ccfs_tui.emulator import Catalogue, CatalogueEntry, Emulator
from ccfs_tui.emulator.audio import (
    MAX_SECONDS,
    SILENCE_LIMIT,
    alaw_samples,
    alaw_to_linear,
    audio_seconds,
    parse_wav_header,
)

AK, SK = "audio-ak", "audio-sk-0123456789"
PREFIX = "/CCFS/resource/ccfs/"
DURATIONS = (3.0, 95.5, 1200.0)


def _entry(n: int, seconds: float, call_id: str | None = None) -> CatalogueEntry:
    name = f"{n:07d}"
    return CatalogueEntry(
        f"/10/1/record/100/1001/{name}.wav",
        f"Y:/1/0/20261120/1001/{name}.V3",
        call_id or f"1795000000-{name}",
        "1",
        AK,
        seconds,
    )


@pytest.fixture
def emu() -> Iterator[Emulator]:
    entries = [_entry(i, seconds) for i, seconds in enumerate(DURATIONS, 1)]
    entries += [_entry(10, 4.0, "1795000000-two"), _entry(11, 7.25, "1795000000-two")]
    emulator = Emulator(credentials={AK: Secret(SK)}, catalogue=Catalogue(entries)).start()
    try:
        yield emulator
    finally:
        emulator.stop()


def _post(emulator: Emulator, endpoint: str, msg: dict[str, object]) -> httpx.Response:
    with httpx.Client(
        base_url=emulator.base_url + PREFIX,
        auth=C2Auth(AK, Secret(SK)),
        headers={"Content-Type": "application/json;charset=UTF-8"},
        timeout=10,
    ) as c:
        body = json.dumps({"request": {"version": "2.0"}, "msgBody": msg})
        return c.post(endpoint, content=body)


def _data_seconds(wav: bytes) -> float:
    info = parse_wav_header(wav)
    assert (info["format_tag"], info["sample_rate"], info["channels"]) == (6, 8000, 1)
    assert info["data_offset"] + info["data_size"] <= len(wav)
    return info["data_size"] / 8000


@pytest.mark.parametrize("n", range(1, len(DURATIONS) + 1))
def test_a_download_lasts_as_long_as_the_call(emu: Emulator, n: int) -> None:
    entry = emu.catalogue.by_file_name(f"/10/1/record/100/1001/{n:07d}.wav")
    assert entry is not None
    response = _post(emu, "downloadRecordFile", {"fileName": entry.file_name})
    assert response.status_code == 200 and response.content[:4] == b"RIFF"
    assert _data_seconds(response.content) == entry.duration


def test_each_wav_in_a_calls_zip_lasts_as_long_as_its_recording(emu: Emulator) -> None:
    response = _post(emu, "downloadRecord", {"callId": "1795000000-two", "ccId": "1"})
    assert response.content[:2] == b"PK"
    with zipfile.ZipFile(BytesIO(response.content)) as archive:
        seconds = sorted(_data_seconds(archive.read(name)) for name in archive.namelist())
    assert seconds == [4.0, 7.25]


def _runs(samples: list[int], quiet: bool) -> list[int]:
    """Lengths of the runs of samples quieter (or not) than the silence limit."""
    runs, current = [], 0
    for sample in samples:
        if (abs(sample) < SILENCE_LIMIT) == quiet:
            current += 1
        elif current:
            runs.append(current)
            current = 0
    return runs + ([current] if current else [])


def test_the_audio_has_talk_and_silent_stretches() -> None:
    samples = [alaw_to_linear(c) for c in alaw_samples("Y:/1/0/20261120/1001/0000001.V3", 60.0)]
    pauses = [run for run in _runs(samples, quiet=True) if run >= 8000 // 2]
    assert len(pauses) >= 5  # pauses of half a second or more between turns
    assert sum(pauses) < len(samples) * 0.6  # ... and mostly talk
    loud = [s for s in samples if abs(s) > 4000]
    assert len(loud) > len(samples) // 10  # the talk is well above the pauses


def test_an_absurd_duration_is_capped() -> None:
    assert audio_seconds(10**7) == MAX_SECONDS == 2 * 3600
    assert audio_seconds(0) == 1.0
