"""The routing problem of one post office, as values: who delivers (:class:`Fleet`, one
:class:`CourierDay` per courier and day), what to deliver where (:class:`RoutingProblem` with its
matrix provider), how to search (:class:`SolveParams`) and what comes out (:class:`Route`,
:class:`RoutePlan`).

Two rules live here once, for every engine and for :func:`check_plan`:

- :func:`schedule`: when a courier reaches each stop of a route and when the route ends;
- :func:`integer_model`: the integer data the engines see, with seconds and metres rounded once and
  a warning before a value could overflow a solver's integers.

Example
-------
>>> import numpy as np
>>> t = np.array([[0, 60, 60], [60, 0, 90], [60, 90, 0]], dtype=float)
>>> p = RoutingProblem(DenseMatrices(t, t * 5), np.array([0, 2, 3]), Fleet(couriers=1, shift_s=3600))
>>> [round(a) for a in schedule(p, [2, 1]).arrivals_s]
[60, 345]
"""

from __future__ import annotations

import itertools
import math
import tomllib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ektp_routes._errors import ConfigError, SolverError
from ektp_routes._validate import require_bool, require_choice, require_int, require_number
from ektp_routes.schema import UnservedReason

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Largest value allowed in the integer matrices handed to the engines (well inside int64, leaving
#: room for sums along routes and penalties).
INT_LIMIT = 2**52

UNSERVED_REASONS: Mapping[UnservedReason, str] = {
    UnservedReason.TOO_MANY_CARDS: "the stop has more cards than a courier's bag holds",
    UnservedReason.BEYOND_SHIFT: "a round trip from the post office to this stop does not fit in one shift",
    UnservedReason.OUTSIDE_TIME_WINDOW: "the stop's time window cannot be met within a shift",
    UnservedReason.UNREACHABLE: "no road path between the post office and this stop",
    UnservedReason.NO_CAPACITY: "not enough courier-days in the horizon to serve every stop",
}


def describe_unserved(reason: str) -> str:
    """A planner's sentence for an unserved reason code (the code itself when unknown)."""
    return UNSERVED_REASONS.get(reason, reason)  # type: ignore[call-overload]


# ---------------------------------------------------------------------------------------------- fleet
@dataclass(frozen=True, slots=True)
class CourierOverride:
    """Per-courier exceptions to the fleet defaults (index from 0)."""

    courier: int
    capacity: int | None = None
    shift_s: int | None = None


@dataclass(frozen=True, slots=True)
class CourierDay:
    """One courier on one day: the unit a route is planned for (one vehicle to the engines)."""

    courier: int
    day: int
    capacity: int
    shift_s: int


#: Longest shift accepted, seconds (a whole day).
MAX_SHIFT_S = 24 * 3600


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
        require_int("fleet couriers", self.couriers, 1)
        require_int("fleet days", self.days, 1)
        require_int("fleet capacity", self.capacity, 1)
        require_int("fleet shift_s", self.shift_s, 60, MAX_SHIFT_S)
        for o in self.overrides:
            if not 0 <= o.courier < self.couriers:
                raise ConfigError(f"override for courier {o.courier}, but the fleet has {self.couriers}")
            if o.capacity is not None:
                require_int(f"capacity of courier {o.courier}", o.capacity, 1)
            if o.shift_s is not None:
                require_int(f"shift_s of courier {o.courier}", o.shift_s, 60, MAX_SHIFT_S)

    def vehicles(self, *, per_kind: int | None = None) -> list[CourierDay]:
        """Every courier-day of the horizon, day-major (day 0's couriers first); with ``per_kind``, only
        the first ``per_kind`` of each bag and shift (a plan of n stops uses at most n courier-days)."""
        over = {o.courier: o for o in self.overrides}
        out = []
        kept: dict[tuple[int, int], int] = {}
        for day in range(self.days):
            for c in range(self.couriers):
                o = over.get(c)
                cap = o.capacity if o and o.capacity is not None else self.capacity
                shift = o.shift_s if o and o.shift_s is not None else self.shift_s
                kept[cap, shift] = kept.get((cap, shift), 0) + 1
                if per_kind is None or kept[cap, shift] <= per_kind:
                    out.append(CourierDay(c, day, cap, shift))
            if per_kind is not None and min(kept.values()) >= per_kind:
                break  # every day has the same kinds: the later days add none that is wanted
        return out


# ---------------------------------------------------------------------------------------------- matrices
@dataclass(frozen=True)
class DenseMatrices:
    """Travel time (s) and distance (m) among all nodes of a problem, in memory; ``inf`` = no path."""

    time_s: FloatArray
    dist_m: FloatArray

    def __post_init__(self) -> None:
        t = np.asarray(self.time_s, dtype=float)
        d = np.asarray(self.dist_m, dtype=float)
        if t.ndim != 2 or t.shape[0] != t.shape[1] or d.shape != t.shape:
            raise SolverError(
                f"time and distance matrices must be square and alike; got {t.shape}, {d.shape}"
            )
        if np.any(t < 0) or np.any(d < 0):
            raise SolverError("cards, times and distances must be non-negative")
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "dist_m", d)

    def take(self, idx: IntArray) -> DenseMatrices:
        """The matrices among ``idx`` (depot first)."""
        return DenseMatrices(self.time_s[np.ix_(idx, idx)], self.dist_m[np.ix_(idx, idx)])


