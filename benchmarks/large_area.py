"""Size vs time vs quality for one post office: whole-problem solving vs territory decomposition.

    python benchmarks/large_area.py [--sizes 250 500 1000 2000 4000] [--time-limit 60]

Households of the largest synthetic desa (by 2024 population) around a placeholder post office at the
desa's representative point, straight-line network, default fleet (6 couriers, 150-card bags, 7 h).
Each size is solved whole (where that is still feasible) and decomposed into ~250-stop territories,
with the same wall-time limit; the table reports courier-days, travel hours, and the cost of the
decomposition relative to whole solving. The stops are the households' TRUE coordinates (synthetic
truth): an oracle setting that compares two ways of solving, not a plan a post office can make.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ektp_routes import Gazetteer, synthetic_cards
from ektp_routes.network import StraightLineNetwork
from ektp_routes.solve import DenseMatrices, Fleet, RoutingProblem, SolveParams, check_plan, solve


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--whole-max", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    gaz = Gazetteer.bekasi()
    big = max(gaz.all_desa, key=lambda d: d.penduduk)
    cards = synthetic_cards(191_000, seed=0, kecamatan=[big.kecamatan_kode])
    cards = cards[cards.true_desa_kode == big.kode]
    hh = (
        cards.groupby("household_id")
        .agg(lon=("true_lon", "first"), lat=("true_lat", "first"), cards=("NIK", "size"))
        .reset_index(drop=True)
    )
    print(
        f"desa {big.nama} ({big.kode}): {big.penduduk} people, {len(cards)} synthetic cards, {len(hh)} households"
    )
    rng = np.random.default_rng(0)
    net = StraightLineNetwork()
    print("ORACLE setting (true household coordinates): whole vs decomposed solving of the same stops")
    print("stops mode courier_days travel_h unserved time_s feasible")
    for n in args.sizes:
        sel = hh.iloc[np.sort(rng.choice(len(hh), size=min(n, len(hh)), replace=False))]
        n = len(sel)  # the desa may have fewer households than asked
        lon = np.r_[big.rep_lon, sel.lon.to_numpy()]
        lat = np.r_[big.rep_lat, sel.lat.to_numpy()]
        m = net.matrix(lon, lat)
        p = RoutingProblem(
            DenseMatrices(m.time_s, m.dist_m),
            np.r_[0, sel.cards.to_numpy()],
            Fleet(couriers=6, capacity=150, shift_s=7 * 3600, days=30),
            lon=lon,
            lat=lat,
        )
        whole_h = None
        for mode in ("whole", "decomposed"):
            if mode == "whole" and n > args.whole_max:
                print(f"{n} whole - - - - (skipped: above --whole-max)")
                continue
            params = SolveParams(
                time_limit_s=args.time_limit,
                workers=args.workers,
                max_stops_whole=10**9 if mode == "whole" else 250,
                territory_stops=250,
            )
            t = time.perf_counter()
            plan = solve(p, params)
            el = time.perf_counter() - t
            ok = not check_plan(p, plan)
            h = plan.travel_s / 3600
            extra = ""
            if mode == "whole":
                whole_h = (plan.courier_days, h)
            elif whole_h:
                extra = (
                    f" vs whole: courier_days {plan.courier_days - whole_h[0]:+d}, "
                    f"travel {100 * (h / whole_h[1] - 1):+.1f}%"
                )
            print(
                f"{n} {mode} {plan.courier_days} {h:.2f} {len(plan.unserved)} {el:.1f} {ok}{extra}",
                flush=True,
            )


if __name__ == "__main__":
    main()
