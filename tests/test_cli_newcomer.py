"""What a newcomer trips over in the CLI (issue 15): typo'd commands, help pages, SK
messages, resultCode lines, --insecure on http://, audit order, index counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccfs_tui.cli import COMMAND_MODULES, main
from ccfs_tui.cli.suggest import meant_command
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.result_codes import result_error


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def _config(text: str) -> Path:
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


# ---- a typo'd subcommand -------------------------------------------------------------


@pytest.mark.parametrize(("typo", "meant"), [("tokn", "token"), ("dowload", "download"),
                                             ("doctr", "doctor"), ("Token", "token")])  # fmt: skip
def test_a_typod_command_exits_2_with_a_suggestion(capsys, typo: str, meant: str) -> None:
    code, out, err = _run(capsys, typo, "Y:/1/a.V3")
    assert code == 2 and out == ""
    assert err == (
        f"ccfs-tui: '{typo}' is not a command nor an existing index path: did you mean "
        f"`{meant}`? (see ccfs-tui --help)\n"
    )


def test_an_existing_path_or_a_file_name_is_never_taken_for_a_typo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tokn").mkdir()  # a folder of indexes that happens to look like a typo
    commands = frozenset(COMMAND_MODULES)
    assert meant_command("tokn", commands) is None
    assert meant_command("indx.csv", commands) is None  # a (missing) index file
    assert meant_command("./idnex", commands) is None
    assert meant_command("calls", commands) is None  # like no command: opens as a path
    assert meant_command("idnex", commands) == "index"


# ---- help pages ----------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMAND_MODULES)
def test_every_subcommand_help_has_a_description(capsys, command: str) -> None:
    page = _help(capsys, command)
    usage_end = page.index("\n\n")
    description = page[usage_end:].strip().split("\n\n")[0]
    assert not description.startswith(("positional arguments", "options")), page
    assert len(description) > 40


def test_download_help_says_where_files_go_without_o(capsys) -> None:
    page = " ".join(_help(capsys, "download").split())
    assert "Without -o it goes to the profile's download_dir" in page
    assert "`ccfs-tui locate`" in page


@pytest.mark.parametrize("command", ["index", "open"])
def test_index_argument_is_explained(capsys, command: str) -> None:
    page = " ".join(_help(capsys, command).split())
    assert "INDEX a recording index CSV" in page or "INDEX a recording index" in page
    for kind in (".csv.gz", ".zip", "folder", "*_record*.csv"):
        assert kind in page


# ---- SK messages -----------------------------------------------------------------------


def test_secret_prompt_without_a_terminal_says_there_is_none(cli_env, monkeypatch, capsys):
    monkeypatch.delenv("CCFS_SECRET_KEY")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    _config("[profiles.default]\nsecret_prompt = true\n")
    code, _, err = _run(capsys, "token", "Y:/1/a.V3")
    assert code == 2
    assert "it has secret_prompt = true, but there is no terminal to ask on" in err
    assert "or secret_prompt = true" not in err  # not told to set what is set
    assert "for scripts set CCFS_SECRET_KEY or give the profile a secret_command" in err


def test_the_sk_variable_is_named_once(cli_env, monkeypatch, capsys) -> None:
    monkeypatch.delenv("CCFS_SECRET_KEY")
    code, _, err = _run(capsys, "token", "Y:/1/a.V3")
    assert code == 2 and err.count("CCFS_SECRET_KEY") == 1
    assert "Set CCFS_SECRET_KEY, or give the profile a secret_command" in err
    _config('[profiles.default]\nsecret_env = "PROD_SK"\n')
    code, _, err = _run(capsys, "token", "Y:/1/a.V3")
    assert code == 2 and "Set PROD_SK (or CCFS_SECRET_KEY), or give" in err


def test_a_failing_secret_command_shows_its_stderr_never_its_stdout(
    cli_env, monkeypatch, capsys
) -> None:
    monkeypatch.delenv("CCFS_SECRET_KEY")
    _config(
        "[profiles.default]\n"
        "secret_command = \"echo half-an-sk-42; printf 'ccfs/prod: not in the store\\\\033[2J\\\\n'"
        ' >&2; exit 127"\n'
    )
    code, _, err = _run(capsys, "token", "Y:/1/a.V3")
    assert code == 2 and len(err.splitlines()) == 1
    assert "secret_command: exited 127 with output; it said: ccfs/prod: not in the store" in err
    assert "\\x1b[2J" in err and "\x1b" not in err  # shown, never executed
    assert "half-an-sk-42" not in err


# ---- resultCode lines ------------------------------------------------------------------


def test_a_result_code_without_text_says_so() -> None:
    error = result_error("0399123", "")
    assert str(error).startswith("CC-FS answered resultCode 0399123 with no text.")
    assert "above" not in str(error)
    assert "file not found" in str(result_error("0399123", "file not found"))


# ---- --insecure, audit order, counts ---------------------------------------------------


def test_insecure_on_http_does_not_warn_about_tls(cli_env, emulator_recordings, capsys):
    code, out, err = _run(capsys, "token", "--insecure", emulator_recordings[0].play_file_name)
    assert code == 0 and out.strip() and err == ""


def test_audit_json_is_newest_first_too(cli_env, emulator_recordings, capsys) -> None:
    for recording in emulator_recordings[:2]:
        assert _run(capsys, "token", recording.play_file_name)[0] == 0
    code, out, _ = _run(capsys, "audit", "--json")
    names = [json.loads(line)["file_name"] for line in out.splitlines()]
    assert code == 0
    assert names == [emulator_recordings[1].play_file_name, emulator_recordings[0].play_file_name]


def test_index_counts_with_thousands_separators(capsys, tmp_path: Path) -> None:
    from ccfs_tui.emulator.sample_index import write_sample

    write_sample(tmp_path / "big_record.csv", 1200, app_id="ak")
    code, out, _ = _run(capsys, "index", str(tmp_path))
    assert code == 0 and out == "1,200 recordings, 0 skipped line(s)\n"


def test_the_standalone_emulators_sample_index_is_found_in_its_folder(
    capsys, tmp_path: Path
) -> None:
    import io
    import re
    import shutil
    import threading

    from ccfs_tui.emulator.standalone import serve

    stop = threading.Event()
    stop.set()  # serve, print the banner, stop at once
    banner = io.StringIO()
    assert serve("127.0.0.1", 0, False, None, None, recordings=30, out=banner, stop=stop) == 0
    written = Path(re.search(r"sample index:\s+(\S+)", banner.getvalue())[1])  # type: ignore[index]
    try:
        folder = tmp_path / "indexes"
        folder.mkdir()
        shutil.copy(written, folder / written.name)
    finally:
        written.unlink()
    code, out, err = _run(capsys, "index", str(folder))  # a folder: *_record*.csv only
    assert (code, out, err) == (0, "30 recordings, 0 skipped line(s)\n", "")
