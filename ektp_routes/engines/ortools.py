"""OR-Tools engine: the integer model as a routing model with capacities, shifts and time windows.

Every courier-day is one vehicle with its bag as the capacity of a "Cards" dimension and its shift as
the capacity of a "Time" dimension (travel plus service, waiting allowed). Leaving a stop out costs
far more than any courier-day, so it only happens when nothing else fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ektp_routes._errors import SolverError
from ektp_routes.engines import EngineRoute, Search
from ektp_routes.i18n import error
from ektp_routes.problem import INT_LIMIT, IntegerModel


@dataclass(frozen=True)
class _Callbacks:
    """The Python callbacks registered with the routing model (kept alive for the whole search)."""

    transit: Callable[[int, int], int]
    dist: Callable[[int, int], int]
    travel: Callable[[int, int], int]
    demand: Callable[[int], int]


def _callbacks(model: IntegerModel, manager: Any) -> _Callbacks:
    transit_l = (model.time + model.service[:, None]).tolist()  # travel i->j plus service at i
    dist_l = model.dist.tolist()
    t_l = model.time.tolist()
    demand_l = model.demand.tolist()
    node = manager.IndexToNode
    return _Callbacks(
        transit=lambda a, b: transit_l[node(a)][node(b)],
        dist=lambda a, b: dist_l[node(a)][node(b)],
        travel=lambda a, b: t_l[node(a)][node(b)],
        demand=lambda a: demand_l[node(a)],
    )


def _build(model: IntegerModel, manager: Any, routing: Any, cb: _Callbacks) -> Any:
    """Dimensions, windows, costs and disjunctions; returns the Time dimension."""
    vehicles = model.vehicles
    time_idx = routing.RegisterTransitCallback(cb.transit)
    dist_idx = routing.RegisterTransitCallback(cb.dist)
    travel_idx = routing.RegisterTransitCallback(cb.travel)
    dem_idx = routing.RegisterUnaryTransitCallback(cb.demand)
    routing.AddDimensionWithVehicleCapacity(dem_idx, 0, [int(v.capacity) for v in vehicles], True, "Cards")
    routing.AddDimensionWithVehicleTransitAndCapacity(
        [time_idx] * len(vehicles), int(model.max_shift), [int(v.shift_s) for v in vehicles], True, "Time"
    )
    time_dim = routing.GetDimensionOrDie("Time")
    for k, w in enumerate(model.windows):
        if k > 0 and w is not None:
            time_dim.CumulVar(manager.NodeToIndex(k)).SetRange(w[0], w[1])
    routing.SetArcCostEvaluatorOfAllVehicles(dist_idx if model.objective == "distance" else travel_idx)
    if model.day_cost:
        for v, vehicle in enumerate(vehicles):
            routing.SetFixedCostOfVehicle(model.fixed_cost(vehicle.day), v)
    if model.balance > 0:
        time_dim.SetGlobalSpanCostCoefficient(round(model.balance))
    penalty = int(min(INT_LIMIT // max(1, model.n), 100 * (model.day_cost + model.big) + 1))
    for k in range(1, model.n):
        routing.AddDisjunction([manager.NodeToIndex(k)], penalty)
    return time_dim


def _search_parameters(search: Search, n: int) -> Any:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, search.first_solution)
    sp.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, search.metaheuristic)
    sp.time_limit.FromMilliseconds(max(1, int(search.time_limit_s * 1000)))
    if search.deterministic:
        sp.solution_limit = max(200, 40 * n)
    return sp


def _routes(model: IntegerModel, manager: Any, routing: Any, sol: Any, time_dim: Any) -> list[EngineRoute]:
    out = []
    for v, vehicle in enumerate(model.vehicles):
        i = routing.Start(v)
        stops: list[int] = []
        planned: list[float] = []
        while not routing.IsEnd(i):
            node = manager.IndexToNode(i)
            if node != 0:
                stops.append(int(model.idx[node]))
                # The solver's arrival matters only where it chose to wait for a window.
                windowed = model.windows[node] is not None
                planned.append(float(sol.Value(time_dim.CumulVar(i))) if windowed else 0.0)
            i = sol.Value(routing.NextVar(i))
        if stops:
            out.append(EngineRoute(vehicle, tuple(stops), tuple(planned)))
    return out


class OrToolsEngine:
    """OR-Tools' routing library; raises :class:`SolverError` when it finds no solution at all."""

    name = "ortools"

    def solve(self, model: IntegerModel, search: Search) -> list[EngineRoute] | None:
        from ortools.constraint_solver import pywrapcp

        manager = pywrapcp.RoutingIndexManager(model.n, len(model.vehicles), 0)
        routing = pywrapcp.RoutingModel(manager)
        cb = _callbacks(model, manager)
        time_dim = _build(model, manager, routing, cb)
        sol = routing.SolveWithParameters(_search_parameters(search, model.n))
        if sol is None:
            raise error(SolverError, "error.solver_no_solution", stops=model.n - 1, status=routing.status())
        return _routes(model, manager, routing, sol, time_dim)
