"""Reading recording index files: real-shaped files load, broken lines are named, nothing raises."""

from __future__ import annotations

import gzip
import importlib.util
import io
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccfs_tui.core.index import (
    MAX_PROBLEMS_PER_FILE,
    IndexProblem,
    RowBatch,
    Span,
    iter_index,
    iter_spans,
    natural_key,
    read_recordings,
    recording_from_row,
    split_index,
)
from ccfs_tui.core.recording import COLUMNS

CORPUS = Path(__file__).parent / "data" / "index"
GOOD = CORPUS / "good"
BROKEN = CORPUS / "broken"

_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
HEADER: str = corpus.HEADER
row = corpus.row


def read(*paths: str | Path, chunk_size: int = 10_000) -> tuple[list[tuple[str, ...]], list[str]]:
    """Rows and problems (as the user sees them: ``file:line: reason``) of ``paths``."""
    rows: list[tuple[str, ...]] = []
    problems: list[str] = []
    for chunk in iter_index(list(paths), chunk_size=chunk_size):
        rows.extend(chunk.rows)
        problems.extend(map(str, chunk.problems))
    return rows, problems


def ids(rows: list[tuple[str, ...]]) -> list[str]:
    return [r[COLUMNS.index("call_id")] for r in rows]


def expected(prefix: str, count: int, **kw: str) -> list[tuple[str, ...]]:
    return [tuple(row(prefix, n, **kw).split(",")) for n in range(1, count + 1)]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- real-shaped files


def test_header_and_lf_file_loads_every_row_exactly() -> None:
    rows, problems = read(GOOD / "20260301_1_record.csv")
    assert rows == expected("A", 12)
    assert problems == []


def test_bom_crlf_and_an_upper_case_header() -> None:
    rows, problems = read(GOOD / "20260301_2_record.csv")
    assert rows == expected("B", 10)  # no "\r" left on the last column, BOM gone
    assert problems == []


def test_no_header_and_no_final_newline() -> None:
    rows, problems = read(GOOD / "20260302_3_record.csv")
    assert rows == expected("C", 8, day="2026-03-02")
    assert problems == []


def test_gb18030_file_with_chinese_agent_names() -> None:
    rows, problems = read(GOOD / "20260303_4_record.csv")
    assert [r[3] for r in rows] == ["李四", "王五", "张三", "李四", "王五", "张三"]
    assert problems == []


def test_quoted_fields_with_commas_quotes_and_newlines() -> None:
    rows, problems = read(GOOD / "20260304_5_record.csv")
    assert problems == []
    assert ids(rows) == [f"E-{n:04d}" for n in range(1, 7)]
    by_id = {r[4]: r for r in rows}
    assert by_id["E-0001"][3] == "1001"
    assert by_id["E-0002"][0] == "dev, with comma"
    assert by_id["E-0003"][11] == 'say "ok"'
    assert by_id["E-0004"][1] == "two\nlines"
    assert by_id["E-0005"][12] == "Y:\\1\\0\\20260301\\1001\\E,0005.V3"


def test_gzip_file() -> None:
    rows, problems = read(GOOD / "20260305_6_record.csv.gz")
    assert rows == expected("F", 30)
    assert problems == []


def test_bill_zip_reads_record_parts_in_natural_order_and_ignores_cdrs() -> None:
    zip_path = GOOD / "20260306_7.zip"
    sources: list[str] = []
    rows: list[tuple[str, ...]] = []
    for chunk in iter_index(zip_path):
        assert not chunk.problems
        sources.extend([chunk.source] * len(chunk.rows))
        rows.extend(chunk.rows)
    parts = [("G1", 4), ("G2", 3), ("G10", 2)]
    assert ids(rows) == [f"{p}-{n:04d}" for p, count in parts for n in range(1, count + 1)]
    assert sources[0] == f"{zip_path}!20260306_7_record_1.csv"
    assert sources[-1] == f"{zip_path}!20260306_7_record_10.csv"


def test_folder_reads_index_files_and_zips_only() -> None:
    rows, problems = read(GOOD)
    assert problems == []
    prefixes: list[str] = []
    for call_id in ids(rows):
        prefix = call_id.split("-")[0]
        if not prefixes or prefixes[-1] != prefix:
            prefixes.append(prefix)
    # natural file order; notes.txt and *_call.csv are not read
    assert prefixes == ["A", "B", "C", "D", "E", "F", "G1", "G2", "G10"]
    assert len(rows) == 12 + 10 + 8 + 6 + 6 + 30 + 9


