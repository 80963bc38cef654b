"""An embedded CC-FS emulator: a real HTTP(S) server on loopback, as faithful as we can make it.

The demo, the scripting CLI and every test talk to it::

    with Emulator(credentials={"demo-ak": Secret("...")}, catalogue=catalogue) as emulator:
        client = httpx.Client(base_url=emulator.base_url, auth=C2Auth("demo-ak", secret))

Result codes (documented and emulator-specific) are in :mod:`.codes`; faults in :mod:`.faults`.
"""

from __future__ import annotations

from ccfs_tui.core.emulator.catalogue import Catalogue, CatalogueEntry
from ccfs_tui.core.emulator.faults import FAULT_NAMES, FaultPlan, Faults
from ccfs_tui.core.emulator.handlers import API_PREFIX, ENDPOINTS, TOKEN_LIFETIME, SeenRequest
from ccfs_tui.core.emulator.server import Emulator, make_app_id, make_secret

__all__ = [
    "API_PREFIX",
    "ENDPOINTS",
    "FAULT_NAMES",
    "TOKEN_LIFETIME",
    "Catalogue",
    "CatalogueEntry",
    "Emulator",
    "FaultPlan",
    "Faults",
    "SeenRequest",
    "make_app_id",
    "make_secret",
]
