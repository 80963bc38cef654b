"""Bad input is explained: bad arguments and bad config give one line on stderr and a
non-zero exit, never a traceback (real ``python -m ccfs_tui`` processes: these errors come
before the TUI would take the terminal); ``ccfs-tui index`` prints every skipped line of
bad index files on stderr as ``file:line: reason``; unreadable paths are reported.

The index reader's own cases (truncated, binary, wrong column counts, 1 MB lines, mixed
encodings, empty, zip without a record file, missing path, random bytes) are in
test_index_reader.py; the TUI listing them is in ui/test_ui_trust.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from ccfs_tui.cli import main
from ccfs_tui.core.index import inputs as index_inputs
from ccfs_tui.core.paths import app_paths

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "index"
SK = "bad-input-sk-0f9e8d7c"


def ccfs(
    *args: str | bytes, env: Mapping[str | bytes, str | bytes] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ccfs_tui ARGS`` with this test's folders and no CCFS_* variables."""
    base: dict[str | bytes, str | bytes] = {
        k: v for k, v in os.environ.items() if not k.startswith("CCFS_")
    }
    base["PYTHONPATH"] = str(REPO)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ccfs_tui", *args],
        capture_output=True,
        text=True,
        env=base,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def one_clear_line(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    err = done.stderr
    assert done.returncode not in (0, None), (done.returncode, err)
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("ccfs-tui"), err
    assert done.stdout == ""
    for text in expected:
        assert text in err, (text, err)
    assert SK not in err
    return err


def write_config(text: str, mode: int = 0o600) -> Path:
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


GOOD_PROFILE = '[profiles.main]\nbase_url = "https://10.0.0.1:28443"\napp_id = "ak"\n'


# --------------------------------------------------------------------------- the TUI entry


def test_tui_with_an_index_path_that_does_not_exist() -> None:
    done = ccfs("/nonexistent/index_record.csv")
    one_clear_line(done, "No such index file or folder", "/nonexistent/index_record.csv")


def test_tui_with_an_unknown_profile() -> None:
    write_config(GOOD_PROFILE)
    done = ccfs("--profile", "nope", str(CORPUS / "good"))
    assert done.returncode == 2
    one_clear_line(done, "no profile named 'nope'", "profiles: main", "--profile")
    done = ccfs(str(CORPUS / "good"), env={"CCFS_PROFILE": "nope"})
    assert done.returncode == 2
    one_clear_line(done, "CCFS_PROFILE='nope'")


@pytest.mark.parametrize("command", [[], ["token", "Y:/1/a.V3"], ["url", "Y:/1/a.V3"]])
@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[profiles.main\nbase_url = 1\n", ["config.toml", "not valid TOML", "line 1"]),
        ('[profiles.main]\nbase_url = "ftp://x"\n', ["profiles.main.base_url", "https://"]),
        ("[profiles.main]\nread_timeout = -1\n", ["profiles.main.read_timeout", "more than 0"]),
        ('[profiles.main]\nverify = "no"\n', ["profiles.main.verify", "wrong type"]),
        ("[profiles.main]\ncolour = 1\n", ["profiles.main.colour", "unknown key"]),
        ("\xff\xfe", ["config.toml"]),
    ],
    ids=["toml", "url", "timeout", "type", "key", "bytes"],
)
def test_a_broken_config_is_one_line_for_tui_and_cli(
    command: list[str], config: str, expected: list[str]
) -> None:
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    if config == "\xff\xfe":
        path.write_bytes(b"\xff\xfe[profiles]\n")
    else:
        write_config(config)
    done = ccfs(*command, *([] if command else [str(CORPUS / "good")]))
    assert done.returncode == 2
    one_clear_line(done, *expected)


@pytest.mark.parametrize("command", [[], ["token", "Y:/1/a.V3"]])
def test_a_shared_config_holding_the_sk_is_refused_with_the_chmod_to_run(
    command: list[str],
) -> None:
    path = write_config(GOOD_PROFILE + f'secret_key = "{SK}"\n', mode=0o644)
    done = ccfs(*command, *([] if command else [str(CORPUS / "good")]))
    assert done.returncode == 2
    one_clear_line(done, str(path), "readable by group or others", f"Run: chmod 600 {path}")


def test_a_config_that_is_a_folder_is_explained() -> None:
    app_paths().config_file.mkdir(parents=True)
    done = ccfs(str(CORPUS / "good"))
    assert done.returncode == 2
    one_clear_line(done, "config.toml: cannot read it")