def test_several_paths_are_merged_in_the_order_given() -> None:
    rows, _ = read(GOOD / "20260302_3_record.csv", GOOD / "20260301_1_record.csv")
    assert ids(rows) == [f"C-{n:04d}" for n in range(1, 9)] + [f"A-{n:04d}" for n in range(1, 13)]


def test_a_single_string_path_is_one_path() -> None:
    rows, _ = read(str(GOOD / "20260301_1_record.csv"))
    assert len(rows) == 12


def test_whitespace_around_fields_is_stripped(tmp_path: Path) -> None:
    line = row("S", 1).replace(",", " , ")
    path = write(tmp_path / "s_record.csv", f"  {line}\t\n{row('S', 2)}\n".encode())
    rows, problems = read(path)
    assert problems == []
    assert rows == expected("S", 2)


def test_read_recordings_builds_typed_recordings() -> None:
    recordings, problems = read_recordings(GOOD / "20260301_1_record.csv")
    assert problems == []
    first = recordings[0]
    assert first.call_id == "A-0001"
    assert isinstance(first.call_begin, datetime)
    assert first.play_file_name == "Y:/1/0/20260301/1002/A0001.V3"
    assert tuple(first.to_row()) == expected("A", 1)[0]


def test_recording_from_row_round_trips_and_refuses_bad_rows() -> None:
    good = expected("R", 1)[0]
    assert tuple(recording_from_row(good).to_row()) == good
    with pytest.raises(ValueError):
        recording_from_row(good[:17])
    with pytest.raises(ValueError):
        recording_from_row((*good[:7], "2026-03-01", *good[8:]))


def test_row_batch_is_a_sequence_of_tuples() -> None:
    rows = expected("Q", 3)
    batch = RowBatch.from_rows(rows)
    assert len(batch) == 3 and bool(batch)
    assert list(batch) == rows
    assert batch[0] == rows[0] and batch[-1] == rows[-1]
    assert batch[1:] == rows[1:]
    assert [row[4] for row in batch] == ["Q-0001", "Q-0002", "Q-0003"]
    assert not RowBatch()
    with pytest.raises(IndexError):
        batch[3]
    with pytest.raises(ValueError):
        RowBatch.from_rows([rows[0][:5]])


def test_natural_key_orders_numbers_by_value() -> None:
    names = ["x_record_10.csv", "x_record_2.csv", "X_record_1.csv"]
    assert sorted(names, key=natural_key) == ["X_record_1.csv", "x_record_2.csv", "x_record_10.csv"]


# --------------------------------------------------------------------------- broken files


def test_broken_lines_are_reported_with_line_numbers_and_the_rest_loads() -> None:
    path = BROKEN / "20260307_8_record.csv"
    rows, problems = read(path)
    assert ids(rows) == ["X-0001", "X-0009", "X-0011", "X-0012", "X-0015"]
    stripped = rows[2]
    assert stripped[3] == "1001" and stripped[7] == "2026-03-01 09:00:00"
    assert problems == [
        f"{path}:2: expected 18 columns, found 19",
        f"{path}:3: expected 18 columns, found 17",
        f"{path}:4: call_begin is not a date (YYYY-MM-DD hh:mm:ss): '2026-13-01 10:00:00'",
        f"{path}:5: call_end is not a date (YYYY-MM-DD hh:mm:ss): 'yesterday'",
        f"{path}:10: call_begin is not a date (YYYY-MM-DD hh:mm:ss): '2026-02-29 10:00:00'",
        f"{path}:13: NUL byte at byte 6 (binary data?); skipped",
        f"{path}:14: bytes that are neither UTF-8 nor GB18030 at byte 9; skipped",
    ]


def test_problem_is_file_colon_line_colon_reason() -> None:
    problem = IndexProblem("a/b_record.csv", 7, "expected 18 columns, found 3")
    assert str(problem) == "a/b_record.csv:7: expected 18 columns, found 3"


