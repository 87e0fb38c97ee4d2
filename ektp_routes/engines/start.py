"""A first plan for an engine to improve: largest stops first, each at its cheapest place.

A post office's problem from registry columns is mostly a packing problem: its stops are delivery
blocks of tens of cards and a courier's bag holds about two of them, so the number of courier-days
is set by how well the blocks pair up. A search started from a random plan spends most of its
iterations removing courier-days one at a time; started from this plan (the largest stops first,
each inserted where it adds the least travel in a route it still fits) it starts at or near the
fewest courier-days and spends its iterations on travel. Where stops are small against a bag (houses
of one or two cards) the engine's own start does better, and this one steps aside.
Deterministic: ties go to the lowest index.

Example
-------
>>> import numpy as np
>>> from ektp_routes.problem import CourierDay, IntegerModel
>>> t = np.array([[0, 10, 10, 10], [10, 0, 5, 20], [10, 5, 0, 20], [10, 20, 20, 0]])
>>> vehicles = tuple(CourierDay(c, 0, capacity=10, shift_s=1000) for c in range(3))
>>> m = IntegerModel(np.arange(4), t, t, np.zeros(4, dtype=int), np.array([0, 6, 4, 5]),
...                  (None,) * 4, vehicles, "courier_days", 0.0, 1000, 10000, 4000)
>>> first_routes(m)
[[2, 1], [3]]
"""

from __future__ import annotations

import numpy as np

from ektp_routes.problem import IntegerModel

#: Mean share of a bag a stop must fill for the packing to decide the plan (delivery blocks fill
#: about half a bag; houses a hundredth). Below a quarter the packing is a worse start than PyVRP's
#: own: on CVRPLIB X-n801-k40, X-n819-k171 and X-n1001-k43 (5-21% of a vehicle per customer), 30 s
#: from it ended 0.07-0.21% above PyVRP alone, and level with or below it from PyVRP's start.
PACKING_SHARE = 0.25


def first_routes(model: IntegerModel) -> list[list[int]] | None:
    """Routes (model nodes in visiting order) serving every stop, or None where this start does
    not apply: stops small against a bag (:data:`PACKING_SHARE`), time windows, courier-days of
    different bags or shifts, or more routes than the fleet has courier-days."""
    if any(w is not None for w in model.windows[1:]) or not model.vehicles or model.n < 2:
        return None
    if len({(v.capacity, v.shift_s) for v in model.vehicles}) > 1:
        return None
    cap, shift = int(model.vehicles[0].capacity), int(model.vehicles[0].shift_s)
    if float(model.demand[1:].mean()) < PACKING_SHARE * cap:
        return None
    t, svc, demand = model.time, model.service, model.demand
    routes: list[list[int]] = []
    load: list[int] = []
    duration: list[int] = []
    for k in sorted(range(1, model.n), key=lambda k: (-int(demand[k]), k)):
        best: tuple[int, int, int] | None = None  # (added seconds, route, position)
        for r, stops in enumerate(routes):
            if load[r] + demand[k] > cap:
                continue
            path = np.array([0, *stops, 0])
            add = t[path[:-1], k] + svc[k] + t[k, path[1:]] - t[path[:-1], path[1:]]
            p = int(np.argmin(add))
            if duration[r] + add[p] <= shift and (best is None or add[p] < best[0]):
                best = (int(add[p]), r, p)
        if best is None:
            routes.append([k])
            load.append(int(demand[k]))
            duration.append(int(t[0, k] + svc[k] + t[k, 0]))
        else:
            add, r, p = best
            routes[r].insert(p, k)
            load[r] += int(demand[k])
            duration[r] += add
    return routes if len(routes) <= len(model.vehicles) else None
