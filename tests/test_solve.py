"""solve(): presolve, the portfolio, territories, compact days; plans checked by check_plan."""

from __future__ import annotations

import importlib
import itertools
import os
from dataclasses import replace

import numpy as np
import pytest
from clock_helpers import JumpingClock

import ektp_routes.engines.pyvrp as pyvrp_engine
from ektp_routes.engines import EngineRoute, Search
from ektp_routes.engines.ortools import OrToolsEngine
from ektp_routes.network import StraightLineNetwork
from ektp_routes.problem import IntegerModel
from ektp_routes.solve import (
    CourierDay,
    DenseMatrices,
    Fleet,
    RoutingProblem,
    SolveParams,
    TerritoryMatrices,
    check_plan,
    compact_days,
    make_route,
    solve,
)


def _problem(n: int, seed: int = 0, **fleet_kw: int) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    lon = np.r_[107.15, 107.15 + rng.normal(0, 0.01, n)]
    lat = np.r_[-6.25, -6.25 + rng.normal(0, 0.01, n)]
    m = StraightLineNetwork().matrix(lon, lat)
    cards = np.r_[0, rng.choice([1, 2, 3], n)]
    fleet = Fleet(**{"couriers": 2, "capacity": 40, "shift_s": 4 * 3600, "days": 2, **fleet_kw})
    return RoutingProblem(DenseMatrices(m.time_s, m.dist_m), cards, fleet, lon=lon, lat=lat)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_tiny_instance_matches_brute_force(engine: str) -> None:
    p = _problem(6, seed=3, couriers=1, days=1, capacity=100, shift_s=10 * 3600)
    plan = solve(p, SolveParams(time_limit_s=2, objective="time", deterministic=True, engine=engine))
    t = p.dense().time_s
    best = min(
        t[0, perm[0]] + sum(t[a, b] for a, b in itertools.pairwise(perm)) + t[perm[-1], 0]
        for perm in itertools.permutations(range(1, 7))
    )
    assert len(plan.routes) == 1
    assert plan.travel_s == pytest.approx(best, abs=1.0)


def test_two_vehicle_brute_force_with_capacity() -> None:
    # 5 stops of 2 cards, bags of 6: at least two routes; compare with all splits and orders.
    rng = np.random.default_rng(5)
    lon = np.r_[107.0, 107.0 + rng.uniform(-0.02, 0.02, 5)]
    lat = np.r_[-6.2, -6.2 + rng.uniform(-0.02, 0.02, 5)]
    m = StraightLineNetwork().matrix(lon, lat)
    p = RoutingProblem(
        DenseMatrices(m.time_s, m.dist_m),
        np.r_[0, [2] * 5],
        Fleet(couriers=2, capacity=6, shift_s=36000),
        service_base_s=0,
        service_per_card_s=0,
    )
    plan = solve(p, SolveParams(time_limit_s=2, objective="time", deterministic=True))
    t = m.time_s

    def tour(seq: tuple[int, ...]) -> float:
        if not seq:
            return 0.0
        return t[0, seq[0]] + sum(t[a, b] for a, b in itertools.pairwise(seq)) + t[seq[-1], 0]

    best = np.inf
    for perm in itertools.permutations(range(1, 6)):
        for cut in range(2, 4):
            best = min(best, tour(perm[:cut]) + tour(perm[cut:]))
    assert plan.travel_s == pytest.approx(best, abs=1.0)
    assert check_plan(p, plan) == []


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_routes_feasible_and_every_stop_accounted(seed: int, engine: str) -> None:
    p = _problem(60, seed=seed)
    plan = solve(p, SolveParams(time_limit_s=3, seed=seed, engine=engine))
    assert check_plan(p, plan) == []
    assert plan.served() | set(plan.unserved) == set(range(1, 61))
    assert plan.served().isdisjoint(plan.unserved)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_time_windows_honoured(engine: str) -> None:
    p0 = _problem(30, seed=4, couriers=3, days=1, capacity=100, shift_s=6 * 3600)
    windows = [None] + [(0.0, 3 * 3600.0) if i % 2 else (2 * 3600.0, 6 * 3600.0) for i in range(1, 31)]
    p = RoutingProblem(p0.matrices, p0.cards, p0.fleet, windows=windows)
    plan = solve(p, SolveParams(time_limit_s=3, engine=engine))
    assert check_plan(p, plan) == []
    for r in plan.routes:
        for s, a in zip(r.stops, r.arrivals_s, strict=True):
            assert windows[s][0] - 1 <= a <= windows[s][1] + 1


def test_unserved_reasons() -> None:
    p0 = _problem(5, seed=1, couriers=1, days=1, capacity=10, shift_s=3600)
    t = p0.dense().time_s.copy()
    t[0, 2] = t[2, 0] = np.inf  # no road
    t[0, 3] = t[3, 0] = 2000  # round trip 4000 s > shift
    cards = p0.cards.copy()
    cards[4] = 11  # more than a bag
    windows = [None, None, None, None, None, (0.0, 1.0)]  # closes before anyone can arrive
    p = RoutingProblem(DenseMatrices(t, p0.dense().dist_m), cards, p0.fleet, windows=windows)
    plan = solve(p, SolveParams(time_limit_s=1))
    assert plan.unserved == {
        2: "unreachable",
        3: "beyond_shift",
        4: "too_many_cards",
        5: "outside_time_window",
    }
    assert check_plan(p, plan) == []


