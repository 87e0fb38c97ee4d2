"""Courier routing for one post office: an OR-Tools vehicle-routing model with capacities, shifts,
service times, time windows, several couriers and several days.

Every courier-day is one vehicle. The default objective is lexicographic in practice: a courier-day
costs ``day_cost_s`` (by default four shift lengths of riding), so the solver first uses as few
courier-days as it can, then minimises travel time. A stop is only left out through a penalty far above
any route cost, and every stop left out carries a reason.

Large areas are decomposed: stops are cut into angular territories around the post office (a sweep),
each territory is routed with the couriers still free, and the cost of the decomposition is measured
against whole-problem solving in ``benchmarks/large_area.py``.

Example
-------
>>> import numpy as np
>>> from ektp_routes.solve import Fleet, RoutingProblem, SolveParams, solve
>>> t = np.array([[0, 60, 60], [60, 0, 90], [60, 90, 0]], dtype=float)
>>> p = RoutingProblem(time_s=t, dist_m=t * 5, cards=np.array([0, 2, 3]),
...                    fleet=Fleet(couriers=1, capacity=10, shift_s=3600))
>>> plan = solve(p, SolveParams(time_limit_s=1, deterministic=True))
>>> [r.stops for r in plan.routes], plan.unserved
([(2, 1)], {})
"""

from __future__ import annotations

