"""The SK never leaks: one test runs every flow with a unique marker as the SK, then looks
for it (and its percent-encoded, JSON, hex and base64 forms) everywhere.

Flows: the CLI as real processes (token, url, downloads both ways, audit, locate, index,
the standalone emulator, SK from the environment / a command / a private config file, and
the errors: 401, TLS, 5xx, non-JSON, flow control, timeout, cut downloads, a shared config
holding the SK); the TUI through ``launch.run_tui`` (headless, driven by an autopilot:
request, reveal, copy, download, tokens, audit, help, palette), the SK prompt (typed in),
faults in the TUI, two crashes whose Rich traceback with local variables is captured (one
while the typed SK is being submitted, one inside the signer); and ``ccfs-tui demo`` with
the marker as the SK it makes up.

Searched: every file under the test's folders (XDG config, state, cache, data, downloads,
the ``-o`` targets), the captured stdout/stderr of every process and of this one, every
notification, every SVG exported during the runs, ``screenshots/*.svg`` and the snapshot
SVGs. The full tokens must not appear in the audit log or in any screenshot taken while
tokens were masked.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from rich.console import Console

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.clock import FakeClock, utc_now
from ccfs_tui.core.config import Profile
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.tokens import TokenStore
from ccfs_tui.emulator import Catalogue, Emulator

MARKER = "sk-LEAK-MARKER-7f3a/c0de+Ω=91e2b4"
AK = "leak-ak"
REPO = Path(__file__).resolve().parents[1]
SNAPSHOT_SVGS = [
    *sorted((REPO / "screenshots").glob("*.svg")),
    *sorted((REPO / "tests" / "ui" / "__snapshots__").rglob("*.svg")),
]


# --------------------------------------------------------------------------- the search


def leak_forms(secret: str) -> dict[str, bytes]:
    """The byte patterns that would mean ``secret`` leaked, by name."""
    raw = secret.encode("utf-8")
    forms = {
        "raw": raw,
        "percent-encoded": quote(secret, safe="").encode(),
        "form-encoded": quote_plus(secret).encode(),
        "json-escaped": json.dumps(secret).strip('"').encode(),
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
    }
    for encode, name in ((base64.b64encode, "base64"), (base64.urlsafe_b64encode, "base64url")):
        for offset in range(3):  # base64 inside a longer text depends on the alignment
            encoded = encode(b"\0" * offset + raw)
            skip = -(-offset * 4 // 3) + 1
            forms[f"{name}+{offset}"] = encoded[skip : len(encoded) - 4]
    return forms


FORMS = leak_forms(MARKER)


def svg_text(svg: str) -> str:
    """The characters an SVG screenshot shows, in order (text split into spans rejoined)."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


