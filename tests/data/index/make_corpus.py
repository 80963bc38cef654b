"""Regenerate the index-file corpus beside this script: ``python tests/data/index/make_corpus.py``.

Real-shaped recording indexes (reference section 2) and broken ones, each small. The tests
in tests/test_index_reader.py state what each file must give; keep the two in step.
Row ``n`` of a file has call_id ``{prefix}-{n:04d}`` so tests can name the rows they expect.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = (
    "developer,account_id,cc_id,agent_id,call_id,caller_no,callee_no,call_begin,call_end,"
    "file_name,task_status,task_result,original_file_name,vdn_id,call_type,media_type,"
    "user_wanted_skill_id,current_skill_id"
)


def row(prefix: str, n: int, day: str = "2026-03-01", agent: str | None = None, **over: str) -> str:
    """One 18-field line (no line ending); ``over`` replaces fields by column name."""
    rnd = random.Random(f"{prefix}{n}")
    hour, minute, second = rnd.randrange(8, 20), rnd.randrange(60), rnd.randrange(50)
    length = rnd.randrange(1, 10)
    compact = day.replace("-", "")
    fields = {
        "developer": "dev1",
        "account_id": "ACC01",
        "cc_id": "1",
        "agent_id": agent if agent is not None else str(1001 + n % 3),
        "call_id": f"{prefix}-{n:04d}",
        "caller_no": f"1380013{rnd.randrange(10000):04d}",
        "callee_no": "4008001",
        "call_begin": f"{day} {hour:02d}:{minute:02d}:{second:02d}",
        "call_end": f"{day} {hour:02d}:{minute:02d}:{second + length:02d}",
        "file_name": f"/10/1/record/100/{1001 + n % 3}/{prefix}{n:04d}.wav",
        "task_status": "1",
        "task_result": "success",
        "original_file_name": f"Y:\\1\\0\\{compact}\\{1001 + n % 3}\\{prefix}{n:04d}.V3",
        "vdn_id": str(1 + n % 2),
        "call_type": "0",
        "media_type": "5",
        "user_wanted_skill_id": "3",
        "current_skill_id": "3",
    }
    fields.update(over)
    return ",".join(fields.values())


def lines(prefix: str, count: int, **kw: str) -> list[str]:
    return [row(prefix, n, **kw) for n in range(1, count + 1)]


def write(rel: str, data: bytes) -> None:
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 6, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def main() -> None:
    # --- real-shaped
    write("good/20260301_1_record.csv", ("\n".join([HEADER, *lines("A", 12)]) + "\n").encode())
    write(
        "good/20260301_2_record.csv",
        b"\xef\xbb\xbf" + ("\r\n".join([HEADER.upper(), *lines("B", 10)]) + "\r\n").encode(),
    )
    write("good/20260302_3_record.csv", "\n".join(lines("C", 8, day="2026-03-02")).encode())
    names = ["张三", "李四", "王五"]
    gb = [row("D", n, day="2026-03-03", agent=names[n % 3]) for n in range(1, 7)]
    write("good/20260303_4_record.csv", ("\r\n".join([HEADER, *gb]) + "\r\n").encode("gb18030"))
    quoted = [
        row("E", 1, agent='"1001"'),
        row("E", 2, developer='"dev, with comma"'),
        row("E", 3, task_result='"say ""ok"""'),
        row("E", 4, account_id='"two\nlines"'),
        row("E", 5, original_file_name='"Y:\\1\\0\\20260301\\1001\\E,0005.V3"'),
        row("E", 6),
    ]
    write("good/20260304_5_record.csv", ("\n".join([HEADER, *quoted]) + "\n").encode())
    write(
        "good/20260305_6_record.csv.gz",
        gzip.compress(("\n".join([HEADER, *lines("F", 30)]) + "\n").encode(), mtime=0),
    )
    write(
        "good/20260306_7.zip",
        zip_bytes(
            {
                "20260306_7_call.csv": b"developer,account_id,call_id\ndev1,ACC01,x\n",
                "20260306_7_record_2.csv": ("\n".join(lines("G2", 3)) + "\n").encode(),
                "20260306_7_record_10.csv": ("\n".join(lines("G10", 2)) + "\n").encode(),
                "20260306_7_record_1.csv": ("\n".join([HEADER, *lines("G1", 4)]) + "\n").encode(),
                "readme.txt": b"not an index\n",
            }
        ),
    )
    write("good/ignored_call.csv", b"developer,account_id\n")
    write("good/notes.txt", b"ignored\n")

    # --- broken (tests name each expected problem line)
    broken = [
        row("X", 1),  # 1 good
        row("X", 2) + ",extra",  # 2 19 columns
        ",".join(row("X", 3).split(",")[:17]),  # 3 17 columns
        row("X", 4, call_begin="2026-13-01 10:00:00"),  # 4 bad begin
        row("X", 5, call_end="yesterday"),  # 5 bad end
        "",  # 6 empty: silent
        "   ",  # 7 blank: silent
        HEADER,  # 8 header again: silent
        row("X", 9),  # 9 good
        row("X", 10, call_begin="2026-02-29 10:00:00"),  # 10 not a leap year
        row("X", 11, call_begin=" 2026-03-01 09:00:00 ", agent=" 1001 "),  # 11 good, stripped
        row("X", 12),  # 12 good
    ]
    text = "\n".join(broken) + "\n"
    data = text.encode()
    data += b"dev1,\x00\x00binary\x00,junk\n"  # 13 NUL
    data += row("X", 14).encode().replace(b"ACC01", b"ACC\xff\xfe01") + b"\n"  # 14 undecodable
    data += (row("X", 15) + "\n").encode()  # 15 good
    write("broken/20260307_8_record.csv", data)
    write("broken/20260307_9_record.csv", b"")
    full = gzip.compress(("\n".join(lines("T", 400)) + "\n").encode(), mtime=0)
    write("broken/20260307_10_record.csv.gz", full[: len(full) * 2 // 3])
    write("broken/20260307_11.zip", zip_bytes({"20260307_11_call.csv": b"a,b\n"}))
    write("broken/20260307_12.zip", b"PK\x03\x04" + bytes(random.Random(12).randbytes(300)))
    write("broken/20260307_13_record.csv", random.Random(13).randbytes(2048))
    mixed = [row("M", 1, agent="张三").encode(), row("M", 2, agent="李四").encode("gb18030")]
    mixed += [row("M", 3, agent="王五").encode(), b"\xff\xfe\xfd,not,text"]
    write("broken/20260307_14_record.csv", b"\n".join(mixed) + b"\n")


if __name__ == "__main__":
    main()