def test_bad_date_value_is_shown_truncated(tmp_path: Path) -> None:
    path = write(tmp_path / "t_record.csv", (row("T", 1, call_end="9" * 100) + "\n").encode())
    _, problems = read(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:1: call_end is not a date")
    assert "9" * 39 + "…" in problems[0] and "9" * 41 not in problems[0]


def test_leap_day_and_impossible_dates(tmp_path: Path) -> None:
    lines = [
        row("L", 1, call_begin="2024-02-29 23:59:59", call_end="2024-03-01 00:00:10"),
        row("L", 2, call_begin="2100-02-29 10:00:00"),
        row("L", 3, call_begin="2026-04-31 10:00:00"),
        row("L", 4, call_begin="2026-03-01 10:60:00"),
        row("L", 5, call_begin="0000-03-01 10:00:00"),
        row("L", 6, call_begin="2026-3-01 10:00:00"),
        row("L", 7, call_begin="2026-12-31 23:59:59", call_end="2027-01-01 00:00:30"),
    ]
    path = write(tmp_path / "l_record.csv", ("\n".join(lines) + "\n").encode())
    rows, problems = read(path)
    assert ids(rows) == ["L-0001", "L-0007"]
    assert [p.split(":")[1] for p in problems] == ["2", "3", "4", "5", "6"]


def test_empty_file() -> None:
    path = BROKEN / "20260307_9_record.csv"
    assert read(path) == ([], [f"{path}: empty file"])


def test_file_of_blank_lines_counts_as_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "b_record.csv", b"\n\r\n  \n")
    assert read(path) == ([], [f"{path}: empty file"])


def test_header_only_file_is_not_a_problem(tmp_path: Path) -> None:
    assert read(write(tmp_path / "h_record.csv", f"{HEADER}\n".encode())) == ([], [])


def test_truncated_gzip_keeps_the_lines_before_the_damage() -> None:
    path = BROKEN / "20260307_10_record.csv.gz"
    rows, problems = read(path)
    assert len(rows) > 100
    assert ids(rows) == [f"T-{n:04d}" for n in range(1, len(rows) + 1)]
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: gzip data is damaged")


def test_zip_without_a_record_member() -> None:
    path = BROKEN / "20260307_11.zip"
    rows, problems = read(path)
    assert rows == []
    assert problems == [
        f"{path}: no *_record*.csv file in this zip (members: 20260307_11_call.csv)"
    ]


def test_corrupt_zip_and_misnamed_archives(tmp_path: Path) -> None:
    corrupt = BROKEN / "20260307_12.zip"
    not_zip = write(tmp_path / "a.zip", b"hello\n")
    not_gz = write(tmp_path / "a_record.csv.gz", b"hello\n")
    rows, problems = read(corrupt, not_zip, not_gz)
    assert rows == []
    assert problems == [
        f"{corrupt}: not a readable zip archive (BadZipFile: File is not a zip file)",
        f"{not_zip}: not a zip archive (the file name ends in .zip); skipped",
        f"{not_gz}: not gzip data (the file name ends in .gz); skipped",
    ]


def test_damaged_zip_member_is_reported_under_its_member_name(tmp_path: Path) -> None:
    data = "\n".join(row("Z", n) for n in range(1, 2000)).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("z_record.csv", data)
    raw = bytearray(out.getvalue())
    middle = len(raw) // 2
    raw[middle : middle + 40] = bytes(40)  # damage the deflate stream
    path = write(tmp_path / "z.zip", bytes(raw))
    rows, problems = read(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}!z_record.csv: zip member data is damaged")
    assert ids(rows) == [f"Z-{n:04d}" for n in range(1, len(rows) + 1)]


def test_binary_garbage_file_gives_problems_not_rows() -> None:
    path = BROKEN / "20260307_13_record.csv"
    rows, problems = read(path)
    assert rows == []
    assert problems and all(p.startswith(f"{path}:") for p in problems)


def test_mixed_utf8_and_gb18030_lines() -> None:
    path = BROKEN / "20260307_14_record.csv"
    rows, problems = read(path)
    assert [r[3] for r in rows] == ["张三", "李四", "王五"]
    assert problems == [f"{path}:4: bytes that are neither UTF-8 nor GB18030 at byte 1; skipped"]


