"""Solution quality on CVRPLIB instances: ektp_routes vs plain OR-Tools vs PyVRP, same wall time.

    python benchmarks/cvrplib.py INSTANCE... [--time-limit S] [--bks B] [--repeat N]
        [--background-load] [--no-plain] [--exact]

INSTANCE is a .vrp (CVRP: EUC_2D coordinates, distances rounded as the A-X sets count them, or an
EXPLICIT matrix; a DISTANCE route limit and SERVICE_TIME are kept; ``--exact`` keeps three decimals, as
CMT/Golden/Li count them, and is automatic when the BKS is not a whole number) or a Solomon .txt (VRPTW,
DIMACS convention: distances truncated to one decimal); X instances of 300-1000 customers are in
benchmarks/data/cvrplib (see its PROVENANCE.md). Prints one line for plain OR-Tools (default parameters
+ guided local search), one for PyVRP, and as its last line the library's own solver (2 workers
requested; the portfolio is sized to the CPUs free): ``instance=NAME cost=C bks=B gap_pct=G time_s=T``.
BKS is read from a BKS.csv next to the instance, else from its .sol file; an instance without one prints
``bks=nan gap_pct=nan``. Each run first prints the load it starts under (load average, CPUs free in a
0.5 s sample). ``--background-load`` keeps one CPU busy (a spinning process) during all three solvers.

``--repeat N`` runs everything N times and ends with one summary line per instance (``--no-plain``
skips plain OR-Tools, whose cost is then nan):
``median over N runs: instance=NAME cost_plain_ortools=C cost_pyvrp=C cost_ektp_routes=C
ratio_ektp_routes_pyvrp=R`` followed, where a BKS exists, by ``bks=B gap_pct_plain_ortools=G
gap_pct_pyvrp=G gap_pct_ektp_routes=G``. Costs and gaps are each solver's median over the runs; the
ratio is the median of the per-run ratios library cost / PyVRP cost (both solved back to back under
the same conditions), so below 1 means the library found cheaper routes at equal wall time. It needs no
BKS.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import multiprocessing
import os
import statistics
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import vrplib


def load_instance(path: Path, *, exact: bool = False) -> dict:
    """A CVRPLIB instance as integer matrices for all three solvers.

    Distances come from the coordinates (EUC_2D, rounded as CVRPLIB's A-X sets count them) or from the
    instance's EXPLICIT matrix. ``exact`` keeps three decimals instead (the sets whose best-known costs
    are real numbers: CMT, Golden, Li); costs are printed back in instance units. A route-length limit
    (DISTANCE) and a service time (SERVICE_TIME) become the ``limit`` every route must keep, service
    included. Solomon ``.txt`` files follow the DIMACS convention (distances truncated to one decimal).
    """
    solomon = path.suffix.lower() == ".txt"
    inst = vrplib.read_instance(str(path), instance_format="solomon" if solomon else "vrplib")
    n = len(inst["demand"])
    xy = np.asarray(inst["node_coord"], dtype=float) if "node_coord" in inst else None
    if xy is not None and str(inst.get("edge_weight_type", "EUC_2D")).upper().startswith("EUC"):
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    else:
        d = np.asarray(inst["edge_weight"], dtype=float)
    if xy is None:
        xy = _embed(d)
    scale = 10 if solomon else (1000 if exact else 1)
    dist = np.floor(d * 10) if solomon else np.rint(d * scale)
    service = np.zeros(n)
    if "service_time" in inst:
        service = np.broadcast_to(np.asarray(inst["service_time"], dtype=float), (n,)) * scale
        service = np.rint(service) if not solomon else service
        service[0] = 0
    demand = np.asarray(inst["demand"], dtype=int)
    limit = float(inst["distance"]) * scale if "distance" in inst else None
    lower = math.ceil(int(demand.sum()) / int(inst["capacity"]))
    vehicles = int(inst["vehicles"]) if solomon else (n - 1 if limit else max(1, 2 * lower))
    return {
        "name": inst["name"],
        "dist": dist,
        "demand": demand,
        "capacity": int(inst["capacity"]),
        "tw": np.asarray(inst["time_window"], dtype=float) * scale if solomon else None,
        "service": service,
        "limit": limit,
        "vehicles": vehicles,
        "scale": scale,
        "xy": xy,
    }


def _embed(d: np.ndarray) -> np.ndarray:
    """Plane coordinates whose distances approximate the matrix ``d`` (classical scaling), for an
    EXPLICIT instance: the solvers take their distances from the matrix, the points only guide them."""
    n = len(d)
    sym = (d + d.T) / 2
    centre = np.eye(n) - 1 / n
    vals, vecs = np.linalg.eigh(-0.5 * centre @ (sym**2) @ centre)
    top = np.argsort(vals)[::-1][:2]
    return vecs[:, top] * np.sqrt(np.clip(vals[top], 0, None))


def bks_for(path: Path, name: str) -> float | None:
    """The best-known cost: from a BKS.csv beside the instance, else from its .sol file."""
    f = path.parent / "BKS.csv"
    if f.exists():
        for row in csv.DictReader(f.open()):
            if row["instance"] == name:
                return float(row["bks"])
    sol = path.with_suffix(".sol")
    if sol.exists():
        cost = vrplib.read_solution(str(sol)).get("cost")
        return float(cost) if cost is not None else None
    return None


def route_cost(dist: np.ndarray, routes: list[list[int]]) -> float:
    return float(
        sum(
            dist[0, r[0]] + sum(dist[a, b] for a, b in itertools.pairwise(r)) + dist[r[-1], 0]
            for r in routes
            if r
        )
    )


def run_library(inst: dict, limit: float) -> tuple[float, list[list[int]]]:
    from ektp_routes.solve import DenseMatrices, Fleet, RoutingProblem, SolveParams, check_plan, solve

    n = len(inst["demand"])
    time_m, service, horizon = _library_time(inst)
    windows = None if inst["tw"] is None else [None] + [(float(a), float(b)) for a, b in inst["tw"][1:]]
    p = RoutingProblem(
        DenseMatrices(time_m, inst["dist"]),
        cards=inst["demand"],
        fleet=Fleet(couriers=inst["vehicles"], capacity=inst["capacity"], shift_s=horizon),
        windows=windows,
        service_s_per_node=service,
        lon=inst["xy"][:, 0],
        lat=inst["xy"][:, 1],
    )
    plan = solve(p, SolveParams(time_limit_s=limit, objective="distance", workers=2, max_stops_whole=n))
    errs = check_plan(p, plan)
    if errs or plan.unserved:
        raise SystemExit(f"library plan infeasible: {errs[:3]} unserved={len(plan.unserved)}")
    routes = [list(r.stops) for r in plan.routes]
    if inst["limit"] is not None:  # checked again in instance units, outside the scaled model
        longest = max(route_cost(inst["dist"], [r]) + float(inst["service"][r].sum()) for r in routes if r)
        if longest > inst["limit"]:
            raise SystemExit(f"library route of {longest / inst['scale']:g} over the limit")
    return route_cost(inst["dist"], routes), routes


def _library_time(inst: dict) -> tuple[np.ndarray, np.ndarray, int]:
    """The time matrix, service times and shift the library's model gets.

    The library's shift is at most a day (86,400 units). A Solomon horizon fits as it is. A CVRP without
    a route limit has no time at all: a zero time matrix, so no route is cut by a day. A route limit is
    carried by the time dimension, scaled down to fit a day when it is longer (to 1/86,400 of the
    limit)."""
    day = 24 * 3600
    if inst["tw"] is not None:
        return inst["dist"], inst["service"], int(inst["tw"][0, 1])
    if inst["limit"] is None:
        return np.zeros_like(inst["dist"]), inst["service"], day
    k = min(1.0, day / inst["limit"])
    return np.rint(inst["dist"] * k), np.rint(inst["service"] * k), int(inst["limit"] * k)


def run_plain_ortools(inst: dict, limit: float) -> float:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = len(inst["demand"])
    dist = inst["dist"].astype(int).tolist()
    svc = inst["service"].astype(int).tolist()
    m = pywrapcp.RoutingIndexManager(n, inst["vehicles"], 0)
    r = pywrapcp.RoutingModel(m)
    cb = r.RegisterTransitCallback(lambda a, b: dist[m.IndexToNode(a)][m.IndexToNode(b)])
    r.SetArcCostEvaluatorOfAllVehicles(cb)
    dem = inst["demand"].tolist()
    dcb = r.RegisterUnaryTransitCallback(lambda a: dem[m.IndexToNode(a)])
    r.AddDimensionWithVehicleCapacity(dcb, 0, [inst["capacity"]] * inst["vehicles"], True, "C")
    if inst["tw"] is not None or inst["limit"] is not None:
        tcb = r.RegisterTransitCallback(
            lambda a, b: dist[m.IndexToNode(a)][m.IndexToNode(b)] + svc[m.IndexToNode(a)]
        )
        hor = int(inst["tw"][0, 1]) if inst["tw"] is not None else int(inst["limit"])
        r.AddDimension(tcb, hor, hor, False, "T")
        td = r.GetDimensionOrDie("T")
        for i in range(1, n if inst["tw"] is not None else 0):
            td.CumulVar(m.NodeToIndex(i)).SetRange(int(inst["tw"][i, 0]), int(inst["tw"][i, 1]))
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    sp.time_limit.FromMilliseconds(int(limit * 1000))
    sol = r.SolveWithParameters(sp)
    if sol is None:
        return float("nan")
    routes = []
    for v in range(inst["vehicles"]):
        i = r.Start(v)
        route = []
        while not r.IsEnd(i):
            if m.IndexToNode(i):
                route.append(m.IndexToNode(i))
            i = sol.Value(r.NextVar(i))
        routes.append(route)
    return route_cost(inst["dist"], routes)


def run_pyvrp(inst: dict, limit: float) -> float:
    """PyVRP on its own, used well: the matrices handed over whole, and the time spent building the
    model taken from its search time, so that it ends at the same wall time as the others."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.perf_counter()
    n = len(inst["demand"])
    md = pyvrp.Model()
    tw = inst["tw"]
    late = int(tw[0, 1]) if tw is not None else 2**40
    locs = [md.add_location(x=float(x), y=float(y)) for x, y in inst["xy"]]
    md.add_depot(locs[0], tw_early=0, tw_late=late)
    shift = int(inst["limit"]) if inst["limit"] is not None else 2**62
    md.add_vehicle_type(
        num_available=inst["vehicles"], capacity=inst["capacity"], tw_early=0, tw_late=late,
        shift_duration=shift,
    )  # fmt: skip
    for i in range(1, n):
        kw = {"service_duration": int(inst["service"][i])}
        if tw is not None:
            kw.update(tw_early=int(tw[i, 0]), tw_late=int(tw[i, 1]))
        md.add_client(locs[i], delivery=int(inst["demand"][i]), **kw)
    dist = np.ascontiguousarray(inst["dist"], dtype=np.int64)
    np.fill_diagonal(dist, 0)
    data = md.data().replace(distance_matrices=[dist], duration_matrices=[dist.copy()])
    res = pyvrp.solve(
        data, stop=MaxRuntime(max(0.1, limit - (time.perf_counter() - t0))), seed=0, display=False
    )
    return float(res.cost()) if res.is_feasible() else float("nan")


