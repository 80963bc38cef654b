"""The SK cannot leak through str, repr, f-strings, pickling or a crash report."""

from __future__ import annotations

import io
import pickle

import pytest
from rich.console import Console
from rich.traceback import Traceback

from ccfs_tui.core.config import Profile
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import C2Auth

MARKER = "SK-MARKER-5b1e0c"


def test_masked_everywhere_but_reveal() -> None:
    secret = Secret(MARKER)
    for text in (
        str(secret),
        repr(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>20}",
        "%s" % secret,  # noqa: UP031 - the old format must be masked too
    ):
        assert MARKER not in text
    assert secret.reveal() == MARKER
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_crash_report_with_locals_does_not_show_the_secret() -> None:
    """Textual prints a Rich traceback with local variables when an app crashes."""

    def crash(secret: Secret, auth: C2Auth, profile: Profile) -> None:
        raise RuntimeError("boom")

    secret = Secret(MARKER)
    try:
        crash(secret, C2Auth("ak", secret), Profile(name="p", app_id="ak"))
    except RuntimeError:
        traceback = Traceback(show_locals=True)
    console = Console(file=io.StringIO(), width=200, record=True)
    console.print(traceback)
    text = console.export_text()
    assert "boom" in text and "secret" in text
    assert MARKER not in text
