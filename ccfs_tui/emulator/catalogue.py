"""The recordings an emulated CC-FS knows, indexed three ways for O(1) look-ups."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from ccfs_tui.core.recording import Recording, normalize_file_name


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One stored recording.

    ``original_file_name`` is kept with ``/`` separators (the requestPlayVoice form);
    ``file_name`` is the index's ``file_name`` (the downloadRecordFile form). ``recording``
    is its whole index line when known: only such entries go into bill files
    (queryBillData / downloadBillFile), which need their times and numbers.
    """

    file_name: str
    original_file_name: str
    call_id: str
    cc_id: str
    owner: str
    duration: float
    recording: Recording | None = field(default=None, compare=False, repr=False)

    @property
    def wav_name(self) -> str:
        """The name a download of this recording carries (``0903379.wav``)."""
        base = self.file_name.rsplit("/", 1)[-1] or self.original_file_name.rsplit("/", 1)[-1]
        stem = base.rsplit(".", 1)[0] if "." in base else base
        return f"{stem}.wav"


class Catalogue:
    """Recordings by play name, by download name and by (cc_id, call_id). Thread-safe adds."""

    def __init__(self, entries: Iterable[CatalogueEntry] = ()) -> None:
        self._lock = threading.Lock()
        self._by_play: dict[str, CatalogueEntry] = {}
        self._by_file: dict[str, CatalogueEntry] = {}
        self._by_call: dict[tuple[str, str], list[CatalogueEntry]] = {}
        self._cc_ids: dict[str, set[str]] = {}
        for entry in entries:
            self.add(entry)

    @classmethod
    def from_recordings(
        cls, recordings: Iterable[Recording], owner_app_id: str | None = None
    ) -> Catalogue:
        """A catalogue of ``recordings``, owned by ``owner_app_id`` (default: each developer)."""
        return cls(
            CatalogueEntry(
                file_name=rec.file_name,
                original_file_name=normalize_file_name(rec.original_file_name),
                call_id=rec.call_id,
                cc_id=rec.cc_id,
                owner=owner_app_id if owner_app_id is not None else rec.developer,
                duration=rec.duration.total_seconds(),
                recording=rec,
            )
            for rec in recordings
        )

    def add(self, entry: CatalogueEntry) -> None:
        """Store ``entry`` (a later entry with the same names replaces the earlier one)."""
        entry = _normalized(entry)
        with self._lock:
            old = self._by_play.get(entry.original_file_name)
            if old is not None:
                self._forget(old)
            old = self._by_file.get(entry.file_name)
            if old is not None:
                self._forget(old)
            self._by_play[entry.original_file_name] = entry
            self._by_file[entry.file_name] = entry
            self._by_call.setdefault((entry.cc_id, entry.call_id), []).append(entry)
            self._cc_ids.setdefault(entry.call_id, set()).add(entry.cc_id)

    def _forget(self, entry: CatalogueEntry) -> None:
        self._by_play.pop(entry.original_file_name, None)
        self._by_file.pop(entry.file_name, None)
        calls = self._by_call.get((entry.cc_id, entry.call_id), [])
        if entry in calls:
            calls.remove(entry)
        if not calls:
            self._by_call.pop((entry.cc_id, entry.call_id), None)
            cc_ids = self._cc_ids.get(entry.call_id, set())
            cc_ids.discard(entry.cc_id)
            if not cc_ids:
                self._cc_ids.pop(entry.call_id, None)

    def by_play_name(self, name: str) -> CatalogueEntry | None:
        """Look up a requestPlayVoice / downloadRecord fileName (either slash form)."""
        return self._by_play.get(normalize_file_name(name))

    def by_file_name(self, name: str) -> CatalogueEntry | None:
        """Look up a downloadRecordFile fileName (the index's ``file_name``)."""
        return self._by_file.get(name)

    def by_call(self, call_id: str, cc_id: str) -> list[CatalogueEntry]:
        """Every recording of one call (several when it was transferred)."""
        return list(self._by_call.get((cc_id, call_id), ()))

    def cc_ids_of(self, call_id: str) -> set[str]:
        """The call centres that have a call ``call_id`` (usually one)."""
        return set(self._cc_ids.get(call_id, ()))

    def __len__(self) -> int:
        return len(self._by_play)

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(list(self._by_play.values()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalize_file_name(name) in self._by_play


def _normalized(entry: CatalogueEntry) -> CatalogueEntry:
    name = normalize_file_name(entry.original_file_name)
    if name == entry.original_file_name:
        return entry
    return replace(entry, original_file_name=name)