@dataclass
class Evidence:
    """Everything the flows produced that must not hold the SK."""

    texts: list[tuple[str, str]] = field(default_factory=list)
    svgs: list[tuple[str, str, bool]] = field(default_factory=list)  # (where, svg, revealed)
    tokens: set[str] = field(default_factory=set)
    crashes: list[str] = field(default_factory=list)

    def text(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def shot(self, where: str, app: Any, *, revealed: bool = False) -> None:
        self.svgs.append((where, app.export_screenshot(), revealed))
        self.text(f"{where} notifications", "\n".join(str(n.message) for n in app._notifications))
        self.tokens.update(t.token for t in app.session.tokens.all())


def leaks_in(data: bytes) -> list[str]:
    return [name for name, form in FORMS.items() if form in data]


def walk_files(root: Path, skip: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_relative_to(skip):
            yield path


# --------------------------------------------------------------------------- helpers


def start(secret: str, recordings: list, tmp_path: Path, **options: Any) -> Emulator:
    if options.get("tls"):
        options.setdefault("cert_dir", tmp_path / "emulator-tls")
    return Emulator(
        credentials={AK: Secret(secret)},
        catalogue=Catalogue.from_recordings(recordings, AK),
        **options,
    ).start()


class Cli:
    """``python -m ccfs_tui`` processes with this test's folders; outputs kept as evidence."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.base = {k: v for k, v in os.environ.items() if not k.startswith("CCFS_")}
        self.base["PYTHONPATH"] = str(REPO)

    def env(self, emu: Emulator | None = None, **extra: str) -> dict[str, str]:
        env = dict(self.base)
        if emu is not None:
            env.update(CCFS_BASE_URL=emu.base_url, CCFS_APP_ID=AK, CCFS_SECRET_KEY=MARKER)
        env.update(extra)
        return env

    def __call__(
        self, *args: str, env: dict[str, str], expect: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "ccfs_tui", *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        where = f"ccfs-tui {' '.join(args)}"
        self.evidence.text(f"{where} stdout", done.stdout)
        self.evidence.text(f"{where} stderr", done.stderr)
        if expect is not None:
            assert done.returncode == expect, (where, done.returncode, done.stderr)
        else:
            assert done.returncode != 0 and "Traceback" not in done.stderr, (where, done.stderr)
        return done


async def wait_for(pilot: Any, condition: Callable[[], object], timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {condition}"
        await pilot.pause(0.02)


async def first_recording(pilot: Any) -> None:
    app = pilot.app
    screen = app.main_screen  # an autopilot may start before the screen is up
    await wait_for(
        pilot, lambda: screen.is_mounted and not screen.browser.index_loading and len(app.store)
    )
    await pilot.press("slash", "enter")
    await wait_for(pilot, lambda: app.main_screen.selected_row is not None)


async def request(pilot: Any, key: str = "enter") -> None:
    app = pilot.app
    await pilot.press(key)
    await wait_for(
        pilot,
        lambda: not app.main_screen.jobs.request_running() and not app.main_screen.jobs.busy(),
    )
    await pilot.pause()


def headless(
    monkeypatch: pytest.MonkeyPatch, drive: Callable[[Any], Awaitable[None]]
) -> list[BaseException]:
    """Make ``CcfsApp.run`` (what the launchers call) run headless under ``drive``."""
    from textual.app import App

    from ccfs_tui.ui.app import CcfsApp

    failures: list[BaseException] = []
    original = App.run  # not CcfsApp.run: an earlier flow may have patched that

    async def guarded(pilot: Any) -> None:
        try:
            await drive(pilot)
        except BaseException as exc:
            failures.append(exc)
        finally:
            pilot.app.exit()

    def run(self: CcfsApp, *args: Any, **kwargs: Any) -> Any:
        return original(self, headless=True, size=(120, 40), auto_pilot=guarded)

    monkeypatch.setattr(CcfsApp, "run", run)
    return failures


# --------------------------------------------------------------------------- CLI flows


def cli_flows(cli: Cli, recordings: list, index: Path, tmp_path: Path, secrets: Path) -> None:
    out = tmp_path / "out"
    emu = start(MARKER, recordings, tmp_path)
    tls = start(MARKER, recordings, tmp_path, tls=True)
    stranger = start("the-servers-own-sk", recordings, tmp_path)  # 401 for our SK
    try:
        config = app_paths().config_file
        config.parent.mkdir(parents=True, exist_ok=True)
        (secrets / "sk.txt").write_text(MARKER + "\n", encoding="utf-8")
        config.write_text(
            "[profiles.main]\nretry_backoff = 0.01\nread_timeout = 1\n"
            f'[profiles.cmd]\nbase_url = "{emu.base_url}"\napp_id = "{AK}"\n'
            f'secret_command = "cat {secrets / "sk.txt"}"\n',
            encoding="utf-8",
        )
        os.chmod(config, 0o600)
        env = cli.env(emu)
        names = [r.original_file_name for r in recordings]
        cli.evidence.tokens.add(cli("token", names[0], env=env).stdout.strip())
        data = json.loads(cli("token", "--json", names[1], env=env).stdout)
        cli.evidence.tokens.add(data["token"])
        url = cli("url", names[2], env=env).stdout.strip()
        cli.evidence.tokens.add(url.rsplit("st=", 1)[1])
        cli("download", names[3], "-o", str(out / "a.wav"), env=env)
        cli("download", "--record", recordings[4].file_name, env=env)
        cli("download", names[5], env=env)
        cli("--version", env=env)
        cli("locate", env=env)
        cli("index", str(index), env=env)
        cli("token", "--profile", "cmd", names[6], env=cli.env())  # SK from secret_command
        # errors
        cli("token", names[7], env=cli.env(stranger), expect=3)
        cli("token", names[7], env=cli.env(tls), expect=4)
        tls_env = cli.env(tls, CCFS_CA_BUNDLE=str(tls.ca_bundle))
        cli("download", names[8], "-o", str(out / "tls.wav"), env=tls_env)
        cli("token", "--insecure", names[9], env=cli.env(tls))
        for fault, code in (
            ({"status": 503}, 5),
            ({"non_json": True}, 5),
            ({"result_code": "0300009"}, 6),
            ({"latency": 3}, 4),
            ({"drop": True}, 4),
        ):
            emu.faults.set(endpoints={"requestPlayVoice"}, **fault)
            cli("token", names[10], env=env, expect=code)
            emu.faults.clear()
        for fault, code in (({"drop_mid_body": True}, 4), ({"json_error_as_audio": True}, 6)):
            emu.faults.set(endpoints={"playVoice"}, **fault)
            cli("download", names[11], "-o", str(out / "cut.wav"), env=env, expect=code)
            emu.faults.clear()
        assert not (out / "cut.wav").exists()
        # an SK written in a private config file; the same file shared is refused
        private = secrets / "xdg-config"
        inline = private / "ccfs-tui" / "config.toml"
        inline.parent.mkdir(parents=True)
        inline.write_text(
            f'[profiles.p]\nbase_url = "{emu.base_url}"\napp_id = "{AK}"\n'
            f'secret_key = "{MARKER}"\n',
            encoding="utf-8",
        )
        os.chmod(inline, 0o600)
        written = inline.read_bytes()
        cli("token", names[12], env=cli.env(XDG_CONFIG_HOME=str(private)))
        os.chmod(inline, 0o644)
        done = cli("token", names[12], env=cli.env(XDG_CONFIG_HOME=str(private)), expect=2)
        assert "chmod 600" in done.stderr
        assert inline.read_bytes() == written  # ccfs-tui never writes a config file
        cli("audit", env=env)
        cli("audit", "--json", "-n", "100", env=env)
        standalone(cli, index.parent / "standalone_record.csv")
    finally:
        for server in (emu, tls, stranger):
            server.stop()


def standalone(cli: Cli, index: Path) -> None:
    """``ccfs-tui emulator --app-id`` with the SK in the environment: it never prints it."""
    command = ["emulator", "--app-id", AK, "--recordings", "10", "--index", str(index)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccfs_tui", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env(CCFS_SECRET_KEY=MARKER),
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "Ctrl-C" in line:
            break
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=20)
    text = "".join(lines) + rest
    assert "the one you gave (not shown)" in text
    cli.evidence.text("ccfs-tui emulator stdout", text)
    cli.evidence.text("ccfs-tui emulator stderr", err)


# --------------------------------------------------------------------------- TUI flows


def tui_launch_flow(
    evidence: Evidence, recordings: list, index: Path, tmp_path: Path, monkeypatch
) -> None:
    """``ccfs-tui INDEX`` as the CLI opens it: config, SK from secret_command, audit, store."""
    from ccfs_tui.ui import launch
    from ccfs_tui.ui.screens.audit import AuditScreen
    from ccfs_tui.ui.screens.tokens import TokensScreen

    emu = start(MARKER, recordings, tmp_path)
    config = app_paths().config_file
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "[profiles.main]\n",
            f'[profiles.main]\nbase_url = "{emu.base_url}"\n'
            f'app_id = "{AK}"\nsecret_command = "cat {tmp_path / "secrets" / "sk.txt"}"\n',
        ),
        encoding="utf-8",
    )

    async def drive(pilot: Any) -> None:
        app = pilot.app
        written: list[str] = []
        original_write = app._driver.write

        def write(data: str) -> None:
            written.append(data)
            original_write(data)

        app._driver.write = write
        await first_recording(pilot)
        await wait_for(pilot, lambda: app.session.client is not None)
        evidence.shot("tui: signed preview", app)
        await request(pilot)
        assert app.main_screen.live_token_for_selection() is not None
        evidence.shot("tui: token", app)
        await pilot.press("v")
        evidence.shot("tui: token revealed", app, revealed=True)
        await pilot.press("v")
        await pilot.press("c")
        await pilot.press("d")
        name = app.main_screen.selected_recording().play_file_name
        await wait_for(pilot, lambda: name in app.session.downloads)
        evidence.shot("tui: downloaded", app)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))
        evidence.shot("tui: tokens", app)
        await pilot.press("v")
        evidence.shot("tui: tokens revealed", app, revealed=True)
        await pilot.press("v", "escape")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
        evidence.shot("tui: audit", app)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        evidence.shot("tui: help", app)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause(0.3)
        evidence.shot("tui: palette", app)
        await pilot.press("escape")
        evidence.text("tui: terminal writes (OSC 52)", "".join(written))

    failures = headless(monkeypatch, drive)
    try:
        assert launch.run_tui([index]) == 0
    finally:
        emu.stop()
    assert not failures, failures


def demo_flow(evidence: Evidence, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ccfs-tui demo`` with the marker as the SK the demo makes up."""
    import ccfs_tui.demo as demo
    from ccfs_tui.ui import launch
    from ccfs_tui.ui.screens.tokens import TokensScreen

    made: list[Secret] = []

    def make_secret() -> Secret:
        made.append(Secret(MARKER))
        return made[-1]

    monkeypatch.setattr(demo, "make_secret", make_secret)
    monkeypatch.setattr(demo, "start_demo", partial(demo.start_demo, recordings=400, days=2))

    async def drive(pilot: Any) -> None:
        app = pilot.app
        await first_recording(pilot)
        await request(pilot)
        token = app.main_screen.live_token_for_selection()
        assert token is not None and app.session.profile.name == "demo"
        evidence.shot("demo: token", app)
        await pilot.press("d")
        await wait_for(pilot, lambda: token.file_name in app.session.downloads)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))
        evidence.shot("demo: tokens", app)
        await pilot.press("escape", "a")
        await pilot.pause(0.3)
        evidence.shot("demo: audit", app)

    failures = headless(monkeypatch, drive)
    assert launch.run_demo() == 0
    assert not failures, failures
    assert made, "the demo made up its SK through make_secret"


