"""Travel-time matrices on the real OSM extracts: ektp_routes vs the obvious osmnx/networkx approach.

    python benchmarks/matrix.py [--sizes 500 2000] [--repeat 3]

Random stops inside each kelurahan boundary. ektp_routes: snap to edges, csgraph Dijkstra per distinct
exit node, time + distance matrices. Baseline, measured in the same run: osmnx nearest nodes, then
``networkx.single_source_dijkstra_path_length`` from every stop (the per-source form of calling
``nx.shortest_path_length`` per pair, which is slower still). For 2,000 stops the baseline is timed on
a random sample of sources and scaled to all sources (printed as such).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def random_points(boundary: shapely.Geometry, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    xs, ys = [], []
    while len(xs) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(boundary, x, y):
            xs.append(x)
            ys.append(y)
    return np.array(xs), np.array(ys)


CHILD = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {bench!r})
from matrix import random_points
import geopandas as gpd
from ektp_routes.network import RoadNetwork
net = RoadNetwork.from_osm_xml({osm!r})
b = gpd.read_file({boundary!r}).geometry.iloc[0]
lon, lat = random_points(b, {n}, 1)
t = time.perf_counter()
m = net.matrix(lon, lat)
sec = time.perf_counter() - t
print(json.dumps({{"seconds": sec, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "unroutable": len(m.unroutable)}}))
"""


def networkx_baseline(
    osm: Path, lon: np.ndarray, lat: np.ndarray, max_sources: int
) -> tuple[float, int, float]:
    import networkx as nx
    import osmnx as ox

    g = ox.graph_from_xml(osm, retain_all=True)
    g = ox.add_edge_speeds(
        g,
        hwy_speeds={
            "residential": 20,
            "tertiary": 25,
            "secondary": 30,
            "primary": 35,
            "trunk": 40,
            "living_street": 12,
        },
        fallback=15,
    )
    g = ox.add_edge_travel_times(g)
    t = time.perf_counter()
    # Nearest graph node per stop (osmnx would need scikit-learn for an unprojected graph).
    from scipy.spatial import cKDTree

    ids = list(g.nodes)
    k = np.cos(np.radians(np.mean(lat)))
    tree = cKDTree(np.c_[[g.nodes[i]["x"] * k for i in ids], [g.nodes[i]["y"] for i in ids]])
    nodes = [ids[j] for j in tree.query(np.c_[lon * k, lat])[1]]
    rng = np.random.default_rng(2)
    src = rng.choice(len(nodes), size=min(max_sources, len(nodes)), replace=False)
    for i in src:
        d = nx.single_source_dijkstra_path_length(g, nodes[i], weight="travel_time")
        _ = [d.get(nodes[j], np.inf) for j in range(len(nodes))]
    per_source = (time.perf_counter() - t) * len(nodes) / len(src)
    # The most obvious form: one shortest-path query per pair, timed on 300 pairs, scaled to n^2 pairs.
    t = time.perf_counter()
    pairs = rng.integers(0, len(nodes), size=(300, 2))
    for i, j in pairs:
        with contextlib.suppress(nx.NetworkXNoPath):
            nx.shortest_path_length(g, nodes[i], nodes[j], weight="travel_time")
    per_pair = (time.perf_counter() - t) / len(pairs) * len(nodes) ** 2
    return per_source, len(src), per_pair


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-sources", type=int, default=300)
    args = ap.parse_args()
    for name in ("jatinegara_cakung", "kelapa_gading"):
        osm = DATA / f"{name}.osm.bz2"
        boundary = DATA / f"{name}_boundary.geojson"
        b = gpd.read_file(boundary).geometry.iloc[0]
        for n in args.sizes:
            code = CHILD.format(bench=str(Path(__file__).parent), osm=str(osm), boundary=str(boundary), n=n)
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            ours = statistics.median(r["seconds"] for r in runs)
            lon, lat = random_points(b, n, 1)
            base, used, per_pair = networkx_baseline(osm, lon, lat, args.baseline_sources)
            scaled = "" if used == n else f" (timed on {used} of {n} sources, scaled)"
            times = ", ".join(f"{r['seconds']:.3f}" for r in runs)
            print(
                f"{name} stops={n}: ektp_routes median_s={ours:.3f} (runs {times}) "
                f"peak_rss_mib={max(r['rss'] for r in runs):.0f} unroutable={runs[0]['unroutable']}; "
                f"networkx per-source Dijkstra_s={base:.1f}{scaled} speedup={base / ours:.0f}x; "
                f"networkx per-pair shortest_path_length_s={per_pair:.0f} (300 pairs timed, scaled to n^2) "
                f"speedup={per_pair / ours:.0f}x"
            )


if __name__ == "__main__":
    main()
