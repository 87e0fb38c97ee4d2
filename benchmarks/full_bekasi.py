"""Plan all 191,000 synthetic cards of Kabupaten Bekasi end to end; compare with a naive plan.

    python benchmarks/full_bekasi.py [--time-limit 20] [--workers 2] [--out out/full]

Reports wall time, peak memory (this process and its workers), courier-days, km and hours, and the
travel of a naive plan on the same stops: per post office, stops visited in address order (desa, RW,
RT, address), a new courier-day whenever the bag or the shift is full.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from ektp_routes import synthetic_cards
from ektp_routes.export import write_plan
from ektp_routes.network import StraightLineNetwork
from ektp_routes.plan import PlanConfig, plan_file


def naive_travel(res, cfg: PlanConfig) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    net = StraightLineNetwork()
    secs = metres = 0.0
    days = 0
    for o in res.offices:
        s = res.stops[(res.stops.office_id == o.office_id) & (res.stops.status == "planned")]
        if not len(s):
            continue
        s = s.sort_values(["desa_kode", "rw", "rt", "alamat"])
        lon = np.r_[o.lon, s.lon.to_numpy()]
        lat = np.r_[o.lat, s.lat.to_numpy()]
        m = net.matrix(lon, lat)
        cards = np.r_[0, s.cards.to_numpy()]
        svc = cfg.service.base_s + cfg.service.per_card_s * cards
        prev, load, t = 0, 0, 0.0
        for i in range(1, len(lon)):
            if (
                load + cards[i] > cfg.fleet.capacity
                or t + m.time_s[prev, i] + svc[i] + m.time_s[i, 0] > cfg.fleet.shift_s
            ):
                secs += m.time_s[prev, 0]
                metres += m.dist_m[prev, 0]
                days += 1
                prev, load, t = 0, 0, 0.0
            t += m.time_s[prev, i] + svc[i]
            secs += m.time_s[prev, i]
            metres += m.dist_m[prev, i]
            load += cards[i]
            prev = i
        secs += m.time_s[prev, 0]
        metres += m.dist_m[prev, 0]
        days += 1
    return secs, metres, days


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="out/full")
    args = ap.parse_args()
    t0 = time.perf_counter()
    cards = synthetic_cards(191_000, seed=0, defect_rate=0.01).drop(columns=["defect"])
    cards = cards.rename(columns={"true_lon": "lon", "true_lat": "lat"})
    t_gen = time.perf_counter() - t0
    cfg = PlanConfig(workers=args.workers).with_options(time_limit_s=args.time_limit)
    t1 = time.perf_counter()
    res = plan_file(cards, config=cfg, work_dir=None)
    t_plan = time.perf_counter() - t1
    write_plan(res, Path(args.out), with_map=False)
    t_all = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    tot = res.summary.iloc[-1]
    status = res.assignments.status.value_counts().to_dict()
    n_secs, n_m, n_days = naive_travel(res, cfg)
    travel_s = float(res.routes.travel_s.sum())
    print(f"cards={len(cards)} statuses={status} stops={len(res.stops)} offices={len(res.summary) - 1}")
    print(
        f"generate_s={t_gen:.1f} plan_s={t_plan:.1f} total_wall_s={t_all:.1f} "
        f"peak_rss_main_mib={me:.0f} peak_rss_worker_mib={kids:.0f}"
    )
    print(
        f"courier_days={int(tot.courier_days)} km={tot.km:.1f} hours={tot.hours:.1f} travel_h={travel_s / 3600:.1f}"
    )
    print(
        f"naive(address order): courier_days={n_days} km={n_m / 1000:.1f} travel_h={n_secs / 3600:.1f}; "
        f"travel saved={100 * (1 - travel_s / n_secs):.1f}%"
    )
    print(f"time per 10,000 cards: {t_all / len(cards) * 10_000:.1f} s")


if __name__ == "__main__":
    main()
