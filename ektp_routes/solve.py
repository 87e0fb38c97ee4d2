"""Courier routing for one post office: fewest courier-days first, then least travel.

:func:`solve` takes a :class:`~ektp_routes.problem.RoutingProblem` and returns a
:class:`~ektp_routes.problem.RoutePlan`:

1. presolve: stops that cannot be served at all (too many cards for a bag, unreachable, a round trip
   longer than a shift, an impossible time window) are set aside with their reason;
2. the rest go to an engine (:mod:`ektp_routes.engines`: PyVRP or OR-Tools) over the integer model,
   several side by side as a portfolio when ``workers`` > 1 (sized to the CPUs actually free);
3. areas with more than ``max_stops_whole`` stops are cut into angular territories around the post
   office (a sweep), each routed with the courier-days still free (cost of the decomposition:
   ``benchmarks/large_area.py``);
4. routes move to the earliest free courier-days (:func:`compact_days`).

The default objective is lexicographic in practice: a courier-day costs ``day_cost_s`` (by default four
shift lengths of riding), so the engines first use as few courier-days as they can, then minimise
travel time. A stop is only left out through a penalty far above any route cost, and every stop left
out carries a reason (:class:`~ektp_routes.schema.UnservedReason`).

The problem types are defined in :mod:`ektp_routes.problem` and re-exported here.

Example
-------
>>> import numpy as np
>>> from ektp_routes.solve import DenseMatrices, Fleet, RoutingProblem, SolveParams, solve
>>> t = np.array([[0, 60, 60], [60, 0, 90], [60, 90, 0]], dtype=float)
>>> p = RoutingProblem(DenseMatrices(t, t * 5), np.array([0, 2, 3]),
...                    Fleet(couriers=1, capacity=10, shift_s=3600))
>>> plan = solve(p, SolveParams(time_limit_s=1, deterministic=True))
>>> [r.stops for r in plan.routes], plan.unserved
([(1, 2)], {})
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from time import perf_counter

import numpy as np

from ektp_routes._cpus import affinity_cpus, cpu_quota
from ektp_routes._errors import ConfigError
from ektp_routes.engines import Engine, EngineRoute, Search
from ektp_routes.i18n import error
from ektp_routes.problem import (
    UNSERVED_REASONS,
    CourierDay,
    CourierOverride,
    DenseMatrices,
    Fleet,
    FloatArray,
    IntArray,
    IntegerModel,
    MatrixProvider,
    Objective,
    Route,
    RoutePlan,
    RoutingProblem,
    Schedule,
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

__all__ = [
    "KEEP_COURIER_DAYS",
    "PORTFOLIO",
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
    "compact_days",
    "describe_unserved",
    "fleet_vehicles",
    "integer_model",
    "kept_per_kind",
    "make_route",
    "schedule",
    "solve",
    "territories",
    "to_int_matrix",
    "usable_vehicles",
]

logger = logging.getLogger(__name__)

Unserved = dict[int, UnservedReason]


# ---------------------------------------------------------------------------------------------- solving
def solve(problem: RoutingProblem, params: SolveParams | None = None) -> RoutePlan:
    """Plan the couriers' routes for one post office.

    Stops that cannot be served at all are set aside with their reason before the search; the rest
    are routed, decomposed into territories when there are more than ``max_stops_whole`` (always when
    the problem's matrices are built per territory).
    """
    params = params or SolveParams()
    t0 = perf_counter()
    if isinstance(problem.matrices, TerritoryMatrices):
        plan = _solve_decomposed(problem, list(range(1, len(problem.cards))), {}, params, t0)
        return replace(plan, routes=tuple(compact_days(plan.routes, fleet_vehicles(problem))))
    unserved = presolve(problem)
    todo = [i for i in range(1, len(problem.cards)) if i not in unserved]
    if not todo:
        return RoutePlan((), unserved, problem.n_stops, perf_counter() - t0)
    if len(todo) <= params.max_stops_whole:
        routes, dropped = _portfolio(problem, todo, params)
        unserved.update(dropped)
        plan = RoutePlan(tuple(routes), unserved, problem.n_stops, perf_counter() - t0)
    else:
        plan = _solve_decomposed(problem, todo, unserved, params, t0)
    plan = replace(plan, routes=tuple(compact_days(plan.routes, fleet_vehicles(problem))))
    logger.info(
        "solved %d stops: %d courier-days, %d unserved, %.1f s",
        problem.n_stops,
        plan.courier_days,
        len(plan.unserved),
        plan.solve_s,
    )
    return plan


def presolve(problem: RoutingProblem) -> Unserved:
    """Stops no courier-day can serve, with the reason (checked in the order of the reasons)."""
    t = problem.dense().time_s
    out: Unserved = {}
    svc = problem.service_s()
    vehicles = fleet_vehicles(problem)
    max_cap = max(v.capacity for v in vehicles)
    max_shift = max(v.shift_s for v in vehicles)
    for i in range(1, len(problem.cards)):
        w = problem.window(i)
        if not (np.isfinite(t[0, i]) and np.isfinite(t[i, 0])):
            out[i] = UnservedReason.UNREACHABLE
        elif problem.cards[i] > max_cap:
            out[i] = UnservedReason.TOO_MANY_CARDS
        elif t[0, i] + svc[i] + t[i, 0] > max_shift:
            out[i] = UnservedReason.BEYOND_SHIFT
        elif w is not None and (
            w[0] > w[1] or t[0, i] > w[1] or max(t[0, i], w[0]) + svc[i] + t[i, 0] > max_shift
        ):
            out[i] = UnservedReason.OUTSIDE_TIME_WINDOW
    return out


# ---------------------------------------------------------------------------------------------- engines
#: Search strategies the OR-Tools portfolio runs side by side (one per worker, in this order).
PORTFOLIO = (
    ("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
    ("SAVINGS", "GUIDED_LOCAL_SEARCH"),
    ("PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH"),
    ("CHRISTOFIDES", "SIMULATED_ANNEALING"),
)


def _use_pyvrp(params: SolveParams) -> bool:
    if params.engine == "ortools":
        return False
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        if params.engine == "pyvrp":
            raise error(ConfigError, "error.pyvrp_missing") from None
        return False
    return True


def _engines(params: SolveParams) -> list[Engine]:
    """The engines to try in order: PyVRP (when chosen and installed), then OR-Tools."""
    from ektp_routes.engines.ortools import OrToolsEngine

    if _use_pyvrp(params):
        from ektp_routes.engines.pyvrp import PyVrpEngine

        return [PyVrpEngine(), OrToolsEngine()]
    return [OrToolsEngine()]


def _run_engines(model: IntegerModel, params: SolveParams, time_limit_s: float) -> list[EngineRoute]:
    """Routes from the first engine that finds a feasible plan (OR-Tools always answers or raises)."""
    t0 = perf_counter()
    engines = _engines(params)
    for k, engine in enumerate(engines):
        limit = time_limit_s if k == 0 else max(0.5, time_limit_s - (perf_counter() - t0))
        got = engine.solve(model, Search.from_params(params, limit))
        if got is not None:
            return got
        logger.info(
            "%s found no feasible plan for %d stops; trying the next engine", engine.name, model.n - 1
        )
    return []


def _solve_engine(
    problem: RoutingProblem,
    nodes: Sequence[int],
    vehicles: Sequence[CourierDay],
    params: SolveParams,
    time_limit_s: float,
) -> tuple[list[Route], Unserved]:
    """Route ``nodes`` with ``vehicles``; the stops no engine route serves are ``no_capacity``."""
    if not nodes or not vehicles:
        return [], {int(i): UnservedReason.NO_CAPACITY for i in nodes}
    vehicles = usable_vehicles(vehicles, len(nodes))
    found = _run_engines(integer_model(problem, nodes, vehicles, params), params, time_limit_s)
    routes = [make_route(problem, e.vehicle, e.stops, planned_s=e.planned_s) for e in found]
    served = {s for r in routes for s in r.stops}
    return routes, {int(i): UnservedReason.NO_CAPACITY for i in nodes if int(i) not in served}


#: Courier-days of one bag and shift the engines are given at most, or the number of stops when there
#: are more: a plan of n stops uses at most n courier-days, and courier-days alike are interchangeable
#: (:func:`compact_days`). A fleet of thousands of couriers (``couriers = 10000`` is a valid setting)
#: made a model too large for memory on a handful of stops; fleets below this reach the engines whole,
#: so the plans of ordinary fleets are what they were.
KEEP_COURIER_DAYS = 1000


def kept_per_kind(n_stops: int) -> int:
    """Courier-days of each bag and shift worth giving the engines for ``n_stops`` stops."""
    return max(n_stops, KEEP_COURIER_DAYS)


def fleet_vehicles(problem: RoutingProblem) -> list[CourierDay]:
    """The courier-days of ``problem``'s fleet worth giving the engines (:func:`kept_per_kind`)."""
    return problem.fleet.vehicles(per_kind=kept_per_kind(problem.n_stops))


def usable_vehicles(vehicles: Sequence[CourierDay], n_stops: int) -> list[CourierDay]:
    """The first :func:`kept_per_kind` courier-days of each bag and shift, in their order (day-major)."""
    limit = kept_per_kind(n_stops)
    kept: dict[tuple[int, int], int] = {}
    out = []
    for v in vehicles:
        kind = (v.capacity, v.shift_s)
        if kept.get(kind, 0) < limit:
            kept[kind] = kept.get(kind, 0) + 1
            out.append(v)
    return out


def _plan_cost(routes: Sequence[Route], dropped: Mapping[int, str], params: SolveParams) -> tuple[float, ...]:
    metric = (
        sum(r.distance_m for r in routes)
        if params.objective == "distance"
        else sum(r.travel_s for r in routes)
    )
    days = len(routes) if params.objective == "courier_days" else 0
    return (len(dropped), days, round(metric, 3))


#: Wall time kept back from a portfolio's searches on the clock for starting the worker processes
#: and the problem's trip to them.
SPAWN_ALLOWANCE_S = 0.3

#: Seconds the CPU load is sampled before a portfolio is sized.
LOAD_SAMPLE_S = 0.2


def free_cpus(*, sample_s: float = LOAD_SAMPLE_S) -> float:
    """CPUs this process may run on that other work leaves idle right now.

    The CPUs in the process's affinity set (a container or ``taskset`` may allow fewer than the
    machine has) minus the share of them that a brief sample finds busy, and never more than a
    container's CPU quota. A sample, not the load average: the load average is a one-minute
    exponential mean that still counts work which ended up to a minute ago (our own previous solves
    included) and misses work that just started.
    """
    import psutil

    cpus = affinity_cpus()
    busy = psutil.cpu_percent(interval=sample_s, percpu=True)
    used = sum(busy[c] for c in cpus if c < len(busy)) / 100
    free = max(0.0, len(cpus) - used)
    quota = cpu_quota()
    return free if quota is None else min(free, quota)


def portfolio_size(requested: int, free: float) -> int:
    """Workers worth running side by side: one per free CPU (a CPU counts when at least three
    quarters of it is idle), never more than requested, at least one."""
    return max(1, min(requested, math.floor(free + 0.25)))


def _variants(params: SolveParams, n: int) -> list[SolveParams]:
    """The ``n`` searches of a portfolio: PyVRP from the next seeds, OR-Tools with the next
    strategies of :data:`PORTFOLIO`; the first is always ``params``' own."""
    if _use_pyvrp(params):
        return [replace(params, seed=params.seed + k, workers=1) for k in range(n)]
    strategies = [(params.first_solution, params.metaheuristic)]
    strategies += [s for s in PORTFOLIO if s != strategies[0]][: n - 1]
    return [replace(params, first_solution=f, metaheuristic=m, workers=1) for f, m in strategies]


def _portfolio(
    problem: RoutingProblem, nodes: Sequence[int], params: SolveParams
) -> tuple[list[Route], Unserved]:
    """Solve with up to ``params.workers`` searches in parallel processes; keep the best plan.

    The portfolio is sized to the CPUs actually free (:func:`free_cpus`): two searches sharing one
    CPU each get half of it, and on a busy machine one search at full speed does better. In
    deterministic mode every requested search still runs (the plan must not depend on the load),
    only fewer at a time. Ties go to the lowest search, so the result is deterministic when each
    search is.
    """
    vehicles = fleet_vehicles(problem)
    if params.workers == 1:
        return _solve_engine(problem, nodes, vehicles, params, params.time_limit_s)
    t0 = perf_counter()
    free = free_cpus()
    parallel = portfolio_size(params.workers, free)
    variants = _variants(params, params.workers if params.deterministic else parallel)
    logger.info("portfolio: %d searches, %d at a time (%.1f CPUs free)", len(variants), parallel, free)
    # A deterministic search's work budget comes from the nominal limit, never from the clock.
    limit = params.time_limit_s if params.deterministic else params.time_limit_s - (perf_counter() - t0)
    if len(variants) == 1:
        return _solve_engine(problem, nodes, vehicles, variants[0], limit)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(parallel, len(variants))) as pool:
        # What starting a worker and sending the problem costs, a fraction of a second: the searches
        # get the rest (a fixed 5% left whole seconds of a 30 s limit unused).
        inner = limit * 0.95 if params.deterministic else limit - min(SPAWN_ALLOWANCE_S, 0.05 * limit)
        futures = [pool.submit(_solve_engine, problem, nodes, vehicles, v, inner) for v in variants]
        results = [f.result() for f in futures]
    return min(results, key=lambda rd: _plan_cost(rd[0], rd[1], params))


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
        time_s = problem.dense().time_s
        rest = set(nodes)
        cur = 0
        order = []
        while rest:
            nxt = min(rest, key=lambda j: (time_s[cur, j], j))
            order.append(nxt)
            rest.remove(nxt)
            cur = nxt
    bounds = np.linspace(0, len(order), k + 1).round().astype(int)
    return [order[bounds[i] : bounds[i + 1]] for i in range(k) if bounds[i + 1] > bounds[i]]


