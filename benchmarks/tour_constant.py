"""Calibrate the door-to-door walk of :mod:`ektp_routes.estimate` on the real OSM extracts.

    python benchmarks/tour_constant.py [--windows 60] [--n 40]

A courier inside a settlement goes to the nearest door not yet visited. For random square windows
(side 300-800 m) of each real extract, ``n`` random nodes of the motorbike network stand for doors; the
nearest-next tour through them is measured on the roads and in straight lines, and divided by
sqrt(n A) (A = the window's area). Prints the median and IQR of k (straight), k x circuity (roads)
and the circuity at this short range; :class:`~ektp_routes.estimate.TravelModel` uses
``tour_k x circuity`` as the metres per door step per metre of household spacing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from ektp_routes.estimate import TravelModel
from ektp_routes.network import RoadNetwork, haversine_m

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def nearest_next(d: np.ndarray) -> float:
    """Length of the nearest-next open tour from node 0 over the matrix ``d``."""
    rest = list(range(1, len(d)))
    pos, total = 0, 0.0
    while rest:
        k = int(np.argmin(d[pos, rest]))
        total += float(d[pos, rest[k]])
        pos = rest.pop(k)
    return total


def windows(name: str, n_windows: int, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    net = RoadNetwork.from_osm_xml(DATA / f"{name}.osm.bz2").graph
    g = csr_matrix((net.edge_len, (net.edge_u, net.edge_v)), shape=(net.n_nodes, net.n_nodes))
    _, labels = connected_components(g, directed=True, connection="strong")
    big = np.flatnonzero(labels == np.bincount(labels).argmax())
    kx = 111_195.0 * np.cos(np.radians(float(np.mean(net.node_lat))))
    x, y = net.node_lon[big] * kx, net.node_lat[big] * 111_195.0
    out = []
    while len(out) < n_windows:
        side = rng.uniform(300.0, 800.0)
        c = rng.integers(len(big))
        inside = np.flatnonzero((np.abs(x - x[c]) <= side / 2) & (np.abs(y - y[c]) <= side / 2))
        if len(inside) < 3 * n:
            continue
        pick = big[rng.choice(inside, n, replace=False)]
        road = dijkstra(g, directed=True, indices=pick)[:, pick]
        if not np.isfinite(road).all():
            continue
        lon, lat = net.node_lon[pick], net.node_lat[pick]
        straight = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
        scale = np.sqrt(n * side * side)
        out.append((nearest_next(straight) / scale, nearest_next(road) / scale))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", type=int, default=60)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []
    for name in ("jatinegara_cakung", "kelapa_gading"):
        got = np.array(windows(name, args.windows, args.n, rng))
        rows.append(got)
        report(name, got)
    report("both", np.concatenate(rows))
    m = TravelModel()
    print(f"model: tour_k={m.tour_k} circuity={m.circuity} -> tour_k x circuity={m.tour_k * m.circuity:.2f}")


def report(name: str, got: np.ndarray) -> None:
    ks, kr = got[:, 0], got[:, 1]
    q = lambda v: np.percentile(v, [25, 50, 75])  # noqa: E731
    print(
        f"{name}: windows={len(got)} k_straight median={q(ks)[1]:.2f} (IQR {q(ks)[0]:.2f}-{q(ks)[2]:.2f}); "
        f"k_road median={q(kr)[1]:.2f} (IQR {q(kr)[0]:.2f}-{q(kr)[2]:.2f}); "
        f"circuity median={np.median(kr / ks):.2f}"
    )


if __name__ == "__main__":
    main()