@dataclass(frozen=True)
class TerritoryMatrices:
    """Matrices built on demand, one territory at a time, for areas too large for one matrix.

    ``build`` returns the (time, distance) matrices among the given node indices (0 = depot, always
    first). A problem with these matrices is solved territory by territory (it needs ``lon``/``lat``).
    """

    build: Callable[[IntArray], tuple[FloatArray, FloatArray]]

    def take(self, idx: IntArray) -> DenseMatrices:
        """Build the matrices among ``idx`` (depot first)."""
        return DenseMatrices(*self.build(idx))


MatrixProvider = DenseMatrices | TerritoryMatrices


# ---------------------------------------------------------------------------------------------- problem
@dataclass(frozen=True)
class RoutingProblem:
    """One post office's routing problem. Index 0 of every per-node array is the post office (depot).

    Parameters
    ----------
    matrices
        Where travel times and distances come from: :class:`DenseMatrices` (all nodes, in memory) or
        :class:`TerritoryMatrices` (built per territory; the problem is then always decomposed).
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
    """

    matrices: MatrixProvider
    cards: IntArray
    fleet: Fleet = field(default_factory=Fleet)
    _: KW_ONLY
    service_base_s: float = 60.0
    service_per_card_s: float = 45.0
    windows: Sequence[tuple[float, float] | None] | None = None
    lon: FloatArray | None = None
    lat: FloatArray | None = None
    ids: Sequence[str] | None = None
    service_s_per_node: FloatArray | None = None

    def __post_init__(self) -> None:
        n = len(self.cards)
        if isinstance(self.matrices, TerritoryMatrices):
            # Each territory's matrices are checked when they are built.
            if self.lon is None or self.lat is None:
                raise SolverError("matrices built per territory need lon and lat to cut territories")
        elif self.matrices.time_s.shape != (n, n):
            raise SolverError(
                f"matrices must be {n}x{n} (one row per node, depot first); got {self.matrices.time_s.shape}"
            )
        if n == 0:
            raise SolverError("a routing problem needs at least the depot")
        if np.any(np.asarray(self.cards) < 0):
            raise SolverError("cards, times and distances must be non-negative")
        if self.windows is not None and len(self.windows) != n:
            raise SolverError("windows must have one entry per node (None for no window)")
        if self.windows is not None and not all(w is None or np.isfinite(w).all() for w in self.windows):
            raise SolverError("time windows must be finite (open, close) seconds; None for no window")
        if not (self.service_base_s >= 0 and self.service_per_card_s >= 0):  # NaN fails too
            raise SolverError("service times must be non-negative")
        if self.service_s_per_node is not None and not np.all(np.asarray(self.service_s_per_node) >= 0):
            raise SolverError("service times must be non-negative")

    @property
    def n_stops(self) -> int:
        return len(self.cards) - 1

    def dense(self) -> DenseMatrices:
        """The whole problem's matrices; a problem with :class:`TerritoryMatrices` has none."""
        if not isinstance(self.matrices, DenseMatrices):
            raise SolverError("this problem builds its matrices per territory; use subproblem()")
        return self.matrices

    def service_s(self) -> FloatArray:
        """Service time per node (0 at the depot): per-node values when given, else base + per card."""
        if self.service_s_per_node is not None:
            s = np.asarray(self.service_s_per_node, dtype=float).copy()
        else:
            s = self.service_base_s + self.service_per_card_s * np.asarray(self.cards, dtype=float)
        s[0] = 0.0
        return s

    def window(self, node: int) -> tuple[float, float] | None:
        """The (open, close) window of ``node``, None when it has none."""
        return self.windows[node] if self.windows is not None else None

    def subproblem(self, nodes: Sequence[int], *, fleet: Fleet | None = None) -> RoutingProblem:
        """The problem restricted to the depot and ``nodes`` (original indices, depot excluded),
        always with dense matrices."""
        idx = np.r_[0, np.asarray(nodes, dtype=int)]

        def pick(a: Any) -> Any:
            return None if a is None else np.asarray(a)[idx]

        return RoutingProblem(
            self.matrices.take(idx),
            np.asarray(self.cards)[idx],
            fleet or self.fleet,
            service_base_s=self.service_base_s,
            service_per_card_s=self.service_per_card_s,
            windows=None if self.windows is None else [self.windows[i] for i in idx],
            lon=pick(self.lon),
            lat=pick(self.lat),
            ids=None if self.ids is None else [self.ids[i] for i in idx],
            service_s_per_node=pick(self.service_s_per_node),
        )


