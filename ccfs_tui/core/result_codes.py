"""CC-FS resultCodes (reference section 4) and the sentence each one deserves."""

from __future__ import annotations

from ccfs_tui.core.errors import CcfsFlowControlError, CcfsResultError
from ccfs_tui.core.sanitize import error_text

SUCCESS = "0"
FLOW_CONTROL = frozenset({"0300008", "0300009"})

DESCRIPTIONS: dict[str, str] = {
    "0300001": "a parameter is null",
    "0300002": "a parameter is an empty string",
    "0300003": "a parameter is too long",
    "0300004": "a parameter has a bad format",
    "0300005": "a parameter is too short",
    "0300006": "wrong interface version (must be 2.0)",
    "0300007": "the request body is empty",
    "0300008": "download flow control reached",
    "0300009": "query flow control reached",
    "0300010": "bad date in the file name",
    "010106": "playVoice: the token parameter is empty",
}

_BODY_HINT = (
    "The request ccfs-tui built was refused; check the fileName in the detail pane. "
    "If it looks right, report it with the file name and this code."
)
_HINTS: dict[str, str] = {
    **dict.fromkeys(("0300001", "0300002", "0300003", "0300004", "0300005", "0300007"), _BODY_HINT),
    "0300006": "This CC-FS wants another interface version; report it to the ccfs-tui team.",
    "0300010": "The date folder in the file name is not a valid date: check the index line.",
    "010106": "The playback token was missing: request a new token and try again.",
}


def result_error(code: str, desc: str, retries_done: int = 0) -> CcfsResultError:
    """The typed error for a non-zero resultCode.

    The server's ``code`` and ``desc`` are made visible and cut (:func:`error_text`): an
    escape sequence in them is shown, never executed, and a megabyte of text stays short.
    """
    code, desc = error_text(code), error_text(desc)
    known = DESCRIPTIONS.get(code)
    said = desc or known
    text = (
        f"CC-FS answered resultCode {code}: {said}."
        if said
        else f"CC-FS answered resultCode {code} with no text."
    )
    if code in FLOW_CONTROL:
        tried = f" ccfs-tui retried {retries_done} time(s) already." if retries_done else ""
        return CcfsFlowControlError(
            text,
            f"The server is busy (flow control).{tried} Wait a minute, then retry.",
            result_code=code,
            desc=desc,
        )
    hint = _HINTS.get(
        code,
        "This code is not documented; a usual cause is a file that does not exist, an app id "
        "that does not own it, or an expired token.",
    )
    return CcfsResultError(text, hint, result_code=code, desc=desc)
