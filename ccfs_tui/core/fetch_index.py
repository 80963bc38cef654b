"""``ccfs-tui fetch``: from a time range to index zips on disk (reference section 6).

For each window of the range (:func:`~ccfs_tui.core.bill_window.split_range`):
queryBillData -> wait for the verified callback announcing its bill file
(:class:`~ccfs_tui.core.callback_receiver.CallbackReceiver`) -> downloadBillFile into the
folder, atomically. Windows are done one after another, or ``parallel`` at a time; the
first failure stops the others (their partial files are removed). Cancelling the
coroutine cancels whatever is under way. ``progress`` hears every change of a window's state
(``queried``, ``waiting`` with the time waited, ``downloading``, ``saved``) and is called
on the event loop.

No verified callback within ``wait`` seconds is a :class:`CallbackTimeoutError` that names
the responseId and the exact ``ccfs-tui fetch --bill yyyyMMdd_<responseId>.zip`` command to
get the file later (the date is the local date when the query was sent, which is how
CC-FS names bill files; near midnight the server's date may differ).
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from ccfs_tui.core.bill_window import BillWindow
from ccfs_tui.core.callback_receiver import BillNotice, CallbackReceiver
from ccfs_tui.core.client import CcfsClient
from ccfs_tui.core.errors import CcfsError, CcfsTimeoutError, ConfigError

WindowState = Literal["queried", "waiting", "downloading", "saved"]
TICK = 1.0
"""Seconds between two ``waiting`` reports of one window."""


@dataclass(frozen=True, slots=True)
class WindowProgress:
    """Where one window stands."""

    number: int
    """1-based, of :attr:`total`."""
    total: int
    window: BillWindow
    state: WindowState
    response_id: str = ""
    waited: float = 0.0
    """Seconds since the query was answered (``waiting``)."""
    path: Path | None = None
    """The saved zip (``saved``)."""


@dataclass(frozen=True, slots=True)
class FetchPlan:
    """What to fetch and where."""

    windows: Sequence[BillWindow]
    callback_url: str
    dest_dir: Path
    data_type: str = "call_record"
    filters: Mapping[str, str] = field(default_factory=dict)
    wait: float = 900.0
    overwrite: bool = False
    parallel: int = 1
    resume_options: str = ""
    """Options that the ``fetch --bill`` command of a timeout carries (e.g. ``-o DIR``)."""


def listen_address(listen: str, url: str) -> str:
    """Where the receiver binds: ``listen`` (callback_listen), else every address on the
    port of ``url`` (callback_url). Raises :class:`ConfigError` when both are empty."""
    if listen:
        return listen
    if url:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{'[::]' if ':' in (parts.hostname or '') else '0.0.0.0'}:{port}"
    raise ConfigError(
        "ccfs-tui fetch needs to know where CC-FS can call back: no callback_url.",
        "Set callback_url (and, if it differs from what to bind, callback_listen) in the "
        "profile, or give --callback-url http://THIS-HOST:PORT/ccfs-callback.",
    )


def callback_url(url: str, receiver: CallbackReceiver) -> str:
    """``url`` (callback_url), else the receiver's own address when it binds one address.
    Raises :class:`ConfigError` when it binds every address and no URL was given."""
    if url:
        return url
    derived = receiver.default_url()
    if derived is None:
        raise ConfigError(
            f"callback_listen {receiver.host}:{receiver.port} binds every address, so ccfs-tui "
            "cannot tell which one CC-FS reaches.",
            "Set callback_url (or --callback-url) to http://THIS-HOST:PORT/PATH.",
        )
    return derived


def bill_command(bill_file_name: str, options: str = "") -> str:
    """The command that downloads ``bill_file_name`` later."""
    tail = f" {options.strip()}" if options.strip() else ""
    return f"ccfs-tui fetch --bill {shlex.quote(bill_file_name)}{tail}"


class CallbackTimeoutError(CcfsTimeoutError):
    """No verified callback came for a query in time; the file may still be made."""

    def __init__(
        self,
        response_id: str,
        bill_file_name: str,
        waited: float,
        *,
        options: str = "",
        where: str = "",
        refused: int = 0,
    ) -> None:
        self.response_id = response_id
        self.bill_file_name = bill_file_name
        self.command = bill_command(bill_file_name, options)
        forged = (
            f" {refused} callback(s) were refused (bad signature or body): check the profile's "
            "AK/SK."
            if refused
            else ""
        )
        super().__init__(
            f"No verified callback for responseId {response_id}{where} within {_duration(waited)}.",
            f"When CC-FS has made the file, get it with: {self.command}  (check that CC-FS "
            f"can reach callback_url).{forged}",
        )


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def bill_file_name(response_id: str, day: date) -> str:
    """``yyyyMMdd_<responseId>.zip``, the name CC-FS gives the bill file of a query."""
    return f"{day:%Y%m%d}_{response_id}.zip"


async def fetch_index(
    client: CcfsClient,
    receiver: CallbackReceiver,
    plan: FetchPlan,
    *,
    progress: Callable[[WindowProgress], None] | None = None,
    today: Callable[[], date] = date.today,
    tick: float = TICK,
) -> list[Path]:
    """Fetch every window of ``plan``; return the saved zips in window order."""
    total = len(plan.windows)
    saved: dict[int, Path] = {}
    gate = asyncio.Semaphore(max(1, plan.parallel))

    def report(state: WindowProgress) -> None:
        if progress is not None:
            progress(state)

    async def one(number: int, window: BillWindow) -> None:
        async with gate:
            saved[number] = await _fetch_window(
                client, receiver, plan, number, total, window, report, today, tick
            )

    try:
        async with asyncio.TaskGroup() as group:
            for number, window in enumerate(plan.windows, 1):
                group.create_task(one(number, window))
    except BaseExceptionGroup as failed:
        raise _first(failed) from None
    return [saved[n] for n in sorted(saved)]


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to show: a typed one before anything else."""
    flat: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            flat.append(exc)

    walk(group)
    return next((e for e in flat if isinstance(e, CcfsError)), flat[0])


