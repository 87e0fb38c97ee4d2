"""Registry columns plus one pin per settlement, planned and replayed on the placeholder road network.

    python benchmarks/pins_on_network.py [--cache DIR] [--seed 0] [--kecamatan NAME ...]

Uses the network and the cards that ``benchmarks/kabupaten_network.py`` left in ``--cache`` (run that
first with the same ``--seed`` and ``--kecamatan``). Each settlement (name and RW) gets one pin at the
true centroid of its households (what a GIS analyst gives through ``--blocks``; see
``benchmarks/registry_vs_oracle.py``), the cards are planned on the network with the library's
defaults (in this process, two workers), and the plan is driven through the true households on the
same network (:func:`ektp_routes.evaluate.replay`). A pin shows how far its settlement's doors lie
from the road, which the registry columns cannot. Last line:
``pins_on_network: days=D expected_h=E realised_h=R over=O over15=P worst_min=W``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kabupaten_network import NET_NAME
from registry_vs_oracle import TRUTH, settlement_pins

from ektp_routes import Gazetteer, read_cards
from ektp_routes.evaluate import replay
from ektp_routes.geocode import GazetteerGeocoder, GeocoderChain
from ektp_routes.network import RoadNetwork
from ektp_routes.pins import PinGeocoder
from ektp_routes.plan import PlanConfig, plan_routes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "ektp-kabupaten-network"))
    ap.add_argument("--nodes", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kecamatan", action="append")
    args = ap.parse_args()
    cache = Path(args.cache)
    tag = f"seed{args.seed}" + (
        "-" + "-".join(k.replace(" ", "") for k in args.kecamatan) if args.kecamatan else ""
    )
    truth_file = cache / f"cards-{tag}-truth.parquet"
    net_dir = cache / NET_NAME.format(n=args.nodes)
    if not truth_file.is_file() or not (net_dir / "network.json").is_file():
        raise SystemExit(
            f"run benchmarks/kabupaten_network.py --cache {cache} first (same seed and kecamatan)"
        )
    gaz = Gazetteer.bekasi()
    net = RoadNetwork.from_prepared(net_dir)
    truth = pd.read_parquet(truth_file)
    chain = GeocoderChain([PinGeocoder(settlement_pins(truth, gaz)), GazetteerGeocoder(gaz)])
    cards = read_cards(truth.drop(columns=[c for c in TRUTH if c in truth.columns]), gazetteer=gaz)
    res = plan_routes(cards, config=PlanConfig(workers=2), gazetteer=gaz, network=net, geocoder=chain)
    r = replay(res, truth, network=net)
    t = r.total
    print(
        f"{len(truth):,} cards (seed {args.seed}), one pin per settlement, planned and replayed on {net_dir.name}"
    )
    print(
        f"pins_on_network: days={t.courier_days} expected_h={t.expected_travel_s / 3600:.1f} "
        f"realised_h={t.realised_travel_s / 3600:.1f} over={t.days_over_shift} "
        f"over15={int((r.routes['over_shift_s'] > 900).sum())} worst_min={t.max_over_shift_s / 60:.0f}"
    )


if __name__ == "__main__":
    main()
