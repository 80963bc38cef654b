"""The recording model the UI reads (index -> model -> widgets): append-only, no object per row.

:class:`RecordingStore` is the entry: rows kept as their CSV bytes in immutable blocks
(:mod:`.blocks`) with folded search columns (:mod:`.columns`) and 64-bit group keys
(:mod:`.group_keys`); queries (:mod:`.query`) answered per block (:mod:`.search`, bytes
found by :mod:`.byte_search`) as a :class:`Selection` (:mod:`.selection`); the VDN -> day ->
agent tree (:mod:`.tree`); :func:`load_index` (:mod:`.loading`) fills a store from index
files, with a helper process for big ones (:mod:`.load_helper`).
"""

from ccfs_tui.core.recordings.loading import LoadStep, load_index
from ccfs_tui.core.recordings.selection import Selection
from ccfs_tui.core.recordings.store import RecordingStore
from ccfs_tui.core.recordings.tree import NO_AGENT, NO_VDN

__all__ = ["NO_AGENT", "NO_VDN", "LoadStep", "RecordingStore", "Selection", "load_index"]
