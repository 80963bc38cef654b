"""The JSON body every C2 interface takes: ``{"request":{"version":"2.0"},"msgBody":{...}}``.

Parsing and the checks of its fields answer the documented result codes (reference
section 4): null 0300001, empty string 0300002, too long 0300003, bad format 0300004,
wrong version 0300006, empty body 0300007, bad date in a file name 0300010.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ccfs_tui.emulator import codes
from ccfs_tui.emulator.codes import ApiError

MAX_FILE_NAME = 225
MAX_CALL_ID = 25

_DATE_SEGMENT = re.compile(r"\d{8}")


def parse_msg_body(body: bytes) -> dict[str, Any]:
    """Parse ``{"request":{"version":"2.0"},"msgBody":{...}}``; raise the documented codes."""
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        raise ApiError(codes.BODY_EMPTY)
    try:
        document = json.loads(text)
    except ValueError:
        raise ApiError(codes.BAD_FORMAT, "the request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise ApiError(codes.BAD_FORMAT, "the request body is not a JSON object")
    request = document.get("request")
    if request is None:
        raise ApiError(codes.PARAM_NULL, "request is null")
    if not isinstance(request, dict):
        raise ApiError(codes.BAD_FORMAT, "request is not an object")
    version = request.get("version")
    if version is None:
        raise ApiError(codes.PARAM_NULL, "request.version is null")
    if not isinstance(version, str):
        raise ApiError(codes.BAD_FORMAT, "request.version is not a string")
    if version == "":
        raise ApiError(codes.EMPTY_STRING, "request.version is an empty string")
    if version != "2.0":
        raise ApiError(codes.WRONG_VERSION, f"request.version {version!r} is incorrect, use 2.0")
    msg = document.get("msgBody")
    if msg is None:
        raise ApiError(codes.PARAM_NULL, "msgBody is null")
    if not isinstance(msg, dict):
        raise ApiError(codes.BAD_FORMAT, "msgBody is not an object")
    return msg


def string_field(
    msg: dict[str, Any],
    key: str,
    *,
    required: bool,
    limit: int = MAX_FILE_NAME,
    pattern: re.Pattern[str] | None = None,
    number_ok: bool = False,
    empty_ok: bool = False,
) -> str | None:
    """One string field of msgBody, checked for null, empty, length and format.

    ``number_ok``: a JSON number is taken as its digits; ``empty_ok``: ``""`` is returned,
    not refused (0300002).
    """
    value = msg.get(key)
    if value is None:
        if required:
            raise ApiError(codes.PARAM_NULL, f"msgBody.{key} is null")
        return None
    if number_ok and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ApiError(codes.BAD_FORMAT, f"msgBody.{key} is not a string")
    if value == "" and not empty_ok:
        raise ApiError(codes.EMPTY_STRING, f"msgBody.{key} is an empty string")
    if len(value) > limit:
        raise ApiError(codes.TOO_LONG, f"msgBody.{key} is longer than {limit} characters")
    if pattern is not None and not pattern.fullmatch(value):
        raise ApiError(codes.BAD_FORMAT, f"msgBody.{key} has characters that are not allowed")
    return value


def check_dates(name: str) -> None:
    """An 8-digit path segment is a ``yyyyMMdd`` date folder: it must be a real date."""
    for segment in re.split(r"[/\\]", name):
        if _DATE_SEGMENT.fullmatch(segment):
            try:
                datetime.strptime(segment, "%Y%m%d")
            except ValueError:
                raise ApiError(
                    codes.BAD_DATE, f"{segment} in the file name is not a date"
                ) from None
