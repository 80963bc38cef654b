"""The doctor's terminal checks, from the environment: TERM, colours, a UTF-8 locale, and
inside tmux whether copying (OSC 52) gets through to the outer terminal."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping

from ccfs_tui.core.child_env import child_environment
from ccfs_tui.core.doctor.result import CheckResult, fail, ok, skip, warn
from ccfs_tui.core.sanitize import visible

TmuxOption = Callable[[str], str | None]
"""Reads one global tmux option (``set-clipboard``), None when tmux cannot tell."""


def tmux_option(name: str) -> str | None:
    """``tmux show -gv NAME`` (None when tmux is missing, fails or hangs)."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    try:
        done = subprocess.run(
            [tmux, "show", "-gv", name],
            capture_output=True,
            env=child_environment(),
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace").strip()


def check_term(env: Mapping[str, str]) -> CheckResult:
    """TERM names a terminal the TUI can drive."""
    term = env.get("TERM", "")
    if not term or term == "dumb":
        what = "not set" if not term else "dumb"
        return fail(
            "TERM",
            f"TERM is {what}: the TUI cannot draw.",
            "Run it in a terminal emulator (or export TERM=xterm-256color).",
        )
    return ok("TERM", visible(term))


def check_colours(env: Mapping[str, str]) -> CheckResult:
    """How many colours the TUI will use (NO_COLOR turns them off)."""
    if env.get("NO_COLOR"):
        return warn("colours", "none: NO_COLOR is set.", "Unset NO_COLOR to see the TUI's colours.")
    colorterm = env.get("COLORTERM", "").lower()
    if colorterm in ("truecolor", "24bit"):
        return ok("colours", f"24-bit (COLORTERM={colorterm})")
    term = env.get("TERM", "")
    if "256color" in term or "direct" in term:
        return ok("colours", f"256 (TERM={visible(term)})")
    return warn(
        "colours",
        f"8 or 16 only (TERM={visible(term) or 'unset'}, no COLORTERM).",
        "If the terminal can do more, export TERM=xterm-256color or COLORTERM=truecolor.",
    )


def check_locale(env: Mapping[str, str]) -> CheckResult:
    """The locale is UTF-8 (tmux and the terminal decide from it how to show the tree)."""
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(var, "")
        if value:
            break
    else:
        var, value = "LANG", ""
    shown = f"{var}={visible(value)}" if value else "LC_ALL, LC_CTYPE and LANG are not set"
    if "utf8" in value.lower().replace("-", ""):
        return ok("locale", shown)
    return fail(
        "locale",
        f"not UTF-8 ({shown}): lines, marks and non-ASCII names show as garbage.",
        "export LANG=C.UTF-8 (or en_US.UTF-8) in your shell's profile.",
    )


def check_tmux(env: Mapping[str, str], option: TmuxOption = tmux_option) -> CheckResult:
    """Inside tmux: ``set-clipboard`` lets the copy keys reach the outer terminal."""
    if not env.get("TMUX"):
        return skip("tmux", "not inside tmux")
    clipboard = option("set-clipboard")
    if clipboard is None:
        return warn(
            "tmux",
            "could not ask tmux for set-clipboard.",
            "Check by hand: tmux show -gv set-clipboard (on or external lets copy work).",
        )
    if clipboard in ("on", "external"):
        return ok("tmux", f"set-clipboard is {clipboard}: copy works")
    if option("allow-passthrough") in ("on", "all"):
        return ok("tmux", "set-clipboard is off, but allow-passthrough is on: copy works")
    return warn(
        "tmux",
        f"set-clipboard is {visible(clipboard) or 'empty'}: the copy keys will not reach your "
        "clipboard.",
        "tmux set -g set-clipboard on (and add `set -g set-clipboard on` to ~/.tmux.conf).",
    )


def terminal_checks(
    env: Mapping[str, str], option: TmuxOption = tmux_option
) -> Iterator[CheckResult]:
    """Every terminal check, in order."""
    yield check_term(env)
    yield check_colours(env)
    yield check_locale(env)
    yield check_tmux(env, option)
