"""Demo tokens survive a restart of ``ccfs-tui demo``: the emulator listens on the last
demo's port again and grants its live tokens anew; when that port is taken, the demo says so
(and those tokens, of another address, are dropped)."""

from __future__ import annotations

import asyncio
import socket

from ccfs_tui.core.session import Session
from ccfs_tui.demo import start_demo
from ccfs_tui.emulator.codes import ApiError


def request_one(demo) -> str:
    """A token for the first recording of the demo's catalogue (through a real Session)."""
    name = next(iter(demo.emulator.catalogue)).original_file_name

    async def flow() -> str:
        session = Session(profile=demo.profile, secret=demo.secret, tokens=demo.token_store())
        try:
            token = await session.request_token(name)
        finally:
            await session.aclose()
        return token.token

    return asyncio.run(flow())


def test_demo_tokens_work_after_a_restart_on_the_same_port() -> None:
    with start_demo(recordings=120, days=2, tls=False) as first:
        first.prepare_index()
        token = request_one(first)
        port = first.emulator.port
    with start_demo(recordings=120, days=2, tls=False) as again:
        assert again.emulator.port == port and again.note == ""
        assert [t.token for t in again.token_store().all()] == [token]  # same base URL
        try:
            again.emulator.grants.check(token, again.emulator.state.clock())
        except ApiError:
            pass  # not yet: the catalogue is filled by prepare_index
        else:
            raise AssertionError("granted before its recording is known")
        again.prepare_index()
        grant = again.emulator.grants.check(token, again.emulator.state.clock())
        assert grant.app_id == again.profile.app_id


def test_a_taken_port_gives_another_and_says_so() -> None:
    with start_demo(recordings=120, days=2, tls=False) as first:
        first.prepare_index()
        request_one(first)
        port = first.emulator.port
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with start_demo(recordings=120, days=2, tls=False) as again:
            assert again.emulator.port != port
            assert f"Port {port}" in again.note and "dropped" in again.note
            assert again.token_store().all() == []
    with start_demo(recordings=120, days=2, tls=False) as third:  # the new port is kept
        assert third.emulator.port != port
