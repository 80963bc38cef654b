"""The audio of one call fetched by its call id (downloadRecord), outside the loaded index.

The TUI's "go to call id" fetches a call that has no index row into a private folder
(:func:`fetch_call_audio`): one WAV, or the WAVs of the zip CC-FS sends for a call with
several recordings. :func:`save_call_audio` copies them into the download folder when the
user asks (``<callId>.wav``, or the folder ``<callId>/`` for several), the way
``ccfs-tui download --call-id`` names them, each file written atomically (0600, never
through a link).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ccfs_tui.core.atomic import private_dir
from ccfs_tui.core.download_files import PartialFile, check_destination, folder_error
from ccfs_tui.core.record_zip import check_folder_target, safe_member_name

if TYPE_CHECKING:
    from ccfs_tui.core.client import CcfsClient, Progress

_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class CallAudio:
    """The recordings of one call, as fetched (the WAVs in a private folder)."""

    call_id: str
    files: tuple[Path, ...]
    skipped: tuple[str, ...] = ()
    """Members of CC-FS's zip that were not WAVs (not extracted; shown with ``visible``)."""

    @property
    def stem(self) -> str:
        """The call id as a safe file name stem (the name of its copies)."""
        return call_stem(self.call_id)


def call_stem(call_id: str) -> str:
    """``call_id`` as a file name stem: ``A-Za-z0-9._-`` only, no leading dot."""
    return safe_member_name(f"{call_id}.wav").removesuffix(".wav") or "call"


async def fetch_call_audio(
    client: CcfsClient,
    call_id: str,
    folder: Path,
    *,
    cc_id: str = "",
    progress: Progress | None = None,
) -> CallAudio:
    """downloadRecord ``call_id`` into a new private folder inside ``folder``.

    Raises what :meth:`CcfsClient.download_record` raises (0300012: no recording was found
    for that call id yet); nothing is left behind then."""
    work = Path(tempfile.mkdtemp(prefix="call-", dir=private_dir(folder)))
    stem = call_stem(call_id)
    target = work / stem
    try:
        done = await client.download_record(
            call_id=call_id, cc_id=cc_id, dest=target, overwrite=True, progress=progress
        )
    except BaseException:
        _remove_tree(work)
        raise
    files = list(done.files)
    if files == [target]:  # one WAV: it was saved under the bare stem
        wav = work / f"{stem}.wav"
        os.replace(target, wav)
        files = [wav]
    return CallAudio(call_id, tuple(sorted(files)), tuple(done.skipped))


def save_call_audio(call: CallAudio, download_dir: Path) -> list[Path]:
    """Copy ``call``'s WAVs into ``download_dir``: ``<stem>.wav`` for one, the folder
    ``<stem>/`` for several; an earlier copy of the same call is replaced. Returns the
    copies. Raises ``CcfsError`` for a target that must not be written (a link, a folder in
    the way ...)."""
    if len(call.files) == 1:
        targets = [download_dir / f"{call.stem}.wav"]
        try:
            private_dir(download_dir)
        except OSError as exc:
            raise folder_error(download_dir, exc) from None
    else:
        folder = download_dir / call.stem
        check_folder_target(folder, overwrite=True)
        try:
            private_dir(folder)
        except OSError as exc:
            raise folder_error(folder, exc) from None
        targets = [folder / source.name for source in call.files]
    for source, target in zip(call.files, targets, strict=True):
        _copy(source, target)
    return targets


def _copy(source: Path, target: Path) -> None:
    check_destination(target, overwrite=True)
    part = PartialFile(target)
    try:
        with open(source, "rb") as handle:
            for data in iter(lambda: handle.read(_CHUNK), b""):
                part.write(data)
        part.commit(overwrite=True)
    finally:
        part.discard()


def _remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def remove_call_folder(folder: Path) -> None:
    """Remove a private folder of fetched calls (nothing if it is gone)."""
    _remove_tree(folder)
