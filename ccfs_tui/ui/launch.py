"""Entry points the CLI calls: ``ccfs-tui [INDEX ...]`` and ``ccfs-tui demo``."""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path


def run_tui(
    paths: Sequence[Path], *, profile_name: str | None = None, insecure: bool = False
) -> int:
    """Open the TUI on ``paths`` (default: the profile's ``index_path``, else its ``index_dir``
    when ``ccfs-tui fetch`` saved files there). Returns the exit code.

    Raises ``ConfigError`` for a broken config file and ``FileNotFoundError`` for an index
    path given on the command line that does not exist (the CLI prints one line for each).
    """
    from ccfs_tui.core.session import Session
    from ccfs_tui.ui.app import CcfsApp

    session = Session.open(profile_name, insecure=insecure)  # the CLI's wiring too
    profile = session.profile
    assert profile is not None and session.config is not None
    index_paths = [Path(p).expanduser() for p in paths]
    for path in index_paths:
        if not path.exists():
            raise FileNotFoundError(errno.ENOENT, "No such index file or folder", str(path))
    hint = ""
    if not index_paths and profile.index_path is not None:
        if profile.index_path.exists():
            index_paths = [profile.index_path]
        else:
            hint = f"(index_path {profile.index_path} of profile {profile.name!r} does not exist.)"
    elif not index_paths and _holds_files(profile.index_dir):  # what `ccfs-tui fetch` saved
        index_paths = [profile.index_dir]
    app = CcfsApp(session, index_paths=index_paths, index_hint=hint)
    app.run()
    return app.return_code or 0


def _holds_files(folder: Path) -> bool:
    try:
        return folder.is_dir() and any(entry.is_file() for entry in folder.iterdir())
    except OSError:
        return False


def run_demo() -> int:
    """Open the TUI on the embedded emulator with a sample index. No configuration needed.

    Its token requests and downloads go to the user's audit log too, as profile ``demo``;
    the theme comes from (and a theme picked goes to) the ``[ui]`` table of the user's
    config file, which the demo reads nothing else of.
    """
    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.paths import app_paths
    from ccfs_tui.core.session import Session
    from ccfs_tui.demo import start_demo
    from ccfs_tui.ui.app import CcfsApp

    with start_demo() as demo:
        session = Session(
            profile=demo.profile,
            secret=demo.secret,
            tokens=demo.token_store(),
            audit=AuditLog(app_paths().audit_log),  # entries say profile "demo"
        )
        app = CcfsApp(
            session,
            index_paths=[demo.index_path],
            demo=True,
            prepare_index=demo.prepare_index,
            theme_file=app_paths().config_file,  # the theme picked is the user's, demo or not
            startup_note=demo.note,  # the last demo's port was taken: its tokens are gone
        )
        app.run()
    return app.return_code or 0