def test_a_few_junk_lines_do_not_make_a_utf8_file_gb18030(tmp_path: Path) -> None:
    junk = b"\x81@\n\xd5\xc5\xc8\xfd\n"  # not UTF-8, but "valid" GB18030
    good = (row("J", 1, agent="张三") + "\n").encode()
    rows, problems = read(write(tmp_path / "j_record.csv", junk + junk + good))
    assert [r[3] for r in rows] == ["张三"]
    assert len(problems) == 4


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "u_record.csv", (row("U", 1) + "\n").encode("utf-16"))
    rows, problems = read(path)
    assert rows == []
    assert problems == [f"{path}: UTF-16 text is not supported; save the index as UTF-8"]


def test_missing_path_fifo_and_a_folder_without_index_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope_record.csv"
    fifo = tmp_path / "pipe_record.csv"
    os.mkfifo(fifo)  # opening it would block: it must be refused before that
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    good = GOOD / "20260302_3_record.csv"
    rows, problems = read(missing, fifo, empty_dir, good)
    assert len(rows) == 8
    assert problems == [
        f"{missing}: no such file or folder",
        f"{fifo}: not a regular file (a pipe, socket or device); skipped",
        f"{empty_dir}: no *_record*.csv, *_record*.csv.gz or *.zip files in this folder",
    ]


def test_a_megabyte_line_is_skipped_and_its_neighbours_load(tmp_path: Path) -> None:
    giant = b"x," * (512 * 1024)
    data = (row("G", 1) + "\n").encode() + giant + b"\n" + (row("G", 3) + "\n").encode()
    rows, problems = read(write(tmp_path / "g_record.csv", data))
    assert ids(rows) == ["G-0001", "G-0003"]
    assert problems == [
        f"{tmp_path / 'g_record.csv'}:2: line is longer than 64 KiB; skipped",
    ]


def test_a_long_line_inside_a_block_and_one_at_the_end(tmp_path: Path) -> None:
    data = (row("H", 1) + "\n").encode() + b"y" * 70_000 + b"\n" + (row("H", 3) + "\n").encode()
    data += b"z" * 200_000  # last line, no newline
    path = write(tmp_path / "h_record.csv", data)
    rows, problems = read(path)
    assert ids(rows) == ["H-0001", "H-0003"]
    assert problems == [
        f"{path}:2: line is longer than 64 KiB (70,000 bytes); skipped",
        f"{path}:4: line is longer than 64 KiB; skipped",
    ]


def test_line_numbers_count_physical_lines_of_quoted_records(tmp_path: Path) -> None:
    lines = [
        HEADER,  # 1
        row("N", 1, developer='"a\nb\nc"'),  # 2-4
        "",  # 5
        "bad,line",  # 6
        row("N", 2, account_id='"x\r\ny"'),  # 7-8
        row("N", 3, call_begin="nope"),  # 9
    ]
    path = write(tmp_path / "n_record.csv", ("\r\n".join(lines) + "\r\n").encode())
    rows, problems = read(path)
    assert ids(rows) == ["N-0001", "N-0002"]
    assert rows[0][0] == "a\nb\nc"
    assert problems == [
        f"{path}:6: expected 18 columns, found 2",
        f"{path}:9: call_begin is not a date (YYYY-MM-DD hh:mm:ss): 'nope'",
    ]


def test_unterminated_quote_is_reported_and_the_following_lines_load(tmp_path: Path) -> None:
    lines = [row("O", 1), row("O", 2, agent='"1001'), row("O", 3), row("O", 4)]
    path = write(tmp_path / "o_record.csv", ("\n".join(lines) + "\n").encode())
    rows, problems = read(path)
    assert ids(rows) == ["O-0001", "O-0003", "O-0004"]
    assert problems == [f'{path}:2: unterminated quoted field (a " without its closing ")']


def test_control_characters_and_lone_carriage_returns(tmp_path: Path) -> None:
    lines = [row("K", 1), row("K", 2, agent="10\x1b01"), row("K", 3, agent="10\r01"), row("K", 4)]
    path = write(tmp_path / "k_record.csv", ("\n".join(lines) + "\n").encode())
    rows, problems = read(path)
    assert ids(rows) == ["K-0001", "K-0004"]
    assert problems[0] == f"{path}:2: control character 0x1B at byte 16 (binary data?); skipped"
    assert problems[1].startswith(f"{path}:3: CSV error:")


