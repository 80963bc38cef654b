"""Injectable clocks: every time-dependent part of the core takes a ``Clock``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""A zero-argument callable returning the current time as an aware UTC datetime."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class FakeClock:
    """A manually advanced clock for tests and benchmarks."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 24, 8, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        """Move the clock forward by ``seconds`` (and/or timedelta keyword arguments)."""
        self.now += timedelta(seconds=seconds, **kwargs)
