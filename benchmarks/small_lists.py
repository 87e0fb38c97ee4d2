"""Do the registry plan's estimates hold on small lists? Plan, replay, compare with what it expected.

    python benchmarks/small_lists.py --seed 21 --n 20000 --n 60000 --kecamatan Sukatani ...

For each list size (cards in the whole kabupaten; only the kecamatan asked for are generated, with
their share of it) and each kecamatan, one synthetic list is planned from its registry columns only
and, as a reference, from its true household coordinates (the oracle), each with the library's
defaults and one placeholder post office; both are replayed on the truth
(:func:`ektp_routes.evaluate.replay`). Prints per list: cards, courier-days and realised travel of
the registry plan against the oracle's, the registry plan's expected/realised travel (the estimates
the issue asks to be within 20%), and its courier-days over the shift.

A small list is where the estimates are tested hardest: the synthetic generator makes fewer
settlements of the same density for fewer cards, so a desa's households lie on less land than its
settled area (``TravelModel.settlement_km2`` limits the land by the settlements a list names).
"""

from __future__ import annotations

import argparse

from ektp_routes import Gazetteer, read_cards, synthetic_cards
from ektp_routes.evaluate import replay
from ektp_routes.plan import PlanConfig, plan_routes

TRUTH = ["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"]


def one_list(n: int, seed: int, kecamatan: str, cfg: PlanConfig, gaz: Gazetteer) -> tuple[str, float]:
    truth = synthetic_cards(n, seed=seed, kecamatan=[kecamatan])
    registry = truth.drop(columns=TRUTH)
    oracle_source = registry.assign(lon=truth["true_lon"], lat=truth["true_lat"])
    oracle = replay(plan_routes(read_cards(oracle_source, gazetteer=gaz), config=cfg, gazetteer=gaz), truth)
    reg = replay(plan_routes(read_cards(registry, gazetteer=gaz), config=cfg, gazetteer=gaz), truth)
    o, r = oracle.total, reg.total
    ratio = r.expected_travel_s / r.realised_travel_s
    text = (
        f"{kecamatan:16s} n={n:7d} cards {len(truth):5d} | registry days {r.courier_days:3d} "
        f"({r.courier_days / o.courier_days:.2f}x oracle) travel {r.realised_travel_s / 3600:6.1f} h "
        f"({r.realised_travel_s / o.realised_travel_s:.3f}x oracle) "
        f"expected/realised {ratio:.2f} over shift {r.days_over_shift}"
    )
    return text, ratio


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--n", type=int, action="append", help="cards in the whole kabupaten (repeatable)")
    ap.add_argument("--kecamatan", action="append", help="kecamatan (repeatable)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    gaz = Gazetteer.bekasi()
    cfg = PlanConfig(workers=args.workers)
    ratios = []
    for n in args.n or [20_000, 60_000]:
        for kec in args.kecamatan or ["Karang Bahagia", "Sukatani"]:
            text, ratio = one_list(n, args.seed, kec, cfg, gaz)
            ratios.append(ratio)
            print(text, flush=True)
    within = sum(abs(x - 1) <= 0.2 for x in ratios)
    print(
        f"expected/realised: min {min(ratios):.2f} max {max(ratios):.2f}, within 20% in {within} of {len(ratios)}"
    )


if __name__ == "__main__":
    main()
