"""The problem's values: fleet, matrices, parameters, the one schedule, check_plan, the integer model."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ektp_routes import ConfigError, SolverError
from ektp_routes.problem import (
    CourierDay,
    CourierOverride,
    DenseMatrices,
    Fleet,
    Route,
    RoutePlan,
    RoutingProblem,
    SolveParams,
    TerritoryMatrices,
    check_plan,
    describe_unserved,
    integer_model,
    make_route,
    schedule,
    to_int_matrix,
)
from ektp_routes.schema import UnservedReason

# A line of three stops 100 s apart, the post office at one end.
T = np.array([[0, 100, 200, 300], [100, 0, 100, 200], [200, 100, 0, 100], [300, 200, 100, 0]], dtype=float)


def _line(**kw: object) -> RoutingProblem:
    fleet = Fleet(couriers=2, capacity=10, shift_s=3600, days=2)
    return RoutingProblem(DenseMatrices(T, T * 10), np.array([0, 2, 2, 2]), fleet, **kw)  # type: ignore[arg-type]


def test_fleet_vehicles_are_courier_days_day_major_with_overrides() -> None:
    f = Fleet(couriers=2, capacity=50, days=2, overrides=(CourierOverride(1, capacity=10, shift_s=3600),))
    assert f.vehicles() == [
        CourierDay(0, 0, 50, 25200),
        CourierDay(1, 0, 10, 3600),
        CourierDay(0, 1, 50, 25200),
        CourierDay(1, 1, 10, 3600),
    ]
    assert f.vehicles()[1].capacity == 10


@pytest.mark.parametrize(
    "kw",
    [
        {"couriers": 0},
        {"days": 0},
        {"capacity": 2.5},
        {"capacity": 0},
        {"shift_s": 10**9},
        {"couriers": True},
        {"overrides": (CourierOverride(0, capacity=0),)},
        {"overrides": (CourierOverride(3),)},
    ],
)
def test_fleet_refuses_bad_values_with_one_line(kw: dict) -> None:
    with pytest.raises(ConfigError) as e:
        Fleet(**kw)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize(
    ("kw", "names"),
    [
        ({"time_limit_s": math.inf}, "time_limit_s"),
        ({"time_limit_s": 1e300}, "time_limit_s"),
        ({"time_limit_s": math.nan}, "time_limit_s"),
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"time_limit_s": "5"}, "time_limit_s"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**40}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"workers": 0}, "workers"),
        ({"workers": 10**6}, "workers"),
        ({"deterministic": "no"}, "deterministic"),
        ({"objective": "fast"}, "objective"),
        ({"engine": "gurobi"}, "engine"),
        ({"first_solution": "__class__"}, "first_solution"),
        ({"balance": -1.0}, "balance"),
        ({"day_cost_s": math.inf}, "day_cost_s"),
    ],
)
def test_solve_params_refuse_hostile_values_with_one_line(kw: dict, names: str) -> None:
    with pytest.raises(ConfigError, match=names) as e:
        SolveParams(**kw)
    assert "\n" not in str(e.value)


def test_solve_params_from_toml(tmp_path: Path) -> None:
    cfg = tmp_path / "plan.toml"
    cfg.write_text("[solve]\ntime_limit_s = 5\nseed = 3\n")
    assert SolveParams.from_toml(cfg).seed == 3
    cfg.write_text("[solve]\ntime_limt_s = 5\n")
    with pytest.raises(ConfigError, match="time_limt_s"):
        SolveParams.from_toml(cfg)
    cfg.write_text("[solve]\ntime_limit_s = inf\n")
    with pytest.raises(ConfigError, match="time_limit_s"):
        SolveParams.from_toml(cfg)


def test_problem_validation_and_matrix_providers() -> None:
    with pytest.raises(SolverError):
        DenseMatrices(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(SolverError, match="3x3"):
        RoutingProblem(DenseMatrices(np.zeros((2, 2)), np.zeros((2, 2))), np.array([0, 1, 1]))
    with pytest.raises(SolverError, match="lon and lat"):
        RoutingProblem(TerritoryMatrices(lambda idx: (T, T)), np.array([0, 1, 1, 1]))
    built: list[list[int]] = []

    def build(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        built.append(idx.tolist())
        return T[np.ix_(idx, idx)], T[np.ix_(idx, idx)] * 10

    xy = np.zeros(4)
    lazy = RoutingProblem(TerritoryMatrices(build), np.array([0, 1, 2, 3]), lon=xy, lat=xy)
    with pytest.raises(SolverError, match="per territory"):
        lazy.dense()
    sub = lazy.subproblem([3, 1])
    assert built == [[0, 3, 1]]  # the depot always first
    assert sub.dense().time_s.tolist() == [[0, 300, 100], [300, 0, 200], [100, 200, 0]]
    assert sub.cards.tolist() == [0, 3, 1]


def test_schedule_waits_for_windows_and_keeps_planned_waits_inside_them() -> None:
    p = _line(service_base_s=10, service_per_card_s=0, windows=[None, None, (500.0, 900.0), None])
    s = schedule(p, [1, 2, 3])
    # stop 1 at 100; stop 2 at 100+10+100 = 210 -> waits until 500; stop 3 at 500+10+100 = 610
    assert s.arrivals_s == (100.0, 500.0, 610.0)
    assert s.end_s == 610 + 10 + 300
    # A planned arrival later than possible is kept inside a window, never past its close.
    assert schedule(p, [1, 2, 3], planned_s=[0, 700, 0]).arrivals_s == (100.0, 700.0, 810.0)
    assert schedule(p, [1, 2, 3], planned_s=[0, 5000, 0]).arrivals_s == (100.0, 900.0, 1010.0)


def test_make_route_and_check_plan_share_the_schedule() -> None:
    p = _line(windows=[None, None, (500.0, 900.0), None])
    route = make_route(p, CourierDay(0, 0, 10, 3600), [1, 2, 3], planned_s=[0.0, 0.0, 0.0])
    assert route.arrivals_s == schedule(p, [1, 2, 3]).arrivals_s
    assert route.travel_s == 600 and route.distance_m == 6000 and route.cards == 6
    plan = RoutePlan((route,), {}, 3, 0.0)
    assert check_plan(p, plan) == []
    early = replace(route, arrivals_s=(100.0, 400.0, route.arrivals_s[2]))
    assert any("earlier than possible" in e for e in check_plan(p, replace(plan, routes=(early,))))
    late = replace(route, arrivals_s=(100.0, 1200.0, 1400.0))
    assert any("after its window closes" in e for e in check_plan(p, replace(plan, routes=(late,))))


def test_check_plan_reports_every_broken_rule() -> None:
    p = _line()
    r = make_route(p, CourierDay(0, 0, 10, 3600), [1, 2], planned_s=[0.0, 0.0])
    assert check_plan(p, RoutePlan((r,), {3: UnservedReason.NO_CAPACITY}, 3, 0.0)) == []
    errs = check_plan(p, RoutePlan((r, r), {}, 3, 0.0))
    assert any("has two routes" in e for e in errs)
    assert any("stop 1 appears 2 times" in e for e in errs)
    assert any("stop 3 appears 0 times" in e for e in errs)
    stranger = replace(r, courier=7)
    assert any("not in the fleet" in e for e in check_plan(p, RoutePlan((stranger,), {3: "x"}, 3, 0.0)))
    tight = RoutingProblem(p.matrices, p.cards, Fleet(couriers=1, capacity=3, shift_s=300))
    errs = check_plan(tight, RoutePlan((r,), {3: "x"}, 3, 0.0))
    assert any("bag of 3" in e for e in errs) and any("> shift 300" in e for e in errs)
    bad = Route(0, 0, (1, 2), (100.0,), 4, 0.0, 0.0, 0.0)
    assert any("arrival times" in e for e in check_plan(p, RoutePlan((bad,), {3: "x"}, 3, 0.0)))


def test_integer_model_converts_once_and_marks_missing_paths() -> None:
    t = T.copy()
    t[0, 3] = np.inf
    windows = [None, (10.4, 99.6), None, None]
    p = RoutingProblem(DenseMatrices(t, t * 10), np.array([0, 1, 2, 3]), Fleet(shift_s=3600), windows=windows)
    m = integer_model(p, [1, 3], Fleet(shift_s=3600).vehicles(), SolveParams())
    assert m.idx.tolist() == [0, 1, 3]
    assert m.time.dtype == np.int64 and m.time[0, 2] == m.big == 36000
    assert m.windows == (None, (11, 99), None)
    assert m.demand.tolist() == [0, 1, 3] and m.service.tolist() == [0, 105, 195]
    assert m.day_cost == 4 * 3600 and m.fixed_cost(1) > m.fixed_cost(0)
    assert integer_model(p, [1], p.fleet.vehicles(), SolveParams(objective="time")).day_cost == 0
    with pytest.warns(RuntimeWarning, match="overflow"):
        to_int_matrix(np.full((3, 3), 1e17), big=1, what="distance")


def test_unserved_reasons_are_described() -> None:
    assert describe_unserved(UnservedReason.NO_CAPACITY).startswith("not enough courier-days")
    assert describe_unserved("unreachable").startswith("no road path")
    assert describe_unserved("something_else") == "something_else"


def test_problem_refuses_non_finite_windows_and_service_times() -> None:
    with pytest.raises(SolverError, match="finite"):
        _line(windows=[None, (0.0, math.inf), None, None])
    with pytest.raises(SolverError, match="finite"):
        _line(windows=[None, (math.nan, 10.0), None, None])
    with pytest.raises(SolverError, match="service"):
        _line(service_base_s=math.nan)
    with pytest.raises(SolverError, match="service"):
        _line(service_s_per_node=np.array([0, 5, -1, 5]))
