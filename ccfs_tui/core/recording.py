"""The typed recording that one line of a CC-FS recording index describes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

COLUMNS: tuple[str, ...] = (
    "developer",
    "account_id",
    "cc_id",
    "agent_id",
    "call_id",
    "caller_no",
    "callee_no",
    "call_begin",
    "call_end",
    "file_name",
    "task_status",
    "task_result",
    "original_file_name",
    "vdn_id",
    "call_type",
    "media_type",
    "user_wanted_skill_id",
    "current_skill_id",
)
"""The 18 index columns, in file order (reference section 2)."""

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def normalize_file_name(original_file_name: str) -> str:
    """The fileName requestPlayVoice wants: the index's name with every ``\\`` as ``/``."""
    return original_file_name.replace("\\", "/")


@dataclass(frozen=True, slots=True)
class Recording:
    """One recording. Times are naive, in the tenant's time zone, shown as they are."""

    developer: str
    account_id: str
    cc_id: str
    agent_id: str
    call_id: str
    caller_no: str
    callee_no: str
    call_begin: datetime
    call_end: datetime
    file_name: str
    task_status: str
    task_result: str
    original_file_name: str
    vdn_id: str
    call_type: str
    media_type: str
    user_wanted_skill_id: str
    current_skill_id: str

    @property
    def duration(self) -> timedelta:
        """Call length (never negative)."""
        return max(self.call_end - self.call_begin, timedelta(0))

    @property
    def play_file_name(self) -> str:
        """The ``msgBody.fileName`` sent to requestPlayVoice."""
        return normalize_file_name(self.original_file_name)

    @property
    def transcribed(self) -> bool:
        """True when the recording was transcribed to text (task_status 1)."""
        return self.task_status.strip() == "1"

    def to_row(self) -> list[str]:
        """The 18 index fields as strings, in file order."""
        return [
            value.strftime(TIME_FORMAT) if isinstance(value, datetime) else value
            for value in (getattr(self, name) for name in COLUMNS)
        ]
