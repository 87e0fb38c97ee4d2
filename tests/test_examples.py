from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_plan_demo_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["plan_demo.py", str(tmp_path)])
    runpy.run_path(str(EXAMPLES / "plan_demo.py"), run_name="__main__")
    asg = pd.read_csv(tmp_path / "assignments.csv", encoding="utf-8-sig")
    assert (asg.status == "planned").sum() > 1000
    assert (tmp_path / "map.html").stat().st_size > 10_000


@pytest.mark.parametrize("name", ["plan_real_osm.py", "geocode_addresses.py", "dask_cluster.py"])
def test_other_examples_run(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [name, str(tmp_path)] if name == "plan_real_osm.py" else [name])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    assert {"plan_real_osm.py": "courier 1", "geocode_addresses.py": "street", "dask_cluster.py": "TOTAL"}[
        name
    ] in out
