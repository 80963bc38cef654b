"""The core never imports Textual nor the emulator: each core module is imported in a fresh
interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ccfs_tui.core

CORE_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(ccfs_tui.core.__path__, prefix="ccfs_tui.core.")
)


def test_core_modules_exist() -> None:
    for name in ("signing", "index", "client", "tokens", "config", "recordings"):
        assert f"ccfs_tui.core.{name}" in CORE_MODULES
    # The emulator and the sample generator are fixtures of the demo and tests, not core.
    assert not [m for m in CORE_MODULES if "emulator" in m or "sample_index" in m]


def test_no_core_module_imports_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'\n"
        "             or m.startswith('ccfs_tui.emulator'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_version_does_not_import_textual_or_httpx() -> None:
    code = (
        "import sys\nfrom ccfs_tui.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'httpx') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")


def test_the_app_draws_its_first_frame_without_the_network_modules() -> None:
    """httpx (the client), the callback receiver, the fetch screen and the listening server
    (http.server) come with their first use, not before the first frame (each cost
    milliseconds of it)."""
    code = (
        "import sys\nimport ccfs_tui.ui.app\n"
        "late = ('httpx', 'http.server', 'ccfs_tui.core.listen_server',\n"
        "        'ccfs_tui.core.callback_receiver', 'ccfs_tui.ui.screens.fetch')\n"
        "print(sorted(m for m in late if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")