# ---------------------------------------------------------------------------------------------- parameters
Objective = Literal["courier_days", "time", "distance"]
#: OR-Tools strategies accepted by name (checked here, so a typo is one clear line, not an AttributeError).
FIRST_SOLUTIONS = ("PARALLEL_CHEAPEST_INSERTION", "SAVINGS", "PATH_CHEAPEST_ARC", "CHRISTOFIDES", "SWEEP",
                   "PATH_MOST_CONSTRAINED_ARC", "LOCAL_CHEAPEST_INSERTION", "AUTOMATIC")  # fmt: skip
METAHEURISTICS = ("GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH", "GENERIC_TABU_SEARCH",
                  "GREEDY_DESCENT", "AUTOMATIC")  # fmt: skip
#: Longest accepted time limit (one day); the search stops on it, so a typo must not run for ever.
MAX_TIME_LIMIT_S = 24 * 3600.0
MAX_SEED = 2**31 - 1
MAX_WORKERS = 64


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
        problem size to end within the limit on a quiet machine, or earlier when PyVRP has not found a
        better plan for a third of its budget; never on the clock (a loaded machine takes longer).
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
    first_solution, metaheuristic
        OR-Tools' first-solution strategy and local-search metaheuristic.
    workers
        Processes solving side by side (a portfolio of strategies/seeds); the best plan is kept.
    engine
        "ortools", "pyvrp" (hybrid genetic search) or "auto": PyVRP when installed, with OR-Tools as
        fallback. Both read the same integer model and return routes checked by :func:`check_plan`.
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
        require_number("time_limit_s", self.time_limit_s, 0.0, MAX_TIME_LIMIT_S, low_open=True)
        require_int("seed", self.seed, 0, MAX_SEED)
        require_int("workers", self.workers, 1, MAX_WORKERS)
        require_int("max_stops_whole", self.max_stops_whole, 1)
        require_int("territory_stops", self.territory_stops, 1)
        require_number("balance", self.balance, 0.0, 1e6)
        if self.day_cost_s is not None:
            require_number("day_cost_s", self.day_cost_s, 0.0, 1e9)
        require_bool("deterministic", self.deterministic)
        require_choice("objective", self.objective, ("courier_days", "time", "distance"))
        require_choice("engine", self.engine, ("auto", "ortools", "pyvrp"))
        require_choice("first_solution", self.first_solution, FIRST_SOLUTIONS)
        require_choice("metaheuristic", self.metaheuristic, METAHEURISTICS)

    @classmethod
    def from_toml(cls, path: str | Path, *, section: str = "solve") -> SolveParams:
        """Read parameters from a TOML file's ``[solve]`` table; unknown keys are an error."""
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        table = data.get(section, {})
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"unknown [{section}] keys {sorted(unknown)} in {path}; known: {sorted(known)}")
        return cls(**table)


