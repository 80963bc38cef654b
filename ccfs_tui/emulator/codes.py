"""Result codes the emulator answers.

Documented by Huawei (reference sections 4, 7, 8): ``0`` success and the ``0300001``..
``0300010`` family, ``010106`` (playVoice without a token), and for queryBillData,
downloadBillFile and downloadRecord ``0300012`` no data, ``0300013`` begin after end,
``0300014`` range over 3 days, ``0300016`` time in the future, ``0300017`` give ccId,
``0300018`` another developer's record, ``0300019`` fileName or callId needed, ``0300022``
bad characters in a name.

Not documented, chosen by the emulator for requestPlayVoice, playVoice and
downloadRecordFile (a ``03999xx`` range no real code uses, so a test or a user can tell
them apart; clients must show ``resultDesc`` with any unknown code):

============  ================================================================
``0399001``   file not found (no recording with that fileName / callId + ccId)
``0399002``   appId is not allowed to access this file (another appId owns it)
``0399003``   playVoice token is unknown
``0399004``   playVoice token has expired (older than 30 minutes)
``0399999``   emulator: injected error (``json_error_as_audio`` with no result_code)
============  ================================================================

A refused signature is HTTP 401 with the body ``{"resultCode":"401","resultDesc":"..."}``.
"""

from __future__ import annotations

SUCCESS = "0"
PARAM_NULL = "0300001"
EMPTY_STRING = "0300002"
TOO_LONG = "0300003"
BAD_FORMAT = "0300004"
TOO_SHORT = "0300005"
WRONG_VERSION = "0300006"
BODY_EMPTY = "0300007"
DOWNLOAD_FLOW_CONTROL = "0300008"
QUERY_FLOW_CONTROL = "0300009"
BAD_DATE = "0300010"
TOKEN_EMPTY = "010106"
NO_DATA = "0300012"
BEGIN_AFTER_END = "0300013"
RANGE_TOO_LONG = "0300014"
IN_THE_FUTURE = "0300016"
GIVE_CC_ID = "0300017"
OTHER_DEVELOPER = "0300018"
NAME_OR_CALL_ID = "0300019"
BAD_NAME = "0300022"

FILE_NOT_FOUND = "0399001"
APP_ID_MISMATCH = "0399002"
TOKEN_UNKNOWN = "0399003"
TOKEN_EXPIRED = "0399004"
INJECTED_ERROR = "0399999"

UNAUTHORIZED = "401"

DESCRIPTIONS: dict[str, str] = {
    SUCCESS: "success",
    PARAM_NULL: "the parameter is null",
    EMPTY_STRING: "the parameter is an empty string",
    TOO_LONG: "the parameter is too long",
    BAD_FORMAT: "the parameter format is incorrect",
    TOO_SHORT: "the parameter is too short",
    WRONG_VERSION: "the version is incorrect, use 2.0",
    BODY_EMPTY: "the request body is empty",
    DOWNLOAD_FLOW_CONTROL: "download flow control reached, retry later",
    QUERY_FLOW_CONTROL: "query flow control reached, retry later",
    BAD_DATE: "the date in the file name is incorrect",
    TOKEN_EMPTY: "the token parameter is empty",
    NO_DATA: "no data found",
    BEGIN_AFTER_END: "the begin time is later than the end time",
    RANGE_TOO_LONG: "the time range exceeds the maximum number of days (3)",
    IN_THE_FUTURE: "the time is in the future",
    GIVE_CC_ID: "several records match, give ccId",
    OTHER_DEVELOPER: "the record belongs to another developer",
    NAME_OR_CALL_ID: "fileName or callId is needed",
    BAD_NAME: "the name has characters that are not allowed",
    FILE_NOT_FOUND: "file not found",
    APP_ID_MISMATCH: "appId is not allowed to access this file",
    TOKEN_UNKNOWN: "the token is invalid",
    TOKEN_EXPIRED: "the token has expired",
    INJECTED_ERROR: "emulator: injected error",
    UNAUTHORIZED: "signature verification failed",
}
"""A ``resultDesc`` for every code (documented ones paraphrase Huawei's error reference)."""

EMULATOR_CODES: frozenset[str] = frozenset(
    {FILE_NOT_FOUND, APP_ID_MISMATCH, TOKEN_UNKNOWN, TOKEN_EXPIRED, INJECTED_ERROR}
)
"""The undocumented codes the emulator made up."""


def describe(code: str) -> str:
    """The ``resultDesc`` for ``code`` (a generic one for codes not in the table)."""
    return DESCRIPTIONS.get(code, f"error {code}")


class ApiError(Exception):
    """An answer with a non-zero resultCode (``desc`` defaults to the table's)."""

    def __init__(self, code: str, desc: str | None = None) -> None:
        self.code = code
        self.desc = desc or describe(code)
        super().__init__(f"{code} {self.desc}")
