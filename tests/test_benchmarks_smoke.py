"""The benchmark command runs end to end on a tiny index (no timing is asserted)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    command = [
        sys.executable, "-m", "benchmarks", "--rows", "3000", "--repeat", "1",
        "--queries", "5", "--unscoped", "2", "--gap", "0", "--idle", "0.5", "--json", str(out),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for figure in (
        "launch -> first usable frame",
        "fully loaded and searchable",
        "filter keystroke -> view updated",
        "resident memory",
        "`ccfs-tui --version`",
        "200 live tokens",
    ):
        assert figure in done.stdout
    assert "WARNING" not in done.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["rows_loaded"] == [3000] and result["tree_totals"] == [3000]
    assert len(result["filters"]) == 7 and all(f["correct"] for f in result["filters"])
    assert result["idle_live"] == 200
    if shutil.which("tmux"):  # the real-terminal figures come first
        assert done.stdout.index("real terminal") < done.stdout.index("Headless")
        terminal = result["terminal"]
        assert terminal["idle_live"] == 200
        assert len(terminal["settled"]) == 7
        typed = terminal["settled"] + terminal["after"] + terminal["after_last_key"]
        assert terminal["after_last_key"] and all(f["correct"] for f in typed)
