"""PyVRP engine: the integer model for PyVRP's iterated local search.

Courier-days become vehicle types (one per day and bag/shift combination) with the day cost as fixed
cost. When the fleet clearly has room for every stop, stops are required (PyVRP's native, strongest
search); otherwise they are optional with a prize far above any route cost, so a stop is only left
out when it cannot fit. The search starts from :func:`~ektp_routes.engines.start.first_routes` where
that applies, and stops when it has not improved for :func:`patience` iterations, or at its budget.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

import numpy as np

from ektp_routes.couriers import CourierDay
from ektp_routes.engines import EngineRoute, Search
from ektp_routes.engines.start import first_routes
from ektp_routes.problem import IntegerModel

#: Iterations per second the deterministic budget assumes up to 250 stops (measured here: 900-1,300/s),
#: so that a deterministic run normally ends inside its time limit.
ITERATIONS_PER_S = 500

#: A search stops after this many iterations without a better plan, or a third of its budget if that
#: is more. Measured with ``benchmarks/stopping_rule.py`` (191,000 cards from registry columns, 23
#: offices): searches from the first plan still find better plans late (a courier-day at iteration
#: 11,600-14,900 in four offices), so a shorter patience costs plan quality: a third of the budget
#: saves 9% of the iterations for +0.07% of the objective; 2,000 would save 38% for +0.34%.
PATIENCE_MIN = 1000
PATIENCE_SHARE = 1 / 3


def _prize(model: IntegerModel) -> int:
    """Above the cost of serving any one stop alone on a new courier-day (day cost + round trip),
    so every stop that fits is worth serving, yet small enough for PyVRP's penalties."""
    cost, big = model.cost, model.big
    round_trip = np.where(cost[0] < big, cost[0], 0) + np.where(cost[:, 0] < big, cost[:, 0], 0)
    return int(model.day_cost + 2 * int(round_trip.max()) + 1)


def _clients_required(model: IntegerModel) -> bool:
    """True when the fleet clearly has room (cards and a lower bound on work) for every stop."""
    cap_total = sum(int(v.capacity) for v in model.vehicles)
    time_total = sum(int(v.shift_s) for v in model.vehicles)
    nearest = np.where(model.big > model.time, model.time, model.big).astype(float)
    np.fill_diagonal(nearest, np.inf)
    work_lb = float(model.service.sum() + nearest[1:].min(axis=1).sum()) if model.n > 1 else 0.0
    return bool(model.demand.sum() <= 0.9 * cap_total and work_lb <= 0.6 * time_total)


def _add_vehicle_types(m: Any, model: IntegerModel) -> list[list[CourierDay]]:
    """One vehicle type per (day, bag, shift); returns the courier-days behind each type."""
    groups: dict[tuple[int, int, int], list[CourierDay]] = {}
    for v in model.vehicles:
        groups.setdefault((v.day, v.capacity, v.shift_s), []).append(v)
    members = []
    for (day, cap, shift), group in sorted(groups.items()):
        m.add_vehicle_type(
            num_available=len(group),
            capacity=int(cap),
            shift_duration=int(shift),
            tw_early=0,
            tw_late=int(shift),
            start_late=0,
            fixed_cost=int(model.fixed_cost(day)),
        )
        members.append(group)
    return members


def _data(model: IntegerModel) -> tuple[Any, list[list[CourierDay]]]:
    """PyVRP's problem data for the model, and the courier-days behind each vehicle type."""
    import pyvrp

    m = pyvrp.Model()
    locs = [m.add_location(x=0.0, y=0.0) for _ in range(model.n)]
    m.add_depot(locs[0], tw_early=0, tw_late=int(model.max_shift))
    members = _add_vehicle_types(m, model)
    required = _clients_required(model)
    prize = 0 if required else _prize(model)
    for k in range(1, model.n):
        w = model.windows[k]
        kw: dict[str, Any] = {"tw_early": w[0], "tw_late": w[1]} if w is not None else {}
        m.add_client(
            locs[k],
            delivery=int(model.demand[k]),
            service_duration=int(model.service[k]),
            prize=prize,
            required=required,
            **kw,
        )
    # Whole matrices at once (no per-edge Python calls); the diagonal must be zero.
    dist = np.ascontiguousarray(model.cost, dtype=np.int64)
    dur = np.ascontiguousarray(model.time, dtype=np.int64)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    data = m.data().replace(distance_matrices=[dist], duration_matrices=[dur])  # type: ignore[list-item]
    return data, members


def budget(time_limit_s: float, n: int) -> int:
    """Iterations a deterministic search of ``n`` nodes may run, sized from its time limit."""
    return max(50, int(time_limit_s * ITERATIONS_PER_S * min(1.0, 250 / n)))


def patience(time_limit_s: float, n: int) -> int:
    """Iterations without improvement after which a search stops (it has converged)."""
    return max(PATIENCE_MIN, int(budget(time_limit_s, n) * PATIENCE_SHARE))


def _stop(search: Search, remaining_s: float, n: int) -> Any:
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement

    if not search.deterministic:
        # The caller gave a time budget: use all of it (late improvements are rare but real, and
        # at equal wall time the best plan wins).
        return MaxRuntime(remaining_s)
    converged = NoImprovement(patience(search.time_limit_s, n))
    # Stop on work done, never on the clock, so that load on the machine cannot change the plan: the
    # budget comes from the time limit as given and the problem size; both rules count iterations.
    return MultipleCriteria([MaxIterations(budget(search.time_limit_s, n)), converged])


def _initial(data: Any, model: IntegerModel, members: list[list[CourierDay]]) -> Any:
    """:func:`first_routes` as a PyVRP solution on the earliest courier-days (None: no such start)."""
    import pyvrp

    routes = first_routes(model)
    if routes is None:
        return None
    out = []
    kind = used = 0
    for stops in routes:
        while used == len(members[kind]):
            kind, used = kind + 1, 0
        out.append(pyvrp.Route(data, [k - 1 for k in stops], kind))  # client numbers count from 0
        used += 1
    return pyvrp.Solution(data, out)


class PyVrpEngine:
    """PyVRP's iterated local search; None when it found no feasible plan."""

    name = "pyvrp"

    def solve(self, model: IntegerModel, search: Search) -> list[EngineRoute] | None:
        import pyvrp
        from pyvrp import ActivityType

        t_start = perf_counter()
        data, members = _data(model)
        limit = max(0.05, search.time_limit_s - (perf_counter() - t_start))
        res = pyvrp.solve(
            data,
            stop=_stop(search, limit, model.n),
            seed=search.seed,
            display=False,
            collect_stats=False,
            initial_solution=_initial(data, model, members),
        )
        if not res.is_feasible():
            return None
        out = []
        used = [0] * len(members)
        for r in res.best.routes():
            # Activities: depot, clients, depot; a client activity's idx counts clients from 0.
            stops = tuple(int(model.idx[a.idx + 1]) for a in r if a.type == ActivityType.CLIENT)
            if not stops:
                continue
            t = r.vehicle_type()
            out.append(EngineRoute(members[t][used[t]], stops, (0.0,) * len(stops)))
            used[t] += 1
        out.sort(key=lambda e: (e.vehicle.day, e.vehicle.courier))
        return out
