"""The environment of every process ccfs-tui starts, without the SK in it.

``CCFS_SECRET_KEY`` and each variable a profile names in ``secret_env`` hold an SK: a
``secret_command``, the audio player and the index load helper have no use for them, and a
child process could leak them (core dumps, ``/proc/PID/environ`` of a long-lived player,
its own children). :func:`child_environment` is the one place that builds such an
environment; :func:`~ccfs_tui.core.config.load_config` registers every ``secret_env`` it
reads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping

SK_ENV = "CCFS_SECRET_KEY"

_lock = threading.Lock()
_secret_variables: set[str] = {SK_ENV}


def register_secret_variable(name: str) -> None:
    """Never pass the variable ``name`` to a child process (it holds an SK)."""
    if name:
        with _lock:
            _secret_variables.add(name)


def secret_variables() -> frozenset[str]:
    """The variables left out of every child environment."""
    with _lock:
        return frozenset(_secret_variables)


def child_environment(
    base: Mapping[str, str] | None = None, also_drop: Iterable[str] = ()
) -> dict[str, str]:
    """A copy of ``base`` (default: this process's environment) without any variable that
    holds an SK (:func:`secret_variables` and ``also_drop``)."""
    base = os.environ if base is None else base
    drop = secret_variables() | set(also_drop)
    return {name: value for name, value in base.items() if name not in drop}
