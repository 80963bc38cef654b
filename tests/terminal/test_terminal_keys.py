"""Keys as a real terminal delivers them: bursts, bracketed pastes, keys during the launch.

Each test drives ``ccfs-tui demo`` in a tmux pane and checks what a user sees (the screen)
or gets (the audit log names the recording a token was requested for). Nothing here
asserts a time: waits are generous and only bound how long a failure takes to show.
"""

from __future__ import annotations

import re

import pytest
from tmux_app import NO_TMUX, SIZES, TOTAL, AppPool, Call, TmuxApp, tmux_missing

pytestmark = [
    pytest.mark.terminal,
    pytest.mark.skipif(tmux_missing(), reason=NO_TMUX),
]

AUDIT_FIELDS = {
    "time",
    "profile",
    "app_id",
    "action",
    "file_name",
    "outcome",
    "result_code",
    "token_fingerprint",
}
"""Every audit line is one JSON object with (at least) these fields."""

REPEATS = 10
"""How often each editing burst is sent: a lost or reordered key is a race, not a certainty."""


def assert_requested_for(app: TmuxApp, mark: int, call: Call, previous: Call | None = None) -> None:
    """A token was requested for ``call`` (audit log) and the detail pane shows it."""
    entry = app.wait_request(mark)
    assert entry["file_name"] == call.file_name, (
        f"the token was requested for {entry['file_name']!r}, not for the recording of "
        f"{call.call_id} ({call.file_name!r})"
        + (f"; {previous.file_name!r} was selected before" if previous else "")
        + f":\n{app.screen()}"
    )
    assert set(entry) >= AUDIT_FIELDS, f"an audit entry lacks fields: {entry}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["time"]), entry
    assert (entry["profile"], entry["app_id"]) == ("demo", "demo-ak"), entry
    assert "\\" not in entry["file_name"]
    assert entry["outcome"] == "ok", f"the request failed: {entry}"
    assert entry["result_code"] == "0"
    assert entry["token_fingerprint"], "an issued token leaves its fingerprint in the audit log"
    text = app.wait_for(
        lambda s: app.detail_call_id(s) == call.call_id,
        f"the detail pane to show call {call.call_id}",
    )
    requested = {e["file_name"] for e in app.requests_after(mark)}
    assert requested == {call.file_name}, f"tokens were requested for {sorted(requested)}"
    app.assert_alive(text)


def open_filter(app: TmuxApp) -> None:
    """``/`` and wait until the (empty) filter has the focus, as a person would see it."""
    app.send("/")
    app.wait_for(
        lambda s: app.filter_focused(s) and app.filter_text(s) == "", "the empty filter to open"
    )


# ---------------------------------------------------------------------------- 1


@pytest.mark.parametrize("size", list(SIZES))
def test_burst_filter_enter_r_requests_the_filtered_recording(app_pool: AppPool, size: str) -> None:
    """``/`` CALLID Enter ``r`` in one burst, with another recording selected before:
    the token is for the filtered recording, never the one selected before."""
    app = app_pool.get(*SIZES[size])
    previous, call = app_pool.calls(2)
    app.select(previous)
    mark = len(app.audit())

    app.send("/", call.call_id, "Enter", "r")

    assert_requested_for(app, mark, call, previous)


# ---------------------------------------------------------------------------- 2


def test_burst_filter_enter_enter_requests(app: TmuxApp, app_pool: AppPool) -> None:
    """``/`` CALLID Enter Enter in one burst: the second Enter (on the tree) requests."""
    (call,) = app_pool.calls(1)
    mark = len(app.audit())

    app.send("/", call.call_id, "Enter", "Enter")

    assert_requested_for(app, mark, call)


# ---------------------------------------------------------------------------- 3


def test_paste_with_newline_then_r(app: TmuxApp, app_pool: AppPool) -> None:
    """``/``, a bracketed paste of "CALLID\\n", then ``r``: requested for the pasted call."""
    (call,) = app_pool.calls(1)
    open_filter(app)
    mark = len(app.audit())

    app.paste(call.call_id + "\n")
    shown, _ = app.watch(app.filter_text, call.call_id)
    assert shown == call.call_id, f"the filter reads {shown!r} after pasting {call.call_id!r}"
    app.send("r")

    assert_requested_for(app, mark, call)


def test_paste_then_enter_r_burst(app: TmuxApp, app_pool: AppPool) -> None:
    """``/``, a bracketed paste of "CALLID", then Enter ``r`` in one burst."""
    (call,) = app_pool.calls(1)
    open_filter(app)
    mark = len(app.audit())

    app.paste(call.call_id)
    shown, _ = app.watch(app.filter_text, call.call_id)
    assert shown == call.call_id, f"the filter reads {shown!r} after pasting {call.call_id!r}"
    app.send("Enter", "r")

    assert_requested_for(app, mark, call)


# ---------------------------------------------------------------------------- 4


@pytest.mark.parametrize("moment", ["at once", "while loading"])
def test_filter_typed_at_launch(fresh_app: TmuxApp, app_pool: AppPool, moment: str) -> None:
    """``/`` sent right after the terminal opens (before anything is drawn), then a call id
    (at once, or once the window shows the load): no key is lost, the app lives on."""
    (call,) = app_pool.calls(1)
    app = fresh_app

    app.start("/")
    if moment == "while loading":
        app.wait_for(lambda s: "loading" in app.summary(s), "the window to show the load")
    app.send(call.call_id)

    app.wait_for(
        lambda s: TOTAL in app.summary(s) and "loading" not in app.summary(s),
        "the load to finish",
    )
    want = (call.call_id, f"1 of {TOTAL}")
    (shown, summary), text = app.watch(
        lambda s: (app.filter_text(s), app.summary(s).split(" · ")[0]), want
    )
    app.assert_alive(text)
    assert shown == call.call_id, f"the filter reads {shown!r}, typed {call.call_id!r}:\n{text}"
    assert summary == f"1 of {TOTAL}", f"the summary reads {summary!r}:\n{text}"
    status, text = app.quit("C-q")
    assert status == 0 and "Traceback" not in text, f"ctrl+q: exit {status}:\n{text}"


# ---------------------------------------------------------------------------- 5

BURSTS = {
    "backspaces": (("10011", "BSpace", "BSpace", "23"), "10023"),
    "ctrl+a ctrl+k": (("abc", "C-a", "C-k", "12"), "12"),
}


@pytest.mark.parametrize("burst", list(BURSTS))
@pytest.mark.parametrize("size", list(SIZES))
def test_editing_burst_keeps_key_order(app_pool: AppPool, size: str, burst: str) -> None:
    """Editing keys typed fast in the filter apply in order (sent REPEATS times)."""
    keys, want = BURSTS[burst]
    app = app_pool.get(*SIZES[size])
    for attempt in range(1, REPEATS + 1):
        app.home()
        open_filter(app)

        app.send(*keys)

        shown, text = app.watch(app.filter_text, want)
        assert shown == want, (
            f"burst {attempt}/{REPEATS} {' '.join(keys)}: the filter reads {shown!r}, "
            f"not {want!r}:\n{text}"
        )
        app.assert_alive(text)