def test_problems_are_capped_per_file(tmp_path: Path) -> None:
    extra = 250
    data = b"junk\n" * (MAX_PROBLEMS_PER_FILE + extra) + (row("P", 1) + "\n").encode()
    path = write(tmp_path / "p_record.csv", data)
    rows, problems = read(path)
    assert ids(rows) == ["P-0001"]
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1
    assert problems[-1] == f"{path}: {extra} more skipped lines not listed"


# --------------------------------------------------------------------------- streaming


def test_a_25000_row_file_arrives_in_chunks_before_it_is_all_read(tmp_path: Path) -> None:
    count = 25_000
    text = HEADER + "\n" + "\n".join(row("W", n) for n in range(1, count + 1)) + "\n"
    path = write(tmp_path / "w_record.csv", text.encode())
    chunks = list(iter_index(path, chunk_size=10_000))
    assert len(chunks) >= 3
    assert all(0 < len(c.rows) <= 10_000 for c in chunks[:-1])
    assert chunks[0].bytes_done < chunks[0].bytes_total == path.stat().st_size
    assert chunks[-1].bytes_done == chunks[-1].bytes_total
    done = [c.bytes_done for c in chunks]
    assert done == sorted(done)
    got = [row[4] for c in chunks for row in c.rows]
    assert got == [f"W-{n:04d}" for n in range(1, count + 1)]


def test_progress_counts_compressed_bytes_across_files(tmp_path: Path) -> None:
    text = "\n".join(row("V", n) for n in range(1, 3001)) + "\n"
    gz = write(tmp_path / "v_record.csv.gz", gzip.compress(text.encode()))
    plain = write(tmp_path / "v2_record.csv", text.encode())
    total = gz.stat().st_size + plain.stat().st_size
    chunks = list(iter_index([gz, plain], chunk_size=1000))
    assert {c.bytes_total for c in chunks} == {total}
    assert chunks[-1].bytes_done == total
    assert sum(len(c.rows) for c in chunks) == 6000
    assert all(len(c.rows) <= 1000 for c in chunks)


def test_tiny_chunk_size() -> None:
    chunks = list(iter_index(GOOD / "20260301_1_record.csv", chunk_size=5))
    assert [len(c.rows) for c in chunks] == [5, 5, 2]
    with pytest.raises(ValueError):
        list(iter_index(GOOD, chunk_size=0))


# --------------------------------------------------------------------------- any bytes


def _load(data: bytes, name: str = "f_record.csv") -> tuple[list[tuple[str, ...]], list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, name)
        path.write_bytes(data)
        return read(path, chunk_size=7)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(["f_record.csv", "f.zip", "f_record.csv.gz"]))
def test_arbitrary_bytes_never_raise(data: bytes, name: str) -> None:
    rows, problems = _load(data, name)
    for r in rows:
        assert len(r) == 18
        recording_from_row(r)  # every row that comes out is a valid recording
    assert all(":" in p for p in problems)


# Junk never holds a newline (it is one line) or a double quote: a quote may rightly start a
# quoted field that spans the following lines (RFC 4180), which would swallow good lines.
_junk = st.binary(max_size=300).map(lambda b: b.replace(b"\n", b"").replace(b'"', b""))


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, ...]]]:
    """A valid file with some lines damaged; returns it and the rows that must load."""
    count = draw(st.integers(1, 25))
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    out: list[bytes] = []
    if draw(st.booleans()):
        out.append(HEADER.encode())
    keep: list[tuple[str, ...]] = []
    for n in range(1, count + 1):
        text = row("Y", n, agent=draw(st.sampled_from(["1001", "张三", " 7 "])))
        line = text.encode()
        action = draw(st.sampled_from(["keep", "keep", "replace", "flip", "insert"]))
        if action == "replace":
            out.append(draw(_junk))
            continue
        if action == "flip":  # may or may not still be a valid row: not checked
            position = draw(st.integers(0, len(line) - 1))
            value = draw(st.integers(0, 255).filter(lambda b: b not in b'\n"'))
            out.append(line[:position] + bytes([value]) + line[position + 1 :])
            continue
        if action == "insert":
            out.append(draw(_junk))
        out.append(line)
        keep.append(tuple(v.strip() for v in text.split(",")))
    data = newline.join(out) + newline
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data, keep


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_file(), st.sampled_from(["plain", "gz", "zip"]))
def test_every_valid_line_survives_damage_around_it(
    case: tuple[bytes, list[tuple[str, ...]]], kind: str
) -> None:
    data, keep = case
    name = "y_record.csv"
    if kind == "gz":
        data, name = gzip.compress(data), "y_record.csv.gz"
    elif kind == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("y_record.csv", data)
        data, name = out.getvalue(), "y.zip"
    rows, _ = _load(data, name)
    # Compared without agent_id, the one non-ASCII column here: damaged lines may sway the
    # file's encoding guess, and then a name can come out garbled, but no row may be lost.
    agent = COLUMNS.index("agent_id")

    def ascii_part(r: tuple[str, ...]) -> tuple[str, ...]:
        return r[:agent] + r[agent + 1 :]

    wanted = {ascii_part(r) for r in keep}
    assert [ascii_part(r) for r in rows if ascii_part(r) in wanted] == [ascii_part(r) for r in keep]


