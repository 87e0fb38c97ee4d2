"""Stops lost to fragmented road extracts, before and after snapping onto the main network (issue 13).

    python benchmarks/snapping.py [--stops 2000] [--repeat 3] [--seed 0] [--clip 0.6 ...]

For each shipped real extract (tests/data: Jatinegara/Cakung and Kelapa Gading, both clipped from
OpenStreetMap at their kelurahan boundary plus a margin): one office at the boundary's representative
point and ``--stops`` random points inside the boundary. Two rules on the same graph, in one run:

- before: each point on its nearest road, whatever piece of network it belongs to; a point with no
  road within 300 m is unroutable (``connectivity="any", strict=True``, the rule before issue 13);
- after: each point on the nearest road connected with the main network (largest strongly connected
  component); no such road within 300 m -> straight-line legs flagged off_network (the default).

Printed per extract and rule: stops unroutable from the office (no path there and back, or too far
from a road), pairs of points with no path, stops moved off a fragment, stops off the network, and
the matrix time (median of ``--repeat`` runs, snapping included; graph loading excluded).

``--clip F``: also each extract clipped to the middle F of its boundary's box (the way extract tools
clip: roads end at the box, loose pieces appear; the helper the tests use), with the stops inside it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ektp_routes.network import RoadNetwork

TESTS = Path(__file__).resolve().parents[1] / "tests"
DATA = TESTS / "data"
RULES = {"before": {"connectivity": "any", "strict": True}, "after": {}}


def random_points(boundary: shapely.Geometry, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        ok = shapely.contains_xy(boundary, x, y)
        lon, lat = np.r_[lon, x[ok]], np.r_[lat, y[ok]]
    return lon[:n], lat[:n]


def measure(net: RoadNetwork, lon: np.ndarray, lat: np.ndarray, repeat: int) -> str:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        m = net.matrix(lon, lat)
        times.append(time.perf_counter() - t0)
    stops = len(lon) - 1
    lost = len([i for i in m.unreachable_from(0) if i != 0])
    no_path = ~np.isfinite(m.time_s)
    moved = m.snap_moved[1:]
    snap_moved = f"{np.median(m.snap_m[1:][moved]):.0f} m" if moved.any() else "-"
    return (
        f"unroutable stops {lost}/{stops} ({100 * lost / stops:.1f}%), "
        f"pairs without path {100 * no_path.mean():.1f}%, "
        f"moved off a fragment {moved.sum()} (median snap {snap_moved}), "
        f"off_network {m.off_network[1:].sum()}, "
        f"median snap {np.median(m.snap_m[1:]):.0f} m, "
        f"matrix {statistics.median(times):.2f} s (median of {repeat})"
    )


def cases(name: str, clips: list[float], tmp: Path) -> list[tuple[str, Path, shapely.Geometry]]:
    """(label, OSM file, area for the stops) for the shipped extract and each clipped version."""
    sys.path.insert(0, str(TESTS))
    from network_helpers import clip_osm

    boundary = gpd.read_file(DATA / f"{name}_boundary.geojson").geometry.iloc[0]
    out = [(name, DATA / f"{name}.osm.bz2", boundary)]
    minx, miny, maxx, maxy = boundary.bounds
    for f in clips:
        cx, cy, hw, hh = (minx + maxx) / 2, (miny + maxy) / 2, (maxx - minx) * f / 2, (maxy - miny) * f / 2
        box = (cx - hw, cy - hh, cx + hw, cy + hh)
        path = clip_osm(DATA / f"{name}.osm.bz2", tmp / f"{name}-{f}.osm", box)
        out.append((f"{name} clipped to {f:.0%}", path, boundary.intersection(shapely.box(*box))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stops", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clip", type=float, nargs="*", default=[])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("jatinegara_cakung", "kelapa_gading"):
            for label, path, area in cases(name, args.clip, Path(tmp)):
                office = area.representative_point()
                lon, lat = random_points(area, args.stops, args.seed)
                lon, lat = np.r_[office.x, lon], np.r_[office.y, lat]
                graph = RoadNetwork.from_osm_xml(path).graph
                print(
                    f"{label}: {graph.n_nodes} nodes, main network {graph.main_component().sum()} nodes, "
                    f"{args.stops} stops"
                )
                for rule, options in RULES.items():
                    net = RoadNetwork.from_road_graph(graph, **options)  # type: ignore[arg-type]
                    print(f"  {rule:6s}: {measure(net, lon, lat, args.repeat)}")


if __name__ == "__main__":
    main()
