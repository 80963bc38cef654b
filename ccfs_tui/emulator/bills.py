"""Bill files: queryBillData's checks, the files it makes, downloadBillFile's zip.

Reference section 6. A query names a time window (``beginTime`` .. ``endTime``, both
included, ``yyyy-MM-dd HH:mm:ss`` in the tenant's time zone, at most 3 days) and a
``dataType``; the bill holds the catalogue's recordings owned by the querying app id whose
``call_begin`` is in the window and that pass the optional filters, kept as they were at
the query. Its zip has ``<yyyymmddhhmmssSSS><3 digits>_call_<n>.csv`` (CDR legs, 29
columns, :mod:`.cdr_rows`) and/or ``..._record_<n>.csv`` (index lines as in the sample
index, 18 columns), each with a header line, CRLF, UTF-8, split every
:attr:`Bills.part_rows` rows. Record and CDR rows of a bill are the same recordings, so they
join on call_id and agree on times.

Checks, in this order (the codes of sections 4 and 8):

- ``beginTime`` / ``endTime``: null 0300001, empty 0300002, not a ``yyyy-MM-dd HH:mm:ss``
  string 0300004;
- ``dataType`` missing or not ``call`` / ``record`` / ``call_record``: 0300001;
- ``callBackURL``: null 0300001, empty 0300002, longer than 1024 characters 0300003, not an
  ``http(s)://host...`` URL 0300004;
- ``accountId``, ``agentId``, ``callId``, ``callerNo``, ``calleeNo``, ``calleeNo2``:
  optional, ``""`` = no filter, a number is taken as its digits, anything else 0300004, over
  64 characters 0300003. ``calleeNo`` and ``calleeNo2`` both filter the callee number (a
  recording matches either) [guess: the second one is not documented];
- begin after end 0300013; more than 3 days apart 0300014; ``endTime`` later than the
  emulator's clock in :attr:`Bills.time_zone` 0300016.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from ccfs_tui.core.recording import COLUMNS, Recording
from ccfs_tui.emulator import codes
from ccfs_tui.emulator.catalogue import CatalogueEntry
from ccfs_tui.emulator.codes import ApiError
from ccfs_tui.emulator.msg_body import string_field
from ccfs_tui.emulator.sample_index import CALL_COLUMNS, cdr_rows, index_row

DATA_TYPES = ("call", "record", "call_record")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_SPAN = timedelta(days=3)
MAX_URL = 1024
MAX_FILTER = 64
BILL_FILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,49}")
"""A billFileName downloadBillFile accepts (else 0300022)."""
FILTERS: dict[str, str] = {
    "accountId": "account_id",
    "agentId": "agent_id",
    "callId": "call_id",
    "callerNo": "caller_no",
    "calleeNo": "callee_no",
    "calleeNo2": "callee_no",
}
"""Optional msgBody filters -> the index column each one must equal."""

_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@dataclass(frozen=True, slots=True)
class BillQuery:
    """A checked queryBillData msgBody."""

    begin: datetime
    end: datetime
    data_type: str
    callback_url: str
    filters: dict[str, str] = field(default_factory=dict)
    """msgBody name -> value, for the filters given non-empty."""
    account_id: str | None = None
    """``accountId`` as given (the callback repeats it), ``None`` when absent."""

    def matches(self, rec: Recording) -> bool:
        """True for a recording of this window that passes every filter."""
        if not self.begin <= rec.call_begin <= self.end:
            return False
        callees = {v for k, v in self.filters.items() if k in ("calleeNo", "calleeNo2")}
        if callees and rec.callee_no not in callees:
            return False
        return all(
            getattr(rec, FILTERS[name]) == value
            for name, value in self.filters.items()
            if name not in ("calleeNo", "calleeNo2")
        )


def _time_field(msg: dict[str, Any], key: str) -> datetime:
    value = string_field(msg, key, required=True, limit=64)
    assert value is not None
    if not _TIME.fullmatch(value):
        raise ApiError(codes.BAD_FORMAT, f"msgBody.{key} is not yyyy-MM-dd HH:mm:ss")
    try:
        return datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise ApiError(codes.BAD_FORMAT, f"msgBody.{key} is not a real time") from None


def parse_bill_query(msg: dict[str, Any], now: datetime) -> BillQuery:
    """Check a queryBillData msgBody against ``now`` (naive, tenant time); raise ApiError."""
    begin = _time_field(msg, "beginTime")
    end = _time_field(msg, "endTime")
    data_type = msg.get("dataType")
    if data_type not in DATA_TYPES:
        shown = "null" if data_type is None else "not call, record or call_record"
        raise ApiError(codes.PARAM_NULL, f"msgBody.dataType is {shown}")
    url = string_field(msg, "callBackURL", required=True, limit=MAX_URL)
    assert url is not None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(codes.BAD_FORMAT, "msgBody.callBackURL is not an http(s) URL")
    filters: dict[str, str] = {}
    for name in FILTERS:
        value = string_field(
            msg, name, required=False, limit=MAX_FILTER, number_ok=True, empty_ok=True
        )
        if value:
            filters[name] = value
    account = msg.get("accountId")
    if begin > end:
        raise ApiError(codes.BEGIN_AFTER_END)
    if end - begin > MAX_SPAN:
        raise ApiError(codes.RANGE_TOO_LONG)
    if end > now:
        raise ApiError(codes.IN_THE_FUTURE, f"msgBody.endTime is later than {now:{TIME_FORMAT}}")
    return BillQuery(
        begin,
        end,
        str(data_type),
        url,
        filters,
        None if account is None else str(account),
    )


def check_bill_file_name(msg: dict[str, Any]) -> str:
    """downloadBillFile's ``billFileName``: null 0300001, empty 0300002, bad 0300022."""
    value = msg.get("billFileName")
    if value is None:
        raise ApiError(codes.PARAM_NULL, "msgBody.billFileName is null")
    if not isinstance(value, str):
        raise ApiError(codes.BAD_FORMAT, "msgBody.billFileName is not a string")
    if value == "":
        raise ApiError(codes.EMPTY_STRING, "msgBody.billFileName is an empty string")
    if not BILL_FILE_NAME.fullmatch(value):
        raise ApiError(
            codes.BAD_NAME, "msgBody.billFileName is not 1-49 characters of A-Za-z0-9._-"
        )
    return value


