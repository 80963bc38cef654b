"""Realistic sample recording indexes: for the demo, the emulator, tests and benchmarks.

:func:`generate_recordings` is a streaming, seeded generator (the same arguments always give
the same rows); :func:`write_index` writes the 18-column CSV (``.gz`` too);
:func:`write_calls` the matching CDR (``_call``) file;
:func:`write_bill_zip` writes a downloadBillFile-style ``yyyyMMdd_{id}.zip``;
:func:`write_sample` does index + emulator catalogue (+ CDR file) in one pass.

What the rows look like (the undocumented parts are guesses, reference section 2):
3-6 VDNs, ~40 agents (1001, 1002, ...), mainland mobiles / landlines and international
numbers, call_type ``0`` inbound / ``1`` outbound, media_type ``5`` (voice) mostly,
durations of seconds to 20 minutes, unique call_ids ``{epoch}-{seq}``,
``file_name`` ``/10/1/record/100/1001/0903379.wav`` and ``original_file_name``
``Y:\\1\\0\\20260301\\1001\\0903379.V3``, spread over ``days`` days, sorted by call_begin.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import heapq
import io
import itertools
import math
import os
import random
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from ccfs_tui.core.recording import COLUMNS, TIME_FORMAT, Recording
from ccfs_tui.emulator.catalogue import Catalogue, CatalogueEntry
from ccfs_tui.emulator.cdr_rows import CDR_COLUMNS, call_legs

INBOUND = "0"
OUTBOUND = "1"
VOICE = "5"
TEXT_CHAT = "1"

CALL_COLUMNS: tuple[str, ...] = CDR_COLUMNS
"""The 29 columns of a CDR (``_call``) file, in the order the reference lists them."""

SAMPLE_TRANSFERS = 0.04
"""The share of calls recorded in 2-3 parts in the demo's and ``ccfs-tui emulator``'s sample."""
THIRD_PART = 0.3
"""The share of transferred calls (see ``transfers``) recorded in three parts, not two."""

_EPOCH = datetime(1970, 1, 1)
_MOBILE_PREFIXES = ("13", "15", "17", "18", "19")
_AREA_CODES = ("010", "020", "021", "0755", "0571", "028", "027", "025")
_COUNTRIES = ("852", "853", "886", "44", "49", "65", "1", "81", "971", "61")
_BUSINESS_START = 8 * 3600
_BUSINESS_SPAN = 13 * 3600


def generate_recordings(
    count: int,
    *,
    seed: int = 0,
    start: date,
    days: int,
    app_id: str = "demo",
    account_id: str | None = None,
    cc_id: str = "1",
    agents: int = 40,
    transfers: float = 0.0,
    drive: str = "Y",
) -> Iterator[Recording]:
    """Yield ``count`` recordings over ``days`` days from ``start``, sorted by call_begin.

    ``transfers`` is the fraction of calls recorded in parts (a second row with the same
    call_id and cc_id, another agent of the VDN, starting when the first ends; for
    :data:`THIRD_PART` of them a third): with the default 0 every call_id is unique.
    About 10 microseconds a row; nothing is kept but one day's start times.
    """
    if count <= 0:
        return
    days = max(1, days)
    rng = random.Random(seed)
    rnd = rng.random
    gauss = rng.gauss
    account = account_id or str(rng.randrange(10**11, 10**12))
    vdns = [str(10 + i) for i in range(rng.randint(3, 6))]
    skills = {vdn: [f"{vdn}{k}" for k in range(1, rng.randint(2, 4) + 1)] for vdn in vdns}
    access = {
        vdn: "95" + str(rng.randrange(100, 1000))
        if rnd() < 0.5
        else "400" + str(rng.randrange(10**6, 10**7))
        for vdn in vdns
    }
    agent_list = [(str(1001 + i), vdns[i % len(vdns)]) for i in range(max(1, agents))]
    by_vdn = {vdn: [a for a, v in agent_list if v == vdn] or [agent_list[0][0]] for vdn in vdns}
    n_agents = len(agent_list)
    seq = rng.randrange(10**6)
    pending: list[tuple[datetime, int, Recording]] = []
    order = itertools.count()
    produced = 0

    def customer() -> str:
        roll = rnd()
        if roll < 0.6:
            return _MOBILE_PREFIXES[int(rnd() * 5)] + f"{int(rnd() * 1e9):09d}"
        if roll < 0.88:
            code = _AREA_CODES[int(rnd() * len(_AREA_CODES))]
            return code + str(int((1e7 if len(code) == 3 else 1e6) + rnd() * 8.9e7))
        return "00" + _COUNTRIES[int(rnd() * len(_COUNTRIES))] + str(int(1e7 + rnd() * 9e9))

    def make(
        begin: datetime,
        seconds: int,
        agent: str,
        vdn: str,
        call_id: str,
        inbound: bool,
        number: str,
        wanted: str,
        current: str,
        folder: str,
    ) -> Recording:
        nonlocal seq
        seq = (seq + 1) % 10**7
        name = f"{seq:07d}"
        transcribed = rnd() < 0.35
        return Recording(
            app_id,
            account,
            cc_id,
            agent,
            call_id,
            number if inbound else access[vdn],
            access[vdn] if inbound else number,
            begin,
            begin + timedelta(seconds=seconds),
            f"/{vdn}/{cc_id}/record/100/{agent}/{name}.wav",
            "1" if transcribed else "0",
            "success" if transcribed else "failed",
            f"{drive}:\\{cc_id}\\0\\{folder}\\{agent}\\{name}.V3",
            vdn,
            INBOUND if inbound else OUTBOUND,
            VOICE if rnd() < 0.98 else TEXT_CHAT,
            wanted,
            current,
        )

    for day in range(days):
        n_day = count // days + (1 if day < count % days else 0)
        midnight = datetime.combine(start + timedelta(days=day), datetime.min.time())
        folder = f"{midnight:%Y%m%d}"
        day_epoch = int((midnight - _EPOCH).total_seconds())
        offsets = sorted(
            _BUSINESS_START + int(rnd() * _BUSINESS_SPAN) if rnd() < 0.88 else int(rnd() * 86400)
            for _ in range(n_day)
        )
        for offset in offsets:
            begin = midnight + timedelta(seconds=offset)
            while pending and pending[0][0] <= begin:
                yield heapq.heappop(pending)[2]
                produced += 1
            if produced >= count:
                return
            agent, vdn = agent_list[int(rnd() * n_agents)]
            inbound = rnd() < 0.7
            seconds = max(3, min(1200, int(math.exp(4.4 + gauss(0.0, 1.0)))))
            options = skills[vdn]
            wanted = options[int(rnd() * len(options))] if inbound else ""
            current = options[int(rnd() * len(options))] if inbound and rnd() < 0.1 else wanted
            call_id = f"{day_epoch + offset}-{(seq + 1) % 10**7:07d}"
            number = customer()
            first = make(
                begin, seconds, agent, vdn, call_id, inbound, number, wanted, current, folder
            )
            yield first
            produced += 1
            if produced >= count:
                return
            if transfers and rnd() < transfers:
                team = by_vdn[vdn]
                previous = first
                for part in range(2 if rnd() < THIRD_PART else 1):
                    later = make(
                        previous.call_end,
                        max(3, seconds // (2 + part)),
                        team[int(rnd() * len(team))],
                        vdn,
                        call_id,
                        inbound,
                        number,
                        wanted,
                        options[int(rnd() * len(options))] if inbound else "",
                        f"{previous.call_end:%Y%m%d}",
                    )
                    heapq.heappush(pending, (later.call_begin, next(order), later))
                    previous = later
    while pending and produced < count:
        yield heapq.heappop(pending)[2]
        produced += 1


def _time(moment: datetime) -> str:
    return moment.isoformat(" ") if not moment.microsecond else moment.strftime(TIME_FORMAT)


def index_row(rec: Recording) -> list[str]:
    """The 18 fields of ``rec`` as written to an index (same as ``rec.to_row()``, faster)."""
    return [
        rec.developer, rec.account_id, rec.cc_id, rec.agent_id, rec.call_id, rec.caller_no,
        rec.callee_no, _time(rec.call_begin), _time(rec.call_end), rec.file_name,
        rec.task_status, rec.task_result, rec.original_file_name, rec.vdn_id, rec.call_type,
        rec.media_type, rec.user_wanted_skill_id, rec.current_skill_id,
    ]  # fmt: skip


def calls_of(recordings: Iterable[Recording]) -> list[list[Recording]]:
    """``recordings`` grouped by call (cc_id + call_id), calls in order of first appearance."""
    calls: dict[tuple[str, str], list[Recording]] = {}
    for rec in recordings:
        calls.setdefault((rec.cc_id, rec.call_id), []).append(rec)
    return list(calls.values())


def cdr_rows(recordings: Iterable[Recording]) -> Iterator[list[str]]:
    """The CDR rows of ``recordings``: each call's legs together (see :mod:`.cdr_rows`)."""
    for parts in calls_of(recordings):
        yield from call_legs(parts)


