"""Text cut to a number of terminal cells, never to a number of characters.

A CJK character takes two cells (``rich.cells.cell_len``), so ``len`` would cut a Chinese
tenant or file name in the wrong place. The cuts keep what tells two values apart: the end
of a number or a path (:func:`middle` keeps more of the end than of the start).
"""

from __future__ import annotations

from rich.cells import cell_len

ELLIPSIS = "…"


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    return cell_len(text)


def head(text: str, width: int) -> str:
    """The start of ``text`` that fits in ``width`` cells (a wide character that would be cut
    in two is left out)."""
    if width <= 0:
        return ""
    if text.isascii():
        return text[:width]
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return text[:index]
    return text


def tail(text: str, width: int) -> str:
    """The end of ``text`` that fits in ``width`` cells."""
    if width <= 0:
        return ""
    if text.isascii():
        return text[-width:]
    used = 0
    for index in range(len(text) - 1, -1, -1):
        used += cell_len(text[index])
        if used > width:
            return text[index + 1 :]
    return text


def crop(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` cells, else its start and ``…``."""
    if cells(text) <= width:
        return text
    return head(text, width - 1) + ELLIPSIS if width > 0 else ""


def crop_start(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` cells, else ``…`` and its end (a path's file name)."""
    if cells(text) <= width:
        return text
    return ELLIPSIS + tail(text, width - 1) if width > 0 else ""


def middle(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` cells, else its start, ``…`` and its end, the end
    getting two thirds of the room (a number's or a path's distinguishing part)."""
    if cells(text) <= width:
        return text
    if width <= 2:
        return crop_start(text, width)
    room = width - 1
    start = room // 3
    end_part = tail(text, room - start)
    return head(text, width - 1 - cells(end_part)) + ELLIPSIS + end_part


def pair(first: str, second: str, width: int, joiner: str = "→") -> str:
    """``first→second`` in ``width`` cells: each cut in the middle when both do not fit, the
    shorter one keeping up to half of the room."""
    room = width - cells(joiner)
    a, b = cells(first), cells(second)
    if a + b <= room:
        return f"{first}{joiner}{second}"
    half = room // 2
    if a <= b:
        a_room = min(a, half)
        b_room = room - a_room
    else:
        b_room = min(b, half)
        a_room = room - b_room
    return f"{middle(first, a_room)}{joiner}{middle(second, b_room)}"


def leaf_text(begin: str, duration: str, caller: str, callee: str, width: int | None) -> str:
    """A recording's tree line in ``width`` cells: ``08:34:00 12:50 4009236009→0317``.

    Whole when it fits; else the numbers are cut in the middle (their ends stay); then the
    duration goes (the detail pane shows it); the time always stays."""
    full = f"{begin} {duration:>5} {caller}→{callee}"
    if width is None or cells(full) <= width:
        return full
    for fixed in (f"{begin} {duration:>5} ", f"{begin} "):
        room = width - cells(fixed)
        if room >= 9:  # "12…9→4…09": both ends still readable
            return fixed + pair(caller, callee, room)
    return crop(full, width)


def path_lines(path: str, width: int) -> list[str]:
    """``path`` in lines of at most ``width`` cells, broken after a ``/`` (a terminal would
    fold it mid-word); a part longer than a line is cut into pieces."""
    lines: list[str] = []
    line = ""
    for part in path.replace("/", "/\n").split("\n"):
        while cells(part) > width:  # one folder name wider than a line
            if line:
                lines.append(line)
                line = ""
            piece = head(part, width)
            lines.append(piece)
            part = part[len(piece) :]
        if cells(line) + cells(part) > width:
            lines.append(line)
            line = part
        else:
            line += part
    if line or not lines:
        lines.append(line)
    return lines
