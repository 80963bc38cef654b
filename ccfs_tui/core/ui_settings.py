"""The ``[ui]`` table of ``config.toml``: the theme the TUI remembers.

Example::

    [ui]
    theme = "ansi-dark"     # the terminal's own colours

:func:`save_theme` changes that one line of the file and nothing else: the user's comments,
order and spacing stay (no TOML writer is needed, and none would keep them). The new text is
parsed before it is written, then written atomically with the file's own mode, under the
file's lock; a file it cannot edit safely (not valid TOML, a ``ui`` that is not a plain
``[ui]`` table) is left as it is, with a ``ConfigError`` that says what to write.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ccfs_tui.core.atomic import atomic_write_text, file_lock
from ccfs_tui.core.errors import ConfigError

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
"""A table header line (``[ui]``, ``[profiles.prod]``; not an array of tables ``[[x]]``)."""

_THEME = re.compile(r"^(\s*theme\s*=\s*)(\"[^\"\n]*\"|'[^'\n]*')(\s*(#.*)?)$")
"""A ``theme = "name"`` line (with its comment, kept)."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""What a theme's name may be (Textual's are like ``textual-dark``, ``ansi-light``)."""


@dataclass(frozen=True, slots=True)
class UiSettings:
    """What the ``[ui]`` table says (None: not set)."""

    theme: str | None = None


def parse_ui_table(table: object, path: Path) -> UiSettings:
    """The ``[ui]`` table checked for shape (``theme``: a name). Raises ``ConfigError``
    naming the file and the key."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: ui must be a table like [ui].", 'Write [ui] then theme = "…".')
    unknown = sorted(set(table) - {"theme"})
    if unknown:
        raise ConfigError(f"{path}: ui.{unknown[0]}: unknown key.", "The [ui] table has: theme.")
    theme = table.get("theme")
    if theme is not None and (not isinstance(theme, str) or not _NAME.fullmatch(theme)):
        raise ConfigError(
            f"{path}: ui.theme: {theme!r} is not a theme name.",
            'Write e.g. theme = "textual-dark" or "ansi-dark" (ctrl+p, Theme lists them).',
        )
    return UiSettings(theme=theme)


def read_ui_settings(path: Path) -> UiSettings:
    """The ``[ui]`` table of ``path`` alone, for a front end that reads no profile (the
    demo); a missing, unreadable or broken file gives the defaults (the CLI reports a broken
    config file where it uses it)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return parse_ui_table(data.get("ui", {}), path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ConfigError):
        return UiSettings()


def with_theme(text: str, name: str) -> str:
    """``text`` (a config file) with ``[ui] theme = "name"``: the theme line of its ``[ui]``
    table replaced, or added under the table's header, or a ``[ui]`` table appended; every
    other line as it was. Raises ``ValueError`` when that cannot be done safely."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a theme name")
    value = f'"{name}"'
    lines = text.splitlines(keepends=True)
    header = None
    for index, line in enumerate(lines):
        match = _TABLE.match(line.rstrip("\r\n"))
        if match and match.group(1) == "ui":
            header = index
            break
    if header is None:
        ending = "" if not text or text.endswith("\n") else "\n"
        spacer = "\n" if text.strip() else ""
        new = f"{text}{ending}{spacer}[ui]\ntheme = {value}\n"
    else:
        end = next(
            (i for i in range(header + 1, len(lines)) if lines[i].lstrip().startswith("[")),
            len(lines),
        )
        for index in range(header + 1, end):
            body = lines[index].rstrip("\r\n")
            match = _THEME.match(body)
            if match:
                newline = lines[index][len(body) :]
                lines[index] = f"{match.group(1)}{value}{match.group(3)}{newline}"
                break
        else:
            newline = "\r\n" if lines[header].endswith("\r\n") else "\n"
            if not lines[header].endswith(("\n", "\r")):
                lines[header] += newline
            lines.insert(header + 1, f"theme = {value}{newline}")
        new = "".join(lines)
    try:
        data = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the edited file would not be valid TOML ({exc})") from None
    ui = data.get("ui")
    if not isinstance(ui, dict) or ui.get("theme") != name:
        raise ValueError("its [ui] table is not one this edit understands")
    return new


def save_theme(path: Path, name: str) -> None:
    """Remember theme ``name`` in ``path`` (created, private, if missing): only its
    ``[ui] theme`` line changes (see :func:`with_theme`). Raises ``ConfigError`` (with what
    to write by hand) when the file cannot be read, parsed or edited safely."""
    hint = f'Add to {path}: [ui] then theme = "{name}".'
    if path.is_symlink():  # a dotfiles manager's link: edit the file it points to
        path = path.resolve()
    with file_lock(path):
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            mode = stat.S_IMODE(os.stat(path).st_mode) if path.exists() else 0o600
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read it to save the theme ({exc}).", hint) from None
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); theme not saved.", hint) from None
        try:
            new = with_theme(text, name)
        except ValueError as exc:
            raise ConfigError(f"{path}: theme not saved: {exc}.", hint) from None
        if new == text:
            return
        try:
            atomic_write_text(path, new, mode & 0o777)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot write it ({exc.strerror or exc}).", hint) from None
