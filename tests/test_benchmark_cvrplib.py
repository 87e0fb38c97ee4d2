"""``benchmarks/cvrplib.py`` reads CVRPLIB instances beyond the shipped X and Solomon ones: an EXPLICIT
matrix, a route limit with service times, a best-known cost from a .sol file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_cvrplib", ROOT / "benchmarks" / "cvrplib.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_cvrplib"] = module
    spec.loader.exec_module(module)
    return module


def _points(n: int = 16, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 100, (n, 2))
    demand = np.r_[0, rng.integers(1, 10, n - 1)]
    return xy, demand


def _write(path: Path, head: str, body: str, demand: np.ndarray) -> Path:
    n = len(demand)
    text = f"NAME : {path.stem}\nTYPE : CVRP\nDIMENSION : {n}\n{head}CAPACITY : 30\n{body}DEMAND_SECTION\n"
    text += "".join(f"{k + 1} {int(v)}\n" for k, v in enumerate(demand)) + "DEPOT_SECTION\n1\n-1\nEOF\n"
    path.write_text(text)
    return path


def _coords(xy: np.ndarray) -> str:
    return "NODE_COORD_SECTION\n" + "".join(f"{k + 1} {a} {b}\n" for k, (a, b) in enumerate(xy))


def test_an_explicit_lower_row_matrix_reads_as_the_same_distances(bench, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    xy, demand = _points()
    euc = bench.load_instance(_write(tmp_path / "c.vrp", "EDGE_WEIGHT_TYPE : EUC_2D\n", _coords(xy), demand))
    d = euc["dist"].astype(int)
    rows = "\n".join(" ".join(map(str, d[r, :r])) for r in range(1, len(d)))
    head = "EDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : LOWER_ROW\n"
    exp = bench.load_instance(_write(tmp_path / "e.vrp", head, f"EDGE_WEIGHT_SECTION\n{rows}\n", demand))
    assert np.array_equal(exp["dist"], euc["dist"])
    assert exp["xy"].shape == (len(d), 2) and np.isfinite(exp["xy"]).all()  # points made up for the solvers
    cost, routes = bench.run_library(exp, 1.0)
    assert sorted(c for r in routes for c in r) == list(range(1, len(d)))
    assert cost == bench.route_cost(euc["dist"], routes)


def test_a_route_limit_with_service_times_holds_on_every_library_route(bench, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    xy, demand = _points(20, seed=9)
    euc = "EDGE_WEIGHT_TYPE : EUC_2D\n"
    plain = bench.load_instance(_write(tmp_path / "p.vrp", euc, _coords(xy), demand))
    limit = int(2 * plain["dist"][0].max() + 40)  # the farthest customer fits; longer routes do not
    head = f"{euc}DISTANCE : {limit}\nSERVICE_TIME : 5\n"
    inst = bench.load_instance(_write(tmp_path / "l.vrp", head, _coords(xy), demand), exact=True)
    assert inst["limit"] == limit * 1000 and inst["service"][0] == 0 and inst["service"][1] == 5000
    time_m, service, shift = bench._library_time(inst)
    assert shift <= 24 * 3600 and time_m.max() < inst["dist"].max() and service.max() < 5000  # a day
    _, routes = bench.run_library(inst, 1.0)
    lengths = [bench.route_cost(inst["dist"], [r]) + inst["service"][r].sum() for r in routes if r]
    assert max(lengths) <= inst["limit"]
    assert bench.route_cost(plain["dist"], [sorted(range(1, 20))]) > limit  # so the limit binds
    no_limit = bench._library_time(plain)
    assert not no_limit[0].any() and no_limit[2] == 24 * 3600  # CVRP without a limit: no time at all


def test_best_known_cost_from_the_sol_file_when_no_bks_csv(bench, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    xy, demand = _points()
    path = _write(tmp_path / "s.vrp", "EDGE_WEIGHT_TYPE : EUC_2D\n", _coords(xy), demand)
    assert bench.bks_for(path, "s") is None
    path.with_suffix(".sol").write_text("Route #1: 1 2 3\nCost 512.25\n")
    assert bench.bks_for(path, "s") == 512.25
