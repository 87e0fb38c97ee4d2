"""Plan from what a post office has, judge with what only the benchmark knows.

    python benchmarks/registry_vs_oracle.py [--seed 3] [--kecamatan NAME ...] [--time-limit 30]

One synthetic card list (seed given; all 23 kecamatan by default) is planned four ways, each with the
library's defaults, and every plan is driven through the true household locations
(:func:`ektp_routes.evaluate.replay`):

- registry: the registry columns only (``true_lon``/``true_lat`` dropped before planning);
- pins: registry columns plus one pin per settlement (name and RW) at its true centroid (what a GIS
  analyst gives through ``--blocks``), with RT left empty;
- oracle: the true household coordinates as card coordinates (a reference no post office has);
- status quo: cards in desa/RW/RT/address order, 150 to a courier-day, no planning.

Prints per kecamatan (one placeholder post office each) and for the whole list: courier-days,
travel the plan expected and travel realised, days over the shift, the realised day length (90th
percentile over the courier-days, and the longest); wall time and
peak memory of the registry run; the last line compares against the oracle plan:
``registry: travel_ratio=R days_ratio=D overrun_pct=O | pins: travel_ratio=R2 days_ratio=D2 |
status_quo_travel_ratio=Q`` (overrun_pct: registry courier-days over the shift by more than 15 min).
Before it, how each plan's courier-days move between desa: days within one desa, and days that pass
between two desa that do not border each other (adjacency from the embedded desa polygons).

Two REFERENCES split the gap to the oracle (neither is a plan a post office can make):

- oracle nearest-first: the oracle's own courier-days with no order inside a day, walked
  nearest-first from the office, as the replay walks the households of a block (what the courier
  model alone costs, printed always);
- best order (``--best-order``, slower): every courier-day of each plan driven in its shortest order
  through the true households (OR-Tools' local search, about 0.2 s CPU a day): what is left is which cards share a day.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace

import numpy as np
import pandas as pd
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ektp_routes import Gazetteer, read_cards, synthetic_cards
from ektp_routes.adjacency import day_desa, desa_adjacency
from ektp_routes.evaluate import PlannedDays, Replay, planned_days, read_truth, replay, status_quo_days
from ektp_routes.geocode import GazetteerGeocoder, GeocoderChain, InputCoordinates, geocode_cards
from ektp_routes.network import StraightLineNetwork
from ektp_routes.offices import PostOffice, assign_offices
from ektp_routes.pins import PinGeocoder, Pins, block_table
from ektp_routes.plan import PlanConfig, plan_routes

TRUTH = ["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"]


def settlement_pins(truth: pd.DataFrame, gaz: Gazetteer) -> Pins:
    """One pin per settlement at the true centroid of its households (RT empty).

    A settlement is its name and RW: two settlements of one desa may share a name (the generator
    gives each of its settlements its own RW), and one pin at the mean of both would be neither's.
    """
    cards = read_cards(truth.drop(columns=TRUTH), gazetteer=gaz).cards
    geo = geocode_cards(cards, gaz)
    t = truth.iloc[geo["row"].to_numpy() - 1]
    geo = geo.assign(lon=t["true_lon"].astype(float).to_numpy(), lat=t["true_lat"].astype(float).to_numpy())
    blocks = block_table(geo.assign(rt=""))
    pins = blocks[["desa_kode", "settlement_kind", "settlement", "rw", "rt", "lon", "lat"]]
    return Pins(pins.reset_index(drop=True), pd.DataFrame(columns=["line", "reason", "message"]))


def run(
    label: str, truth: pd.DataFrame, cfg: PlanConfig, gaz: Gazetteer, **kw: object
) -> tuple[Replay, float, list[PostOffice], str, PlannedDays]:
    t0 = time.perf_counter()
    source = truth.drop(columns=TRUTH)
    if label == "oracle":
        source = source.assign(lon=truth["true_lon"], lat=truth["true_lat"])
    res = plan_routes(read_cards(source, gazetteer=gaz), config=cfg, gazetteer=gaz, **kw)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    r = replay(res, truth)  # on the plan's own service times and travel network
    return r, wall, list(res.offices), desa_moves(label, res.stops, gaz), planned_days(res)


def desa_moves(label: str, stops: pd.DataFrame, gaz: Gazetteer) -> str:
    """One line: the plan's courier-days within one desa, and those passing between desa that do
    not border each other."""
    d = day_desa(stops, desa_adjacency(gaz))
    return (
        f"  {label:<11} days {len(d):5d}: within one desa {int((d.desa == 1).sum()):5d}, "
        f"between desa that do not border {int((d.apart > 0).sum()):4d}"
    )


def status_quo(truth: pd.DataFrame, gaz: Gazetteer, offices: list[PostOffice]) -> Replay:
    cards = read_cards(truth.drop(columns=TRUTH), gazetteer=gaz).cards
    office_of = assign_offices(gaz, sorted(cards["desa_kode"].unique()), offices)
    return replay(status_quo_days(cards, offices, office_of), truth)


def line(name: str, r: Replay, *, width: int = 11) -> str:
    t = r.total
    exp = "-" if pd.isna(t.expected_travel_s) else f"{t.expected_travel_s / 3600:7.1f}"
    return (
        f"  {name:<{width}} days {t.courier_days:5d}  travel expected {exp:>7} h  realised "
        f"{t.realised_travel_s / 3600:7.1f} h  over shift {t.days_over_shift:3d} "
        f"(>15 min {int((r.routes.over_shift_s > 900).sum()):3d}, worst {t.max_over_shift_s / 60:4.0f} min)  "
        f"day p90 {t.p90_day_s / 3600:4.2f} h, longest {t.max_day_s / 3600:4.2f} h"
    )


def nearest_first(days: PlannedDays) -> PlannedDays:
    """The same courier-days with no order inside a day: one stop each, walked nearest-first."""
    return replace(days, visits=days.visits.assign(stop_seq=1, within=np.nan))


def best_order(days: PlannedDays, truth: pd.DataFrame) -> PlannedDays:
    """The same courier-days, each in its shortest order through the true households (a reference)."""
    t = read_truth(truth)
    net = StraightLineNetwork()
    within = pd.Series(np.nan, index=days.visits.index)
    for _, grp in days.visits.groupby("route_id", sort=False):
        hh = t.loc[grp["row"], "household"].to_numpy()
        codes, first = np.unique(hh, return_index=True)
        depot = days.depots[str(grp["office_id"].iloc[0])]
        rows = grp["row"].to_numpy()[first]
        lon = np.r_[depot[0], t.loc[rows, "lon"].to_numpy()]
        lat = np.r_[depot[1], t.loc[rows, "lat"].to_numpy()]
        rank = _tsp_rank(net.matrix(lon, lat).time_s)
        within[grp.index] = rank[np.searchsorted(codes, hh)]
    return replace(days, visits=days.visits.assign(stop_seq=1, within=within.to_numpy()))


def _tsp_rank(time_s: np.ndarray) -> np.ndarray:
    """Each node's place (1..n) on a short tour from node 0 through all others: OR-Tools' local search
    to its local optimum (deterministic, about 0.2 s CPU for 80 households; within about 1% of 30 s
    of guided local search on such days)."""
    n = len(time_s)
    man = pywrapcp.RoutingIndexManager(n, 1, 0)
    model = pywrapcp.RoutingModel(man)
    cost = np.rint(time_s).astype(np.int64)
    cb = model.RegisterTransitCallback(lambda a, b: int(cost[man.IndexToNode(a), man.IndexToNode(b)]))
    model.SetArcCostEvaluatorOfAllVehicles(cb)
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    sol = model.SolveWithParameters(p)
    order, i = [], model.Start(0)
    while not model.IsEnd(i := sol.Value(model.NextVar(i))):
        order.append(man.IndexToNode(i))
    rank = np.zeros(n - 1)
    rank[np.asarray(order) - 1] = np.arange(1, n)
    return rank


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--kecamatan", action="append")
    ap.add_argument(
        "--time-limit", type=float, default=None, help="solver seconds per office (default: library's)"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--best-order", action="store_true", help="also the best-order references (slower)")
    args = ap.parse_args()
    gaz = Gazetteer.bekasi()
    truth = synthetic_cards(191_000, seed=args.seed, kecamatan=args.kecamatan)
    cfg = PlanConfig(workers=args.workers)
    if args.time_limit:
        cfg = cfg.with_options(time_limit_s=args.time_limit)
    print(f"{len(truth)} synthetic cards, seed {args.seed}, {args.kecamatan or 'all 23 kecamatan'}")
    reg, wall, offices, reg_desa, reg_days = run("registry", truth, cfg, gaz)
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(f"registry run: {wall:.0f} s wall, peak RSS {peak / 1024:.0f} MiB (largest process)")
    print(line("registry", reg), flush=True)
    chain = GeocoderChain(
        [InputCoordinates(gaz), PinGeocoder(settlement_pins(truth, gaz)), GazetteerGeocoder(gaz)]
    )
    pins, _, _, pins_desa, pins_days = run("pins", truth, cfg, gaz, geocoder=chain)
    print(line("pins", pins), flush=True)
    oracle, _, _, oracle_desa, oracle_days = run("oracle", truth, cfg, gaz)
    plans = {"registry": reg, "pins": pins, "oracle": oracle, "status quo": status_quo(truth, gaz, offices)}
    refs = {"oracle nearest-first": replay(nearest_first(oracle_days), truth)}
    if args.best_order:
        refs["registry best order"] = replay(best_order(reg_days, truth), truth)
        refs["pins best order"] = replay(best_order(pins_days, truth), truth)
    names = {o.office_id: o.name.replace("Kantor Pos Sementara ", "") for o in offices}
    spread = per_kecamatan(plans, refs, names)
    print("whole list:")
    for name, r in plans.items():
        print(line(name, r))
    print("REFERENCES (no post office can plan these; they split the gap to the oracle):")
    for name, r in refs.items():
        print(
            line(name, r, width=22),
            f"({r.total.realised_travel_s / oracle.total.realised_travel_s:.3f}x oracle)",
        )
    for name, v in spread.items():
        s = pd.Series(v)
        print(
            f"{name} travel ratio per kecamatan: min {s.min():.2f} median {s.median():.2f} max {s.max():.2f}"
        )
    print("courier-days and desa:", reg_desa, pins_desa, oracle_desa, sep="\n")
    print(last_line(plans))


def per_kecamatan(
    plans: dict[str, Replay], refs: dict[str, Replay], names: dict[str, str]
) -> dict[str, list[float]]:
    """Print one line per office (kecamatan); return the registry and pins travel ratios."""
    spread: dict[str, list[float]] = {"registry": [], "pins": []}
    for oid in sorted(plans["oracle"].offices):
        per = {k: v.offices.get(oid) for k, v in (*plans.items(), *refs.items())}
        if any(v is None for v in per.values()):
            continue
        o = per["oracle"].realised_travel_s  # type: ignore[union-attr]
        ratio = {k: v.realised_travel_s / o for k, v in per.items()}  # type: ignore[union-attr]
        days = {k: v.courier_days / per["oracle"].courier_days for k, v in per.items()}  # type: ignore[union-attr]
        r, p = per["registry"], per["pins"]
        spread["registry"].append(ratio["registry"])
        spread["pins"].append(ratio["pins"])
        extra = "".join(f" | {k} {ratio[k]:4.2f}x" for k in refs)
        print(
            f"{names.get(oid, oid):<18} registry {ratio['registry']:5.2f}x travel {days['registry']:5.2f}x days "
            f"(expected/realised {r.expected_travel_s / r.realised_travel_s:4.2f}) | pins "  # type: ignore[union-attr]
            f"{ratio['pins']:5.2f}x {days['pins']:5.2f}x "
            f"({p.expected_travel_s / p.realised_travel_s:4.2f}){extra}"  # type: ignore[union-attr]
        )
    return spread


def last_line(plans: dict[str, Replay]) -> str:
    reg, pins, o = plans["registry"], plans["pins"], plans["oracle"].total
    over = 100.0 * float((reg.routes.over_shift_s > 900).sum()) / max(1, reg.total.courier_days)
    return (
        f"registry: travel_ratio={reg.total.realised_travel_s / o.realised_travel_s:.3f} "
        f"days_ratio={reg.total.courier_days / o.courier_days:.3f} overrun_pct={over:.1f} | "
        f"pins: travel_ratio={pins.total.realised_travel_s / o.realised_travel_s:.3f} "
        f"days_ratio={pins.total.courier_days / o.courier_days:.3f} | "
        f"status_quo_travel_ratio={plans['status quo'].total.realised_travel_s / o.realised_travel_s:.3f}"
    )


if __name__ == "__main__":
    main()
