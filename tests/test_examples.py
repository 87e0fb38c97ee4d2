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


@pytest.mark.parametrize("name", ["plan_real_osm.py", "geocode_addresses.py"])
def test_other_examples_run(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [name, str(tmp_path)] if name == "plan_real_osm.py" else [name])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    assert {"plan_real_osm.py": "courier 1", "geocode_addresses.py": "street"}[name] in out
    assert "UnservedReason" not in out  # reasons printed as their codes, counted, not as enum reprs


def test_dask_example_plans_from_registry_columns_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Plan with what a user has: no coordinates of any kind reach the planner.
    import ektp_routes.plan

    seen: list[list[str]] = []
    real = ektp_routes.plan.plan_file

    def recording(cards: pd.DataFrame, **kwargs: object) -> object:
        seen.append(list(cards.columns))
        return real(cards, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ektp_routes.plan, "plan_file", recording)
    monkeypatch.setattr(sys, "argv", ["dask_cluster.py"])
    runpy.run_path(str(EXAMPLES / "dask_cluster.py"), run_name="__main__")
    assert len(seen) == 1 and not {"lon", "lat", "true_lon", "true_lat", "household_id"} & set(seen[0])
    out = capsys.readouterr().out
    assert "registry columns only" in out and "TOTAL" in out
