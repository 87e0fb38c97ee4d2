"""Plan all 191,000 synthetic cards of Kabupaten Bekasi from the registry columns, end to end.

    python benchmarks/full_bekasi.py [--time-limit S] [--workers 2] [--out out/full] [--no-oracle]

The card list holds what a Disdukcapil export holds (no coordinates; ``true_lon``/``true_lat`` are
dropped before planning and kept for judging). Reports the wall time and peak memory of the plan
(this process and its workers), courier-days and the travel the plan expects, then drives every
courier-day through the true household locations (:func:`ektp_routes.evaluate.replay`) and prints the
realised travel and overruns, next to the status quo (cards in desa/RW/RT/address order, 150 a day)
and, as a reference line, the oracle plan made with the true coordinates (which no post office has).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from ektp_routes import read_cards, synthetic_cards
from ektp_routes.evaluate import Replay, replay, status_quo_days
from ektp_routes.export import write_plan
from ektp_routes.offices import assign_offices
from ektp_routes.plan import PlanConfig, plan_file
from ektp_routes.regions import Gazetteer
from ektp_routes.synthetic import TRUTH_COLUMNS


def describe(name: str, r: Replay) -> str:
    t = r.total
    exp = "-" if t.expected_travel_s != t.expected_travel_s else f"{t.expected_travel_s / 3600:.1f}"
    return (
        f"{name}: courier_days={t.courier_days} travel_expected_h={exp} "
        f"travel_realised_h={t.realised_travel_s / 3600:.1f} days_over_shift={t.days_over_shift} "
        f"over_15min={int((r.routes.over_shift_s > 900).sum())} worst_over_min={t.max_over_shift_s / 60:.0f} "
        f"day_p90_h={t.p90_day_s / 3600:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--time-limit", type=float, default=None, help="solver seconds per office (default: library's)"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="out/full")
    ap.add_argument("--no-oracle", action="store_true", help="skip the oracle reference plan")
    args = ap.parse_args()
    t0 = time.perf_counter()
    truth = synthetic_cards(191_000, seed=0, defect_rate=0.01)
    registry = truth.drop(columns=TRUTH_COLUMNS)
    t_gen = time.perf_counter() - t0
    cfg = PlanConfig(workers=args.workers)
    if args.time_limit:
        cfg = cfg.with_options(time_limit_s=args.time_limit)
    t1 = time.perf_counter()
    res = plan_file(registry, config=cfg, work_dir=None)
    t_plan = time.perf_counter() - t1
    write_plan(res, Path(args.out))
    t_all = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    status = res.assignments.status.value_counts().to_dict()
    print(f"cards={len(truth)} statuses={status} stops={len(res.stops)} offices={len(res.summary) - 1}")
    print(
        f"generate_s={t_gen:.1f} plan_s={t_plan:.1f} total_wall_s={t_all:.1f} "
        f"peak_rss_main_mib={me:.0f} peak_rss_worker_mib={kids:.0f}"
    )
    print(f"time per 10,000 cards: {t_all / len(truth) * 10_000:.1f} s")
    reg = replay(res, truth)
    print(describe("registry", reg))
    gaz = Gazetteer.bekasi()
    cards = read_cards(registry, gazetteer=gaz).cards
    office_of = assign_offices(gaz, sorted(cards["desa_kode"].unique()), res.offices)
    sq = replay(status_quo_days(cards, res.offices, office_of), truth)
    print(describe("status_quo", sq))
    print(f"registry travel vs status quo: {reg.total.realised_travel_s / sq.total.realised_travel_s:.2f}x")
    if not args.no_oracle:
        oracle_in = registry.assign(lon=truth["true_lon"], lat=truth["true_lat"])
        oracle = replay(plan_file(oracle_in, config=cfg, work_dir=None), truth)
        print(describe("oracle (reference: true coordinates)", oracle))
        o = oracle.total
        print(
            f"registry vs oracle: travel {reg.total.realised_travel_s / o.realised_travel_s:.2f}x, "
            f"courier-days {reg.total.courier_days / o.courier_days:.2f}x"
        )


if __name__ == "__main__":
    main()