def test_a_plain_file_whose_first_line_starts_like_gzip_keeps_its_valid_lines() -> None:
    # found by the property test above: a damaged first line "\x1f\x8b\n" made the whole
    # file a "damaged gzip" and its valid lines were lost
    data = b"\x1f\x8b\n" + row("Y", 1).encode() + b"\n"
    rows, problems = _load(data, "y_record.csv")
    assert [r[COLUMNS.index("call_id")] for r in rows] == ["Y-0001"]
    assert len(problems) == 1 and ":1:" in problems[0]


def test_big_crlf_file_with_scattered_damage(tmp_path: Path) -> None:
    count = 30_000  # several blocks: most take the bulk path, damaged ones the careful one
    lines = [row("Q", n) for n in range(1, count + 1)]
    damage = {
        5: row("Q", 5, call_end="2026-03-01 25:00:00"),
        12_000: ",".join(lines[11_999].split(",")[:17]),
        20_000: row("Q", 20_000, agent="\t1001\t"),  # loads, stripped
        25_000: row("Q", 25_000, developer='"quoted, dev"'),  # loads
        29_999: row("Q", 29_999, call_begin="2026-09-31 10:00:00"),
    }
    for n, text in damage.items():
        lines[n - 1] = text
    path = write(tmp_path / "q_record.csv", ("\r\n".join(lines) + "\r\n").encode())
    rows, problems = read(path)
    lost = {5, 12_000, 29_999}
    assert ids(rows) == [f"Q-{n:04d}" for n in range(1, count + 1) if n not in lost]
    assert [p.split(":")[1] for p in problems] == ["5", "12000", "29999"]
    by_id = {r[4]: r for r in rows}
    assert by_id["Q-20000"][3] == "1001"
    assert by_id["Q-25000"][0] == "quoted, dev"
    assert not any(value.endswith("\r") for r in rows for value in r)


def test_every_field_quoted(tmp_path: Path) -> None:
    quoted = ['"' + '","'.join(row("U", n).split(",")) + '"' for n in range(1, 6)]
    path = write(tmp_path / "u_record.csv", ("\r\n".join(quoted) + "\r\n").encode())
    rows, problems = read(path)
    assert problems == []
    assert rows == expected("U", 5)


# --------------------------------------------------------------------------- the bulk path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("chunk_size", [1, 7, 10_000])
def test_bulk_rows_keep_no_carriage_return_and_slice_exactly(
    tmp_path: Path, newline: str, chunk_size: int
) -> None:
    count = 40
    text = newline.join([HEADER, *(row("B", n) for n in range(1, count + 1))]) + newline
    path = write(tmp_path / "b_record.csv", text.encode())
    chunks = list(iter_index(path, chunk_size=chunk_size))
    assert [r for c in chunks for r in c.rows] == expected("B", count)
    for chunk in chunks:
        batch = chunk.rows
        assert b"\r" not in batch.text and batch.text.count(b"\n") == len(batch)
        raw, crlf = RowBatch.from_text(batch.text, len(batch)).raw_text()
        assert raw == batch.text and not crlf
    assert chunks[-1].next_line == count + 2


def test_first_chunk_size_makes_a_small_first_chunk(tmp_path: Path) -> None:
    text = "\n".join(row("F", n) for n in range(1, 5001)) + "\n"
    path = write(tmp_path / "f_record.csv", text.encode())
    sizes = [len(c.rows) for c in iter_index(path, chunk_size=2000, first_chunk_size=300)]
    assert sizes[0] == 300 and max(sizes) == 2000 and sum(sizes) == 5000