def _spin() -> None:
    while True:
        pass


@contextmanager
def background_load(on: bool) -> Iterator[None]:
    """Keep one CPU busy (a process spinning in a loop) while the block runs."""
    if not on:
        yield
        return
    proc = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    proc.start()
    try:
        time.sleep(0.5)  # let the spinner reach full speed before anything is measured
        yield
    finally:
        proc.terminate()
        proc.join()


def conditions() -> str:
    from ektp_routes.solve import free_cpus

    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"loadavg_1min={load1:.2f} cpus_free={free_cpus(sample_s=0.5):.2f} of {os.cpu_count()}"


#: Solver labels in the order they run (the library last).
SOLVERS = ("plain_ortools", "pyvrp", "ektp_routes")


def run_all(
    path: Path, limit: float, bks: float | None, load: bool, plain: bool = True, exact: bool = False
) -> dict[str, float]:
    """One run of the solvers on one instance (plain OR-Tools only when ``plain``; distances to three
    decimals when ``exact``); returns each solver's cost (instance units)."""
    inst = load_instance(path, exact=exact)
    scale = inst["scale"]
    costs: dict[str, float] = {}

    def line(label: str, cost: float, secs: float) -> str:
        c = cost / scale
        costs[label] = c
        gap = 100 * (c - bks) / bks if bks else float("nan")
        prefix = "" if label == "ektp_routes" else f"{label}: "
        return f"{prefix}instance={inst['name']} cost={c:.10g} bks={bks if bks else 'nan'} gap_pct={gap:.2f} time_s={secs:.1f}"

    with background_load(load):
        print(f"conditions: background_load={'1 core' if load else 'none'} {conditions()}", flush=True)
        if plain:
            t = time.perf_counter()
            c = run_plain_ortools(inst, limit)
            print(line("plain_ortools", c, time.perf_counter() - t), flush=True)
        try:
            t = time.perf_counter()
            c = run_pyvrp(inst, limit)
            print(line("pyvrp", c, time.perf_counter() - t), flush=True)
        except ImportError:
            print("pyvrp: not installed (pip install -e '.[bench]')")
        t = time.perf_counter()
        c, _ = run_library(inst, limit)
        print(line("ektp_routes", c, time.perf_counter() - t), flush=True)
    return costs


