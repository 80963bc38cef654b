"""CDR files (``_call_``): read by position (18, 23, 29 columns), legs joined on call id,
malformed lines reported as ``file:line: reason`` like index lines."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ccfs_tui.core.cdr import CDR_COLUMNS, read_cdr_stream, read_cdrs


def row(call_id: str, num: str, columns: int = 29, **values: str) -> str:
    fields = {
        "developer": "demo-ak",
        "account_id": "acc",
        "cc_id": "1",
        "agent_id": "1001",
        "call_id": call_id,
        "caller_no": "13800000000",
        "callee_no": "4001",
        "wait_begin": "2026-11-20 10:00:00",
        "wait_end": "2026-11-20 10:00:12",
        "ack_begin": "2026-11-20 10:00:12",
        "ack_end": "2026-11-20 10:00:15",
        "call_begin": "2026-11-20 10:00:15",
        "call_end": "2026-11-20 10:03:00",
        "device_type": "2",
        "device_no": "1001",
        "call_type": "0",
        "release_cause": "0",
        "call_id_num": num,
        "leave_reason": "1",
    }
    fields.update(values)
    return ",".join(fields.get(name, "x") for name in CDR_COLUMNS[:columns])


def test_legs_of_a_call_in_order_whatever_the_platform_version() -> None:
    header = ",".join(CDR_COLUMNS)
    text = "\r\n".join(
        [
            header,
            row("c1", "-1", 18, release_cause="16"),
            row("c1", "1", 23, device_type="1", device_no="Q7"),
            row("c2", "-1", 29, leave_reason="3"),
            row("c1", "2", 29, device_type="3", device_no="IVR9"),
        ]
    )
    table = read_cdr_stream(io.BytesIO(text.encode()), "x_call_1.csv")
    assert table.problems == []
    assert table.rows == 4
    legs = table.legs_of("c1")
    assert [leg.leg_number for leg in legs] == [1, 2, -1]
    assert [leg.device_type_label for leg in legs] == ["queue", "IVR", "agent"]
    assert legs[0].summary()["device"] == "queue Q7"
    last = legs[-1].summary()
    assert last["release cause"] == "16"
    assert last["leave reason"] == ""  # 18 columns: the platform had no leave_reason yet
    assert last["answer"] == "2026-11-20 10:00:12 .. 2026-11-20 10:00:15"
    assert legs[-1].source == "x_call_1.csv:2"
    assert table.legs_of("c2")[0].summary()["leave reason"] == "3"
    assert table.legs_of("nope") == []


def test_malformed_lines_are_reported_with_file_and_line_and_the_rest_is_read() -> None:
    lines = [
        row("c1", "-1"),
        row("c2", "-1", 20),  # 20 columns
        row("", "-1"),  # no call id
        row("c3", "first"),  # call_id_num not a number
        row("c4", "-1").replace("acc", "a\x00c"),  # binary
        row("c5", "-1"),
    ]
    data = (
        "\n".join(lines).encode()
        + b"\n"
        + row("c6", "-1").encode().replace(b"acc", b"\xff\xfe\xff")
        + b"\n"
    )
    table = read_cdr_stream(io.BytesIO(data), "b_call_1.csv")
    assert sorted(table.legs) == ["c1", "c5"]
    reasons = [str(p) for p in table.problems]
    assert reasons[0] == "b_call_1.csv:2: 20 columns (a CDR line has 18, 23 or 29)"
    assert reasons[1].startswith("b_call_1.csv:3: call_id")
    assert reasons[2].startswith("b_call_1.csv:4: call_id_num")
    assert reasons[3].startswith("b_call_1.csv:5: control characters")
    assert reasons[4].startswith("b_call_1.csv:7: bytes that are neither UTF-8 nor GB18030")
    assert len(reasons) == 5


def test_gb18030_lines_are_read() -> None:
    data = row("c1", "-1", agent_id="坐席").encode("gb18030")
    table = read_cdr_stream(io.BytesIO(data), "g_call_1.csv")
    assert table.problems == []
    assert table.legs_of("c1")[0].get("agent_id") == "坐席"


def test_a_quoted_comma_is_one_value_and_an_unclosed_quote_is_reported() -> None:
    good = row("c1", "-1", device_no='"A,B"')
    table = read_cdr_stream(io.BytesIO(f'{good}\n"c2,unclosed\n'.encode()), "q_call_1.csv")
    assert table.legs_of("c1")[0].get("device_no") == "A,B"
    assert [p.line for p in table.problems] == [2]


def test_zip_members_and_folders(tmp_path: Path) -> None:
    archive = tmp_path / "20261120_abc.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("202611201000000001_call_10.csv", row("c10", "-1") + "\n" + row("bad", "-1", 3))
        zf.writestr("202611201000000001_call_2.csv", row("c2", "-1"))
        zf.writestr("202611201000000001_record_1.csv", "not,a,cdr")
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "x_call_1.csv").write_text(row("c7", "-1"), encoding="utf-8")
    (folder / "notes.csv").write_text("ignored", encoding="utf-8")
    table = read_cdrs([archive, folder])
    assert sorted(table.legs) == ["c10", "c2", "c7"]
    (problem,) = table.problems
    assert str(problem).startswith(f"{archive}!202611201000000001_call_10.csv:2: 3 columns")


def test_a_damaged_zip_is_one_problem(tmp_path: Path) -> None:
    broken = tmp_path / "b.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    table = read_cdrs([broken, tmp_path / "missing_call_1.csv"])
    assert [p.line for p in table.problems] == [0, 0]
    assert "not a readable zip" in table.problems[0].reason
