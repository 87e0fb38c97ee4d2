"""Both engines behind one protocol: same integer model in, feasible engine routes out."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from clock_helpers import JumpingClock

from ektp_routes.engines import Engine, EngineRoute, Search
from ektp_routes.engines.ortools import OrToolsEngine
from ektp_routes.engines.pyvrp import PyVrpEngine
from ektp_routes.network import StraightLineNetwork
from ektp_routes.problem import DenseMatrices, Fleet, RoutingProblem, SolveParams, integer_model

ENGINES: list[Engine] = [OrToolsEngine(), PyVrpEngine()]


def _problem(n: int, seed: int, fleet: Fleet, windows: list | None = None) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    lon = np.r_[107.0, 107.0 + rng.uniform(-0.02, 0.02, n)]
    lat = np.r_[-6.2, -6.2 + rng.uniform(-0.02, 0.02, n)]
    m = StraightLineNetwork().matrix(lon, lat)
    cards = np.r_[0, rng.choice([1, 2, 3], n)]
    return RoutingProblem(DenseMatrices(m.time_s, m.dist_m), cards, fleet, windows=windows)


def _served_once(routes: list[EngineRoute], n: int) -> bool:
    stops = [s for r in routes for s in r.stops]
    return sorted(stops) == list(range(1, n + 1))


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.name)
def test_engine_finds_the_optimal_tour(engine: Engine) -> None:
    p = _problem(6, seed=3, fleet=Fleet(couriers=1, capacity=100, shift_s=10 * 3600))
    model = integer_model(p, range(1, 7), p.fleet.vehicles(), SolveParams(objective="time"))
    routes = engine.solve(model, Search(time_limit_s=2, deterministic=True))
    assert routes is not None and len(routes) == 1 and _served_once(routes, 6)
    t = model.time

    def tour(seq: tuple[int, ...]) -> int:
        return int(t[0, seq[0]] + sum(t[a, b] for a, b in itertools.pairwise(seq)) + t[seq[-1], 0])

    best = min(tour(perm) for perm in itertools.permutations(range(1, 7)))
    assert tour(routes[0].stops) == best


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.name)
def test_engine_respects_bags_and_names_its_courier_days(engine: Engine) -> None:
    fleet = Fleet(couriers=3, capacity=12, shift_s=6 * 3600, days=2)
    p = _problem(20, seed=1, fleet=fleet)
    model = integer_model(p, range(1, 21), fleet.vehicles(), SolveParams(objective="time"))
    routes = engine.solve(model, Search(time_limit_s=2, deterministic=True))
    assert routes is not None and _served_once(routes, 20)
    assert len({r.vehicle for r in routes}) == len(routes)
    for r in routes:
        assert r.vehicle in fleet.vehicles()
        assert sum(int(p.cards[s]) for s in r.stops) <= r.vehicle.capacity
        assert r.planned_s == (0.0,) * len(r.stops)  # no windows: no planned waits


def test_ortools_reports_its_waits_only_at_windowed_stops() -> None:
    windows = [None] + [(3000.0, 4000.0) if i % 2 else None for i in range(1, 9)]
    p = _problem(8, seed=2, fleet=Fleet(couriers=1, capacity=100, shift_s=4 * 3600), windows=windows)
    model = integer_model(p, range(1, 9), p.fleet.vehicles(), SolveParams())
    routes = OrToolsEngine().solve(model, Search(time_limit_s=2, deterministic=True))
    assert routes is not None
    for r in routes:
        for s, planned in zip(r.stops, r.planned_s, strict=True):
            w = windows[s]
            assert planned == 0.0 if w is None else w[0] <= planned <= w[1]


def test_pyvrp_returns_none_when_nothing_feasible_and_search_reads_params() -> None:
    # One stop whose window closes before the courier can get there: PyVRP finds no feasible plan.
    windows = [None, (0.0, 1.0)]
    p = _problem(1, seed=0, fleet=Fleet(shift_s=3600), windows=windows)
    model = integer_model(p, [1], p.fleet.vehicles(), SolveParams())
    got = PyVrpEngine().solve(model, Search(time_limit_s=0.2, deterministic=True))
    assert got is None
    s = Search.from_params(SolveParams(seed=7, deterministic=True, metaheuristic="TABU_SEARCH"), 4.0)
    assert (s.time_limit_s, s.seed, s.deterministic, s.metaheuristic) == (4.0, 7, True, "TABU_SEARCH")


def test_deterministic_pyvrp_plan_ignores_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    p = _problem(40, seed=5, fleet=Fleet(couriers=3, days=2, capacity=60, shift_s=4 * 3600))
    model = integer_model(p, list(range(1, 41)), p.fleet.vehicles(), SolveParams())
    search = Search(time_limit_s=1.0, deterministic=True)
    quiet = PyVrpEngine().solve(model, search)
    monkeypatch.setattr(time, "perf_counter", JumpingClock(100.0))  # PyVRP reads time.perf_counter
    loaded = PyVrpEngine().solve(model, search)
    assert quiet is not None and loaded is not None
    assert [(r.vehicle, r.stops) for r in loaded] == [(r.vehicle, r.stops) for r in quiet]


def test_pyvrp_stops_after_its_patience_without_improvement() -> None:
    from ektp_routes.engines.pyvrp import _stop, budget, patience

    n = 300
    stop = _stop(Search(time_limit_s=30.0, deterministic=True), 30.0, n)
    calls = 1
    while not stop(1000):  # the best cost never improves
        calls += 1
    assert calls == patience(30.0, n) + 1 < budget(30.0, n)
    improving = _stop(Search(time_limit_s=30.0, deterministic=True), 30.0, n)
    calls = 1
    while not improving(10**9 - calls):  # a better plan every iteration: runs its whole budget
        calls += 1
    assert calls == budget(30.0, n) + 1


def test_pyvrp_on_the_clock_uses_its_whole_time_limit() -> None:
    from ektp_routes.engines.pyvrp import _stop, patience

    stop = _stop(Search(time_limit_s=30.0, deterministic=False), 30.0, 300)
    # no patience rule: many more iterations than the patience without a better plan do not stop it
    assert not any(stop(1000) for _ in range(3 * patience(30.0, 300)))