def _write_csv(
    handle: IO[str], rows: Iterable[list[str]], columns: tuple[str, ...], header: bool, newline: str
) -> int:
    writer = csv.writer(handle, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    if header:
        writer.writerow(columns)
    count = 0

    def counted() -> Iterator[list[str]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    writer.writerows(counted())
    return count


@contextlib.contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_index(
    path: Path,
    recordings: Iterable[Recording],
    *,
    header: bool = True,
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> int:
    """Write an 18-column recording index CSV (gzip when ``path`` ends with ``.gz``).

    Streams: memory stays flat however many rows. Returns the number of rows written.
    """
    path = Path(path)
    with _atomic_path(path) as tmp:
        opener: Callable[..., IO[str]]
        if path.suffix == ".gz":

            def opener(name: Path) -> IO[str]:
                return gzip.open(name, "wt", encoding=encoding, newline="", compresslevel=6)
        else:

            def opener(name: Path) -> IO[str]:
                return open(name, "w", encoding=encoding, newline="", buffering=1 << 20)

        with opener(tmp) as handle:
            return _write_csv(handle, map(index_row, recordings), COLUMNS, header, newline)


def write_calls(
    path: Path,
    recordings: Iterable[Recording],
    *,
    header: bool = True,
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> int:
    """Write the CDR (``_call``) CSV matching ``recordings``: one leg per recording, each
    call's legs together (29 columns, header first). Returns the number of rows written."""
    with _atomic_path(Path(path)) as tmp, open(tmp, "w", encoding=encoding, newline="") as handle:
        return _write_csv(handle, cdr_rows(recordings), CALL_COLUMNS, header, newline)


def write_bill_zip(
    path: Path,
    recordings: Iterable[Recording],
    *,
    split_rows: int | None = None,
    header: bool = True,
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> list[str]:
    """Write a downloadBillFile-style zip; return its member names.

    ``path`` is named ``yyyyMMdd_{id}.zip``; it gets ``{stem}_record.csv`` (or
    ``{stem}_record_1.csv``, ``_2`` ... with ``split_rows`` rows each) and ``{stem}_call.csv``
    with the CDR legs of those recordings (one per recording, joined by call_id).
    """
    path = Path(path)
    stem = path.name.removesuffix(".zip")
    names: list[str] = []
    seen: list[Recording] = []
    with (
        _atomic_path(path) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        source = iter(recordings)

        def teed(limit: int | None) -> Iterator[list[str]]:
            for taken, rec in enumerate(source, 1):
                seen.append(rec)
                yield index_row(rec)
                if limit is not None and taken >= limit:
                    return

        part = 0
        while True:
            part += 1
            rows = teed(split_rows)
            first = next(rows, None)
            if first is None and names:
                break
            name = f"{stem}_record.csv" if split_rows is None else f"{stem}_record_{part}.csv"
            body = _chain(first, rows) if first is not None else iter(())
            with archive.open(name, "w") as raw, _text(raw, encoding) as handle:
                _write_csv(handle, body, COLUMNS, header, newline)
            names.append(name)
            if split_rows is None or first is None:
                break
        call_name = f"{stem}_call.csv"
        with archive.open(call_name, "w") as raw, _text(raw, encoding) as handle:
            _write_csv(handle, cdr_rows(seen), CALL_COLUMNS, header, newline)
        names.append(call_name)
    return names


@contextlib.contextmanager
def _text(raw: IO[bytes], encoding: str) -> Iterator[io.TextIOWrapper]:
    handle = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        yield handle
    finally:
        handle.flush()
        handle.detach()


def _chain(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def write_sample(
    path: Path,
    count: int,
    *,
    app_id: str,
    seed: int = 0,
    start: date | None = None,
    days: int = 7,
    header: bool = True,
    transfers: float = 0.0,
    catalogue: Catalogue | None = None,
    calls_path: Path | None = None,
) -> Catalogue:
    """Generate ``count`` recordings, write them to the index ``path`` and return the
    emulator catalogue of exactly those (owned by ``app_id``), in one streaming pass.

    ``start`` defaults to ``days`` days before today, so the sample ends today. Pass
    ``catalogue`` (e.g. a running emulator's) to fill it instead of a new one, and
    ``calls_path`` to also write the matching CDR file (:func:`write_calls`).
    """
    first_day = start or date.today() - timedelta(days=days - 1)
    if catalogue is None:
        catalogue = Catalogue()

    def tee() -> Iterator[Recording]:
        for rec in generate_recordings(
            count, seed=seed, start=first_day, days=days, app_id=app_id, transfers=transfers
        ):
            catalogue.add(
                CatalogueEntry(
                    rec.file_name,
                    rec.play_file_name,
                    rec.call_id,
                    rec.cc_id,
                    app_id,
                    rec.duration.total_seconds(),
                    rec,
                )
            )
            if calls_path is not None:
                seen.append(rec)
            yield rec

    seen: list[Recording] = []
    write_index(Path(path), tee(), header=header)
    if calls_path is not None:
        write_calls(Path(calls_path), seen, header=header)
    return catalogue
