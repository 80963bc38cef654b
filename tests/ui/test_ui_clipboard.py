"""OSC 52 escape sequences (pure) and the copy helper."""

from __future__ import annotations

import base64

from ccfs_tui.ui.clipboard import copy_text, in_tmux, osc52_sequence

URL = "https://10.0.0.1:28443/CCFS/resource/ccfs/playVoice?t=1&version=2.0&st=DC45"


def test_plain_osc52() -> None:
    payload = base64.b64encode(URL.encode()).decode()
    assert osc52_sequence(URL) == f"\x1b]52;c;{payload}\x07"


def test_tmux_passthrough_doubles_every_escape() -> None:
    plain = osc52_sequence(URL)
    wrapped = osc52_sequence(URL, tmux=True)
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]52;c;")
    assert wrapped.endswith("\x07\x1b\\")
    inner = wrapped[len("\x1bPtmux;") : -len("\x1b\\")]
    assert inner == plain.replace("\x1b", "\x1b\x1b")
    assert inner.count("\x1b") == 2 * plain.count("\x1b")


def test_unicode_is_base64_of_utf8() -> None:
    seq = osc52_sequence("录音 ✓")
    payload = seq[len("\x1b]52;c;") : -1]
    assert base64.b64decode(payload).decode("utf-8") == "录音 ✓"


def test_in_tmux() -> None:
    assert in_tmux({"TMUX": "/tmp/tmux-0/default,1,0"})
    assert not in_tmux({})


class FakeDriver:
    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, data: str) -> None:
        self.written.append(data)


class FakeApp:
    def __init__(self) -> None:
        self._driver = FakeDriver()
        self.copied: list[str] = []

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)
        self._driver.write(osc52_sequence(text))


def test_copy_text_outside_tmux() -> None:
    app = FakeApp()
    how = copy_text(app, URL, environ={})
    assert app.copied == [URL]
    assert app._driver.written == [osc52_sequence(URL)]
    assert "OSC 52" in how


def test_copy_text_inside_tmux_adds_the_passthrough() -> None:
    app = FakeApp()
    how = copy_text(app, URL, environ={"TMUX": "x"})
    assert app._driver.written == [osc52_sequence(URL), osc52_sequence(URL, tmux=True)]
    assert "tmux" in how
