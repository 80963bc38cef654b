"""The emulator's parts without a server: A-law audio, faults, catalogue, certificate."""

from __future__ import annotations

import ipaddress
import math
import stat
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from ccfs_tui.emulator import Catalogue, CatalogueEntry, Faults
from ccfs_tui.emulator.audio import (
    alaw_samples,
    alaw_to_linear,
    linear_to_alaw,
    make_wav,
    parse_wav_header,
    wav_header,
)
from ccfs_tui.emulator.codes import DESCRIPTIONS, EMULATOR_CODES, describe
from ccfs_tui.emulator.tls import load_or_make_certificate, make_certificate

# ---- A-law ---------------------------------------------------------------------------------


def test_alaw_known_values() -> None:
    # G.711 A-law: even bits inverted (0x55), sign bit set for positive values.
    assert linear_to_alaw(0) == 0xD5
    assert linear_to_alaw(-1) == 0x55
    assert linear_to_alaw(32767) == 0xAA
    assert linear_to_alaw(-32768) == 0x2A
    assert alaw_to_linear(0xD5) == 8
    assert alaw_to_linear(0x55) == -8
    assert alaw_to_linear(0xAA) == 32256
    assert alaw_to_linear(0x2A) == -32256


def test_alaw_round_trip_error_is_within_one_quantisation_step() -> None:
    for sample in range(-32768, 32768, 3):
        decoded = alaw_to_linear(linear_to_alaw(sample))
        magnitude = abs(sample) >> 3
        segment = max(0, magnitude.bit_length() - 5)  # 13-bit magnitude -> segment 0..7
        step = 16 if segment == 0 else 16 << (segment - 1)
        assert abs(decoded - sample) <= step, sample


def test_alaw_matches_the_stdlib_codec_where_it_still_exists() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    pcm = b"".join(s.to_bytes(2, "little", signed=True) for s in range(-32768, 32768, 5))
    ours = bytes(linear_to_alaw(int.from_bytes(pcm[i : i + 2], "little", signed=True))
                 for i in range(0, len(pcm), 2))  # fmt: skip
    assert ours == audioop.lin2alaw(pcm, 2)
    decoded = audioop.alaw2lin(bytes(range(256)), 2)
    assert [alaw_to_linear(c) for c in range(256)] == [
        int.from_bytes(decoded[i : i + 2], "little", signed=True) for i in range(0, 512, 2)
    ]


@pytest.mark.parametrize(("duration", "seconds"), [(0.0, 1), (0.4, 1), (12.5, 12.5), (1200, 1200)])
def test_wav_header_is_canonical_non_pcm(duration: float, seconds: float) -> None:
    data = make_wav("Y:/1/0/20261120/1001/0000001.V3", duration)
    info = parse_wav_header(data)
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    assert info == {
        "riff_size": len(data) - 8,
        "format_tag": 6,
        "channels": 1,
        "sample_rate": 8000,
        "byte_rate": 8000,
        "block_align": 1,
        "bits_per_sample": 8,
        "fmt_size": 18,
        "cb_size": 0,
        "fact_samples": round(seconds * 8000),
        "data_offset": 58,
        "data_size": round(seconds * 8000),
    }


def test_odd_data_size_is_padded() -> None:
    header = wav_header(3)
    assert parse_wav_header(header + b"\xd5\xd5\xd5\x00")["riff_size"] == len(header) + 4 - 8


def test_audio_is_deterministic_and_not_silence() -> None:
    a = alaw_samples("Y:/1/0/20261120/1001/0000001.V3", 5.0)
    assert a == alaw_samples("Y:/1/0/20261120/1001/0000001.V3", 5.0)
    assert a != alaw_samples("Y:/1/0/20261120/1001/0000002.V3", 5.0)
    samples = [alaw_to_linear(c) for c in a]
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert 500 < rms < 20000
    assert len(set(a)) > 50


def test_parse_wav_header_refuses_other_files() -> None:
    with pytest.raises(ValueError):
        parse_wav_header(b'{"resultCode":"0399003"}')


# ---- faults --------------------------------------------------------------------------------


