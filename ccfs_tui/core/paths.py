"""Every path ccfs-tui reads or writes, from platformdirs (``ccfs-tui locate`` prints them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "ccfs-tui"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The folders and files of one user."""

    config_dir: Path
    state_dir: Path
    cache_dir: Path
    download_dir: Path
    data_dir: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )

    @property
    def index_dir(self) -> Path:
        """Where ``ccfs-tui fetch`` saves index zips by default (profile ``index_dir``)."""
        return self.data_dir / "indexes"

    @property
    def config_file(self) -> Path:
        """Profiles (TOML)."""
        return self.config_dir / "config.toml"

    @property
    def token_store(self) -> Path:
        """Live playback tokens (JSON, mode 0600)."""
        return self.state_dir / "tokens.json"

    @property
    def demo_token_store(self) -> Path:
        """Tokens of ``ccfs-tui demo``, kept apart from real ones."""
        return self.state_dir / "demo-tokens.json"

    @property
    def audit_log(self) -> Path:
        """Append-only JSONL audit trail."""
        return self.state_dir / "audit.jsonl"

    @property
    def signature_guard(self) -> Path:
        """Profiles whose signed requests wait for a confirmation (JSON, mode 0600)."""
        return self.state_dir / "signature-guard.json"

    @property
    def demo_dir(self) -> Path:
        """Sample index and TLS material of ``ccfs-tui demo``."""
        return self.cache_dir / "demo"

    def as_rows(self) -> list[tuple[str, Path]]:
        """(label, path) pairs, for ``ccfs-tui locate``."""
        return [
            ("config file", self.config_file),
            ("config dir", self.config_dir),
            ("state dir", self.state_dir),
            ("token store", self.token_store),
            ("demo token store", self.demo_token_store),
            ("audit log", self.audit_log),
            ("signature guard", self.signature_guard),
            ("cache dir", self.cache_dir),
            ("demo files", self.demo_dir),
            ("download dir", self.download_dir),
            ("index dir", self.index_dir),
        ]


def app_paths() -> AppPaths:
    """Resolve the paths now (so tests that change XDG_* variables see their own)."""
    return AppPaths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        state_dir=Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        download_dir=Path(platformdirs.user_downloads_dir()) / APP_NAME,
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
    )
