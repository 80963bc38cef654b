"""The zip of a call's recordings is extracted safely: only .wav members, base names only,
no links, a size limit that a forged header cannot hide, a new folder, nothing replaced
without --force, nothing left behind on failure."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from ccfs_tui.core.errors import CcfsBadReplyError, CcfsDestinationError
from ccfs_tui.core.record_zip import extract_wavs, safe_member_name

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)


def make_zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_only_wavs_under_their_base_names_in_a_new_private_folder(tmp_path: Path) -> None:
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    archive = make_zip(
        tmp_path / "r.zip",
        {
            "../../escape.wav": WAV,
            "/etc/abs.WAV": WAV,
            "C:\\rec\\drive.wav": WAV,
            "sub/dir/one.wav": WAV,
            "other/one.wav": WAV + b"2",
            ".hidden.wav": WAV,
            "readme.txt": b"hello",
            "run.sh": b"#!/bin/sh",
        },
        links={"link.wav": "/etc/passwd"},
    )
    target = tmp_path / "out" / "call-1"
    done = extract_wavs(archive, target, max_bytes=1 << 20)
    assert listing(target) == [
        "abs.WAV",
        "drive.wav",
        "escape.wav",
        "hidden.wav",
        "one.wav",
        "one_2.wav",
    ]
    assert done.files == [
        target / n
        for n in ("escape.wav", "abs.WAV", "drive.wav", "one.wav", "one_2.wav", "hidden.wav")
    ]
    assert sorted(done.skipped) == ["link.wav", "readme.txt", "run.sh"]
    assert (target / "one_2.wav").read_bytes() == WAV + b"2"
    assert not (tmp_path / "escape.wav").exists() and not (tmp_path.parent / "escape.wav").exists()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in done.files)
    assert listing(target.parent) == ["call-1"]  # no work folder left


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("a/b/../c.wav", "c.wav"),
        ("..", "recording.wav"),
        ("x y\x1b[2J.wav", "x_y__2J.wav"),
        ("Z:rec.wav", "rec.wav"),
    ],
)
def test_member_names(name: str, safe: str) -> None:
    assert safe_member_name(name) == safe


def test_declared_and_real_sizes_over_the_limit_write_nothing(tmp_path: Path) -> None:
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    archive = make_zip(tmp_path / "big.zip", {"a.wav": WAV + bytes(4000), "b.wav": WAV})
    with pytest.raises(CcfsBadReplyError, match="max_download_mb"):
        extract_wavs(archive, tmp_path / "out", max_bytes=2000)
    # a header that lies about the size: the inflated bytes are counted
    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.wav", WAV + bytes(100_000))
    data = bytearray(liar.read_bytes())
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(header)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")  # uncompressed size
    liar.write_bytes(bytes(data))
    with pytest.raises(CcfsBadReplyError):
        extract_wavs(liar, tmp_path / "out", max_bytes=50_000)
    assert listing(tmp_path) == ["big.zip", "liar.zip"]


def test_an_existing_target_needs_force_and_force_replaces_same_names_only(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "r.zip", {"a.wav": WAV, "b.wav": WAV})
    target = tmp_path / "call"
    target.mkdir()
    (target / "a.wav").write_bytes(b"old")
    (target / "keep.txt").write_bytes(b"mine")
    with pytest.raises(CcfsDestinationError, match="already exists"):
        extract_wavs(archive, target, max_bytes=1 << 20)
    assert (target / "a.wav").read_bytes() == b"old"
    extract_wavs(archive, target, max_bytes=1 << 20, overwrite=True)
    assert listing(target) == ["a.wav", "b.wav", "keep.txt"]
    assert (target / "a.wav").read_bytes() == WAV


def test_a_link_or_a_file_as_target_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "r.zip", {"a.wav": WAV})
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "file").write_bytes(b"x")
    for name in ("link", "file"):
        with pytest.raises(CcfsDestinationError):
            extract_wavs(archive, tmp_path / name, max_bytes=1 << 20, overwrite=True)
    assert listing(tmp_path / "elsewhere") == []


def test_no_wav_or_a_damaged_zip_is_a_bad_reply(tmp_path: Path) -> None:
    with pytest.raises(CcfsBadReplyError, match=r"no \.wav"):
        extract_wavs(make_zip(tmp_path / "t.zip", {"a.txt": b"x"}), tmp_path / "o", max_bytes=99)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + bytes(30))
    with pytest.raises(CcfsBadReplyError, match="cannot be read"):
        extract_wavs(broken, tmp_path / "o", max_bytes=99)
    assert not (tmp_path / "o").exists()
