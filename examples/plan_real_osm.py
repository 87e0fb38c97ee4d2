"""Plan deliveries on real streets: a real OpenStreetMap extract of Jatinegara (Cakung, East Jakarta).

    python examples/plan_real_osm.py [OUTDIR]

No OSM extract of Kabupaten Bekasi is available here, so this example uses the neighbouring Jakarta
kelurahan: synthetic cards are placed at random points inside its boundary, one post office is put at
its centre (a placeholder), and routes follow the real streets. Data © OpenStreetMap contributors (ODbL).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ektp_routes.network import RoadNetwork
from ektp_routes.solve import DenseMatrices, Fleet, RoutingProblem, SolveParams, check_plan, solve

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main(out: Path) -> None:
    net = RoadNetwork.from_osm_xml(DATA / "jatinegara_cakung.osm.bz2", profile="motorbike")
    area = gpd.read_file(DATA / "jatinegara_cakung_boundary.geojson").geometry.iloc[0]
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = area.bounds
    pts = [
        p
        for p in shapely.points(rng.uniform(minx, maxx, 900), rng.uniform(miny, maxy, 900))
        if area.contains(p)
    ][:300]
    depot = area.representative_point()
    lon = np.r_[depot.x, [p.x for p in pts]]
    lat = np.r_[depot.y, [p.y for p in pts]]
    m = net.matrix(lon, lat)
    print(
        f"{len(pts)} stops; median snap distance {np.median(m.snap_m[1:]):.0f} m; "
        f"unroutable {len(m.unreachable_from(0))}"
    )
    cards = np.r_[0, rng.choice([1, 2, 3], len(pts))]
    problem = RoutingProblem(
        DenseMatrices(m.time_s, m.dist_m),
        cards,
        Fleet(couriers=3, capacity=120, shift_s=6 * 3600),
        lon=lon,
        lat=lat,
    )
    plan = solve(problem, SolveParams(time_limit_s=10, deterministic=True))
    assert check_plan(problem, plan) == []
    out.mkdir(parents=True, exist_ok=True)
    features = []
    for r in plan.routes:
        path = [0, *r.stops, 0]
        legs = net.path_geometry(lon[path].tolist(), lat[path].tolist())
        line = shapely.line_merge(shapely.union_all(legs))
        features.append(
            {
                "courier": r.courier + 1,
                "stops": len(r.stops),
                "km": round(r.distance_m / 1000, 2),
                "hours": round(r.duration_s / 3600, 2),
                "geometry": line,
            }
        )
        print(
            f"courier {r.courier + 1}: {len(r.stops)} stops, {r.cards} cards, "
            f"{r.distance_m / 1000:.1f} km, {r.duration_s / 3600:.1f} h"
        )
    gpd.GeoDataFrame(features, crs="EPSG:4326").to_file(out / "routes_jatinegara.geojson", driver="GeoJSON")
    reasons = Counter(str(reason) for reason in plan.unserved.values())
    left = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items())) or "none"
    print(f"stops left out, by reason: {left}")  # three couriers for one day: their bags bind
    print(f"routes written to {out / 'routes_jatinegara.geojson'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/example_osm"))
