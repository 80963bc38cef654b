"""Which encoding a file is read in: UTF-8 (the BOM is dropped by the parser), or GB18030,
which Chinese deployments use, when its first MiB says so.

A line the file's encoding cannot decode is tried in the other one (the parser's
line-by-line path) and reported only when neither works. Limitation: in a file taken as
GB18030, a UTF-8 line usually also "decodes" as GB18030 and comes out garbled. UTF-16 files
are reported, not read.
"""

from __future__ import annotations

from ccfs_tui.core.index.dates import NCOLS

SAMPLE_BYTES = 1 << 20
"""The start of a file that decides its encoding (the parser's first read)."""
UTF8_FIRST = ("utf-8", "gb18030")
GB18030_FIRST = ("gb18030", "utf-8")


def choose_encoding(sample: bytes) -> tuple[str, str]:
    """The file's encoding and the one tried for a line it cannot decode: UTF-8 unless
    ``sample`` (the file's first :data:`SAMPLE_BYTES`, or all of it) is not UTF-8 and its
    rows read better as GB18030.

    Only row-like lines (17+ commas) vote, and a non-ASCII row that is valid UTF-8 weighs
    four times a row that is valid only as GB18030: random bytes are rarely valid UTF-8
    but often "valid" GB18030, while a GB18030 row of Chinese text is seldom valid UTF-8.
    """
    cut = sample.rfind(b"\n")
    if 0 <= cut < len(sample) - 1 and len(sample) == SAMPLE_BYTES:
        sample = sample[: cut + 1]
    try:
        sample.decode("utf-8")
        return UTF8_FIRST
    except UnicodeDecodeError:
        pass
    utf8 = gb = 0
    for line in sample.split(b"\n"):
        if line.isascii() or line.count(b",") < NCOLS - 1:
            continue
        try:
            line.decode("utf-8")
            utf8 += 4
            continue
        except UnicodeDecodeError:
            pass
        try:
            line.decode("gb18030")
            gb += 1
        except UnicodeDecodeError:
            pass
    return GB18030_FIRST if gb > utf8 else UTF8_FIRST
