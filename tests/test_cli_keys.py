"""``ccfs-tui keys``: every action of the one table, its keys after the user's [keys] table,
where they work and what it does."""

from __future__ import annotations

import json

import pytest

from ccfs_tui import cli
from ccfs_tui.core.paths import app_paths
from ccfs_tui.ui.actions import ACTIONS


def write_config(text: str) -> None:
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_keys_lists_every_action_with_its_default_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["keys"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for action in ACTIONS:
        assert action.id in lines, action.id
        assert f"{action.label}: {action.help}" in lines[action.id]
    assert lines["help"].split()[1:3] == ["?", "F1"]
    assert "tokens" in lines["remove_token"] and "main, tokens" in lines["copy_url"]


def test_keys_shows_the_users_keys_marked(capsys: pytest.CaptureFixture[str]) -> None:
    write_config('[keys]\nrequest_token = "x"\ncopy_url = ["y", "c"]\n')
    assert cli.main(["keys"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["request_token"].split()[1:3] == ["x", "*"]
    assert lines["copy_url"].split()[1:4] == ["y", "c", "*"]
    assert "*" not in lines["download"].split()[1:3]
    assert str(app_paths().config_file) in out


def test_keys_json_is_one_object_per_action(capsys: pytest.CaptureFixture[str]) -> None:
    write_config('[keys]\nrequest_token = "x"\n')
    assert cli.main(["keys", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in rows] == [action.id for action in ACTIONS]
    request = next(row for row in rows if row["id"] == "request_token")
    assert request["keys"] == ["x"] and request["changed"] is True
    assert next(row for row in rows if row["id"] == "filter")["keys"] == ["/"]


def test_keys_with_a_key_on_two_actions_exits_2_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_config('[keys]\nrequest_token = "c"\n')
    assert cli.main(["keys"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "copy_url" in err and "request_token" in err