def test_not_enough_couriers_reports_no_capacity() -> None:
    p = _problem(40, seed=2, couriers=1, days=1, capacity=20)
    plan = solve(p, SolveParams(time_limit_s=2))
    assert sum(r.cards for r in plan.routes) <= 20
    assert plan.unserved and set(plan.unserved.values()) == {"no_capacity"}
    assert check_plan(p, plan) == []


def test_fewest_courier_days_first() -> None:
    p = _problem(30, seed=6, couriers=5, days=3, capacity=100, shift_s=8 * 3600)
    plan = solve(p, SolveParams(time_limit_s=3))
    assert plan.courier_days == 1  # 30 stops fit one bag and one shift
    assert plan.routes[0].day == 0


def test_deterministic_mode() -> None:
    p = _problem(80, seed=9)
    a = solve(p, SolveParams(time_limit_s=20, deterministic=True, seed=1))
    b = solve(p, SolveParams(time_limit_s=20, deterministic=True, seed=1))
    assert [r.stops for r in a.routes] == [r.stops for r in b.routes]


def test_decomposition_feasible_and_complete() -> None:
    p = _problem(500, seed=3, couriers=4, days=5, capacity=150, shift_s=7 * 3600)
    plan = solve(p, SolveParams(time_limit_s=8, max_stops_whole=200, territory_stops=120))
    assert plan.territories >= 4
    assert check_plan(p, plan) == []
    assert not plan.unserved


def test_lazy_matrices_per_territory() -> None:
    full = _problem(300, seed=8, couriers=3, days=4, capacity=100, shift_s=6 * 3600)
    net = StraightLineNetwork()
    built: list[int] = []

    def matrix_fn(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        built.append(len(idx))
        m = net.matrix(full.lon[idx], full.lat[idx])
        return m.time_s, m.dist_m

    lazy = RoutingProblem(TerritoryMatrices(matrix_fn), full.cards, full.fleet, lon=full.lon, lat=full.lat)
    plan = solve(lazy, SolveParams(time_limit_s=6, territory_stops=100))
    assert check_plan(full, plan) == []  # checked against the full matrices
    assert max(built) <= 160 and len(built) >= 3  # never one matrix for all 300 stops (territory + carried)
    assert not plan.unserved


# The module, not the function of the same name that ektp_routes re-exports.
solve_mod = importlib.import_module("ektp_routes.solve")


def test_deterministic_plan_ignores_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Decomposed into territories: each territory's work budget must come from the time limit, not
    # from the time left on the clock, or machine load changes the plan.
    p = _problem(260, seed=4, couriers=3, days=4, capacity=100, shift_s=6 * 3600)
    params = SolveParams(time_limit_s=1, deterministic=True, max_stops_whole=100, territory_stops=90)
    quiet = solve(p, params)
    monkeypatch.setattr(solve_mod, "perf_counter", JumpingClock(0.3))
    monkeypatch.setattr(pyvrp_engine, "perf_counter", JumpingClock(0.3))
    loaded = solve(p, params)
    assert quiet.territories >= 3
    assert [(r.courier, r.day, r.stops) for r in loaded.routes] == [
        (r.courier, r.day, r.stops) for r in quiet.routes
    ]


class _RecordingEngine:
    """OR-Tools, recording the time limit it was given and spending all of it on ``clock``."""

    name = "recording"

    def __init__(self, limits: list[float], clock: JumpingClock) -> None:
        self.limits = limits
        self.clock = clock

    def solve(self, model: IntegerModel, search: Search) -> list[EngineRoute] | None:
        self.limits.append(search.time_limit_s)
        self.clock.t += search.time_limit_s
        return OrToolsEngine().solve(model, replace(search, time_limit_s=0.5))


def test_territories_share_the_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    limits: list[float] = []
    clock = JumpingClock(0.5)
    monkeypatch.setattr(solve_mod, "_engines", lambda params: [_RecordingEngine(limits, clock)])
    monkeypatch.setattr(solve_mod, "perf_counter", clock)
    p = _problem(300, seed=1, couriers=4, days=3, capacity=150, shift_s=7 * 3600)
    plan = solve(p, SolveParams(time_limit_s=6, max_stops_whole=100, territory_stops=100))
    assert plan.territories == 3 and len(limits) >= 3
    # Each territory gets an equal part of what the clock says is left, so engines that use all of
    # their time together stay within the limit.
    assert limits[0] == pytest.approx((6 - 0.5) / 3)
    assert sum(limits) <= 6
    assert check_plan(p, plan) == []


def test_compact_days_moves_routes_to_the_earliest_matching_courier_days() -> None:
    p = _problem(4, seed=0, couriers=2, days=3, capacity=40)
    vehicles = p.fleet.vehicles()
    late = [
        make_route(p, CourierDay(1, 2, 40, 4 * 3600), [1, 2], planned_s=[0.0, 0.0]),
        make_route(p, CourierDay(0, 1, 40, 4 * 3600), [3, 4], planned_s=[0.0, 0.0]),
    ]
    moved = compact_days(late, vehicles)
    assert [(r.courier, r.day, r.stops) for r in moved] == [(0, 0, (3, 4)), (1, 0, (1, 2))]


def test_portfolio_of_two_workers_is_feasible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_mod, "free_cpus", lambda **kw: 2.0)  # two searches side by side, however busy
    p = _problem(40, seed=5)
    plan = solve(p, SolveParams(time_limit_s=2, workers=2, engine="ortools"))
    assert check_plan(p, plan) == []
    assert plan.served() | set(plan.unserved) == set(range(1, 41))


