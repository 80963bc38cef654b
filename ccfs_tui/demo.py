"""``ccfs-tui demo``: the embedded CC-FS emulator (TLS, own CA bundle) and a sample index.

No configuration is read or written: the demo profile lives in memory with the emulator's
credentials, and demo tokens go to their own store (``AppPaths.demo_token_store``).
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

from ccfs_tui.core.atomic import private_dir
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

    @property
    def indexed_days(self) -> int:
        """Days in the sample index: all but the last (today), whose calls only the
        emulator knows (a one-day demo indexes its day)."""
        return max(1, self.days - 1)

    def prepare_index(self) -> None:
        """Write the sample index and teach the emulator every recording in it (one pass),
        then teach it today's calls too, which are in no index file."""
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
    emulator = Emulator(
        host="127.0.0.1",
        port=0,
        tls=tls,
        credentials={DEMO_APP_ID: secret},
        catalogue=Catalogue(),
        clock=clock,
        cert_dir=demo_dir / "tls" if tls else None,
    ).start()
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
    )
