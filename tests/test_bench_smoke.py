"""The benchmark runs end to end at the smallest size and writes its table and plot (no speed is asserted: a
benchmark is not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import REPO


def test_bench_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "2000", "--repeats", "3", "--budget", "1",
         "--seconds", "0.3", "--quiet-limit", "1", "--out", str(out), "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| point lookup |" in table and "| ratio (same run) |" in table and "| cpus |" in table
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert len(results["sizes"]["2000"]["systems"]) == 5
    assert results["sizes"]["2000"]["fixed answer, 8 clients"] > 0 and "one fixed body" in table
    assert (out / "latency.png").stat().st_size > 0


def test_alternate_smoke(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "alternate.py"), "--size", "2000", "--rounds", "1", "--seconds", "0.3",
         "--quiet-limit", "1", "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == [
        "point lookup, latency ms", "point lookup, 8 cold", "point lookup, 8 warm"]
