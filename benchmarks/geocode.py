"""Offline geocoding throughput on the 191,000 synthetic cards, and the share per precision level.

    python benchmarks/geocode.py [--repeat 3]

The synthetic list is written without coordinates (as a registry export would be), read and validated
once, then geocoded with the default offline chain (card coordinates -> desa point). No OSM extract of
Kabupaten Bekasi exists here, so no street-level answers are possible for these cards; the street
geocoder is measured on the real Jakarta extract in the tests.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ektp_routes import Gazetteer, read_cards, synthetic_cards
from ektp_routes.geocode import geocode_cards


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    gaz = Gazetteer.bekasi()
    cards = read_cards(synthetic_cards(191_000, seed=0).drop(columns=["true_lon", "true_lat"])).cards
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        out = geocode_cards(cards, gaz)
        times.append(time.perf_counter() - t)
    share = (out["precision"].value_counts(normalize=True) * 100).round(2).to_dict()
    print(f"runs (s): {', '.join(f'{x:.2f}' for x in times)}")
    print(
        f"geocode cards={len(cards)} median_s={statistics.median(times):.2f} "
        f"cards_per_s={len(cards) / statistics.median(times):.0f} precision_pct={share}"
    )


if __name__ == "__main__":
    main()
