"""Run the installed ``ccfs-tui demo`` in a real terminal (a detached tmux pane) and drive it.

Every app runs in its own tmux server (``tmux -L <unique socket>``), with TERM=xterm-256color
and HOME plus every XDG_* folder inside the test's temporary folder. Keys are sent the way a
terminal delivers them: several in ONE ``send-keys`` call (a burst), pastes as bracketed
pastes (``load-buffer`` + ``paste-buffer -p``), and the screen is read with ``capture-pane``.

The app runs as ``sh -c '<app>; echo EXIT=$?; sleep 30'`` so that its exit status (and any
traceback it printed on its way out) stays readable on the pane after it ends.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WAIT = 20.0
"""Seconds any wait gives the app before the test fails (generous: slow CI machines)."""
POLL = 0.02
"""Seconds between two reads of the screen."""
SETTLE = 2.0
"""A watched value that stays the same (and wrong) this long is taken as final."""
TOTAL = "20,000"
"""The demo's recording count as the summary line writes it."""

PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "VIRTUAL_ENV")
"""The only variables of the test process the app sees (besides the ones set here)."""


NO_TMUX = "tmux is not on PATH: the real-terminal tests need it"


def tmux_missing() -> bool:
    """True when there is no ``tmux`` on PATH (the terminal tests are then skipped)."""
    return shutil.which("tmux") is None


def app_command() -> list[str]:
    """The installed app: the console script next to this interpreter, else ``-m ccfs_tui``."""
    script = Path(sys.executable).with_name("ccfs-tui")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "ccfs_tui"]