async def _fetch_window(
    client: CcfsClient,
    receiver: CallbackReceiver,
    plan: FetchPlan,
    number: int,
    total: int,
    window: BillWindow,
    report: Callable[[WindowProgress], None],
    today: Callable[[], date],
    tick: float,
) -> Path:
    response_id = await client.query_bill_data(
        window, plan.data_type, plan.callback_url, plan.filters
    )
    sent_on = today()
    report(WindowProgress(number, total, window, "queried", response_id))
    notice = await _await_notice(
        receiver,
        response_id,
        plan,
        tick,
        sent_on,
        number,
        total,
        lambda waited: report(
            WindowProgress(number, total, window, "waiting", response_id, waited)
        ),
    )
    report(WindowProgress(number, total, window, "downloading", response_id))
    path = await client.download_bill_file(
        notice.bill_file_name, plan.dest_dir / notice.bill_file_name, overwrite=plan.overwrite
    )
    report(WindowProgress(number, total, window, "saved", response_id, path=path))
    return path


async def _await_notice(
    receiver: CallbackReceiver,
    response_id: str,
    plan: FetchPlan,
    tick: float,
    sent_on: date,
    number: int,
    total: int,
    waiting: Callable[[float], None],
) -> BillNotice:
    loop = asyncio.get_running_loop()
    start = loop.time()
    task = asyncio.ensure_future(receiver.wait(response_id))
    try:
        while True:
            waited = loop.time() - start
            remaining = plan.wait - waited
            if remaining <= 0:
                where = f" (window {number} of {total}: {plan.windows[number - 1]})"
                raise CallbackTimeoutError(
                    response_id,
                    bill_file_name(response_id, sent_on),
                    plan.wait,
                    options=plan.resume_options,
                    where=where if total > 1 else "",
                    refused=receiver.refused,
                )
            done, _ = await asyncio.wait({task}, timeout=min(tick, remaining))
            if done:
                return task.result()
            waiting(loop.time() - start)
    finally:
        task.cancel()