def test_row_batch_from_text_slices_and_concatenates() -> None:
    lines = [row("T", n) for n in range(1, 8)]
    crlf = ("\r\n".join(lines) + "\r\n").encode()
    batch = RowBatch.from_text(crlf, 7, crlf.split(b","), crlf=True)
    assert batch.raw_text() == (crlf, True)
    assert len(batch.split_text()) == 17 * 7 + 1
    first, rest = batch.slice_rows(0, 3), batch.slice_rows(3, 7)
    assert (len(first), len(rest)) == (3, 4)
    assert first.raw_text()[1] and rest.raw_text()[1]
    joined = RowBatch.concat([first, rest])
    assert list(joined) == expected("T", 7) == list(batch)
    assert batch.text == ("\n".join(lines) + "\n").encode()  # CRs dropped when asked
    assert list(batch.slice_rows(2, 5)) == expected("T", 7)[2:5]
    assert not batch.slice_rows(4, 4)
    with pytest.raises(IndexError):
        batch.slice_rows(5, 9)
    mixed = RowBatch.concat([RowBatch.from_rows(expected("T", 2)), rest])
    assert list(mixed) == expected("T", 2) + expected("T", 7)[3:]


# --------------------------------------------------------------------------- spans


def test_split_index_cuts_big_plain_input_at_a_line_start(tmp_path: Path) -> None:
    count = 3000
    lines = [row("S", n) for n in range(1, count + 1)]
    lines[2500] = "not,a,row"
    path = write(tmp_path / "s_record.csv", ("\r\n".join([HEADER, *lines]) + "\r\n").encode())
    plan = split_index([path], 0.4, 1000)
    assert plan is not None
    head, tail = plan
    assert head[-1].stop == tail[0].start and head[0].start == 0 and tail[-1].stop == tail[-1].size
    data = path.read_bytes()
    assert data[head[-1].stop - 1 : head[-1].stop] == b"\n"
    got = [c for c in iter_spans(head + tail, chunk_size=500)]
    whole = list(iter_index(path, chunk_size=500))
    assert [r for c in got for r in c.rows] == [r for c in whole for r in c.rows]
    # the tail alone counts its lines from 1: the caller knows where it starts
    head_lines = data[: tail[0].start].count(b"\n")
    tail_problems = [p for c in iter_spans(tail) for p in c.problems]
    assert [p.line + head_lines for p in tail_problems] == [2502]


def test_split_index_refuses_what_it_cannot_cut(tmp_path: Path) -> None:
    lines = [row("R", n) for n in range(1, 2000)]
    plain = write(tmp_path / "r_record.csv", ("\n".join(lines) + "\n").encode())
    assert split_index([plain], 0.5, 1 << 30) is None  # too small
    gz = write(tmp_path / "r2_record.csv.gz", gzip.compress(plain.read_bytes()))
    assert split_index([plain, gz], 0.5, 10) is None  # not plain
    assert split_index([tmp_path / "missing_record.csv"], 0.5, 10) is None
    lines[1000] = row("R", 1001, developer='"a, b"')
    quoted = write(tmp_path / "q_record.csv", ("\n".join(lines) + "\n").encode())
    assert split_index([quoted], 0.5, 10) is None  # a quote near the cut
    two = split_index([plain, plain], 0.5, 10)  # the cut falls at the end of a file
    assert two is not None and [s.whole for s in two[0] + two[1]] == [True, True]


def test_spans_that_end_or_start_inside_a_file_report_no_summary(tmp_path: Path) -> None:
    lines = ["x"] * 30 + [row("P", n) for n in range(1, 50)]
    path = write(tmp_path / "p_record.csv", ("\n".join(lines) + "\n").encode())
    size = path.stat().st_size
    middle = len(("\n".join(lines[:40]) + "\n").encode())
    part = Span(str(path), str(path), 0, middle, size)
    problems = [p for c in iter_spans([part]) for p in c.problems]
    assert len(problems) == 30  # no "more skipped lines" line, no "empty file"
    rest = Span(str(path), str(path), middle, size, size)
    assert sum(len(c.rows) for c in iter_spans([rest])) == 39
    with pytest.raises(ValueError):
        list(iter_spans([rest], chunk_size=0))