import itertools
import logging
import math
import time as _time
import tomllib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ektp_routes._errors import ConfigError, SolverError

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Largest value allowed in the integer matrices handed to OR-Tools (well inside int64, leaving room
#: for sums along routes and penalties).
_INT_LIMIT = 2**52

UNSERVED_REASONS = {
    "too_many_cards": "the stop has more cards than a courier's bag holds",
    "beyond_shift": "a round trip from the post office to this stop does not fit in one shift",
    "outside_time_window": "the stop's time window cannot be met within a shift",
    "unreachable": "no road path between the post office and this stop",
    "no_capacity": "not enough courier-days in the horizon to serve every stop",
}


@dataclass(frozen=True, slots=True)
class CourierOverride:
    """Per-courier exceptions to the fleet defaults (index from 0)."""

    courier: int
    capacity: int | None = None
    shift_s: int | None = None


@dataclass(frozen=True)
class Fleet:
    """The couriers of one post office.

    Parameters
    ----------
    couriers
        Number of couriers.
    capacity
        Cards a courier's bag holds per day.
    shift_s
        Working time per courier-day (travel + service), seconds.
    days
        Days in the planning horizon.
    overrides
        Per-courier capacity or shift exceptions.
    """

    couriers: int = 1
    capacity: int = 150
    shift_s: int = 7 * 3600
    days: int = 1
    overrides: tuple[CourierOverride, ...] = ()

    def __post_init__(self) -> None:
        if self.couriers < 1 or self.days < 1:
            raise ConfigError(
                f"a fleet needs at least 1 courier and 1 day (got {self.couriers}, {self.days})"
            )
        if self.capacity < 1 or self.shift_s < 60:
            raise ConfigError("fleet capacity must be >= 1 card and shift_s >= 60 s")
        for o in self.overrides:
            if not 0 <= o.courier < self.couriers:
                raise ConfigError(f"override for courier {o.courier}, but the fleet has {self.couriers}")

    def vehicles(self) -> list[tuple[int, int, int, int]]:
        """(courier, day, capacity, shift_s) of every courier-day, day-major."""
        over = {o.courier: o for o in self.overrides}
        out = []
        for day in range(self.days):
            for c in range(self.couriers):
                o = over.get(c)
                cap = o.capacity if o and o.capacity is not None else self.capacity
                shift = o.shift_s if o and o.shift_s is not None else self.shift_s
                out.append((c, day, cap, shift))
        return out


@dataclass(frozen=True)
class RoutingProblem:
    """One post office's routing problem. Index 0 of every array is the post office (depot).

    Parameters
    ----------
    time_s, dist_m
        Travel time (s) and distance (m) matrices, ``inf`` where there is no path.
    cards
        Cards to deliver at each stop (0 for the depot).
    fleet
        Couriers, bags, shifts and days.
    service_base_s, service_per_card_s
        Time at a stop: base (park, find the door) plus per card (identity check, signature).
    windows
        Optional (open, close) in seconds from the start of a shift, per node; None for no window.
    lon, lat
        Optional coordinates, used to decompose large problems into territories.
    ids
        Optional stop identifiers carried into the plan.
    service_s_per_node
        Optional service time per node, replacing base + per card.
    matrix_fn
        For areas too large for one matrix in memory: leave ``time_s``/``dist_m`` as None and give a
        function returning the (time, distance) matrices among the given node indices (0 = depot,
        always first). The problem is then solved territory by territory (needs ``lon``/``lat``).
    """

    time_s: FloatArray | None
    dist_m: FloatArray | None
    cards: IntArray
    fleet: Fleet = field(default_factory=Fleet)
    service_base_s: float = 60.0
    service_per_card_s: float = 45.0
    windows: Sequence[tuple[float, float] | None] | None = None
    lon: FloatArray | None = None
    lat: FloatArray | None = None
    ids: Sequence[str] | None = None
    service_s_per_node: FloatArray | None = None
    matrix_fn: Callable[[IntArray], tuple[FloatArray, FloatArray]] | None = None

    def __post_init__(self) -> None:
        n = len(self.cards)
        if self.time_s is None or self.dist_m is None:
            if self.matrix_fn is None or self.lon is None or self.lat is None:
                raise SolverError("give time_s and dist_m, or matrix_fn together with lon and lat")
            # A lazy problem's matrices are checked when each territory's matrix is built.
            t = d = np.zeros((0, 0))
        else:
            t = np.asarray(self.time_s, dtype=float)
            d = np.asarray(self.dist_m, dtype=float)
        if self.time_s is not None and (t.shape != (n, n) or d.shape != (n, n)):
            raise SolverError(
                f"matrices must be {n}x{n} (one row per node, depot first); got {t.shape}, {d.shape}"
            )
        if n == 0:
            raise SolverError("a routing problem needs at least the depot")
        if np.any(np.asarray(self.cards) < 0) or np.any(t < 0) or np.any(d < 0):
            raise SolverError("cards, times and distances must be non-negative")
        if self.windows is not None and len(self.windows) != n:
            raise SolverError("windows must have one entry per node (None for no window)")
        if self.service_base_s < 0 or self.service_per_card_s < 0:
            raise SolverError("service times must be non-negative")

    @property
    def n_stops(self) -> int:
        return len(self.cards) - 1

    def matrices(self) -> tuple[FloatArray, FloatArray]:
        """(time, distance) matrices; a lazy problem (``matrix_fn``) has them only per territory."""
        if self.time_s is None or self.dist_m is None:
            raise SolverError("this problem builds its matrices per territory (matrix_fn); use subproblem()")
        return self.time_s, self.dist_m

    def service_s(self) -> FloatArray:
        """Service time per node (0 at the depot): per-node values when given, else base + per card."""
        if self.service_s_per_node is not None:
            s = np.asarray(self.service_s_per_node, dtype=float).copy()
            s[0] = 0.0
            return s
        s = self.service_base_s + self.service_per_card_s * np.asarray(self.cards, dtype=float)
        s[0] = 0.0
        return s

    def subproblem(self, nodes: Sequence[int], fleet: Fleet | None = None) -> RoutingProblem:
        """The problem restricted to the depot and ``nodes`` (original indices, depot excluded)."""
        idx = np.r_[0, np.asarray(nodes, dtype=int)]
        if self.time_s is None or self.dist_m is None:
            assert self.matrix_fn is not None
            sub_t, sub_d = self.matrix_fn(idx)
        else:
            sub_t, sub_d = self.time_s[np.ix_(idx, idx)], self.dist_m[np.ix_(idx, idx)]
        return RoutingProblem(
            time_s=sub_t,
            dist_m=sub_d,
            cards=np.asarray(self.cards)[idx],
            fleet=fleet or self.fleet,
            service_base_s=self.service_base_s,
            service_per_card_s=self.service_per_card_s,
            windows=None if self.windows is None else [self.windows[i] for i in idx],
            lon=None if self.lon is None else np.asarray(self.lon)[idx],
            lat=None if self.lat is None else np.asarray(self.lat)[idx],
            ids=None if self.ids is None else [self.ids[i] for i in idx],
            service_s_per_node=None
            if self.service_s_per_node is None
            else np.asarray(self.service_s_per_node)[idx],
        )


Objective = Literal["courier_days", "time", "distance"]


@dataclass(frozen=True)
class SolveParams:
    """How to solve.

    Parameters
    ----------
    time_limit_s
        Wall-clock limit for the whole solve (honoured: the best plan found so far is returned).
    seed
        Seed of the randomised parts (decomposition tie-breaks, ruin-and-recreate).
    deterministic
        Same input and seed give the same plan, whatever the load on the machine: the search stops on
        a work budget (iterations for PyVRP, solutions for OR-Tools) sized from the time limit and the
        problem size to end within the limit; the clock only stops a badly overloaded PyVRP run, at 3x.
    objective
        "courier_days" (default: fewest courier-days, then least travel time), "time" or "distance".
    day_cost_s
        Cost of using one courier-day, in travel seconds (default: four shift lengths).
    balance
        Weight of the longest route's duration in the objective (0 = off); evens out workloads.
    max_stops_whole
        Problems with more stops than this are decomposed into territories.
    territory_stops
        Target stops per territory when decomposing.
    workers
        Processes solving side by side (a portfolio of strategies/seeds); the best plan is kept.
    engine
        "ortools", "pyvrp" (hybrid genetic search, installed with the ``pyvrp`` extra) or "auto":
        PyVRP when installed, with OR-Tools as fallback. Both read the same problem and return the
        same plan type, checked by :func:`check_plan`.
    """

    time_limit_s: float = 30.0
    seed: int = 0
    deterministic: bool = False
    objective: Objective = "courier_days"
    day_cost_s: float | None = None
    balance: float = 0.0
    max_stops_whole: int = 400
    territory_stops: int = 250
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    workers: int = 1
    engine: Literal["auto", "ortools", "pyvrp"] = "auto"

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ConfigError("time_limit_s must be > 0")
        if self.objective not in ("courier_days", "time", "distance"):
            raise ConfigError(f"objective must be courier_days, time or distance, not {self.objective!r}")
        if self.workers < 1:
            raise ConfigError("workers must be >= 1")
        if self.engine not in ("auto", "ortools", "pyvrp"):
            raise ConfigError(f"engine must be auto, ortools or pyvrp, not {self.engine!r}")
        if self.balance < 0 or self.max_stops_whole < 1 or self.territory_stops < 1:
            raise ConfigError("balance must be >= 0; max_stops_whole and territory_stops >= 1")

    @classmethod
    def from_toml(cls, path: str | Path, section: str = "solve") -> SolveParams:
        """Read parameters from a TOML file's ``[solve]`` table; unknown keys are an error."""
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        table = data.get(section, {})
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"unknown [{section}] keys {sorted(unknown)} in {path}; known: {sorted(known)}")
        return cls(**table)


