"""Read CC-FS recording index files: streamed, validated rows, and problems instead of exceptions.

:func:`iter_index` streams every index file under the paths given (plain CSV, gzip, the zip
of downloadBillFile, folders: :mod:`.inputs`, :mod:`.archives`) in chunks of validated rows
(:class:`RowBatch`, :mod:`.rows`), each file parsed by :mod:`.parsing` in the encoding
:mod:`.encodings` chose, its times checked by :mod:`.dates`. :mod:`.spans` cuts a big plain
input in two so that two processes can read it.

Problems (:class:`IndexProblem`, ``file:line: reason``, ``line`` = the physical 1-based line
where the record starts; ``archive.zip!member.csv`` inside zips): a wrong column count, a bad
date (column and value), bytes that are neither UTF-8 nor GB18030, NUL or other control
characters (binary data), a line over 64 KiB (never held in memory whole), an unterminated
quoted field; each such line is skipped and the rest loads. Empty lines are skipped silently.
A missing or unreadable path, something that is not a regular file, an empty file, corrupt
or truncated gzip/zip data and a zip without a record member are problems with line 0.
Nothing here raises for any input bytes. At most :data:`MAX_PROBLEMS_PER_FILE` problems are
listed per file, then one line counts the rest.
"""

from ccfs_tui.core.index.chunks import IndexChunk
from ccfs_tui.core.index.dates import NCOLS, parse_time
from ccfs_tui.core.index.inputs import iter_index, read_recordings
from ccfs_tui.core.index.names import RECORD_PATTERNS, natural_key
from ccfs_tui.core.index.problems import MAX_PROBLEMS_PER_FILE, IndexProblem
from ccfs_tui.core.index.rows import TEXT_COMMA, TEXT_NEWLINE, RowBatch, recording_from_row
from ccfs_tui.core.index.spans import Span, iter_spans, split_index

__all__ = [
    "MAX_PROBLEMS_PER_FILE",
    "NCOLS",
    "RECORD_PATTERNS",
    "TEXT_COMMA",
    "TEXT_NEWLINE",
    "IndexChunk",
    "IndexProblem",
    "RowBatch",
    "Span",
    "iter_index",
    "iter_spans",
    "natural_key",
    "parse_time",
    "read_recordings",
    "recording_from_row",
    "split_index",
]