# ---------------------------------------------------------------------------------------------- results
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


# ---------------------------------------------------------------------------------------------- schedule
@dataclass(frozen=True)
class Schedule:
    """When a courier reaches each stop of a route and when the route ends (seconds from shift start)."""

    arrivals_s: tuple[float, ...]
    end_s: float


def schedule(
    problem: RoutingProblem, order: Sequence[int], *, planned_s: Sequence[float] | None = None
) -> Schedule:
    """The arrival times along ``order``, leaving the post office at 0.

    The courier serves each stop, travels to the next and waits there for its window to open. A
    ``planned_s`` arrival later than that (a solver's or a plan's chosen wait) is kept, but never
    beyond a window's close. Computed in floating point from the problem's own matrix: this is the one
    schedule that route building and :func:`check_plan` share.
    """
    time_s = problem.dense().time_s
    svc = problem.service_s()
    planned = planned_s if planned_s is not None else [0.0] * len(order)
    t = 0.0
    prev = 0
    arrivals: list[float] = []
    for s, plan_t in zip(order, planned, strict=True):
        t += svc[prev] + time_s[prev, s]
        w = problem.window(s)
        t = max(t, w[0], min(plan_t, w[1])) if w is not None else max(t, plan_t)
        arrivals.append(t)
        prev = s
    return Schedule(tuple(arrivals), t + svc[prev] + time_s[prev, 0])


def make_route(
    problem: RoutingProblem, vehicle: CourierDay, order: Sequence[int], *, planned_s: Sequence[float]
) -> Route:
    """The :class:`Route` of ``vehicle`` visiting ``order`` (problem indices), timed by :func:`schedule`."""
    m = problem.dense()
    path = [0, *order, 0]
    legs_t = [float(m.time_s[a, b]) for a, b in itertools.pairwise(path)]
    legs_d = [float(m.dist_m[a, b]) for a, b in itertools.pairwise(path)]
    timing = schedule(problem, order, planned_s=planned_s)
    return Route(
        courier=vehicle.courier,
        day=vehicle.day,
        stops=tuple(int(s) for s in order),
        arrivals_s=tuple(round(a, 1) for a in timing.arrivals_s),
        cards=int(sum(problem.cards[s] for s in order)),
        distance_m=round(sum(legs_d), 1),
        duration_s=round(timing.end_s, 1),
        travel_s=round(sum(legs_t), 1),
    )


def _route_errors(problem: RoutingProblem, k: int, r: Route, vehicle: CourierDay, tol_s: float) -> list[str]:
    """Rule violations of one route: bag, stated arrivals, windows, shift."""
    errors = []
    cards = int(sum(problem.cards[s] for s in r.stops))
    if cards > vehicle.capacity:
        errors.append(f"route {k}: {cards} cards > bag of {vehicle.capacity}")
    if len(r.arrivals_s) != len(r.stops):
        return [*errors, f"route {k}: {len(r.stops)} stops but {len(r.arrivals_s)} arrival times"]
    timing = schedule(problem, r.stops, planned_s=r.arrivals_s)
    for s, stated, t in zip(r.stops, r.arrivals_s, timing.arrivals_s, strict=True):
        w = problem.window(s)
        if w is not None and max(t, stated) > w[1] + tol_s:
            errors.append(
                f"route {k}: stop {s} reached at {max(t, stated):.0f} s after its window closes ({w[1]:.0f})"
            )
        if stated + tol_s < t:
            errors.append(f"route {k}: stop {s} arrival {stated:.0f} earlier than possible ({t:.0f})")
    if timing.end_s > vehicle.shift_s + tol_s:
        errors.append(f"route {k}: duration {timing.end_s:.0f} s > shift {vehicle.shift_s} s")
    return errors


