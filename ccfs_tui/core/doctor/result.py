"""What one doctor check found: ok / warn / fail / skip, one line of text and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    """How a check went. Only ``FAIL`` makes ``ccfs-tui doctor`` exit 1."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of the doctor's report.

    ``name`` says what was checked (``DNS``, ``clock`` ...), ``text`` what was found and
    ``fix`` what to do about it (empty when there is nothing to do). No field ever holds
    the SK (the runner scrubs every text once more before handing it out).
    """

    name: str
    status: Status
    text: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        """True for a check that makes the doctor exit 1."""
        return self.status is Status.FAIL


def ok(name: str, text: str, fix: str = "") -> CheckResult:
    """A passed check."""
    return CheckResult(name, Status.OK, text, fix)


def warn(name: str, text: str, fix: str = "") -> CheckResult:
    """A check that passed with a remark worth acting on."""
    return CheckResult(name, Status.WARN, text, fix)


def fail(name: str, text: str, fix: str = "") -> CheckResult:
    """A failed check."""
    return CheckResult(name, Status.FAIL, text, fix)


def skip(name: str, text: str) -> CheckResult:
    """A check not run (it does not apply, or an earlier one failed)."""
    return CheckResult(name, Status.SKIP, text)
