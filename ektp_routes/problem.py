"""The routing problem of one post office, as values: who delivers (:class:`Fleet`, one
:class:`CourierDay` per courier and day), what to deliver where (:class:`RoutingProblem` with its
matrix provider), how to search (:class:`SolveParams`) and what comes out (:class:`Route`,
:class:`RoutePlan`). The fleet, the parameters and the results are values of their own rooms
(:mod:`ektp_routes.couriers`, :mod:`ektp_routes.solve_params`, :mod:`ektp_routes.route_plan`); every
name is importable from here.

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
import warnings
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ektp_routes._errors import SolverError
from ektp_routes.couriers import MAX_SHIFT_S, CourierDay, CourierOverride, Fleet
from ektp_routes.route_plan import UNSERVED_REASONS, Route, RoutePlan, describe_unserved
from ektp_routes.solve_params import (
    FIRST_SOLUTIONS,
    MAX_SEED,
    MAX_TIME_LIMIT_S,
    MAX_WORKERS,
    METAHEURISTICS,
    Objective,
    SolveParams,
)

__all__ = [
    "FIRST_SOLUTIONS",
    "INT_LIMIT",
    "MAX_SEED",
    "MAX_SHIFT_S",
    "MAX_TIME_LIMIT_S",
    "MAX_WORKERS",
    "METAHEURISTICS",
    "UNSERVED_REASONS",
    "CourierDay",
    "CourierOverride",
    "DenseMatrices",
    "Fleet",
    "FloatArray",
    "IntArray",
    "IntegerModel",
    "MatrixProvider",
    "Objective",
    "Route",
    "RoutePlan",
    "RoutingProblem",
    "Schedule",
    "SolveParams",
    "TerritoryMatrices",
    "check_plan",
    "describe_unserved",
    "integer_model",
    "make_route",
    "schedule",
    "to_int_matrix",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Largest value allowed in the integer matrices handed to the engines (well inside int64, leaving
#: room for sums along routes and penalties).
INT_LIMIT = 2**52


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
