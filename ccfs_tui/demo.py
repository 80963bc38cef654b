"""``ccfs-tui demo``: the embedded CC-FS emulator (TLS, own CA bundle) and a sample index.

No profile is read or written: the demo profile lives in memory with the emulator's
credentials, and demo tokens go to their own store (``AppPaths.demo_token_store``). Demo
tokens survive a restart: the emulator listens on the port of the last demo again (kept in
the demo folder) and grants its live tokens anew; when that port is taken, it says so
(:attr:`DemoEnvironment.note`) and those tokens are dropped.
The emulator starts at once with an empty catalogue; :meth:`DemoEnvironment.prepare_index`
writes the sample index and fills the catalogue, and the app runs it in its load worker so
the window shows before the data is ready. The index ends yesterday: today's calls are on
the emulator only, for the TUI's "Fetch index" (``f``) and "go to call id" (``:``) to find;
the demo profile receives queryBillData callbacks on a free loopback port and keeps what it
fetches in the demo folder (never the user's ``index_dir``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType

from ccfs_tui.core.atomic import atomic_write_text, private_dir
from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.config import Profile
from ccfs_tui.core.paths import AppPaths, app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.tokens import TokenStore
from ccfs_tui.emulator import Catalogue, Emulator, make_secret
from ccfs_tui.emulator.sample_index import SAMPLE_TRANSFERS, write_sample

DEMO_APP_ID = "demo-ak"
DEMO_RECORDINGS = 20_000
DEMO_DAYS = 7
DEMO_SEED = 2026
PORT_FILE = "emulator-port"
"""In the demo folder: the port of the last demo's emulator (its tokens' base URL)."""


@dataclass
class DemoEnvironment:
    """A running emulator, the profile that points at it, and where the sample index goes."""

    emulator: Emulator
    profile: Profile
    secret: Secret
    index_path: Path
    token_store_path: Path
    recordings: int
    days: int
    seed: int
    first_day: date
    note: str = ""
    """What the user should know at the start ("": nothing), e.g. that the port of the last
    demo was taken, so its tokens were dropped."""

    @property
    def indexed_days(self) -> int:
        """Days in the sample index: all but the last (today), whose calls only the
        emulator knows (a one-day demo indexes its day)."""
        return max(1, self.days - 1)

    def prepare_index(self) -> None:
        """Write the sample index and teach the emulator every recording in it (one pass),
        then teach it today's calls too, which are in no index file; then grant again the
        live tokens of the last demo (:meth:`restore_tokens`)."""
        self._write_samples()
        self.restore_tokens()

    def _write_samples(self) -> None:
        write_sample(
            self.index_path,
            self.recordings,
            app_id=DEMO_APP_ID,
            seed=self.seed,
            start=self.first_day,
            days=self.indexed_days,
            transfers=SAMPLE_TRANSFERS,
            catalogue=self.emulator.catalogue,
        )
        if self.indexed_days == self.days:
            return
        write_sample(
            self.index_path.with_name("server-only-calls.csv"),  # not an index name
            max(1, self.recordings // self.indexed_days),
            app_id=DEMO_APP_ID,
            seed=self.seed + 1,
            start=self.first_day + timedelta(days=self.indexed_days),
            days=self.days - self.indexed_days,
            transfers=SAMPLE_TRANSFERS,
            catalogue=self.emulator.catalogue,
        )

    def restore_tokens(self) -> int:
        """Grant again the live tokens the demo's token store holds for this emulator's
        address (an emulator keeps none across a restart); run once the catalogue is
        filled. Returns how many."""
        store = TokenStore(self.token_store_path)
        store.load()
        now = self.emulator.state.clock()
        restored = 0
        for token in store.all():
            if token.base_url != self.profile.base_url or token.is_expired(now):
                continue
            entry = self.emulator.catalogue.by_play_name(token.file_name)
            if entry is not None:
                self.emulator.grants.restore(token.token, entry, DEMO_APP_ID, token.issued_at)
                restored += 1
        return restored

    def token_store(self, clock: Clock = utc_now) -> TokenStore:
        """The demo's own token store, without tokens of earlier demo emulators."""
        store = TokenStore(self.token_store_path, clock)
        store.load()
        for token in store.all():
            if token.base_url != self.profile.base_url:
                store.remove(token)
        return store

    def stop(self) -> None:
        """Stop the emulator."""
        self.emulator.stop()

    def __enter__(self) -> DemoEnvironment:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_demo(
    *,
    paths: AppPaths | None = None,
    recordings: int = DEMO_RECORDINGS,
    days: int = DEMO_DAYS,
    seed: int = DEMO_SEED,
    tls: bool = True,
    clock: Clock = utc_now,
    today: date | None = None,
) -> DemoEnvironment:
    """Start the emulator on a free loopback port; the sample ends ``today``."""
    paths = paths or app_paths()
    demo_dir = paths.demo_dir
    private_dir(demo_dir)
    secret = make_secret()

    def emulator_on(port: int) -> Emulator:
        return Emulator(
            host="127.0.0.1",
            port=port,
            tls=tls,
            credentials={DEMO_APP_ID: secret},
            catalogue=Catalogue(),
            clock=clock,
            cert_dir=demo_dir / "tls" if tls else None,
        ).start()

    port_file = demo_dir / PORT_FILE
    last = _last_port(port_file)
    note = ""
    try:
        emulator = emulator_on(last)
    except OSError:  # taken meanwhile: a free one, and the last demo's tokens are dropped
        emulator = emulator_on(0)
        note = (
            f"Port {last} of the last demo is taken: this one listens on {emulator.port}, "
            "so the tokens of the last demo were dropped."
        )
    if emulator.port != last:
        atomic_write_text(port_file, f"{emulator.port}\n")
    profile = Profile(
        name="demo",
        base_url=emulator.base_url,
        app_id=DEMO_APP_ID,
        secret_env="",
        ca_bundle=emulator.ca_bundle,
        download_dir=paths.download_dir / "demo",
        index_path=demo_dir / "demo_record.csv",
        retry_backoff=0.5,
        callback_listen="127.0.0.1:0",  # a free port at each fetch; CC-FS is told its URL
        index_dir=demo_dir / "fetched",
    )
    first_day = (today or clock().date()) - timedelta(days=days - 1)
    return DemoEnvironment(
        emulator=emulator,
        profile=profile,
        secret=secret,
        index_path=demo_dir / "demo_record.csv",
        token_store_path=paths.demo_token_store,
        recordings=recordings,
        days=days,
        seed=seed,
        first_day=first_day,
        note=note,
    )


def _last_port(path: Path) -> int:
    """The port the last demo's emulator listened on (0: none known, a free one)."""
    try:
        port = int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return 0
    return port if 1024 <= port <= 65535 else 0
