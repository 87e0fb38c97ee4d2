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
travel the plan expected and travel realised (per kecamatan also split into the legs from the post
office to the first house and back from the last, and the rest), days over the shift; wall time and
peak memory of the registry run; the last line compares against the oracle plan:
``registry: travel_ratio=R days_ratio=D overrun_pct=O | pins: travel_ratio=R2 days_ratio=D2 |
status_quo_travel_ratio=Q`` (overrun_pct: registry courier-days over the shift by more than 15 min).
Before it, how each plan's courier-days move between desa: days within one desa, and days that pass
between two desa that do not border each other (adjacency from the embedded desa polygons).
"""

from __future__ import annotations

import argparse
import resource
import time

import pandas as pd

from ektp_routes import Gazetteer, read_cards, synthetic_cards
from ektp_routes.adjacency import day_desa, desa_adjacency
from ektp_routes.evaluate import Replay, ReplayTotals, replay, status_quo_days
from ektp_routes.geocode import GazetteerGeocoder, GeocoderChain, InputCoordinates, geocode_cards
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
) -> tuple[Replay, float, list[PostOffice], str]:
    t0 = time.perf_counter()
    source = truth.drop(columns=TRUTH)
    if label == "oracle":
        source = source.assign(lon=truth["true_lon"], lat=truth["true_lat"])
    res = plan_routes(read_cards(source, gazetteer=gaz), config=cfg, gazetteer=gaz, **kw)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    r = replay(res, truth)  # on the plan's own service times and travel network
    return r, wall, list(res.offices), desa_moves(label, res.stops, gaz)


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


def line(name: str, r: Replay) -> str:
    t = r.total
    exp = "-" if pd.isna(t.expected_travel_s) else f"{t.expected_travel_s / 3600:7.1f}"
    return (
        f"  {name:<11} days {t.courier_days:5d}  travel expected {exp:>7} h  realised "
        f"{t.realised_travel_s / 3600:7.1f} h  over shift {t.days_over_shift:3d} "
        f"(>15 min {int((r.routes.over_shift_s > 900).sum()):3d}, worst {t.max_over_shift_s / 60:4.0f} min)"
    )


def _local(t: ReplayTotals) -> float:
    """Realised travel apart from the legs to the first house and back from the last."""
    return t.realised_travel_s - t.realised_depot_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--kecamatan", action="append")
    ap.add_argument(
        "--time-limit", type=float, default=None, help="solver seconds per office (default: library's)"
    )
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    gaz = Gazetteer.bekasi()
    truth = synthetic_cards(191_000, seed=args.seed, kecamatan=args.kecamatan)
    cfg = PlanConfig(workers=args.workers)
    if args.time_limit:
        cfg = cfg.with_options(time_limit_s=args.time_limit)
    print(f"{len(truth)} synthetic cards, seed {args.seed}, {args.kecamatan or 'all 23 kecamatan'}")
    reg, wall, offices, reg_desa = run("registry", truth, cfg, gaz)
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(f"registry run: {wall:.0f} s wall, peak RSS {peak / 1024:.0f} MiB (largest process)")
    print(line("registry", reg), flush=True)
    chain = GeocoderChain(
        [InputCoordinates(gaz), PinGeocoder(settlement_pins(truth, gaz)), GazetteerGeocoder(gaz)]
    )
    pins, _, _, pins_desa = run("pins", truth, cfg, gaz, geocoder=chain)
    print(line("pins", pins), flush=True)
    oracle, _, _, oracle_desa = run("oracle", truth, cfg, gaz)
    sq = status_quo(truth, gaz, offices)
    names = {o.office_id: o.name.replace("Placeholder Kantor Pos ", "") for o in offices}
    spread = []
    for oid in sorted(oracle.offices):
        per = {k: v.offices.get(oid) for k, v in (("registry", reg), ("pins", pins), ("oracle", oracle))}
        o, r = per["oracle"], per["registry"]
        if o is None or r is None or per["pins"] is None:
            continue
        ratio = r.realised_travel_s / o.realised_travel_s
        spread.append(ratio)
        p = per["pins"]
        print(
            f"{names.get(oid, oid):<18} registry {ratio:5.2f}x travel {r.courier_days / o.courier_days:5.2f}x days "
            f"(expected/realised {r.expected_travel_s / r.realised_travel_s:4.2f}; depot legs "
            f"{r.realised_depot_s / o.realised_depot_s:4.2f}x, rest {_local(r) / _local(o):4.2f}x) | pins "
            f"{p.realised_travel_s / o.realised_travel_s:5.2f}x {p.courier_days / o.courier_days:5.2f}x "
            f"(depot legs {p.realised_depot_s / o.realised_depot_s:4.2f}x, rest {_local(p) / _local(o):4.2f}x)"
        )
    print("whole list:")
    for name, r in (("registry", reg), ("pins", pins), ("oracle", oracle), ("status quo", sq)):
        print(line(name, r))
    s = pd.Series(spread)
    print(f"registry travel ratio per kecamatan: min {s.min():.2f} median {s.median():.2f} max {s.max():.2f}")
    print("courier-days and desa:", reg_desa, pins_desa, oracle_desa, sep="\n")
    o = oracle.total
    over = 100.0 * float((reg.routes.over_shift_s > 900).sum()) / max(1, reg.total.courier_days)
    print(
        f"registry: travel_ratio={reg.total.realised_travel_s / o.realised_travel_s:.3f} "
        f"days_ratio={reg.total.courier_days / o.courier_days:.3f} overrun_pct={over:.1f} | "
        f"pins: travel_ratio={pins.total.realised_travel_s / o.realised_travel_s:.3f} "
        f"days_ratio={pins.total.courier_days / o.courier_days:.3f} | "
        f"status_quo_travel_ratio={sq.total.realised_travel_s / o.realised_travel_s:.3f}"
    )


if __name__ == "__main__":
    main()
