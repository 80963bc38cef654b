"""``ccfs-tui doctor``: what stands between a newcomer and a first played recording.

One line per check, each ok / warn / fail / skip with a text and the fix: the config file,
the profile, the SK source (never the SK), base_url's DNS, TCP and TLS (with the profile's
CA bundle), the server's clock against this machine's (``Date`` header), one harmless
signed request, the terminal (TERM, colours, UTF-8 locale, tmux's set-clipboard) and the
callback / listen ports a profile sets. No Textual here.
"""

from __future__ import annotations

from ccfs_tui.core.doctor.result import CheckResult, Status
from ccfs_tui.core.doctor.runner import failed, run_doctor

__all__ = ["CheckResult", "Status", "failed", "run_doctor"]