def _solve_decomposed(
    problem: RoutingProblem, todo: list[int], unserved: Unserved, params: SolveParams, t0: float
) -> RoutePlan:
    parts = territories(problem, todo, params.territory_stops, seed=params.seed)
    free = fleet_vehicles(problem)
    routes: list[Route] = []
    total_cards = sum(int(problem.cards[i]) for i in todo)
    spec = {(v.courier, v.day): v for v in free}
    carry: list[int] = []
    for k, part in enumerate(parts):
        share = _share(params, t0, k, len(parts))
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
            last = min(sub_routes, key=lambda r: r.cards / spec[(r.courier, r.day)].capacity)
            if last.cards < 0.9 * spec[(last.courier, last.day)].capacity:
                sub_routes = [r for r in sub_routes if r is not last]
                carry = list(last.stops)
        used = {(r.courier, r.day) for r in sub_routes}
        free = [v for v in free if (v.courier, v.day) not in used]
        total_cards -= cards - sum(int(problem.cards[i]) for i in carry)
        routes += sub_routes
        unserved.update(dropped)
    routes += _retry_dropped(problem, unserved, free, params, t0=t0, n_parts=len(parts))
    routes.sort(key=lambda r: (r.day, r.courier))
    return RoutePlan(tuple(routes), unserved, problem.n_stops, perf_counter() - t0, territories=len(parts))


