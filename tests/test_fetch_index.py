"""core.fetch_index on the emulator: windows in order (also a few at a time), progress
states, cancellation while waiting, the timeout error's command."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from ccfs_tui.core.bill_window import parse_bill_time, split_range
from ccfs_tui.core.client import CcfsClient
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.fetch_index import (
    CallbackTimeoutError,
    FetchPlan,
    WindowProgress,
    bill_command,
    callback_url,
    fetch_index,
    listen_address,
)


def make_client(emulator, tmp_path: Path) -> CcfsClient:
    ((app_id, secret),) = emulator.credentials.items()
    profile = Profile(
        name="e", base_url=emulator.base_url, app_id=app_id, index_dir=tmp_path / "idx"
    )
    emulator.callbacks.first_delay = 0.0
    emulator.callbacks.retry_interval = 0.1
    return CcfsClient(profile, secret, guard=None)


def week() -> list:
    return split_range(parse_bill_time("2026-11-17"), parse_bill_time("2026-11-23", end=True))


@pytest.mark.parametrize("parallel", [1, 3])
def test_windows_saved_in_order_with_their_states(emulator, tmp_path: Path, parallel: int) -> None:
    states: list[WindowProgress] = []

    async def go() -> list[Path]:
        async with make_client(emulator, tmp_path) as client:
            receiver = client.callback_receiver("127.0.0.1:0")
            with receiver:
                plan = FetchPlan(
                    windows=week(),
                    callback_url=callback_url("", receiver),
                    dest_dir=tmp_path / "out",
                    data_type="record",
                    parallel=parallel,
                )
                return await fetch_index(client, receiver, plan, progress=states.append)

    paths = asyncio.run(go())
    assert len(paths) == 3 and all(p.parent == tmp_path / "out" for p in paths)
    by_window = {n: [s.state for s in states if s.number == n] for n in (1, 2, 3)}
    for seen in by_window.values():
        assert seen[0] == "queried" and seen[-2:] == ["downloading", "saved"]
    saved = {s.number: s.path for s in states if s.state == "saved"}
    assert [saved[1], saved[2], saved[3]] == paths
    # each zip is its own window's: the response id in its name is the one queried for it
    queried = {s.number: s.response_id for s in states if s.state == "queried"}
    assert [p.name.split("_", 1)[1] for p in paths] == [f"{queried[n]}.zip" for n in (1, 2, 3)]


def test_cancel_while_waiting_leaves_nothing(emulator, tmp_path: Path) -> None:
    emulator.callbacks.never_send = True

    async def go() -> None:
        async with make_client(emulator, tmp_path) as client:
            receiver = client.callback_receiver("127.0.0.1:0")
            with receiver:
                waiting = asyncio.Event()
                plan = FetchPlan(
                    windows=week()[:1],
                    callback_url=callback_url("", receiver),
                    dest_dir=tmp_path / "out",
                    wait=600,
                )

                def progress(state: WindowProgress) -> None:
                    if state.state == "waiting":
                        waiting.set()

                task = asyncio.create_task(
                    fetch_index(client, receiver, plan, progress=progress, tick=0.05)
                )
                await waiting.wait()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert receiver._waiters == {}

    asyncio.run(go())
    assert not (tmp_path / "out").exists()


def test_timeout_names_the_window_and_the_command(emulator, tmp_path: Path) -> None:
    emulator.callbacks.never_send = True

    async def go() -> None:
        async with make_client(emulator, tmp_path) as client:
            receiver = client.callback_receiver("127.0.0.1:0")
            with receiver:
                plan = FetchPlan(
                    windows=week(),
                    callback_url=callback_url("", receiver),
                    dest_dir=tmp_path / "out",
                    wait=0.2,
                    resume_options="-o '/my dir'",
                )
                await fetch_index(client, receiver, plan, today=lambda: date(2026, 11, 30))

    with pytest.raises(CallbackTimeoutError) as caught:
        asyncio.run(go())
    error = caught.value
    assert error.bill_file_name == f"20261130_{error.response_id}.zip"
    assert error.command == f"ccfs-tui fetch --bill {error.bill_file_name} -o '/my dir'"
    assert "(window 1 of 3: 2026-11-17 00:00:00 .. 2026-11-19 23:59:59)" in error.message
    assert error.command in error.hint


def test_listen_and_url_defaults() -> None:
    assert listen_address("", "http://10.1.2.3:8089/cb") == "0.0.0.0:8089"
    assert listen_address("", "https://[fd00::5]/cb") == "[::]:443"
    assert listen_address("127.0.0.1:9", "http://x:1/") == "127.0.0.1:9"
    with pytest.raises(ConfigError, match="callback_url"):
        listen_address("", "")
    assert bill_command("a b.zip") == "ccfs-tui fetch --bill 'a b.zip'"