def test_portfolio_size_follows_free_cpus() -> None:
    assert solve_mod.portfolio_size(2, 2.0) == 2
    assert solve_mod.portfolio_size(2, 1.8) == 2  # a CPU 20% used by others still counts
    assert solve_mod.portfolio_size(2, 1.3) == 1  # a CPU 70% used does not
    assert solve_mod.portfolio_size(4, 0.0) == 1  # always at least one search
    assert solve_mod.portfolio_size(1, 8.0) == 1  # never more than requested
    free = solve_mod.free_cpus(sample_s=0.05)
    assert 0.0 <= free <= len(os.sched_getaffinity(0))


def test_free_cpus_counts_only_our_idle_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    monkeypatch.setattr(solve_mod, "affinity_cpus", lambda: [1, 2])  # taskset -c 1,2
    monkeypatch.setattr(psutil, "cpu_percent", lambda **kw: [0.0, 50.0, 10.0, 100.0])
    monkeypatch.setattr(solve_mod, "cpu_quota", lambda: None)
    assert solve_mod.free_cpus(sample_s=0) == pytest.approx(1.4)  # CPUs 0 and 3 are not ours
    monkeypatch.setattr(solve_mod, "cpu_quota", lambda: 1.0)  # docker --cpus=1
    assert solve_mod.free_cpus(sample_s=0) == pytest.approx(1.0)


def test_busy_machine_runs_one_search_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[SolveParams] = []
    real = solve_mod._solve_engine

    def recording(problem, nodes, vehicles, params, time_limit_s):  # type: ignore[no-untyped-def]
        calls.append(params)
        return real(problem, nodes, vehicles, params, time_limit_s)

    monkeypatch.setattr(solve_mod, "free_cpus", lambda **kw: 1.0)
    monkeypatch.setattr(solve_mod, "_solve_engine", recording)
    p = _problem(30, seed=2)
    plan = solve(p, SolveParams(time_limit_s=1, workers=2, seed=5))
    assert [c.seed for c in calls] == [5]  # one search, the requested seed, no second process
    assert check_plan(p, plan) == []


def test_deterministic_portfolio_ignores_free_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    p = _problem(40, seed=7)
    params = SolveParams(time_limit_s=1, workers=2, deterministic=True)
    monkeypatch.setattr(solve_mod, "free_cpus", lambda **kw: 2.0)
    quiet = solve(p, params)
    monkeypatch.setattr(solve_mod, "free_cpus", lambda **kw: 0.4)
    busy = solve(p, params)  # both searches still run, one after the other
    assert [r.stops for r in busy.routes] == [r.stops for r in quiet.routes]


class _CountingEngine:
    """Records how many courier-days each model offers; solves only a model of a sane size."""

    name = "counting"

    def __init__(self, offered: list[int]) -> None:
        self.offered = offered

    def solve(self, model: IntegerModel, search: Search) -> list[EngineRoute] | None:
        self.offered.append(len(model.vehicles))
        if len(model.vehicles) > solve_mod.KEEP_COURIER_DAYS:
            return None  # a model of 10,000 courier-days is what ran out of memory
        # A work budget, not the clock: on a loaded machine 0.5 s of wall time can pass before
        # OR-Tools finds its first route, and the test would then fail for the wrong reason.
        return OrToolsEngine().solve(model, replace(search, time_limit_s=0.5, deterministic=True))


def test_a_fleet_of_thousands_of_couriers_gives_the_engines_no_more_courier_days_than_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `[fleet] couriers = 10000` is a valid setting; on a plan of 60 cards it made PyVRP run out of
    # memory. A plan of n stops uses at most n courier-days of each bag and shift; the engines get at
    # most KEEP_COURIER_DAYS of each (more only for more stops).
    offered: list[int] = []
    monkeypatch.setattr(solve_mod, "_engines", lambda params: [_CountingEngine(offered)])
    p = _problem(8, seed=2, couriers=10_000, days=3, capacity=40)
    plan = solve(p, SolveParams(time_limit_s=1, workers=1))
    assert offered and max(offered) == solve_mod.KEEP_COURIER_DAYS
    assert not plan.unserved and check_plan(p, plan) == []
    assert {r.day for r in plan.routes} == {0}  # the first day's couriers, as with a small fleet