def private_env(root: Path) -> dict[str, str]:
    """HOME, XDG_* (config, state, cache, data, runtime, downloads) and TERM, all under ``root``."""
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    home = root / "home"
    folders = {
        "HOME": home,
        "XDG_CONFIG_HOME": root / "config",
        "XDG_STATE_HOME": root / "state",
        "XDG_CACHE_HOME": root / "cache",
        "XDG_DATA_HOME": root / "data",
        "XDG_RUNTIME_DIR": root / "runtime",
        "XDG_DOWNLOAD_DIR": home / "Downloads",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    (root / "runtime").chmod(0o700)
    env["TERM"] = "xterm-256color"
    env.setdefault("LANG", "C.UTF-8")
    return env


def locate(env: dict[str, str]) -> dict[str, Path]:
    """``ccfs-tui locate`` run with ``env``: label -> path (where the app will write)."""
    out = subprocess.run(
        [*app_command(), "locate"], env=env, capture_output=True, text=True, check=True
    ).stdout
    paths: dict[str, Path] = {}
    for line in out.splitlines():
        label, _, path = line.partition("  ")
        if path.strip():
            paths[label.strip()] = Path(path.strip())
    return paths


@dataclass(frozen=True)
class Call:
    """One recording of the sample index: its call id and the fileName requestPlayVoice wants."""

    call_id: str
    original_file_name: str

    @property
    def file_name(self) -> str:
        """``original_file_name`` with every ``\\`` as ``/`` (what the audit log records)."""
        return self.original_file_name.replace("\\", "/")


def read_calls(index: Path) -> list[Call]:
    """The recordings of the demo's sample index whose call id is unique in it, in file order."""
    with index.open(newline="", encoding="utf-8-sig") as handle:
        rows = [(row["call_id"], row["original_file_name"]) for row in csv.DictReader(handle)]
    seen: dict[str, int] = {}
    for call_id, _ in rows:
        seen[call_id] = seen.get(call_id, 0) + 1
    return [Call(c, f) for c, f in rows if c and seen[c] == 1]


class TmuxApp:
    """``ccfs-tui demo`` in a detached tmux session of a private tmux server."""

    def __init__(self, root: Path, width: int = 120, height: int = 36) -> None:
        self.root = root
        self.width = width
        self.height = height
        self.socket = f"ccfs-tt-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.env = private_env(root)
        self.paths = locate(self.env)
        self.audit_path = self.paths["audit log"]
        self.index_path = self.paths["demo files"] / "demo_record.csv"
        self.target = "app:0.0"
        self._pastes = 0
        self._socket_path: Path | None = None
        self.started = False

    # ------------------------------------------------------------------ tmux
    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """One tmux command on this app's private server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=WAIT,
        )

    def start(self, *keys: str) -> None:
        """Start the app in a new tmux server; ``keys`` are sent right after, in one call."""
        if self.started:
            raise RuntimeError("already started")
        app = shlex.join([*app_command(), "demo"])
        shell = f"{app}; echo EXIT=$?; sleep 30"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(self.env.items()))
        command = f"exec env {exports} sh -c {shlex.quote(shell)}"
        self.tmux(
            "new-session", "-d", "-c", str(self.root), "-s", "app",
            "-x", str(self.width), "-y", str(self.height),
            command,
        )  # fmt: skip
        self.started = True
        if keys:
            self.send(*keys)
        found = self.tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self._socket_path = Path(found) if found else None

    def kill(self) -> None:
        """Kill this app's tmux server (and so the app); safe to call twice."""
        if self.started:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.tmux("kill-server", check=False)
            self.started = False
        if self._socket_path is not None:  # tmux leaves its socket file behind
            self._socket_path.unlink(missing_ok=True)
            self._socket_path = None

    def restart(self) -> None:
        """A fresh app in a fresh tmux server, same folders (the audit log keeps growing)."""
        self.kill()
        self.socket = f"ccfs-tt-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.start()
        self.wait_loaded()

    # ------------------------------------------------------------------ input
    def send(self, *keys: str) -> None:
        """Every key in ONE ``send-keys`` call: the app reads them as one burst.

        tmux key names (``Enter``, ``BSpace``, ``C-a``, ``Escape``) are keys, anything else
        is typed as text.
        """
        self.tmux("send-keys", "-t", self.target, *keys)

    def paste(self, text: str) -> None:
        """A bracketed paste of ``text`` (tmux turns a newline into CR, as terminals do)."""
        self._pastes += 1
        source = self.root / f"paste-{self._pastes}.txt"
        source.write_text(text, encoding="utf-8")
        name = f"p{self._pastes}"
        self.tmux("load-buffer", "-b", name, str(source))
        self.tmux("paste-buffer", "-p", "-d", "-b", name, "-t", self.target)

    # ------------------------------------------------------------------ output
    def screen(self) -> str:
        """The visible pane, as text."""
        return self.tmux("capture-pane", "-p", "-t", self.target).stdout

    def history(self) -> str:
        """The pane's scrollback and screen: what the app printed after leaving the alternate
        screen (a crash report is longer than the screen) stays readable here."""
        return self.tmux("capture-pane", "-p", "-S", "-", "-E", "-", "-t", self.target).stdout

    def lines(self) -> list[str]:
        """The visible pane, line by line."""
        return self.screen().splitlines()

    def wait_for(self, condition: Callable[[str], object], what: str, timeout: float = WAIT) -> str:
        """Poll the screen until ``condition(screen)`` is true; return that screen.

        Fails (with the screen) after ``timeout`` or at once when the app has exited.
        """
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if condition(text):
                return text
            if "EXIT=" in text:
                raise AssertionError(f"the app exited while waiting for {what}:\n{self.history()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out ({timeout:.0f} s) waiting for {what}:\n{text}")
            time.sleep(POLL)

    def wait_text(self, text: str, timeout: float = WAIT) -> str:
        """Wait until ``text`` is on screen."""
        return self.wait_for(lambda s: text in s, repr(text), timeout)

    def watch(
        self, getter: Callable[[str], Any], expected: Any, timeout: float = WAIT
    ) -> tuple[Any, str]:
        """Poll ``getter(screen)`` until it equals ``expected`` or stops changing.

        Returns the last value and screen. A value that differs from ``expected`` is final
        once it has not changed for ``SETTLE`` seconds (the app is idle by then), so a wrong
        result fails in a few seconds instead of the full timeout.
        """
        deadline = time.monotonic() + timeout
        last: Any = object()
        since = time.monotonic()
        while True:
            text = self.screen()
            value = getter(text)
            now = time.monotonic()
            if value == expected or "EXIT=" in text:
                return value, text
            if value != last:
                last, since = value, now
            elif now - since >= SETTLE or now > deadline:
                return value, text
            time.sleep(POLL)

    # ------------------------------------------------------------------ the main screen
    def browser_lines(self, text: str | None = None) -> list[str]:
        """The inside of the Recordings pane: filter (when open), summary, tree rows."""
        lines = (text if text is not None else self.screen()).splitlines()
        start = next((i for i, line in enumerate(lines) if "╭─ Recordings" in line), None)
        if start is None:
            return []
        column = lines[start].index("╭─ Recordings")
        right = lines[start].index("╮", column)
        inside = []
        for line in lines[start + 1 :]:
            if line[column : column + 1] == "╰":
                break
            inside.append(line[column + 1 : right].strip())
        return inside

    def summary(self, text: str | None = None) -> str:
        """The counts line (``20,000 recordings`` / ``1 of 20,000``)."""
        for line in self.browser_lines(text):
            if re.search(r"\d recordings|\d of \d", line):
                return line
        return ""

    def filter_text(self, text: str | None = None) -> str | None:
        """What the filter box shows, or None when it is closed (its first line is the summary).

        The box's placeholder (shown when empty) reads as "".
        """
        inside = self.browser_lines(text)
        if not inside or inside[0] == self.summary(text):
            return None
        value = inside[0]
        if value.startswith("call id, number, agent"):
            return ""
        return value

    def detail_text(self, text: str | None = None) -> str:
        """The Recording pane (right, or below at narrow widths), joined in one string."""
        lines = (text if text is not None else self.screen()).splitlines()
        start = next((i for i, line in enumerate(lines) if "╭─ Recording " in line), None)
        if start is None:
            return ""
        column = lines[start].index("╭─ Recording ")
        right = lines[start].find("╮", column)
        inside = []
        for line in lines[start + 1 :]:
            if line[column : column + 1] == "╰":
                break
            inside.append(line[column + 1 : right if right > 0 else None].strip())
        return "\n".join(inside)

    def detail_call_id(self, text: str | None = None) -> str | None:
        """The ``Call ID`` field of the recording the detail pane shows."""
        match = re.search(r"^Call ID\s+(\S+)", self.detail_text(text), re.MULTILINE)
        return match.group(1) if match else None

    def wait_loaded(self) -> str:
        """Wait until the whole sample index is in (the summary says 20,000, not loading)."""
        return self.wait_for(
            lambda s: TOTAL in self.summary(s) and "loading" not in self.summary(s),
            f"the summary to read {TOTAL} recordings, loaded",
        )

    def filter_focused(self, text: str | None = None) -> bool:
        """The filter box has the focus (the footer then offers "esc Close filter")."""
        lines = (text if text is not None else self.screen()).splitlines()
        return bool(lines) and "Close filter" in lines[-1]

    def at_home(self, text: str) -> bool:
        """Main screen, filter closed, all recordings shown, the tree focused."""
        summary = self.summary(text)
        lines = text.splitlines()
        return (
            self.filter_text(text) is None
            and summary.startswith(f"{TOTAL} recordings")
            and "loading" not in summary
            and bool(lines)
            and "/ Filter" in lines[-1]
            and "Close filter" not in lines[-1]
        )

    def home(self) -> None:
        """The known starting state: filter closed and empty, all 20,000 shown, tree focused.

        ``/`` focuses the filter (open or not) and Esc closes it; an Esc first closes a modal
        screen. Each key waits for its effect. The app is restarted when it does not get
        there (a test before may have left it hung or dead).
        """
        try:
            self.assert_alive()
            for _ in range(3):
                text = self.screen()
                if self.at_home(text):
                    return
                if "/ Filter" not in text.splitlines()[-1]:  # not the main screen: a modal
                    self.send("Escape")
                    self.wait_for(lambda s: "/ Filter" in s.splitlines()[-1], "main", 3.0)
                self.send("/")
                self.wait_for(self.filter_focused, "the filter to take the focus", 3.0)
                self.send("Escape")
                with contextlib.suppress(AssertionError):
                    self.wait_for(self.at_home, "the main screen, filter closed", 3.0)
        except AssertionError:
            pass
        if not self.at_home(self.screen()):
            self.restart()

    def select(self, call: Call) -> None:
        """Put the cursor on ``call`` with keys and wait until the detail pane shows it.

        One key per step, each waiting for its effect: ``/``, the call id, Enter (the tree
        jumps to the match), ``/`` and Esc (filter closed, the cursor stays on the recording).
        Starts and ends at :meth:`home`.
        """
        self.send("/")
        self.wait_for(self.filter_focused, "the filter to open")
        self.send(call.call_id)
        self.wait_for(
            lambda s: (
                self.filter_text(s) == call.call_id and self.summary(s).startswith(f"1 of {TOTAL}")
            ),
            f"the filter to find {call.call_id}",
        )
        self.send("Enter")
        self.wait_for(
            lambda s: self.detail_call_id(s) == call.call_id and not self.filter_focused(s),
            f"the detail pane to show {call.call_id}",
        )
        self.send("/")
        self.wait_for(self.filter_focused, "the filter to take the focus")
        self.send("Escape")
        self.wait_for(
            lambda s: self.at_home(s) and self.detail_call_id(s) == call.call_id,
            f"the filter to close with {call.call_id} still shown",
        )

    # ------------------------------------------------------------------ health
    def app_running(self) -> bool | None:
        """The app's process still runs (a child of the pane's shell other than its
        ``sleep``); None where there is no /proc to look in."""
        proc = Path("/proc")
        if not proc.is_dir():
            return None
        shell = int(self.tmux("display-message", "-p", "-t", self.target, "#{pane_pid}").stdout)
        for stat in proc.glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            name_end = text.rfind(")")
            fields = text[name_end + 2 :].split()
            name = text[text.find("(") + 1 : name_end]
            if len(fields) > 1 and fields[1] == str(shell) and name != "sleep":
                return True
        return False

    def assert_alive(self, text: str | None = None) -> None:
        """The app is still running and no traceback is on screen."""
        text = text if text is not None else self.screen()
        assert "Traceback" not in text, f"a traceback is on screen:\n{text}"
        assert "EXIT=" not in text, f"the app exited:\n{self.history()}"
        assert self.app_running() is not False, f"the app is not running:\n{text}"

    def exit_status(self, timeout: float = WAIT) -> tuple[int, str]:
        """Wait until the app has exited: its exit status and all the pane shows and keeps
        (scrollback included, so a long traceback is there whole)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            match = re.search(r"EXIT=(\d+)", text)
            if match:
                return int(match.group(1)), self.history()
            if time.monotonic() > deadline:
                raise AssertionError(f"the app did not exit within {timeout:.0f} s:\n{text}")
            time.sleep(POLL)

    def quit(self, *keys: str) -> tuple[int, str]:
        """Send ``keys`` (default ctrl+q) and return the exit status and final screen."""
        self.send(*(keys or ("C-q",)))
        return self.exit_status()

    # ------------------------------------------------------------------ audit log
    def audit(self) -> list[dict[str, Any]]:
        """Every complete entry of the audit log (JSON objects), oldest first."""
        try:
            data = self.audit_path.read_bytes()
        except FileNotFoundError:
            return []
        entries = []
        for line in data.split(b"\n")[:-1]:  # the part after the last newline is unfinished
            if line.strip():
                entries.append(json.loads(line))
        return entries

    def requests_after(self, mark: int) -> list[dict[str, Any]]:
        """The requestPlayVoice entries written after the first ``mark`` entries."""
        return [e for e in self.audit()[mark:] if e.get("action") == "requestPlayVoice"]

    def wait_request(self, mark: int, timeout: float = WAIT) -> dict[str, Any]:
        """The first requestPlayVoice entry after ``mark`` (fails with the screen if none)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests_after(mark)
            if found:
                return found[0]
            text = self.screen()
            if "EXIT=" in text:
                raise AssertionError(f"the app exited:\n{self.history()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no requestPlayVoice in the audit log within {timeout:.0f} s "
                    f"(the request never happened):\n{text}"
                )
            time.sleep(POLL)


SIZES = {"120x36": (120, 36), "80x24": (80, 24)}


class AppPool:
    """Long-lived apps, one per size, started when first asked for."""

    def __init__(self, make_folder: Callable[[str], Path]) -> None:
        self._make_folder = make_folder
        self._apps: dict[tuple[int, int], TmuxApp] = {}
        self._calls: list[Call] = []
        self._next = 0

    def get(self, width: int, height: int) -> TmuxApp:
        """The running app of this size, at its known starting state."""
        app = self._apps.get((width, height))
        if app is None:
            app = TmuxApp(self._make_folder(f"tmux-{width}x{height}"), width, height)
            self._apps[(width, height)] = app
            app.start()
            app.wait_loaded()
        app.home()
        return app

    def calls(self, n: int) -> list[Call]:
        """``n`` recordings of the demo's sample index no test has used yet (far apart)."""
        if not self._calls:
            app = self.get(*SIZES["120x36"])
            self._calls = read_calls(app.index_path)[::37]
        picked = self._calls[self._next : self._next + n]
        self._next += n
        assert len(picked) == n, "the sample index has run out of unused recordings"
        return picked

    def close(self) -> list[str]:
        """Quit every app with ctrl+q and kill its tmux server; what went wrong, if anything."""
        problems = []
        for (width, height), app in self._apps.items():
            try:
                status, text = app.quit("C-q")
                if status != 0 or "Traceback" in text:
                    problems.append(f"{width}x{height}: ctrl+q exited with {status}:\n{text}")
            except AssertionError as exc:
                problems.append(f"{width}x{height}: {exc}")
            finally:
                app.kill()
        return problems
