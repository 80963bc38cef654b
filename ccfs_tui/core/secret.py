"""A container for the secret key (SK) that never shows its value by accident."""

from __future__ import annotations

from typing import NoReturn

MASK = "********"


class Secret:
    """Holds a secret string; ``str``, ``repr`` and f-strings show only a mask.

    Textual's crash report prints local variables: keeping the SK in a ``Secret``
    means even that cannot show it. Call :meth:`reveal` only where the raw value
    is needed (the HMAC key).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the raw secret. Use only to compute a signature."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")
