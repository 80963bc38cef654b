"""CDR (``_call``) rows made from recordings: one agent leg per recording of a call.

The columns are the 29 of reference section 6 (AICC 23.100 and later). A call recorded in
``k`` parts (a transfer) has ``k`` rows joined by ``call_id``: ``call_id_num`` 1, 2, ... and
``-1`` on the last (``-1`` alone when the call has one row); ``release_cause`` is set on that
``-1`` row only; each later leg names the one before in ``pre_device_type`` /
``pre_device_no``. Times agree with the index: a leg's ``call_begin`` / ``call_end`` are its
recording's; the customer waited in the queue (``wait_*``) and the agent's phone rang
(``ack_*``) just before (both derived from the call id, so the same call always gives the
same rows).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from ccfs_tui.core.recording import TIME_FORMAT, Recording

CDR_COLUMNS: tuple[str, ...] = (
    "developer",
    "account_id",
    "cc_id",
    "agent_id",
    "call_id",
    "caller_no",
    "callee_no",
    "wait_begin",
    "wait_end",
    "ack_begin",
    "ack_end",
    "call_begin",
    "call_end",
    "device_type",
    "device_no",
    "call_type",
    "release_cause",
    "call_id_num",
    "vdn_id",
    "pre_device_type",
    "pre_device_no",
    "skill_id",
    "current_skill_id",
    "device_in",
    "pre_device_in",
    "service_no",
    "leave_reason",
    "media_type",
    "sub_media_type",
)
"""The CDR columns in file order (the first 18 up to AICC 22.100, 23 up to 23.100, then 29)."""

AGENT = "2"
"""device_type of an agent leg (1 queue, 2 agent, 3 IVR)."""
INBOUND = "0"
NORMAL_RELEASE = "0"


def _time(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


def call_legs(parts: Sequence[Recording]) -> list[list[str]]:
    """The CDR rows of one call from its recordings (any order; all share cc_id + call_id)."""
    legs = sorted(parts, key=lambda rec: rec.call_begin)
    rows: list[list[str]] = []
    previous: Recording | None = None
    for number, rec in enumerate(legs, 1):
        spread = zlib.crc32(f"{rec.call_id}/{number}".encode("utf-8", "replace"))
        ring = timedelta(seconds=spread % 12 + 1)
        queued = rec.call_type == INBOUND and previous is None
        wait = timedelta(seconds=(spread >> 8) % 40 if queued else 0)
        ack_begin = rec.call_begin - ring
        last = number == len(legs)
        rows.append(
            [
                rec.developer,
                rec.account_id,
                rec.cc_id,
                rec.agent_id,
                rec.call_id,
                rec.caller_no,
                rec.callee_no,
                _time(ack_begin - wait),
                _time(ack_begin),
                _time(ack_begin),
                _time(rec.call_begin),
                _time(rec.call_begin),
                _time(rec.call_end),
                AGENT,
                rec.agent_id,
                rec.call_type,
                NORMAL_RELEASE if last else "",
                "-1" if last else str(number),
                rec.vdn_id,
                AGENT if previous is not None else "",
                previous.agent_id if previous is not None else "",
                rec.user_wanted_skill_id,
                rec.current_skill_id,
                "",
                "",
                "",
                "",
                rec.media_type,
                "",
            ]
        )
        previous = rec
    return rows
