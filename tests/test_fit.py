"""ui/fit.py: text cut to terminal cells (a CJK character takes two), keeping the end that
tells values apart."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from ccfs_tui.ui.fit import crop, crop_start, head, leaf_text, middle, pair, path_lines, tail

TENANT = "华东客服中心"
CHINESE = "华东客服中心/录音/0084704.V3"  # 12 + 1 + 4 + 1 + 10 = 28 cells, 20 characters


def test_cells_not_characters() -> None:
    assert cell_len(CHINESE) == 28 and len(CHINESE) == 20
    assert head(CHINESE, 5) == "华东"  # a wide character is never cut in two
    assert tail(CHINESE, 11) == "/0084704.V3"
    assert tail(CHINESE, 15) == "录音/0084704.V3" and tail(CHINESE, 14) == "音/0084704.V3"
    assert crop(CHINESE, 9) == "华东客服…"
    assert crop_start(CHINESE, 12) == "…/0084704.V3"


@pytest.mark.parametrize("width", range(1, 30))
def test_every_cut_fits_its_width(width: int) -> None:
    for cut in (crop, crop_start, middle):
        assert cell_len(cut(CHINESE, width)) <= width, (cut.__name__, width)
    assert cell_len(leaf_text("08:34:00", "12:50", "15769726709", "4009236009", width)) <= max(
        width, 0
    )


def test_middle_keeps_more_of_the_end() -> None:
    assert middle("15769726709", 8) == "15…26709"
    assert middle("short", 8) == "short"
    cut = middle(CHINESE, 16)
    assert cut.endswith("0084704.V3") and cut.startswith("华") and "…" in cut


def test_pair_gives_the_shorter_side_up_to_half() -> None:
    assert pair("1001", "4009236009", 20) == "1001→4009236009"
    assert pair("15769726709", "4009236009", 16) == "15…26709→40…6009"
    assert pair("0", "4009236009", 8) == "0→4…6009"


def test_a_recording_line_keeps_the_time_and_the_ends_of_both_numbers() -> None:
    full = "08:34:00 12:50 4009236009→013812345678"
    assert leaf_text("08:34:00", "12:50", "4009236009", "013812345678", None) == full
    assert leaf_text("08:34:00", "12:50", "4009236009", "013812345678", 60) == full
    assert leaf_text("08:34:00", "12:50", "4009236009", "013812345678", 31) == (
        "08:34:00 12:50 40…6009→01…45678"
    )
    # narrower: the duration goes (the detail pane has it), the time stays
    assert leaf_text("08:34:00", "12:50", "4009236009", "013812345678", 20) == (
        "08:34:00 4…009→0…678"
    )


def test_a_path_breaks_after_a_slash_never_mid_word() -> None:
    assert path_lines("/tmp/h9/xdg/config/ccfs-tui/config.toml", 33) == [
        "/tmp/h9/xdg/config/ccfs-tui/",
        "config.toml",
    ]
    assert path_lines("~/.config/ccfs-tui/config.toml", 33) == ["~/.config/ccfs-tui/config.toml"]
    lines = path_lines(f"/{TENANT}/{TENANT}{TENANT}/config.toml", 20)
    assert "".join(lines) == f"/{TENANT}/{TENANT}{TENANT}/config.toml"
    assert all(cell_len(line) <= 20 for line in lines)