@dataclass(frozen=True, slots=True)
class Route:
    """One courier-day: stops in visiting order (problem indices), arrival times from shift start."""

    courier: int
    day: int
    stops: tuple[int, ...]
    arrivals_s: tuple[float, ...]
    cards: int
    distance_m: float
    duration_s: float
    travel_s: float


@dataclass(frozen=True)
class RoutePlan:
    """Routes per courier-day and the stops left out, each with its reason code."""

    routes: tuple[Route, ...]
    unserved: Mapping[int, str]
    n_stops: int
    solve_s: float
    territories: int = 1

    @property
    def courier_days(self) -> int:
        return len(self.routes)

    @property
    def travel_s(self) -> float:
        return float(sum(r.travel_s for r in self.routes))

    @property
    def distance_m(self) -> float:
        return float(sum(r.distance_m for r in self.routes))

    def served(self) -> set[int]:
        return {s for r in self.routes for s in r.stops}


# ---------------------------------------------------------------------------------------------- checks
def check_plan(problem: RoutingProblem, plan: RoutePlan, *, tol_s: float = 1.0) -> list[str]:
    """Every violated rule of ``plan`` (empty when feasible): capacity, shift, windows, coverage."""
    time_s, _dist_m = problem.matrices()
    errors = []
    seen: dict[int, int] = {}
    vehicles = {(c, d): (cap, shift) for c, d, cap, shift in problem.fleet.vehicles()}
    svc = problem.service_s()
    used = set()
    for k, r in enumerate(plan.routes):
        if (r.courier, r.day) in used:
            errors.append(f"courier {r.courier} day {r.day} has two routes")
        used.add((r.courier, r.day))
        cap, shift = vehicles[(r.courier, r.day)]
        cards = int(sum(problem.cards[s] for s in r.stops))
        if cards > cap:
            errors.append(f"route {k}: {cards} cards > bag of {cap}")
        t = 0.0
        prev = 0
        if len(r.arrivals_s) != len(r.stops):
            errors.append(f"route {k}: {len(r.stops)} stops but {len(r.arrivals_s)} arrival times")
        for s, arr in zip(r.stops, r.arrivals_s, strict=False):
            t += svc[prev] + time_s[prev, s]
            w = problem.windows[s] if problem.windows is not None else None
            if w is not None:
                t = max(t, w[0])
                if t > w[1] + tol_s:
                    errors.append(
                        f"route {k}: stop {s} reached at {t:.0f} s after its window closes ({w[1]:.0f})"
                    )
            if abs(arr - t) > tol_s and arr + tol_s < t:
                errors.append(f"route {k}: stop {s} arrival {arr:.0f} earlier than possible ({t:.0f})")
            t = max(t, arr)
            prev = s
            seen[s] = seen.get(s, 0) + 1
        end = t + svc[prev] + time_s[prev, 0]
        if end > shift + tol_s:
            errors.append(f"route {k}: duration {end:.0f} s > shift {shift} s")
    for s in range(1, len(problem.cards)):
        n = seen.get(s, 0) + (1 if s in plan.unserved else 0)
        if n != 1:
            errors.append(
                f"stop {s} appears {n} times (served {seen.get(s, 0)}, unserved {s in plan.unserved})"
            )
    return errors