async def tui_scenarios(evidence: Evidence, recordings: list, index: Path, tmp_path: Path) -> None:
    """Built apps (like the UI tests): the SK prompt, faults, and two crashes."""
    from ccfs_tui.core import signing
    from ccfs_tui.core.session import Session
    from ccfs_tui.ui.app import CcfsApp
    from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen

    emu = start(MARKER, recordings, tmp_path)
    tls = start(MARKER, recordings, tmp_path, tls=True)
    paths = app_paths()

    def build(**changes: Any) -> CcfsApp:
        clock = changes.pop("clock", utc_now)
        secret = changes.pop("secret", Secret(MARKER))
        profile = Profile(
            name="scenario",
            base_url=changes.pop("base_url", emu.base_url),
            app_id=AK,
            secret_env="LEAK_TEST_NO_SUCH_VARIABLE",
            download_dir=paths.download_dir,
            read_timeout=1.0,
            retry_backoff=0.01,
            **changes,
        )
        session = Session(
            profile=profile,
            secret=secret,
            tokens=TokenStore(paths.token_store, clock),
            audit=AuditLog(paths.audit_log, clock),
            clock=clock,
        )
        return CcfsApp(
            session,
            index_paths=[index],
            tick=False,
            player_finder=lambda: None,
            environ={},
        )

    try:
        # the SK typed into the prompt: masked while typed, never shown after
        app = build(secret=None, secret_prompt=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await first_recording(pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SecretPromptScreen))
            await pilot.press(*MARKER)
            evidence.shot("prompt: typed", app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
            evidence.shot("prompt: token", app)

        # faults in the TUI
        for where, changes, fault in (
            ("401 clock skew", {"clock": FakeClock(utc_now() + timedelta(hours=2))}, {}),
            ("tls without ca", {"base_url": tls.base_url}, {}),
            ("503", {}, {"status": 503}),
            ("non-json", {}, {"non_json": True}),
            ("flow control", {}, {"result_code": "0300008"}),
            ("timeout", {}, {"latency": 3}),
        ):
            emu.faults.set(endpoints={"requestPlayVoice"}, **fault)
            app = build(**changes)
            async with app.run_test(size=(120, 40)) as pilot:
                await first_recording(pilot)
                await request(pilot)
                assert app.session.outcomes, where
                evidence.shot(f"tui fault: {where}", app)
            emu.faults.clear()

        # crash 1: the typed SK is being submitted when something breaks
        app = build(secret=None, secret_prompt=True)
        app.error_console = Console(file=io.StringIO(), width=160)

        def broken_dismiss(self: Any, result: Any = None) -> Any:
            raise RuntimeError("crash while the typed SK is being submitted")

        original_dismiss = SecretPromptScreen.dismiss
        SecretPromptScreen.dismiss = broken_dismiss  # type: ignore[method-assign]
        try:
            with pytest.raises(RuntimeError, match="typed SK"):
                async with app.run_test(size=(120, 40)) as pilot:
                    await first_recording(pilot)
                    await pilot.press("enter")
                    await wait_for(pilot, lambda: isinstance(app.screen, SecretPromptScreen))
                    await pilot.press(*MARKER, "enter")
                    await pilot.pause(0.2)
        finally:
            SecretPromptScreen.dismiss = original_dismiss  # type: ignore[method-assign]
        evidence.crashes.append(app.error_console.file.getvalue())  # type: ignore[attr-defined]

        # crash 2: a bug inside the signer while the preview is signed
        app = build()
        app.error_console = Console(file=io.StringIO(), width=160)
        original_canonical = signing.canonical_request

        def broken_canonical(*args: Any, **kwargs: Any) -> str:
            raise RuntimeError("crash inside the signer")

        try:
            with pytest.raises(RuntimeError, match="inside the signer"):
                async with app.run_test(size=(120, 40)) as pilot:
                    await wait_for(
                        pilot,
                        lambda: (
                            not app.main_screen.browser.index_loading
                            and app.session.client is not None
                        ),
                    )
                    signing.canonical_request = broken_canonical  # type: ignore[assignment]
                    await pilot.press("slash", "enter")
                    await pilot.pause(0.3)
        finally:
            signing.canonical_request = original_canonical  # type: ignore[assignment]
        evidence.crashes.append(app.error_console.file.getvalue())  # type: ignore[attr-defined]
    finally:
        emu.stop()
        tls.stop()


# --------------------------------------------------------------------------- the test


def test_the_sk_marker_appears_nowhere(
    tmp_path: Path,
    emulator_recordings: list,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from ccfs_tui.emulator.sample_index import write_index

    recordings = emulator_recordings
    index = tmp_path / "index" / "leak_record.csv"
    index.parent.mkdir()
    write_index(index, recordings)
    secrets = tmp_path / "secrets"  # files the *user* wrote holding the SK on purpose
    secrets.mkdir()
    evidence = Evidence()

    cli_flows(Cli(evidence), recordings, index, tmp_path, secrets)
    tui_launch_flow(evidence, recordings, index, tmp_path, monkeypatch)
    demo_flow(evidence, monkeypatch)
    asyncio.run(tui_scenarios(evidence, recordings, index, tmp_path))
    out, err = capfd.readouterr()
    evidence.text("this process's stdout", out)
    evidence.text("this process's stderr", err)

    # the flows really ran
    audit = AuditLog(app_paths().audit_log).recent(1_000)
    assert len(audit) >= 25 and {"demo", "main", "scenario"} <= {e.profile for e in audit}
    assert {e.action for e in audit} == {"requestPlayVoice", "playVoice", "downloadRecordFile"}
    shots = {where: svg_text(svg) for where, svg, _ in evidence.svgs}
    assert len(shots) == len(evidence.svgs) >= 20 and len(evidence.crashes) == 2
    assert "Keys" in shots["tui: help"] and "Audit log" in shots["tui: audit"]
    assert "ccfs-tui demo" in shots["demo: token"] and "demo-ak" in shots["demo: audit"]
    assert "•" * 8 in shots["prompt: typed"]  # the typed SK shows as bullets
    for crash in evidence.crashes:
        assert "Traceback" in crash and "locals" in crash  # Rich's report with local variables
    assert "crash inside the signer" in evidence.crashes[1] and "secret" in evidence.crashes[1]
    stores = [app_paths().token_store, app_paths().demo_token_store]
    for store in stores:
        evidence.tokens.update(t["token"] for t in json.loads(store.read_text())["tokens"])
    evidence.tokens.discard("")
    assert len(evidence.tokens) >= 10

    # ... and the marker is nowhere
    found: list[str] = []
    files = list(walk_files(tmp_path, skip=secrets))
    assert any(p.name == "audit.jsonl" for p in files) and any(p.suffix == ".wav" for p in files)
    for path in files:
        if leaks := leaks_in(path.read_bytes()):
            found.append(f"{path.relative_to(tmp_path)}: {leaks}")
    for where, text in evidence.texts:
        if leaks := leaks_in(text.encode("utf-8", "surrogateescape")):
            found.append(f"{where}: {leaks}")
    for n, crash in enumerate(evidence.crashes):
        if leaks := leaks_in(crash.encode()):
            found.append(f"crash report {n}: {leaks}")
    svgs = [(str(p.relative_to(REPO)), p.read_text(encoding="utf-8"), False) for p in SNAPSHOT_SVGS]
    for where, svg, revealed in [*evidence.svgs, *svgs]:
        shown = svg_text(svg)
        if leaks := leaks_in(svg.encode()) + leaks_in(shown.encode()):
            found.append(f"screenshot {where}: {leaks}")
        if not revealed and (tokens := [t for t in evidence.tokens if t in shown or t in svg]):
            found.append(f"screenshot {where}: a full token while masked ({len(tokens)})")
    audit_text = app_paths().audit_log.read_text(encoding="utf-8")
    if tokens := [t for t in evidence.tokens if t in audit_text]:
        found.append(f"audit log: {len(tokens)} full token(s)")
    assert not found, "the SK (or a token) leaked:\n" + "\n".join(found)
    # sanity: the search itself finds the marker where it is on purpose
    assert leaks_in((secrets / "sk.txt").read_bytes()) == ["raw"]
    assert "base64+1" in leaks_in(base64.b64encode(b"x" + MARKER.encode() + b"yz"))
    assert "percent-encoded" in leaks_in(quote(f"k={MARKER}", safe="").encode())