def test_faults_take_counts_times_then_clears() -> None:
    faults = Faults()
    assert faults.take("playVoice") is None and not faults.active
    faults.set(latency=0.5, status=502, times=2)
    first, second, third = (faults.take("requestPlayVoice") for _ in range(3))
    assert first is not None and first.names() == ["latency", "status"]
    assert second == first and third is None
    assert faults == Faults()


def test_faults_endpoints_filter_and_do_not_count_other_endpoints() -> None:
    faults = Faults().set(drop=True, times=1, endpoints=["playVoice"])
    assert faults.endpoints == frozenset({"playVoice"})
    assert faults.take("requestPlayVoice") is None
    plan = faults.take("playVoice")
    assert plan is not None and plan.drop
    assert faults.take("playVoice") is None


def test_faults_direct_assignment_and_clear() -> None:
    faults = Faults()
    faults.result_code = "0300008"
    plan = faults.take("downloadRecord")
    assert plan is not None and plan.result_code == "0300008" and plan.names() == ["result_code"]
    faults.clear()
    assert not faults.active


# ---- codes ---------------------------------------------------------------------------------


def test_every_code_has_a_description() -> None:
    for code in EMULATOR_CODES:
        assert code.startswith("0399") and code in DESCRIPTIONS
    assert "flow control" in describe("0300008") and describe("12345") == "error 12345"


# ---- catalogue -----------------------------------------------------------------------------


def _entry(n: int, call: str = "c1", owner: str = "ak") -> CatalogueEntry:
    return CatalogueEntry(
        f"/10/1/record/100/1001/{n:07d}.wav", f"Y:\\1\\0\\20261120\\1001\\{n:07d}.V3",
        call, "1", owner, 30.0,
    )  # fmt: skip


def test_catalogue_lookups() -> None:
    catalogue = Catalogue([_entry(1), _entry(2), _entry(3, call="c2")])
    assert len(catalogue) == 3
    one = catalogue.by_play_name("Y:/1/0/20261120/1001/0000001.V3")
    assert one is not None and one.original_file_name == "Y:/1/0/20261120/1001/0000001.V3"
    assert catalogue.by_play_name("Y:\\1\\0\\20261120\\1001\\0000001.V3") == one
    assert catalogue.by_file_name("/10/1/record/100/1001/0000001.wav") == one
    assert catalogue.by_file_name("/nope.wav") is None
    assert [e.wav_name for e in catalogue.by_call("c1", "1")] == ["0000001.wav", "0000002.wav"]
    assert catalogue.by_call("c1", "2") == []
    assert "Y:/1/0/20261120/1001/0000003.V3" in catalogue


def test_catalogue_re_adding_replaces() -> None:
    catalogue = Catalogue([_entry(1)])
    catalogue.add(_entry(1, owner="other"))
    assert len(catalogue) == 1 and len(catalogue.by_call("c1", "1")) == 1
    assert catalogue.by_file_name("/10/1/record/100/1001/0000001.wav").owner == "other"  # type: ignore[union-attr]


def test_catalogue_from_recordings(emulator_recordings: list) -> None:
    owned = Catalogue.from_recordings(emulator_recordings, "someone")
    by_developer = Catalogue.from_recordings(emulator_recordings)
    rec = emulator_recordings[0]
    assert len(owned) == len(emulator_recordings)
    entry = owned.by_play_name(rec.original_file_name)
    assert entry is not None and entry.owner == "someone"
    assert entry.duration == rec.duration.total_seconds() and entry.file_name == rec.file_name
    assert by_developer.by_file_name(rec.file_name).owner == rec.developer  # type: ignore[union-attr]


# ---- certificate ---------------------------------------------------------------------------


def test_certificate_names_validity_and_key_mode(tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    pair = make_certificate(tmp_path / "tls", now=now)
    cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)] == [
        "localhost"
    ]
    assert timedelta(days=364) < cert.not_valid_after_utc - now <= timedelta(days=366)
    assert stat.S_IMODE(pair.key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" not in pair.cert.read_bytes()


def test_certificate_is_reused_while_valid(tmp_path: Path) -> None:
    first = load_or_make_certificate(tmp_path)
    pem = first.cert.read_bytes()
    assert load_or_make_certificate(tmp_path).cert.read_bytes() == pem
    late = datetime.now(UTC) + timedelta(days=365)
    assert load_or_make_certificate(tmp_path, now=late).cert.read_bytes() != pem