# ---------------------------------------------------------------------------------------------- solving
def solve(problem: RoutingProblem, params: SolveParams | None = None) -> RoutePlan:
    """Plan the couriers' routes for one post office.

    Stops that cannot be served at all (too many cards for a bag, unreachable, a round trip longer
    than a shift, an impossible time window) are set aside with their reason before the search; the
    rest are routed, decomposed into territories when there are more than ``max_stops_whole``.
    """
    params = params or SolveParams()
    t0 = _time.perf_counter()
    if problem.time_s is None:
        plan = _solve_decomposed(problem, list(range(1, len(problem.cards))), {}, params, t0)
        return replace(plan, routes=tuple(compact_days(plan.routes, problem.fleet.vehicles())))
    unserved = _presolve(problem)
    todo = [i for i in range(1, len(problem.cards)) if i not in unserved]
    if not todo:
        return RoutePlan((), unserved, problem.n_stops, _time.perf_counter() - t0)
    if len(todo) <= params.max_stops_whole:
        routes, dropped = _portfolio(problem, todo, params)
        unserved.update(dropped)
        plan = RoutePlan(tuple(routes), unserved, problem.n_stops, _time.perf_counter() - t0)
    else:
        plan = _solve_decomposed(problem, todo, unserved, params, t0)
    plan = replace(plan, routes=tuple(compact_days(plan.routes, problem.fleet.vehicles())))
    logger.info(
        "solved %d stops: %d courier-days, %d unserved, %.1f s",
        problem.n_stops,
        plan.courier_days,
        len(plan.unserved),
        plan.solve_s,
    )
    return plan


