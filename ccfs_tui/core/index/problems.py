"""What the reader reports instead of raising: a skipped line or file, and why."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS_PER_FILE = 1000
"""Problems listed per file; the rest are counted in one last problem."""


@dataclass(frozen=True, slots=True)
class IndexProblem:
    """A line (or, with ``line`` 0, a whole file) that was skipped, and why."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        """``FILE:LINE: reason``, or ``FILE: reason`` for a whole file (never a line 0)."""
        if not self.line:
            return f"{self.source}: {self.reason}"
        return f"{self.source}:{self.line}: {self.reason}"
