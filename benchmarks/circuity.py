"""Measure the circuity factor (road distance / straight distance) on the real OSM extracts.

    python benchmarks/circuity.py [--pairs 2000]

For each extract: random pairs of graph nodes at least 200 m apart in the largest strongly connected
component of the motorbike network; road distance is the shortest path by length (one-way respected).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from ektp_routes.network import RoadNetwork, haversine_m

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    all_ratios = []
    for name in ("jatinegara_cakung", "kelapa_gading"):
        net = RoadNetwork.from_osm_xml(DATA / f"{name}.osm.bz2").graph
        n = net.n_nodes
        g = csr_matrix((net.edge_len, (net.edge_u, net.edge_v)), shape=(n, n))
        _, labels = connected_components(g, directed=True, connection="strong")
        big = np.flatnonzero(labels == np.bincount(labels).argmax())
        rng = np.random.default_rng(args.seed)
        src = rng.choice(big, size=min(200, len(big)), replace=False)
        dist = dijkstra(g, directed=True, indices=src)
        ratios = []
        while len(ratios) < args.pairs:
            i = rng.integers(len(src))
            j = big[rng.integers(len(big))]
            a = src[i]
            straight = float(haversine_m(net.node_lon[a], net.node_lat[a], net.node_lon[j], net.node_lat[j]))
            if straight < 200 or not np.isfinite(dist[i, j]):
                continue
            ratios.append(dist[i, j] / straight)
        r = np.array(ratios)
        all_ratios.append(r)
        q = np.percentile(r, [10, 25, 50, 75, 90])
        print(
            f"{name}: nodes={n} scc={len(big)} pairs={len(r)} median={q[2]:.3f} "
            f"IQR={q[1]:.3f}-{q[3]:.3f} p10={q[0]:.3f} p90={q[4]:.3f} mean={r.mean():.3f}"
        )
    r = np.concatenate(all_ratios)
    print(
        f"both: pairs={len(r)} median={np.median(r):.3f} IQR={np.percentile(r, 25):.3f}-{np.percentile(r, 75):.3f}"
    )


if __name__ == "__main__":
    main()
