"""Safe extraction of the zip downloadRecord sends when a call has several recordings.

The zip comes from a server, so nothing in it is trusted:

* only members whose name ends in ``.wav`` (any case) are extracted; others are counted
  and skipped, and so are directories, symbolic links and other special members;
* a member is written under its base name only (``../../x.wav``, ``/abs/x.wav`` and
  ``C:\\x.wav`` all become ``x.wav``), with any character outside ``A-Za-z0-9._-`` replaced by
  ``_`` and no leading dot; two members with the same name get ``_2``, ``_3`` ...;
* the total of what is written is capped (the declared sizes are checked first, then the
  bytes really inflated, which a forged header cannot hide), and so is the member count;
* everything goes into a new private folder next to the target (random name, 0700, files
  0600, created exclusively) that becomes the target folder only when complete; without
  ``overwrite`` the target must not exist, with it the files replace same-named files in an
  existing folder (never through a link). On any failure nothing is left behind.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ccfs_tui.core.atomic import fsync_dir
from ccfs_tui.core.errors import CcfsBadReplyError, CcfsDestinationError
from ccfs_tui.core.sanitize import visible

MAX_MEMBERS = 1000
"""Zip members looked at; a zip with more is refused."""
_CHUNK = 256 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(slots=True)
class Extracted:
    """What :func:`extract_wavs` wrote, and what it left out."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Names of members that were not extracted (shown with :func:`visible`)."""


def safe_member_name(name: str) -> str:
    """The base name a member is written under (see the module's rules)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = base.rsplit(":", 1)[-1]  # a drive letter
    safe = _UNSAFE.sub("_", base).lstrip(".")
    return safe or "recording.wav"


def _is_link_or_special(info: zipfile.ZipInfo) -> bool:
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0: no Unix type recorded (a plain file)
    return kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def _unique(name: str, taken: set[str]) -> str:
    if name.casefold() not in taken:
        taken.add(name.casefold())
        return name
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, f".{ext}") if dot else (name, "")
    n = 2
    while f"{stem}_{n}{ext}".casefold() in taken:
        n += 1
    taken.add(f"{stem}_{n}{ext}".casefold())
    return f"{stem}_{n}{ext}"


def check_folder_target(folder: Path, *, overwrite: bool) -> None:
    """Raise :class:`CcfsDestinationError` when the WAVs of a zip must not go to ``folder``."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CcfsDestinationError(
            f"Cannot check {visible(str(folder))}: {exc.strerror or type(exc).__name__}.",
            "Choose another folder with -o.",
        ) from None
    shown = visible(str(folder))
    if stat.S_ISLNK(info.st_mode):
        raise CcfsDestinationError(
            f"{shown} is a symbolic link; ccfs-tui never writes through a link.",
            "Remove the link, or choose another folder with -o.",
        )
    if not stat.S_ISDIR(info.st_mode):
        raise CcfsDestinationError(
            f"{shown} exists and is not a folder; the call's recordings go into a folder.",
            "Choose another name with -o.",
        )
    if not overwrite:
        raise CcfsDestinationError(
            f"{shown} already exists.",
            "Add --force to replace same-named recordings in it, or choose another folder.",
        )


def extract_wavs(
    archive_path: Path, target: Path, *, max_bytes: int, overwrite: bool = False
) -> Extracted:
    """Extract the WAV members of ``archive_path`` into the folder ``target``.

    Raises :class:`CcfsBadReplyError` for a zip that cannot be read, holds no WAV, holds
    more than :data:`MAX_MEMBERS` members or more than ``max_bytes`` of WAV data, and
    :class:`CcfsDestinationError` for a target that must not be written (see
    :func:`check_folder_target`).
    """
    check_folder_target(target, overwrite=overwrite)
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CcfsBadReplyError(
            f"CC-FS sent a zip that cannot be read ({type(exc).__name__}).",
            "Retry; if it persists, report it with the call id.",
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CcfsBadReplyError(
                f"CC-FS sent a zip of {len(infos)} members; ccfs-tui reads at most {MAX_MEMBERS}.",
                "Download the recordings one by one (ccfs-tui download FILE_NAME).",
            )
        wavs: list[zipfile.ZipInfo] = []
        skipped: list[str] = []
        for info in infos:
            if info.is_dir():
                continue
            if _is_link_or_special(info) or not info.filename.casefold().endswith(".wav"):
                skipped.append(visible(info.filename, 120))
            else:
                wavs.append(info)
        if not wavs:
            raise CcfsBadReplyError(
                "CC-FS sent a zip with no .wav recording in it"
                + (f" (members: {', '.join(skipped[:5])})." if skipped else "."),
                "Retry; if it persists, report it with the call id.",
            )
        declared = sum(info.file_size for info in wavs)
        if declared > max_bytes:
            raise _too_big(max_bytes)
        return _extract(archive, wavs, skipped, target, max_bytes, overwrite)


def _too_big(max_bytes: int) -> CcfsBadReplyError:
    return CcfsBadReplyError(
        f"The call's recordings hold more than max_download_mb ({max_bytes >> 20} MB); "
        "nothing was written.",
        "If they are really that big, raise max_download_mb in the profile "
        "(or CCFS_MAX_DOWNLOAD_MB).",
    )


def _extract(
    archive: zipfile.ZipFile,
    wavs: list[zipfile.ZipInfo],
    skipped: list[str],
    target: Path,
    max_bytes: int,
    overwrite: bool,
) -> Extracted:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name[:80]}.", suffix=".part", dir=target.parent))
    try:
        taken: set[str] = set()
        written = 0
        names: list[str] = []
        for info in wavs:
            name = _unique(safe_member_name(info.filename), taken)
            fd = os.open(work / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as out:
                try:
                    with archive.open(info) as member:
                        while chunk := member.read(_CHUNK):
                            written += len(chunk)
                            if written > max_bytes:
                                raise _too_big(max_bytes)
                            out.write(chunk)
                except (
                    zipfile.BadZipFile,
                    OSError,
                    EOFError,
                    ValueError,
                    NotImplementedError,
                    RuntimeError,
                ) as exc:
                    raise CcfsBadReplyError(
                        f"A recording in the zip from CC-FS is damaged "
                        f"({visible(info.filename, 120)}: {type(exc).__name__}).",
                        "Retry; if it persists, report it with the call id.",
                    ) from None
                out.flush()
                os.fsync(out.fileno())
            names.append(name)
        return Extracted(
            _place(work, names, target, overwrite), [target / n for n in names], skipped
        )
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _place(work: Path, names: list[str], target: Path, overwrite: bool) -> Path:
    """Give the finished folder its name (or move its files into an existing folder)."""
    try:
        os.rename(work, target)  # fails if target exists (as a non-empty folder or a file)
    except OSError:
        check_folder_target(target, overwrite=overwrite)  # raises with the reason
        if not os.path.isdir(target):
            raise
        for name in names:
            final = target / name
            if os.path.lexists(final) and (os.path.islink(final) or os.path.isdir(final)):
                raise CcfsDestinationError(
                    f"{visible(str(final))} is a link or a folder; it was not replaced.",
                    "Remove it, or choose another folder with -o.",
                ) from None
            os.replace(work / name, final)
    fsync_dir(target.parent)
    return target
