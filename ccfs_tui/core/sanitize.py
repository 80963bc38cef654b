"""One sanitiser for text that came from a server or a file, before it reaches a terminal.

A CC-FS reply, an index line, a zip member name or an audit entry can hold escape
sequences (``ESC [ 2 J`` clears the screen, OSC 52 writes the clipboard, an 8-bit CSI
does the same on some terminals), bidi overrides that show text backwards, or a newline
that forges a line of output. :func:`visible` turns every such character into a visible
escape (``\\x1b``, ``\\u202e``, ``\\x0a``) that no terminal executes; :func:`error_text`
also caps the length, for server texts inside error messages. The CLI passes every
foreign text through them; Textual widgets should too (``from ccfs_tui.core.sanitize
import visible``).
"""

from __future__ import annotations

import re

from ccfs_tui.core.errors import CcfsBadTokenError

ERROR_TEXT_LIMIT = 300
"""Characters of a server- or file-supplied text kept in one error message."""

ELLIPSIS = "…"

_UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0 (newline, tab, ESC ...), DEL, C1 (8-bit CSI, OSC ...)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates (undecodable bytes of a file name)
    "]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def is_visible(text: str) -> bool:
    """True when ``text`` holds no character :func:`visible` would escape."""
    return _UNSAFE.search(text) is None


def visible(text: str, limit: int | None = None) -> str:
    """``text`` with control, bidi and separator characters shown as escapes, never executed.

    With ``limit``, at most that many characters of the result are kept (an escape is never
    cut in half) and ``…`` marks the cut. Ordinary text, including backslashes and any
    printable script, is left as it is.
    """
    if limit is None:
        return _UNSAFE.sub(_escape, text)
    head = _UNSAFE.sub(_escape, text[: limit + 1])
    if len(head) <= limit and len(text) <= limit:
        return head
    out: list[str] = []
    size = 0
    for char in text:
        piece = _UNSAFE.sub(_escape, char)
        if size + len(piece) > limit:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + ELLIPSIS


def error_text(text: str) -> str:
    """A foreign text made visible and cut to :data:`ERROR_TEXT_LIMIT` characters."""
    return visible(text, ERROR_TEXT_LIMIT)


_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def json_visible(json_text: str) -> str:
    """JSON text (``ensure_ascii=False``) with C1, bidi and separators as ``\\uXXXX`` escapes.

    ``json.dumps`` already escapes C0 controls; the rest can only occur inside strings, where
    the escape means the same character: the result parses to the same value.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


TOKEN_RE = re.compile(r"[A-Za-z0-9._~-]{1,1024}")
"""What a playback token may be: URL-unreserved characters, at most 1024 of them."""


def is_valid_token(token: str) -> bool:
    """True when ``token`` is plain ``[A-Za-z0-9._~-]`` text of a sane length."""
    return TOKEN_RE.fullmatch(token) is not None


def check_token(token: str) -> str:
    """``token`` if it is plain text (:func:`is_valid_token`), else
    :class:`~ccfs_tui.core.errors.CcfsBadTokenError` (the token is never shown)."""
    if is_valid_token(token):
        return token
    bad = next((c for c in token if not TOKEN_RE.fullmatch(c)), "")
    what = f"a {visible(bad)!s} character" if bad else f"{len(token)} characters"
    raise CcfsBadTokenError(
        f"CC-FS sent a token that is not plain text ({what}); it was not used or shown.",
        "A token is letters, digits and . _ ~ - only: the reply is corrupt or not from a "
        "CC-FS (a proxy?). Check base_url and retry; if it persists, tell the CC-FS "
        "administrators.",
    )