def check_plan(problem: RoutingProblem, plan: RoutePlan, *, tol_s: float = 1.0) -> list[str]:
    """Every violated rule of ``plan`` (empty when feasible): courier-days, bags, shifts, windows and
    that every stop is served or unserved exactly once."""
    errors: list[str] = []
    vehicles = {(v.courier, v.day): v for v in problem.fleet.vehicles()}
    seen: dict[int, int] = {}
    used = set()
    for k, r in enumerate(plan.routes):
        key = (r.courier, r.day)
        if key in used:
            errors.append(f"courier {r.courier} day {r.day} has two routes")
        used.add(key)
        if key not in vehicles:
            errors.append(f"route {k}: courier {r.courier} day {r.day} is not in the fleet")
            continue
        errors += _route_errors(problem, k, r, vehicles[key], tol_s)
        for s in r.stops:
            seen[s] = seen.get(s, 0) + 1
    for s in range(1, len(problem.cards)):
        n = seen.get(s, 0) + (1 if s in plan.unserved else 0)
        if n != 1:
            errors.append(
                f"stop {s} appears {n} times (served {seen.get(s, 0)}, unserved {s in plan.unserved})"
            )
    return errors


# ---------------------------------------------------------------------------------------------- integers
def to_int_matrix(m: FloatArray, *, big: int, what: str) -> IntArray:
    """Round a matrix to integers for the engines, replacing inf by ``big``; warn before overflow."""
    finite = np.isfinite(m)
    if finite.any() and float(np.max(m[finite])) * max(1, len(m)) > INT_LIMIT:
        warnings.warn(
            f"{what} values are so large that route sums may overflow the solver's integers; "
            "use seconds and metres, not smaller units",
            RuntimeWarning,
            stacklevel=3,
        )
    out = np.where(finite, np.rint(m), big)
    return out.astype(np.int64)


@dataclass(frozen=True)
class IntegerModel:
    """The integer data every engine sees: converted from seconds and metres once, here.

    Model node 0 is the depot; model node ``k`` is problem node ``idx[k]``.
    """

    idx: IntArray
    time: IntArray  # travel seconds
    dist: IntArray  # metres
    service: IntArray  # seconds at each node (0 at the depot)
    demand: IntArray  # cards
    windows: tuple[tuple[int, int] | None, ...]  # (open, close) seconds, depot included
    vehicles: tuple[CourierDay, ...]
    objective: Objective
    balance: float
    max_shift: int
    big: int  # stands in for "no path"
    day_cost: int  # fixed cost of a courier-day (0 unless the objective counts courier-days)

    @property
    def n(self) -> int:
        return len(self.idx)

    @property
    def cost(self) -> IntArray:
        """The arc cost the objective minimises: metres for "distance", else travel seconds."""
        return self.dist if self.objective == "distance" else self.time

    def fixed_cost(self, day: int) -> int:
        """Later days cost slightly more, so plans fill the first days first."""
        return self.day_cost + day * max(1, self.max_shift // 100) if self.day_cost else 0


def integer_model(
    problem: RoutingProblem, nodes: Sequence[int], vehicles: Sequence[CourierDay], params: SolveParams
) -> IntegerModel:
    """The depot and ``nodes`` (problem indices) served by ``vehicles``, in integers."""
    m = problem.dense()
    idx = np.r_[0, np.asarray(nodes, dtype=int)]
    max_shift = int(max(v.shift_s for v in vehicles))
    big = 10 * max_shift
    day_cost = 0
    if params.objective == "courier_days":
        day_cost = int(params.day_cost_s if params.day_cost_s is not None else 4 * max_shift)
    windows = []
    for node in idx:
        w = problem.window(int(node))
        windows.append(None if w is None else (math.ceil(w[0]), math.floor(w[1])))
    return IntegerModel(
        idx=idx,
        time=to_int_matrix(m.time_s[np.ix_(idx, idx)], big=big, what="travel time"),
        dist=to_int_matrix(m.dist_m[np.ix_(idx, idx)], big=100 * big, what="distance"),
        service=np.rint(problem.service_s()[idx]).astype(np.int64),
        demand=np.asarray(problem.cards, dtype=np.int64)[idx],
        windows=tuple(windows),
        vehicles=tuple(vehicles),
        objective=params.objective,
        balance=params.balance,
        max_shift=max_shift,
        big=big,
        day_cost=day_cost,
    )
