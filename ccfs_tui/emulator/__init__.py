"""An embedded CC-FS emulator: a real HTTP(S) server on loopback, as faithful as we can make it.

The demo, the scripting CLI and every test talk to it::

    with Emulator(credentials={"demo-ak": Secret("...")}, catalogue=catalogue) as emulator:
        client = httpx.Client(base_url=emulator.base_url, auth=C2Auth("demo-ak", secret))

Result codes (documented and emulator-specific) are in :mod:`.codes`; faults in :mod:`.faults`;
what a running emulator knows (grants, request log, lock counters ...) in :mod:`.state`. The
sample index generator (:mod:`.sample_index`) makes indexes that match a catalogue. None of
this is the product's core: it is the fixture of the demo, the CLI's ``emulator`` and tests.
"""

from __future__ import annotations

from ccfs_tui.emulator.catalogue import Catalogue, CatalogueEntry
from ccfs_tui.emulator.faults import FAULT_NAMES, FaultPlan, Faults
from ccfs_tui.emulator.grants import Grant, Grants
from ccfs_tui.emulator.handlers import API_PREFIX, ENDPOINTS
from ccfs_tui.emulator.server import Emulator, make_app_id, make_secret
from ccfs_tui.emulator.state import EmulatorState, SeenRequest

__all__ = [
    "API_PREFIX",
    "ENDPOINTS",
    "FAULT_NAMES",
    "Catalogue",
    "CatalogueEntry",
    "Emulator",
    "EmulatorState",
    "FaultPlan",
    "Faults",
    "Grant",
    "Grants",
    "SeenRequest",
    "make_app_id",
    "make_secret",
]
