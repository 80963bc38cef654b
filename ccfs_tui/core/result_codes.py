"""CC-FS resultCodes (reference section 4) and the sentence each one deserves."""

from __future__ import annotations

from ccfs_tui.core.errors import CcfsFlowControlError, CcfsResultError
from ccfs_tui.core.sanitize import error_text, visible

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
    "0300012": "no data found",
    "0300013": "the begin time is after the end time",
    "0300014": "the time range is longer than the maximum (3 days)",
    "0300015": "the storage path is not configured on the server",
    "0300016": "the time is in the future",
    "0300017": "several records match: give the call center id (ccId)",
    "0300018": "the record belongs to another developer",
    "0300019": "a fileName or a callId is needed",
    "0300020": "one record was wanted but several were found",
    "0300022": "a name holds characters that are not allowed",
    "0300029": "the file does not exist",
    "0300045": "the server failed to zip the files",
    "0300046": "a drive-letter mount path is missing on the server",
}

NO_DATA = "0300012"

_BODY_HINT = (
    "The request ccfs-tui built was refused; check the fileName in the detail pane. "
    "If it looks right, report it with the file name and this code."
)
_HINTS: dict[str, str] = {
    **dict.fromkeys(("0300001", "0300002", "0300003", "0300004", "0300005", "0300007"), _BODY_HINT),
    "0300006": "This CC-FS wants another interface version; report it to the ccfs-tui team.",
    "0300010": "The date folder in the file name is not a valid date: check the index line.",
    "010106": "The playback token was missing: request a new token and try again.",
    "0300012": "Nothing matched: for a call id, a recording can take a while to appear after "
    "the call ends (retry in a few minutes); for a bill file, check its name and that it "
    "was announced by a callback.",
    "0300013": "Give a --from earlier than --to.",
    "0300014": "One query covers at most 3 days; ccfs-tui fetch splits longer ranges itself.",
    "0300015": "The CC-FS has no storage path for these files: tell its administrators.",
    "0300016": "The range reaches into the future in the tenant's time: give an earlier --to "
    "(e.g. the current hour).",
    "0300017": "Several call centers have this call id: add --cc-id N.",
    "0300018": "This AK does not own the record: use the profile of the developer that made it.",
    "0300019": "Give a call id (--call-id) or a file name.",
    "0300020": "Narrow the request (add --cc-id, or use the recording's file name).",
    "0300022": "Check the name: only letters, digits, '.', '_' and '-' are accepted.",
    "0300029": "The recording is not on the CC-FS (it may have been deleted or archived).",
    "0300045": "Retry later; if it persists, download the recordings one by one by file name.",
    "0300046": "The CC-FS storage is misconfigured: tell its administrators.",
}


def no_recording_error(call_id: str, desc: str = "") -> CcfsResultError:
    """resultCode 0300012 for downloadRecord by call id: one line that says what it means."""
    return CcfsResultError(
        f"No recording was found for call id {visible(call_id, 80)} "
        f"(CC-FS resultCode {NO_DATA}).",
        "A recording can take a while to appear after the call ends: retry in a few "
        "minutes, and check the call id (and --cc-id).",
        result_code=NO_DATA,
        desc=error_text(desc),
    )


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