def _median(values: Iterable[float]) -> float:
    """Median of the finite values (a run without a solution is left out); nan when none."""
    got = [v for v in values if math.isfinite(v)]
    return statistics.median(got) if got else float("nan")


def summary(name: str, runs: list[dict[str, float]], bks: float | None) -> str:
    """The ``median over N runs`` line of one instance (format in the module docstring)."""
    nan = float("nan")
    cost = {k: _median(r.get(k, nan) for r in runs) for k in SOLVERS}
    ratio = _median(r["ektp_routes"] / r["pyvrp"] for r in runs if r.get("pyvrp"))
    out = f"median over {len(runs)} runs: instance={name} "
    out += " ".join(f"cost_{k}={v:.10g}" for k, v in cost.items())
    out += f" ratio_ektp_routes_pyvrp={ratio:.4f}"
    if bks:
        gaps = {k: _median(100 * (r.get(k, nan) - bks) / bks for r in runs) for k in SOLVERS}
        out += f" bks={bks:g} " + " ".join(f"gap_pct_{k}={v:.2f}" for k, v in gaps.items())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("instance", type=Path, nargs="+")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--bks", type=float)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--background-load", action="store_true", help="keep one CPU busy during all solvers")
    ap.add_argument("--no-plain", action="store_true", help="skip plain OR-Tools (library vs PyVRP only)")
    ap.add_argument(
        "--exact", action="store_true",
        help="distances to three decimals, not rounded (automatic when the BKS is not a whole number)",
    )  # fmt: skip
    args = ap.parse_args()
    missing = [str(p) for p in args.instance if not p.is_file()]
    if missing:
        ap.error(f"no such instance file: {', '.join(missing)}")
    runs: dict[Path, list[dict[str, float]]] = {p: [] for p in args.instance}
    names = {p: load_instance(p)["name"] for p in args.instance}
    bks = {p: args.bks or bks_for(p, names[p]) for p in args.instance}
    exact = {p: args.exact or (bks[p] is not None and not float(bks[p]).is_integer()) for p in args.instance}
    for _ in range(args.repeat):
        for path in args.instance:
            runs[path].append(
                run_all(
                    path, args.time_limit, bks[path], args.background_load, not args.no_plain, exact[path]
                )
            )
    for path, got in runs.items():
        print(summary(names[path], got, bks[path]))


if __name__ == "__main__":
    main()
