"""Golden outputs: prove a refactor did not change what the library plans.

    python scripts/golden.py write DIR      # run the two golden cases, write their outputs under DIR
    python scripts/golden.py compare A B    # compare two such directories; exit 1 on any difference

Case ``demo``: ``ektp-routes demo`` on one small kecamatan with a fixed seed (deterministic solver).
Case ``jatinegara``: a plan on the real Jatinegara OSM extract (tests/data), synthetic cards placed at
random points inside its boundary, one office at its centre. The geocoder trusts the card points, so
the case exercises stops -> network -> solve -> report -> export on real streets.

Compared: assignments.csv, summary.csv and the properties of every route feature in routes.geojson.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TABLES = ("assignments.csv", "summary.csv")


def _demo(out: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "ektp_routes.cli",
        "demo",
        "--kecamatan",
        "Bojongmangu",
        "--out",
        str(out),
        "--time-limit",
        "3",
        "--workers",
        "1",
        "--seed",
        "0",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT)


def _jatinegara(out: Path) -> None:
    import geopandas as gpd
    import numpy as np
    import shapely

    from ektp_routes import synthetic_cards
    from ektp_routes.export import write_plan
    from ektp_routes.geocode import GeocodeResult
    from ektp_routes.network import RoadNetwork
    from ektp_routes.plan import PlanConfig, plan_file
    from ektp_routes.solve import Fleet

    try:
        from ektp_routes.offices import PostOffice
    except ImportError:  # before the renovation
        from ektp_routes.plan import PostOffice  # type: ignore[attr-defined,no-redef]

    class TrustPoints:
        name = "golden"

        def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
            return [
                GeocodeResult(float(x), float(y), "input", str(k), 1.0, self.name)
                for x, y, k in zip(cards["lon"], cards["lat"], cards["desa_kode"], strict=True)
            ]

    # Issue 13 changed the default snapping (onto the main network; stops off it on straight legs). The
    # golden case keeps the rules its "before" outputs were written with, so the renovation proof holds.
    import ektp_routes.network as network

    legacy = {"connectivity": "any", "strict": True} if hasattr(network, "NetworkOptions") else {}
    net = RoadNetwork.from_osm_xml(DATA / "jatinegara_cakung.osm.bz2", profile="motorbike", **legacy)
    area = gpd.read_file(DATA / "jatinegara_cakung_boundary.geojson").geometry.iloc[0]
    cards = synthetic_cards(191_000, seed=5, kecamatan=["Bojongmangu"]).head(400).copy()
    rng = np.random.default_rng(5)
    minx, miny, maxx, maxy = area.bounds
    pts = [
        p
        for p in shapely.points(rng.uniform(minx, maxx, 4000), rng.uniform(miny, maxy, 4000))
        if area.contains(p)
    ][: len(cards)]
    cards["lon"] = [p.x for p in pts]
    cards["lat"] = [p.y for p in pts]
    cards = cards.drop(columns=[c for c in cards.columns if c.startswith("true_") or c == "defect"])
    c = area.representative_point()
    office = PostOffice(
        office_id="JTN", name="Golden office", lon=c.x, lat=c.y, fleet=Fleet(couriers=3, days=5)
    )
    res = plan_file(
        cards,
        config=PlanConfig(workers=1).with_options(time_limit_s=3, couriers=3, days=5),
        offices=[office],
        network=net,
        geocoder=TrustPoints(),
    )
    write_plan(res, out)


def write(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)  # plan --out refuses a missing parent directory
    _demo(root / "demo")
    _jatinegara(root / "jatinegara")


def _route_props(path: Path) -> pd.DataFrame:
    feats = json.loads(path.read_text())["features"]
    return pd.DataFrame([f["properties"] for f in feats])


def compare(a: Path, b: Path) -> int:
    bad = 0
    for case in ("demo", "jatinegara"):
        for name in TABLES:
            x, y = pd.read_csv(a / case / name, dtype=str), pd.read_csv(b / case / name, dtype=str)
            common = [col for col in x.columns if col in y.columns]
            extra = sorted(set(x.columns) ^ set(y.columns))
            same = x[common].equals(y[common])
            print(
                f"{case}/{name}: {'identical' if same else 'DIFFERENT'} on {len(common)} columns"
                + (f"; columns only on one side: {extra}" if extra else "")
            )
            bad += not same
        x, y = _route_props(a / case / "routes.geojson"), _route_props(b / case / "routes.geojson")
        common = [col for col in x.columns if col in y.columns]
        same = x[common].astype(str).equals(y[common].astype(str))
        print(
            f"{case}/routes.geojson: {'identical' if same else 'DIFFERENT'} ({len(x)} routes, "
            f"{len(common)} common properties)"
        )
        bad += not same
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
