"""core.call_audio (a call's WAVs saved from the private folder) and cdr.cdr_sources (which
opened paths may hold CDR files)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from ccfs_tui.core.call_audio import CallAudio, call_stem, save_call_audio
from ccfs_tui.core.cdr import cdr_sources
from ccfs_tui.core.errors import CcfsError


def wavs(folder: Path, *names: str) -> tuple[Path, ...]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, name in enumerate(names):
        path = folder / name
        path.write_bytes(b"RIFF" + bytes([n]) * 100)
        paths.append(path)
    return tuple(paths)


def test_call_stem_keeps_a_safe_file_name() -> None:
    assert call_stem("1796012999-0302972") == "1796012999-0302972"
    assert call_stem("../../etc/x") == "x"
    assert call_stem(".hidden id") == "hidden_id"


def test_one_recording_is_saved_as_call_id_wav(tmp_path: Path) -> None:
    (source,) = wavs(tmp_path / "private", "a.wav")
    saved = save_call_audio(CallAudio("17-1", (source,)), tmp_path / "downloads")
    assert saved == [tmp_path / "downloads" / "17-1.wav"]
    assert saved[0].read_bytes() == source.read_bytes()
    assert saved[0].stat().st_mode & 0o777 == 0o600
    again = save_call_audio(CallAudio("17-1", (source,)), tmp_path / "downloads")
    assert again == saved  # the same call: replaced
    assert sorted(p.name for p in (tmp_path / "downloads").iterdir()) == ["17-1.wav"]


def test_several_recordings_go_to_a_folder(tmp_path: Path) -> None:
    sources = wavs(tmp_path / "private", "1.wav", "2.wav", "3.wav")
    saved = save_call_audio(CallAudio("17-2", sources), tmp_path / "downloads")
    folder = tmp_path / "downloads" / "17-2"
    assert saved == [folder / "1.wav", folder / "2.wav", folder / "3.wav"]
    assert [p.read_bytes() for p in saved] == [p.read_bytes() for p in sources]
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_link_in_the_way_is_refused_and_not_followed(tmp_path: Path) -> None:
    (source,) = wavs(tmp_path / "private", "a.wav")
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    os.symlink(victim, downloads / "17-3.wav")
    with pytest.raises(CcfsError, match="symbolic link"):
        save_call_audio(CallAudio("17-3", (source,)), downloads)
    assert victim.read_bytes() == b"keep"


def test_cdr_sources_are_folders_call_files_and_zips_with_a_call_member(tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    index = tmp_path / "x_record.csv"
    index.write_text("a\n")
    calls = tmp_path / "x_call.csv"
    calls.write_text("a\n")
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as archive:
        archive.writestr("b_record.csv", "a\n")
        archive.writestr("b_call.csv", "a\n")
    records_only = tmp_path / "records.zip"
    with zipfile.ZipFile(records_only, "w") as archive:
        archive.writestr("b_record.csv", "a\n")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    paths = [folder, index, calls, both, records_only, broken, tmp_path / "missing.zip"]
    assert cdr_sources(paths) == [folder, calls, both]