def _share(params: SolveParams, t0: float, k: int, n_parts: int) -> float:
    """Time for territory ``k`` of ``n_parts``: an equal part of what is left, or, in deterministic
    mode, an equal part of the whole limit (the clock must not change a deterministic plan)."""
    if params.deterministic:
        return params.time_limit_s / n_parts
    remaining = max(0.05, params.time_limit_s - (perf_counter() - t0))
    return remaining / (n_parts - k)


def _retry_dropped(
    problem: RoutingProblem,
    unserved: Unserved,
    free: list[CourierDay],
    params: SolveParams,
    *,
    t0: float,
    n_parts: int,
) -> list[Route]:
    """Stops dropped in a territory get one more chance with the courier-days left over (in
    deterministic mode always, with one territory's share of the limit)."""
    retry = [i for i, why in unserved.items() if why == UnservedReason.NO_CAPACITY]
    if params.deterministic:
        limit = params.time_limit_s / n_parts
    else:
        limit = params.time_limit_s - (perf_counter() - t0)
    if not (retry and free and limit > 0):
        return []
    extra, dropped = _solve_part(problem, retry, free, params, max(0.05, limit))
    for i in retry:
        unserved.pop(i, None)
    unserved.update(dropped)
    return extra


def _solve_part(
    problem: RoutingProblem,
    part: Sequence[int],
    vehicles: Sequence[CourierDay],
    params: SolveParams,
    time_limit_s: float,
) -> tuple[list[Route], Unserved]:
    """Solve the depot + ``part`` on its own matrix (built on demand when the problem has none)."""
    sub = problem.subproblem(part)
    back = {k + 1: int(i) for k, i in enumerate(part)}
    sub_unserved = presolve(sub)
    nodes = [k for k in range(1, len(part) + 1) if k not in sub_unserved]
    sub_routes, dropped = _solve_engine(sub, nodes, vehicles, params, time_limit_s) if nodes else ([], {})
    routes = [replace(r, stops=tuple(back[s] for s in r.stops)) for r in sub_routes]
    lost = {back[k]: why for k, why in {**sub_unserved, **dropped}.items()}
    return routes, lost


def compact_days(routes: Sequence[Route], vehicles: Sequence[CourierDay]) -> list[Route]:
    """Move routes to the earliest free courier-days with the same bag and shift.

    Courier-days with equal bag and shift are interchangeable (windows repeat every day), so this
    changes no route's feasibility; it makes a plan use days 1, 2, ... before later ones.
    """
    spec = {(v.courier, v.day): (v.capacity, v.shift_s) for v in vehicles}
    free = list(vehicles)  # day-major order
    out = []
    for r in sorted(routes, key=lambda r: (r.day, r.courier)):
        want = spec[(r.courier, r.day)]
        k = next(i for i, v in enumerate(free) if (v.capacity, v.shift_s) == want)
        v = free.pop(k)
        out.append(replace(r, courier=v.courier, day=v.day))
    return sorted(out, key=lambda r: (r.day, r.courier))