#: Search strategies the portfolio runs side by side (one per worker, in this order).
PORTFOLIO = (
    ("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
    ("SAVINGS", "GUIDED_LOCAL_SEARCH"),
    ("PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH"),
    ("CHRISTOFIDES", "SIMULATED_ANNEALING"),
)


def _plan_cost(
    problem: RoutingProblem, routes: Sequence[Route], dropped: Mapping[int, str], params: SolveParams
) -> tuple[float, ...]:
    metric = (
        sum(r.distance_m for r in routes)
        if params.objective == "distance"
        else sum(r.travel_s for r in routes)
    )
    days = len(routes) if params.objective == "courier_days" else 0
    return (len(dropped), days, round(metric, 3))


def _use_pyvrp(params: SolveParams) -> bool:
    if params.engine == "ortools":
        return False
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        if params.engine == "pyvrp":
            raise ConfigError("engine='pyvrp' needs the pyvrp package: pip install pyvrp") from None
        return False
    return True


def _solve_engine(
    problem: RoutingProblem,
    nodes: Sequence[int],
    vehicles: Sequence[tuple[int, int, int, int]],
    params: SolveParams,
    time_limit_s: float,
) -> tuple[list[Route], dict[int, str]]:
    """Route ``nodes`` with the configured engine (PyVRP falls back to OR-Tools if nothing is feasible)."""
    t0 = _time.perf_counter()
    if _use_pyvrp(params):
        got = _solve_pyvrp(problem, nodes, vehicles, params, time_limit_s)
        if got is not None:
            return got
        logger.info("PyVRP found no feasible plan for %d stops; using OR-Tools", len(nodes))
        time_limit_s = max(0.5, time_limit_s - (_time.perf_counter() - t0))
    return _solve_ortools(problem, nodes, vehicles, params, time_limit_s)


def _portfolio(
    problem: RoutingProblem, nodes: Sequence[int], params: SolveParams
) -> tuple[list[Route], dict[int, str]]:
    """Solve with ``params.workers`` strategies in parallel processes; keep the best plan.

    The first worker uses the strategy in ``params``; the others take the next entries of
    :data:`PORTFOLIO`. Ties go to the lowest worker, so the result is deterministic when each
    worker is.
    """
    vehicles = problem.fleet.vehicles()
    if params.workers == 1:
        return _solve_engine(problem, nodes, vehicles, params, params.time_limit_s)
    from concurrent.futures import ProcessPoolExecutor

    if _use_pyvrp(params):
        # PyVRP: the same search from different seeds.
        variants = [replace(params, seed=params.seed + k, workers=1) for k in range(params.workers)]
    else:
        strategies = [(params.first_solution, params.metaheuristic)]
        strategies += [s for s in PORTFOLIO if s != strategies[0]][: params.workers - 1]
        variants = [replace(params, first_solution=f, metaheuristic=m, workers=1) for f, m in strategies]
    with ProcessPoolExecutor(max_workers=len(variants)) as pool:
        futures = [
            pool.submit(_solve_engine, problem, nodes, vehicles, v, params.time_limit_s * 0.95)
            for v in variants
        ]
        results = [f.result() for f in futures]
    return min(results, key=lambda rd: _plan_cost(problem, rd[0], rd[1], params))


def _presolve(problem: RoutingProblem) -> dict[int, str]:
    time_s, _dist_m = problem.matrices()
    out: dict[int, str] = {}
    svc = problem.service_s()
    t = time_s
    max_cap = max(v[2] for v in problem.fleet.vehicles())
    max_shift = max(v[3] for v in problem.fleet.vehicles())
    for i in range(1, len(problem.cards)):
        w = problem.windows[i] if problem.windows is not None else None
        if not (np.isfinite(t[0, i]) and np.isfinite(t[i, 0])):
            out[i] = "unreachable"
        elif problem.cards[i] > max_cap:
            out[i] = "too_many_cards"
        elif t[0, i] + svc[i] + t[i, 0] > max_shift:
            out[i] = "beyond_shift"
        elif w is not None and (
            w[0] > w[1] or t[0, i] > w[1] or max(t[0, i], w[0]) + svc[i] + t[i, 0] > max_shift
        ):
            out[i] = "outside_time_window"
    return out


def to_int_matrix(m: FloatArray, *, big: int, what: str) -> IntArray:
    """Round a matrix to integers for OR-Tools, replacing inf by ``big``; warn before overflow."""
    finite = np.isfinite(m)
    if finite.any() and float(np.max(m[finite])) * max(1, len(m)) > _INT_LIMIT:
        warnings.warn(
            f"{what} values are so large that route sums may overflow OR-Tools' integers; "
            "use seconds and metres, not smaller units",
            RuntimeWarning,
            stacklevel=3,
        )
    out = np.where(finite, np.rint(m), big)
    return out.astype(np.int64)


@dataclass(frozen=True)
class _IntModel:
    """The integer data both engines see: converted from seconds and metres once, here."""

    idx: IntArray  # problem index of each model node (0 = depot)
    time: IntArray
    dist: IntArray
    service: IntArray
    demand: IntArray
    max_shift: int
    big: int  # stands in for "no path"
    day_cost: int  # fixed cost of a courier-day (0 unless the objective counts courier-days)

    @property
    def n(self) -> int:
        return len(self.idx)

    def fixed_cost(self, day: int) -> int:
        """Later days cost slightly more, so plans fill the first days first."""
        return self.day_cost + day * max(1, self.max_shift // 100) if self.day_cost else 0


def _integer_model(
    problem: RoutingProblem,
    nodes: Sequence[int],
    vehicles: Sequence[tuple[int, int, int, int]],
    params: SolveParams,
) -> _IntModel:
    time_s, dist_m = problem.matrices()
    idx = np.r_[0, np.asarray(nodes, dtype=int)]
    max_shift = int(max(v[3] for v in vehicles))
    big = 10 * max_shift
    day_cost = 0
    if params.objective == "courier_days":
        day_cost = int(params.day_cost_s if params.day_cost_s is not None else 4 * max_shift)
    return _IntModel(
        idx=idx,
        time=to_int_matrix(time_s[np.ix_(idx, idx)], big=big, what="travel time"),
        dist=to_int_matrix(dist_m[np.ix_(idx, idx)], big=100 * big, what="distance"),
        service=np.rint(problem.service_s()[idx]).astype(np.int64),
        demand=np.asarray(problem.cards, dtype=np.int64)[idx],
        max_shift=max_shift,
        big=big,
        day_cost=day_cost,
    )


def _solve_ortools(
    problem: RoutingProblem,
    nodes: Sequence[int],
    vehicles: Sequence[tuple[int, int, int, int]],
    params: SolveParams,
    time_limit_s: float,
) -> tuple[list[Route], dict[int, str]]:
    """Route ``nodes`` (problem indices) with ``vehicles``; returns routes and dropped stops."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    if not nodes or not vehicles:
        return [], {i: "no_capacity" for i in nodes}
    im = _integer_model(problem, nodes, vehicles, params)
    idx, n, T, Dm, svc, demand = im.idx, im.n, im.time, im.dist, im.service, im.demand
    max_shift, big, day_cost = im.max_shift, im.big, im.day_cost
    transit = T + svc[:, None]  # travel i->j plus service at i
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)
    transit_l = transit.tolist()
    dist_l = Dm.tolist()
    t_l = T.tolist()

    def time_cb(a: int, b: int) -> int:
        return transit_l[manager.IndexToNode(a)][manager.IndexToNode(b)]

    def dist_cb(a: int, b: int) -> int:
        return dist_l[manager.IndexToNode(a)][manager.IndexToNode(b)]

    def travel_cb(a: int, b: int) -> int:
        return t_l[manager.IndexToNode(a)][manager.IndexToNode(b)]

    time_idx = routing.RegisterTransitCallback(time_cb)
    dist_idx = routing.RegisterTransitCallback(dist_cb)
    travel_idx = routing.RegisterTransitCallback(travel_cb)
    demand_l = demand.tolist()
    dem_idx = routing.RegisterUnaryTransitCallback(lambda a: demand_l[manager.IndexToNode(a)])
    routing.AddDimensionWithVehicleCapacity(dem_idx, 0, [int(v[2]) for v in vehicles], True, "Cards")
    routing.AddDimensionWithVehicleTransitAndCapacity(
        [time_idx] * len(vehicles), int(max_shift), [int(v[3]) for v in vehicles], True, "Time"
    )
    time_dim = routing.GetDimensionOrDie("Time")
    if problem.windows is not None:
        for k, node in enumerate(idx):
            w = problem.windows[node]
            if k == 0 or w is None:
                continue
            time_dim.CumulVar(manager.NodeToIndex(k)).SetRange(math.ceil(w[0]), math.floor(w[1]))
    arc = {"distance": dist_idx, "time": travel_idx, "courier_days": travel_idx}[params.objective]
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    if day_cost:
        for v, (_c, day, _cap, _shift) in enumerate(vehicles):
            routing.SetFixedCostOfVehicle(im.fixed_cost(day), v)
    if params.balance > 0:
        time_dim.SetGlobalSpanCostCoefficient(round(params.balance))
    # Leaving a stop out costs far more than any courier-day: it only happens when nothing else fits.
    penalty = int(min(_INT_LIMIT // max(1, n), 100 * (day_cost + big) + 1))
    for k in range(1, n):
        routing.AddDisjunction([manager.NodeToIndex(k)], penalty)
    # Day d vehicles are interchangeable with each other; symmetric couriers make no difference.
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, params.first_solution)
    sp.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic)
    sp.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if params.deterministic:
        sp.solution_limit = max(200, 40 * n)
    sol = routing.SolveWithParameters(sp)
    if sol is None:
        raise SolverError(f"OR-Tools found no solution for {n - 1} stops (status {routing.status()})")
    routes: list[Route] = []
    served: set[int] = set()
    for v, (courier, day, _cap, _shift) in enumerate(vehicles):
        i = routing.Start(v)
        order: list[int] = []
        arrivals: list[float] = []
        while not routing.IsEnd(i):
            node = manager.IndexToNode(i)
            if node != 0:
                order.append(int(idx[node]))
                arrivals.append(float(sol.Value(time_dim.CumulVar(i))))
            i = sol.Value(routing.NextVar(i))
        if not order:
            continue
        served.update(order)
        routes.append(_make_route(problem, courier, day, order, arrivals))
    dropped = {int(i): "no_capacity" for i in nodes if int(i) not in served}
    return routes, dropped


def _solve_pyvrp(
    problem: RoutingProblem,
    nodes: Sequence[int],
    vehicles: Sequence[tuple[int, int, int, int]],
    params: SolveParams,
    time_limit_s: float,
) -> tuple[list[Route], dict[int, str]] | None:
    """Route ``nodes`` with PyVRP's hybrid genetic search; None when no feasible plan was found.

    Courier-days become vehicle types (one per day and bag/shift combination) with the day cost as
    fixed cost; stops are optional clients whose prize far exceeds any route cost, so a stop is only
    left out when it cannot fit.
    """
    import pyvrp
    from pyvrp import ActivityType
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    t_start = _time.perf_counter()
    if not nodes or not vehicles:
        return [], {i: "no_capacity" for i in nodes}
    im = _integer_model(problem, nodes, vehicles, params)
    idx, n, T, Dm, svc, demand = im.idx, im.n, im.time, im.dist, im.service, im.demand
    max_shift, big, day_cost = im.max_shift, im.big, im.day_cost
    cost = Dm if params.objective == "distance" else T
    # Serving a stop alone on a new courier-day costs at most day_cost + the round trip: a prize above
    # that makes every stop that fits worth serving, while staying small enough for PyVRP's penalties.
    round_trip = np.where(cost[0] < big, cost[0], 0) + np.where(cost[:, 0] < big, cost[:, 0], 0)
    prize = int(day_cost + 2 * int(round_trip.max()) + 1)
    m = pyvrp.Model()
    locs = [m.add_location(x=0.0, y=0.0) for _ in range(n)]
    m.add_depot(locs[0], tw_early=0, tw_late=int(max_shift))
    groups: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
    for courier, day, cap, shift in vehicles:
        groups.setdefault((day, cap, shift), []).append((courier, day))
    type_members = []
    for (day, cap, shift), members in sorted(groups.items()):
        fixed = im.fixed_cost(day)
        m.add_vehicle_type(
            num_available=len(members),
            capacity=int(cap),
            shift_duration=int(shift),
            tw_early=0,
            tw_late=int(shift),
            start_late=0,
            fixed_cost=int(fixed),
        )
        type_members.append(list(members))
    # When the fleet clearly has room for every stop, stops are required (PyVRP's native, strongest
    # search); otherwise optional with a prize, so that the stops that cannot fit are left out.
    cap_total = sum(int(v[2]) for v in vehicles)
    time_total = sum(int(v[3]) for v in vehicles)
    nearest = np.where(big > T, T, big).astype(float)
    np.fill_diagonal(nearest, np.inf)
    work_lb = float(svc.sum() + nearest[1:].min(axis=1).sum()) if n > 1 else 0.0
    required = bool(demand.sum() <= 0.9 * cap_total and work_lb <= 0.6 * time_total)
    windows = problem.windows
    for k in range(1, n):
        w = windows[idx[k]] if windows is not None else None
        kw = {"tw_early": math.ceil(w[0]), "tw_late": math.floor(w[1])} if w is not None else {}
        m.add_client(
            locs[k],
            delivery=int(demand[k]),
            service_duration=int(svc[k]),
            prize=0 if required else prize,
            required=required,
            **kw,
        )
    # Whole matrices at once (no per-edge Python calls); the diagonal must be zero.
    dist = np.ascontiguousarray(cost, dtype=np.int64)
    dur = np.ascontiguousarray(T, dtype=np.int64)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    data = m.data().replace(distance_matrices=[dist], duration_matrices=[dur])  # type: ignore[list-item]
    limit = max(0.05, time_limit_s - (_time.perf_counter() - t_start))
    stop: Any = MaxRuntime(limit)
    if params.deterministic:
        # Stop on work done, not on the clock, so that load on the machine cannot change the plan. The
        # budget assumes 500 iterations/s up to 250 stops (measured here: 900-1,300/s), so it normally
        # ends inside the time limit; the clock only stops a badly overloaded run, at 3x the limit.
        budget = max(50, int(limit * 500 * min(1.0, 250 / n)))
        stop = MultipleCriteria([MaxIterations(budget), MaxRuntime(3 * limit)])
    res = pyvrp.solve(data, stop=stop, seed=params.seed, display=False, collect_stats=False)
    if not res.is_feasible():
        return None
    routes: list[Route] = []
    served: set[int] = set()
    used = [0] * len(type_members)
    for r in res.best.routes():
        # Activities: depot, clients, depot; a client activity's idx counts clients from 0.
        order = [int(idx[a.idx + 1]) for a in r if a.type == ActivityType.CLIENT]
        if not order:
            continue
        t = r.vehicle_type()
        courier, day = type_members[t][used[t]]
        used[t] += 1
        served.update(order)
        routes.append(_make_route(problem, courier, day, order, [0.0] * len(order)))
    routes.sort(key=lambda r: (r.day, r.courier))
    dropped = {int(i): "no_capacity" for i in nodes if int(i) not in served}
    return routes, dropped


def _make_route(
    problem: RoutingProblem, courier: int, day: int, order: Sequence[int], arrivals: Sequence[float]
) -> Route:
    time_s, dist_m = problem.matrices()
    path = [0, *order, 0]
    legs_t = [float(time_s[a, b]) for a, b in itertools.pairwise(path)]
    legs_d = [float(dist_m[a, b]) for a, b in itertools.pairwise(path)]
    svc = problem.service_s()
    # Arrival times recomputed in floating point from the real matrix (OR-Tools saw rounded values),
    # waiting for a window when the solver scheduled a later arrival.
    t = 0.0
    arr: list[float] = []
    prev = 0
    for s, planned in zip(order, arrivals, strict=True):
        t += svc[prev] + time_s[prev, s]
        w = problem.windows[s] if problem.windows is not None else None
        if w is not None:
            t = max(t, w[0], min(planned, w[1]))
        arr.append(round(t, 1))
        prev = s
    end = t + svc[prev] + time_s[prev, 0]
    return Route(
        courier=courier,
        day=day,
        stops=tuple(int(s) for s in order),
        arrivals_s=tuple(arr),
        cards=int(sum(problem.cards[s] for s in order)),
        distance_m=round(sum(legs_d), 1),
        duration_s=round(end, 1),
        travel_s=round(sum(legs_t), 1),
    )


# ---------------------------------------------------------------------------------------------- decomposition
def territories(
    problem: RoutingProblem, nodes: Sequence[int], size: int, *, seed: int = 0
) -> list[list[int]]:
    """Cut stops into angular territories around the depot (a sweep), about ``size`` stops each.

    With coordinates the sweep uses the bearing from the post office; without them, the bearing is
    replaced by the order of a nearest-neighbour chain over the travel-time matrix.
    """
    nodes = list(nodes)
    k = max(1, math.ceil(len(nodes) / size))
    if problem.lon is not None and problem.lat is not None:
        lon = np.asarray(problem.lon, dtype=float)
        lat = np.asarray(problem.lat, dtype=float)
        ang = np.arctan2(lat[nodes] - lat[0], (lon[nodes] - lon[0]) * math.cos(math.radians(float(lat[0]))))
        order = [nodes[i] for i in np.argsort(ang, kind="stable")]
        # Start the sweep at the widest angular gap, so no territory straddles an empty sector.
        a = np.sort(ang)
        gaps = np.diff(np.r_[a, a[0] + 2 * np.pi])
        start = (int(np.argmax(gaps)) + 1) % len(order)
        order = order[start:] + order[:start]
    else:
        rest = set(nodes)
        cur = 0
        order = []
        while rest:
            nxt = min(rest, key=lambda j: (problem.matrices()[0][cur, j], j))
            order.append(nxt)
            rest.remove(nxt)
            cur = nxt
    bounds = np.linspace(0, len(order), k + 1).round().astype(int)
    return [order[bounds[i] : bounds[i + 1]] for i in range(k) if bounds[i + 1] > bounds[i]]


def _solve_decomposed(
    problem: RoutingProblem, todo: list[int], unserved: dict[int, str], params: SolveParams, t0: float
) -> RoutePlan:
    parts = territories(problem, todo, params.territory_stops, seed=params.seed)
    free = list(problem.fleet.vehicles())
    routes: list[Route] = []
    total_cards = sum(int(problem.cards[i]) for i in todo)
    spec = {(c, d): (cap, shift) for c, d, cap, shift in free}
    carry: list[int] = []
    for k, part in enumerate(parts):
        elapsed = _time.perf_counter() - t0
        remaining = max(0.05, params.time_limit_s - elapsed)
        share = remaining / (len(parts) - k)
        part = carry + list(part)
        # Offer the territory the courier-days its share of cards needs, plus slack.
        cards = sum(int(problem.cards[i]) for i in part)
        want = max(1, math.ceil(len(free) * cards / max(1, total_cards)) + 2)
        offer = free[: min(len(free), want * 2)]
        sub_routes, dropped = _solve_part(problem, part, offer, params, share)
        carry = []
        if k + 1 < len(parts) and len(sub_routes) > 1:
            # The territory's least-loaded route is mostly a remainder: hand its stops to the next
            # (adjacent) territory instead of spending a half-empty courier-day on them.
            last = min(sub_routes, key=lambda r: r.cards / spec[(r.courier, r.day)][0])
            if last.cards < 0.9 * spec[(last.courier, last.day)][0]:
                sub_routes = [r for r in sub_routes if r is not last]
                carry = list(last.stops)
        used = {(r.courier, r.day) for r in sub_routes}
        free = [v for v in free if (v[0], v[1]) not in used]
        total_cards -= cards - sum(int(problem.cards[i]) for i in carry)
        routes += sub_routes
        unserved.update(dropped)
    # Stops dropped in a territory get one more chance with the courier-days left over.
    retry = [i for i, why in unserved.items() if why == "no_capacity"]
    if retry and free and _time.perf_counter() - t0 < params.time_limit_s:
        extra, dropped = _solve_part(
            problem, retry, free, params, max(0.05, params.time_limit_s - (_time.perf_counter() - t0))
        )
        for i in retry:
            unserved.pop(i, None)
        unserved.update(dropped)
        routes += extra
    routes.sort(key=lambda r: (r.day, r.courier))
    return RoutePlan(
        tuple(routes), unserved, problem.n_stops, _time.perf_counter() - t0, territories=len(parts)
    )


def _solve_part(
    problem: RoutingProblem,
    part: Sequence[int],
    vehicles: Sequence[tuple[int, int, int, int]],
    params: SolveParams,
    time_limit_s: float,
) -> tuple[list[Route], dict[int, str]]:
    """Solve the depot + ``part`` on its own matrix (built lazily when the problem has none)."""
    sub = problem.subproblem(part)
    back = {k + 1: int(i) for k, i in enumerate(part)}
    sub_unserved = _presolve(sub)
    nodes = [k for k in range(1, len(part) + 1) if k not in sub_unserved]
    sub_routes, dropped = _solve_engine(sub, nodes, vehicles, params, time_limit_s) if nodes else ([], {})
    routes = [replace(r, stops=tuple(back[s] for s in r.stops)) for r in sub_routes]
    lost = {back[k]: why for k, why in {**sub_unserved, **dropped}.items()}
    return routes, lost


def compact_days(routes: Sequence[Route], vehicles: Sequence[tuple[int, int, int, int]]) -> list[Route]:
    """Move routes to the earliest free courier-days with the same bag and shift.

    Courier-days with equal bag and shift are interchangeable (windows repeat every day), so this
    changes no route's feasibility; it makes a plan use days 1, 2, ... before later ones.
    """
    spec = {(c, d): (cap, shift) for c, d, cap, shift in vehicles}
    free = list(vehicles)  # day-major order
    out = []
    for r in sorted(routes, key=lambda r: (r.day, r.courier)):
        want = spec[(r.courier, r.day)]
        k = next(i for i, v in enumerate(free) if (v[2], v[3]) == want)
        c, d, _, _ = free.pop(k)
        out.append(replace(r, courier=c, day=d))
    return sorted(out, key=lambda r: (r.day, r.courier))


def describe_unserved(reason: str) -> str:
    return UNSERVED_REASONS.get(reason, reason)
