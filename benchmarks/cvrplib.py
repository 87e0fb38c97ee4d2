"""Solution quality on CVRPLIB instances: ektp_routes vs plain OR-Tools vs PyVRP, same wall time.

    python benchmarks/cvrplib.py INSTANCE [--time-limit S] [--bks B]

INSTANCE is a .vrp (CVRP, rounded EUC_2D) or a Solomon .txt (VRPTW, DIMACS convention: distances
truncated to one decimal). Prints one line for plain OR-Tools (default parameters + guided local
search), one for PyVRP, and as its last line the library's own solver:
``instance=NAME cost=C bks=B gap_pct=G time_s=T``. BKS is read from a BKS.csv next to the instance.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import time
from pathlib import Path

import numpy as np
import vrplib


def load(path: Path) -> dict:
    solomon = path.suffix.lower() == ".txt"
    inst = vrplib.read_instance(str(path), instance_format="solomon" if solomon else "vrplib")
    xy = np.asarray(inst["node_coord"], dtype=float)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    if solomon:
        scale = 10  # work in tenths: DIMACS truncation to one decimal
        dist = np.floor(d * 10)
        tw = np.asarray(inst["time_window"], dtype=float) * scale
        service = np.asarray(inst["service_time"], dtype=float) * scale
        vehicles = int(inst["vehicles"])
    else:
        scale = 1
        dist = np.rint(d)
        tw = None
        service = np.zeros(len(xy))
        demand_total = int(np.sum(inst["demand"]))
        vehicles = max(1, 2 * math.ceil(demand_total / int(inst["capacity"])))
    return {
        "name": inst["name"],
        "dist": dist,
        "demand": np.asarray(inst["demand"], dtype=int),
        "capacity": int(inst["capacity"]),
        "tw": tw,
        "service": service,
        "vehicles": vehicles,
        "scale": scale,
        "xy": xy,
    }


def bks_for(path: Path, name: str) -> float | None:
    f = path.parent / "BKS.csv"
    if f.exists():
        for row in csv.DictReader(f.open()):
            if row["instance"] == name:
                return float(row["bks"])
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
    # CVRP has no shift: a day (the longest shift a fleet accepts) is far above any X route's length.
    horizon = int(inst["tw"][0, 1]) if inst["tw"] is not None else 24 * 3600
    windows = None if inst["tw"] is None else [None] + [(float(a), float(b)) for a, b in inst["tw"][1:]]
    p = RoutingProblem(
        DenseMatrices(inst["dist"], inst["dist"]),
        cards=inst["demand"],
        fleet=Fleet(couriers=inst["vehicles"], capacity=inst["capacity"], shift_s=horizon),
        windows=windows,
        service_s_per_node=inst["service"],
        lon=inst["xy"][:, 0],
        lat=inst["xy"][:, 1],
    )
    plan = solve(p, SolveParams(time_limit_s=limit, objective="distance", workers=2, max_stops_whole=n))
    errs = check_plan(p, plan)
    if errs or plan.unserved:
        raise SystemExit(f"library plan infeasible: {errs[:3]} unserved={len(plan.unserved)}")
    routes = [list(r.stops) for r in plan.routes]
    return route_cost(inst["dist"], routes), routes


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
    if inst["tw"] is not None:
        tcb = r.RegisterTransitCallback(
            lambda a, b: dist[m.IndexToNode(a)][m.IndexToNode(b)] + svc[m.IndexToNode(a)]
        )
        hor = int(inst["tw"][0, 1])
        r.AddDimension(tcb, hor, hor, False, "T")
        td = r.GetDimensionOrDie("T")
        for i in range(1, n):
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
    import pyvrp
    from pyvrp.stop import MaxRuntime

    n = len(inst["demand"])
    md = pyvrp.Model()
    tw = inst["tw"]
    late = int(tw[0, 1]) if tw is not None else 2**40
    locs = [md.add_location(x=float(x), y=float(y)) for x, y in inst["xy"]]
    md.add_depot(locs[0], tw_early=0, tw_late=late)
    md.add_vehicle_type(num_available=inst["vehicles"], capacity=inst["capacity"], tw_early=0, tw_late=late)
    for i in range(1, n):
        kw = {}
        if tw is not None:
            kw = {
                "tw_early": int(tw[i, 0]),
                "tw_late": int(tw[i, 1]),
                "service_duration": int(inst["service"][i]),
            }
        md.add_client(locs[i], delivery=int(inst["demand"][i]), **kw)
    for i in range(n):
        for j in range(n):
            if i != j:
                md.add_edge(
                    locs[i], locs[j], distance=int(inst["dist"][i, j]), duration=int(inst["dist"][i, j])
                )
    res = md.solve(stop=MaxRuntime(limit), display=False, seed=0)
    return float(res.cost())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("instance", type=Path)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--bks", type=float)
    args = ap.parse_args()
    inst = load(args.instance)
    scale = inst["scale"]
    bks = args.bks or bks_for(args.instance, inst["name"])

    def line(label: str, cost: float, secs: float) -> str:
        c = cost / scale
        gap = f"{100 * (c - bks) / bks:.2f}" if bks else "nan"
        return f"{label}instance={inst['name']} cost={c:g} bks={bks if bks else 'nan'} gap_pct={gap} time_s={secs:.1f}"

    t = time.perf_counter()
    c = run_plain_ortools(inst, args.time_limit)
    print(line("plain_ortools: ", c, time.perf_counter() - t), flush=True)
    try:
        t = time.perf_counter()
        c = run_pyvrp(inst, args.time_limit)
        print(line("pyvrp: ", c, time.perf_counter() - t), flush=True)
    except ImportError:
        print("pyvrp: not installed (pip install -e '.[bench]')")
    t = time.perf_counter()
    c, _ = run_library(inst, args.time_limit)
    print(line("", c, time.perf_counter() - t))


if __name__ == "__main__":
    main()
