"""Where a download is written, and how, so that nobody else's file is ever touched.

- :func:`download_name`: the local name of a recording, unique per CC-FS ``fileName``.
- :func:`check_destination`: refuses a folder, a symbolic link, a device, FIFO or socket,
  and (unless asked to replace it) an existing file, before any request is sent.
- :class:`PartialFile`: the bytes go to a hidden partial file with a random name, created
  exclusively, never through a link, mode 0600, in the target's own folder; it becomes the
  final name only when complete (``link`` when an existing file must not be replaced,
  ``rename`` when it may), and is removed on any failure.
- :func:`remove_stale_parts`: partial files that a killed ccfs-tui left behind are removed
  on the next download into that folder (see its rules).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import stat
import tempfile
import time
from pathlib import Path, PurePosixPath

from ccfs_tui.core.atomic import fsync_dir
from ccfs_tui.core.errors import CcfsDestinationError, CcfsError
from ccfs_tui.core.recording import normalize_file_name
from ccfs_tui.core.sanitize import visible

STALE_PART_AGE = 24 * 3600.0
"""Seconds after which any partial file of ccfs-tui is removed, whoever wrote it."""

PART_SUFFIX = ".part"
_NAME_ROOM = 100  # characters of the final name kept in a partial file's name


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


HOST_TAG = _host_tag()
"""8 hex characters naming this machine in partial-file names (a folder may be shared)."""

_PART_RE = re.compile(
    r"^\.(?P<name>.+)\.(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[a-z0-9_]{6,}"
    + re.escape(PART_SUFFIX)
    + r"$"
)


def download_name(file_name: str) -> str:
    """Local name of a recording: a readable tail plus 8 hex of the full ``fileName``.

    ``Y:/1/0/20260301/1001/0903379.V3`` -> ``20260301_1001_0903379_<hash8>.wav``. Two
    recordings whose last three path parts are the same (another drive, VDN or direction)
    get different names; the same recording always gets the same one.
    """
    normalized = normalize_file_name(file_name)
    parts = [p for p in PurePosixPath(normalized).parts if p not in ("/", "")]
    stem = "_".join([*parts[-3:-1], PurePosixPath(parts[-1]).stem]) if parts else "recording"
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in stem)
    safe = safe.strip(".")[:80] or "recording"
    digest = hashlib.sha256(normalized.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{safe}_{digest}.wav"


def _shown(path: Path) -> str:
    return visible(str(path))


def check_destination(dest: Path, *, overwrite: bool) -> None:
    """Raise :class:`CcfsDestinationError` when ``dest`` must not be written.

    Refused: a folder, a symbolic link (never followed, whatever it points at), a device,
    FIFO or socket, and an existing regular file unless ``overwrite``. A missing file is
    fine (its folder is created later).
    """
    try:
        info = os.lstat(dest)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        return  # a file is in the way of the folder: reported when the folder is made
    except OSError as exc:
        raise CcfsDestinationError(
            f"Cannot check {_shown(dest)}: {exc.strerror or type(exc).__name__}.",
            "Choose another file with -o.",
        ) from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise CcfsDestinationError(
            f"{_shown(dest)} is a folder, not a file name.",
            f"Give a file name inside it, e.g. -o {_shown(dest / 'call.wav')}.",
        )
    if stat.S_ISLNK(mode):
        raise CcfsDestinationError(
            f"{_shown(dest)} is a symbolic link; ccfs-tui never writes through a link.",
            "Remove the link, or choose another file name.",
        )
    if not stat.S_ISREG(mode):
        kind = (
            "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a FIFO"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise CcfsDestinationError(
            f"{_shown(dest)} is {kind}; ccfs-tui writes only regular files.",
            "Choose a file name, or -o - to write the audio to standard output.",
        )
    if not overwrite:
        raise CcfsDestinationError(
            f"{_shown(dest)} already exists.",
            "Add --force to replace it, or choose another file name.",
        )


def folder_error(folder: Path, exc: OSError) -> CcfsError:
    """The error for a download folder that cannot be made or written."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a file is in the way (it is not a folder)"
    else:
        reason = exc.strerror or type(exc).__name__
    return CcfsError(
        f"Cannot save the download in {_shown(folder)}: {reason}.",
        "Choose another file with -o, or set download_dir in the profile to a folder you "
        "can write.",
    )


class PartialFile:
    """A download in progress: a private partial file that becomes ``dest`` when complete."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        prefix = f".{dest.name[:_NAME_ROOM]}.{HOST_TAG}-{os.getpid()}-"
        try:
            # mkstemp: O_CREAT | O_EXCL | O_NOFOLLOW, mode 0600, a random name
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=PART_SUFFIX, dir=dest.parent)
        except OSError as exc:
            raise folder_error(dest.parent, exc) from None
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._open = True

    def write(self, data: bytes) -> None:
        """Append ``data``."""
        self._file.write(data)

    def flush(self) -> None:
        """Put what was written on disk (to read it back from :attr:`path` before commit)."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def head(self, size: int = 8) -> bytes:
        """The first ``size`` bytes written (after :meth:`flush`)."""
        with open(self.path, "rb") as handle:
            return handle.read(size)

    def commit(self, *, overwrite: bool) -> Path:
        """Flush to disk and give the file its final name; returns it.

        The final name is checked again (a link or a file may have appeared meanwhile):
        without ``overwrite`` the file is hard-linked to it, which fails if anything is
        there; with it, a regular file is replaced by ``rename`` (which replaces the
        directory entry, never what a link points at).
        """
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._close()
        check_destination(self.dest, overwrite=overwrite)
        try:
            if overwrite:
                os.replace(self.path, self.dest)
            else:
                try:
                    os.link(self.path, self.dest, follow_symlinks=False)
                except FileExistsError:
                    check_destination(self.dest, overwrite=False)  # raises with the reason
                    raise
                except OSError:  # a filesystem without hard links: check, then rename
                    check_destination(self.dest, overwrite=False)
                    os.replace(self.path, self.dest)
        except CcfsError:
            raise
        except OSError as exc:
            raise folder_error(self.dest.parent, exc) from None
        finally:
            self.discard()
        fsync_dir(self.dest.parent)
        return self.dest

    def discard(self) -> None:
        """Close and remove the partial file (idempotent)."""
        self._close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def _close(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(OSError):
                self._file.close()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or not allowed to ask: assume it runs
        return True
    return True


def remove_stale_parts(folder: Path, *, max_age: float = STALE_PART_AGE) -> list[Path]:
    """Remove partial files of ccfs-tui that no running download owns; returns them.

    Only names of the form ``.<name>.<host>-<pid>-<random>.part`` are considered, only
    regular files (never a link) owned by this user. One is removed when it was written on
    this machine by a process that no longer exists, or when it is older than ``max_age``
    (one day: a running download writes to its file at least every ``read_timeout`` or is
    aborted; another machine's pid cannot be checked). A pid reused by another process only
    keeps the file until it is a day old.
    """
    removed: list[Path] = []
    now = time.time()
    uid = os.getuid()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _PART_RE.match(entry.name)
        if match is None:
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
                continue
            dead = match["host"] == HOST_TAG and not _pid_alive(int(match["pid"]))
            if dead or now - info.st_mtime > max_age:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