# --------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["download"], ["FILE_NAME", "--help"]),
        (["token", "--bogus", "Y:/a.V3"], ["unrecognized arguments: --bogus"]),
        (["audit", "-n", "0"], ["--limit", "out of range"]),
        (["audit", "-n", "lots"], ["--limit", "not a whole number"]),
        (["emulator", "--port", "70000"], ["--port", "between 0 and 65535"]),
        (["emulator", "--recordings", "-5"], ["--recordings", "out of range"]),
        (["index"], ["INDEX"]),
        (["open", "--profile"], ["--profile", "expected one argument"]),
        ([b"token", b"Y:/\xff\xfe.V3"], ["FILE_NAME", "not valid UTF-8"]),
    ],
    ids=[
        "no-file",
        "unknown-option",
        "limit-0",
        "limit-text",
        "port",
        "recordings",
        "index",
        "profile-value",
        "file-name-bytes",
    ],
)
def test_bad_arguments_are_one_line_exit_2(args: list[str], expected: list[str]) -> None:
    done = ccfs(*args)
    assert done.returncode == 2
    one_clear_line(done, *expected)


def test_missing_settings_are_explained_before_any_request() -> None:
    one_clear_line(ccfs("token", "Y:/a.V3"), "no base_url", "CCFS_BASE_URL")
    write_config(GOOD_PROFILE)
    one_clear_line(ccfs("token", "Y:/a.V3"), "No secret key (SK)", "CCFS_SECRET_KEY")
    one_clear_line(
        ccfs("token", "Y:/a.V3", env={"CCFS_CA_BUNDLE": "/nonexistent/ca.pem"}),
        "CA bundle /nonexistent/ca.pem does not exist",
    )


def test_an_sk_that_is_not_utf8_is_a_config_error_not_a_crash() -> None:
    write_config(GOOD_PROFILE)
    done = ccfs("token", "Y:/a.V3", env={b"CCFS_SECRET_KEY": SK.encode() + b"\xff"})
    assert done.returncode == 2
    one_clear_line(done, "$CCFS_SECRET_KEY", "not valid UTF-8")


def test_a_secret_command_printing_bytes_is_a_config_error() -> None:
    write_config(GOOD_PROFILE + "secret_command = \"printf 'sk\\\\377'\"\n")
    done = ccfs("token", "Y:/a.V3")
    assert done.returncode == 2
    one_clear_line(done, "secret_command", "not UTF-8")


# --------------------------------------------------------------------------- index files

PROBLEM = re.compile(
    r"(?P<file>.+?(?:\.csv|\.gz|\.zip)(?:![^:]+)?)(?::(?P<line>\d+))?: (?P<why>\S.*)"
)  # FILE:LINE: reason, or FILE: reason for a whole file


def test_index_command_prints_every_skipped_line_on_stderr() -> None:
    done = ccfs("index", str(CORPUS / "broken"), str(CORPUS / "good"))
    assert done.returncode == 0 and "Traceback" not in done.stderr
    rows, skipped = re.fullmatch(
        r"(\d+) recordings, (\d+) skipped line\(s\)\n", done.stdout
    ).groups()  # type: ignore[union-attr]
    problems = done.stderr.splitlines()
    assert int(skipped) == len(problems) >= 10 and int(rows) > 50
    for line in problems:
        match = PROBLEM.fullmatch(line)
        assert match, line
        assert Path(match["file"].split("!")[0]).is_relative_to(CORPUS / "broken")
    reasons = done.stderr
    for case in (
        "20260307_8_record.csv:2: ",  # wrong column count (19)
        "20260307_8_record.csv:3: ",  # wrong column count (17)
        "20260307_8_record.csv:13: ",  # binary (NUL)
        "20260307_9_record.csv: ",  # empty
        "20260307_10_record.csv.gz:",  # truncated gzip
        "20260307_11.zip: ",  # zip without a record file
        "20260307_13_record.csv:",  # random bytes
        "20260307_14_record.csv:4: ",  # mixed UTF-8 / GB18030 lines, then undecodable bytes
        # a 1 MiB line between two good ones (gzipped in the repo: 1.4 KB; made with
        # make_corpus.row("L", 2, task_result="x" * 1024 * 1024) after a header and L-1)
        "20260307_15_record.csv.gz:3: ",
    ):
        assert case in reasons, case


def test_index_command_fails_when_nothing_loads(tmp_path: Path) -> None:
    done = ccfs("index", str(CORPUS / "broken" / "20260307_13_record.csv"), str(tmp_path / "x"))
    assert done.returncode == 1
    assert done.stdout == f"0 recordings, {len(done.stderr.splitlines())} skipped line(s)\n"
    assert f"{tmp_path / 'x'}: no such file or folder" in done.stderr


def test_unreadable_index_paths_are_reported_and_the_rest_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = CORPUS / "good" / "20260302_3_record.csv"
    locked = tmp_path / "locked_record.csv"
    locked.write_bytes(good.read_bytes())
    under_a_file = tmp_path / "locked_record.csv" / "inner_record.csv"  # ENOTDIR, even for root
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root reads anything: refuse the open the way the kernel would for a user
        real_open = open

        def refusing_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if Path(file) == locked:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(index_inputs, "open", refusing_open, raising=False)
    code = main(["index", str(locked), str(under_a_file), str(good)])
    out, err = capsys.readouterr()
    assert code == 0 and out == "8 recordings, 2 skipped line(s)\n"
    assert err.splitlines() == [
        f"{locked}: cannot read: Permission denied",
        f"{under_a_file}: cannot read: Not a directory",
    ]