@dataclass(frozen=True, slots=True)
class Bill:
    """One query's result, kept as it was when queried."""

    response_id: str
    file_name: str
    """``yyyyMMdd_<responseId>.zip``."""
    app_id: str
    created: datetime
    """When it was made (naive, tenant time)."""
    data_type: str
    recordings: tuple[Recording, ...]

    @property
    def member_prefix(self) -> str:
        """``<yyyymmddhhmmssSSS><3 digits>``, the start of every member's name."""
        millis = self.created.microsecond // 1000
        return f"{self.created:%Y%m%d%H%M%S}{millis:03d}{int(self.response_id[:6], 16) % 1000:03d}"


def _csv_parts(rows: Iterable[list[str]], header: Sequence[str], part_rows: int) -> Iterator[bytes]:
    """CSV files (header, CRLF, UTF-8) of at most ``part_rows`` rows each; at least one."""
    batch: list[list[str]] = []
    made = False
    for row in rows:
        batch.append(row)
        if len(batch) >= part_rows:
            yield _csv(header, batch)
            made = True
            batch = []
    if batch or not made:
        yield _csv(header, batch)


def _csv(header: Sequence[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def bill_zip(bill: Bill, part_rows: int) -> bytes:
    """The downloadBillFile zip of ``bill`` (call files, then record files, as dataType says)."""
    buffer = io.BytesIO()
    c = bill.created
    moment = (c.year, c.month, c.day, c.hour, c.minute, c.second)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        kinds: list[tuple[str, Iterable[list[str]], Sequence[str]]] = []
        if bill.data_type in ("call", "call_record"):
            kinds.append(("call", cdr_rows(bill.recordings), CALL_COLUMNS))
        if bill.data_type in ("record", "call_record"):
            kinds.append(("record", map(index_row, bill.recordings), COLUMNS))
        for kind, rows, header in kinds:
            for number, data in enumerate(_csv_parts(rows, header, max(1, part_rows)), 1):
                name = f"{bill.member_prefix}_{kind}_{number}.csv"
                archive.writestr(zipfile.ZipInfo(name, date_time=moment), data)
    return buffer.getvalue()


class Bills:
    """The bill files made by queryBillData, for downloadBillFile. Public settings:"""

    def __init__(self) -> None:
        self.part_rows: int = 50_000
        """Rows per CSV member; more rows go to ``_2``, ``_3`` ... (tests set a few)."""
        self.time_zone: tzinfo | None = None
        """The tenant's time zone (bill times, "in the future", file dates); ``None``: this
        machine's local one, the one the sample index's dates are made in."""
        self.keep: int = 256
        """How many of the latest bills are kept (older ones answer 0300012)."""
        self._bills: OrderedDict[str, Bill] = OrderedDict()
        self._zips: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()

    def now(self, utc: datetime) -> datetime:
        """``utc`` (the emulator's clock) as naive tenant time."""
        if utc.tzinfo is None:
            utc = utc.replace(tzinfo=UTC)
        return utc.astimezone(self.time_zone).replace(tzinfo=None)

    def make(
        self, query: BillQuery, app_id: str, entries: Iterable[CatalogueEntry], now: datetime
    ) -> Bill:
        """The bill of ``query`` for ``app_id`` from ``entries``, made at ``now`` (tenant)."""
        recordings = sorted(
            (
                entry.recording
                for entry in entries
                if entry.owner == app_id
                and entry.recording is not None
                and query.matches(entry.recording)
            ),
            key=lambda rec: (rec.call_begin, rec.call_id, rec.file_name),
        )
        response_id = secrets.token_hex(16)
        bill = Bill(
            response_id,
            f"{now:%Y%m%d}_{response_id}.zip",
            app_id,
            now,
            query.data_type,
            tuple(recordings),
        )
        with self._lock:
            self._bills[bill.file_name] = bill
            while len(self._bills) > max(1, self.keep):
                old, _ = self._bills.popitem(last=False)
                self._zips.pop(old, None)
        return bill

    def get(self, file_name: str, app_id: str) -> Bill | None:
        """The bill called ``file_name`` if ``app_id`` asked for it."""
        with self._lock:
            bill = self._bills.get(file_name)
        return bill if bill is not None and bill.app_id == app_id else None

    def zip_of(self, bill: Bill) -> bytes:
        """The zip of ``bill`` (made once for each ``part_rows``)."""
        part_rows = self.part_rows
        with self._lock:
            made = self._zips.get(bill.file_name)
        if made is not None and made[0] == part_rows:
            return made[1]
        data = bill_zip(bill, part_rows)
        with self._lock:
            if bill.file_name in self._bills:
                self._zips[bill.file_name] = (part_rows, data)
        return data

    def __len__(self) -> int:
        return len(self._bills)
