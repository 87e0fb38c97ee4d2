"""Travel-time matrices on road networks of kabupaten size: preparation, matrix time, peak memory.

    python benchmarks/large_network.py [--nodes 150000 300000] [--kinds mosaic grid]
                                       [--cases territory office route] [--engines hierarchy dijkstra]
                                       [--reference] [--agreement] [--cold-jit] [--prepare-pbf]
                                       [--plan-modules]

Networks (built here, saved as prepared networks like ``ektp-routes network build`` writes them):

- ``mosaic``: the two shipped real OSM extracts (Jatinegara, Kelapa Gading; motorbike profile) tiled
  over the bounding box of Kabupaten Bekasi, stretched to fill it, neighbouring tiles joined by
  primary (every third border) and secondary roads: a network with a real road hierarchy.
- ``grid``: a plain two-way grid of residential streets over the same box, the worst case for
  searches (no hierarchy, every direction alike).

Each network is saved as ``network build`` saves it: the graph, then its contraction hierarchy
(time and peak RSS of the contraction, in a fresh process that loads the graph first).

Cases, each in a fresh process (peak RSS of that process, imports and the loaded network included,
and its RSS after each step: Python, the imports, loading the network, the first matrix), for each
matrix engine (``hierarchy``: the network loaded as ``plan --network DIR`` loads it, i.e.
``RoadNetwork.from_file`` with its default options, so matrices come from the stored contraction
hierarchy by the bucket method; ``dijkstra``: scipy's Dijkstra in a certified box around the points):

- ``territory``: 250 stops within 1.5 km of a centre (one territory's matrix);
- ``office``: 2,000 stops within 4 km (one post office's kecamatan);
- ``route``: road geometry of one 60-stop route (nearest-neighbour order through a territory).

``--reference`` also times the whole-graph Dijkstra (one search per stop over every node) for the
territory. ``--agreement`` compares the hierarchy and the box search with the whole-graph reference
on the shipped real extracts (median, 95th percentile and maximum relative difference of travel
times). ``--cold-jit`` times the territory case once with an empty numba cache (the compile cost of
the first call after installing). ``--plan-modules`` runs each matrix case once more in a process
that first imports what a ``plan`` process has imported before its first matrix (the planning
modules with pandas and geopandas): the matrix library alone, and the matrix inside a planner.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EXTRACTS = ("jatinegara_cakung", "kelapa_gading")
#: Bounding box of Kabupaten Bekasi (lon/lat), from the embedded desa polygons.
BOX = (106.969594, -6.485829, 107.296623, -5.918425)
JOIN_KMH = {"primary": 35.0, "secondary": 30.0}


def _projection() -> object:
    from ektp_routes.network import LocalProjection

    return LocalProjection(float((BOX[1] + BOX[3]) / 2))


def _tile_arrays(name: str) -> dict[str, object]:
    """One extract's motorbike graph, in metres around its centre."""
    from ektp_routes.network import LocalProjection, RoadNetwork

    g = RoadNetwork.from_osm_xml(DATA / f"{name}.osm.bz2").graph
    proj = LocalProjection(float(np.mean(g.node_lat)))
    x, y = proj.xy(g.node_lon, g.node_lat)
    cx, cy = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    coords = [np.c_[proj.xy(c[:, 0], c[:, 1])] - (cx, cy) for c in g.edge_coords]
    return {
        "x": x - cx, "y": y - cy, "u": g.edge_u, "v": g.edge_v, "time": g.edge_time, "len": g.edge_len,
        "coords": coords, "w": x.max() - x.min(), "h": y.max() - y.min(),
    }  # fmt: skip


def mosaic(target_nodes: int) -> dict[str, object]:
    """The real extracts tiled over the kabupaten box (see the module docstring)."""
    tiles = [_tile_arrays(n) for n in EXTRACTS]
    proj = _projection()
    x0, y0 = proj.xy(BOX[0], BOX[1])  # type: ignore[attr-defined]
    x1, y1 = proj.xy(BOX[2], BOX[3])  # type: ignore[attr-defined]
    per_tile = np.mean([len(t["x"]) for t in tiles])  # type: ignore[arg-type]
    n_tiles = max(1, round(target_nodes / per_tile))
    aspect = (x1 - x0) / (y1 - y0)
    nx_ = max(1, round(np.sqrt(n_tiles * aspect)))
    ny_ = max(1, round(n_tiles / nx_))
    cell_w, cell_h = (x1 - x0) / nx_, (y1 - y0) / ny_
    xs, ys, us, vs, ts, ls, cs, trees = [], [], [], [], [], [], [], {}
    offset = 0
    for i in range(nx_):
        for j in range(ny_):
            t = tiles[(i + j) % 2]
            s = 0.97 * min(cell_w / t["w"], cell_h / t["h"])  # type: ignore[operator]
            cx, cy = x0 + (i + 0.5) * cell_w, y0 + (j + 0.5) * cell_h
            tx, ty = cx + s * t["x"], cy + s * t["y"]  # type: ignore[operator]
            xs.append(tx), ys.append(ty)
            us.append(t["u"] + offset), vs.append(t["v"] + offset)  # type: ignore[operator]
            ts.append(t["time"] * s), ls.append(t["len"] * s)  # type: ignore[operator]
            cs.extend(c * s + (cx, cy) for c in t["coords"])  # type: ignore[attr-defined]
            trees[(i, j)] = (cKDTree(np.c_[tx, ty]), offset)
            offset += len(tx)
    x, y = np.concatenate(xs), np.concatenate(ys)
    ju, jv, jt, jl = _joins(trees, x, y, (x0, y0, cell_w, cell_h), (nx_, ny_))
    cs.extend(np.c_[x[[a, b]], y[[a, b]]] for a, b in zip(ju, jv, strict=True))
    u, v = np.concatenate([*us, ju]), np.concatenate([*vs, jv])
    return _finish(proj, x, y, u, v, np.concatenate([*ts, jt]), np.concatenate([*ls, jl]), cs)


def _joins(
    trees: dict, x: np.ndarray, y: np.ndarray, grid: tuple, shape: tuple[int, int], per_border: int = 6
) -> tuple[np.ndarray, ...]:
    """Two-way roads between neighbouring tiles, ``per_border`` per shared border."""
    x0, y0, cw, ch = grid
    u, v, t, length = [], [], [], []
    for (i, j), (tree, off) in trees.items():
        for di, dj in ((1, 0), (0, 1)):
            other = trees.get((i + di, j + dj))
            if other is None:
                continue
            kind = "primary" if (i + j) % 3 == 0 else "secondary"
            for k in range(per_border):
                f = (k + 0.5) / per_border
                px = x0 + (i + 1) * cw if di else x0 + (i + f) * cw
                py = y0 + (j + f) * ch if di else y0 + (j + 1) * ch
                a = off + tree.query((px, py))[1]
                b = other[1] + other[0].query((px, py))[1]
                d = max(float(np.hypot(x[a] - x[b], y[a] - y[b])) * 1.05, 10.0)
                for p, q in ((a, b), (b, a)):
                    u.append(p), v.append(q), length.append(d), t.append(d / (JOIN_KMH[kind] / 3.6))
    return np.array(u), np.array(v), np.array(t), np.array(length)


def grid(target_nodes: int) -> dict[str, object]:
    """A plain two-way grid of residential streets (20 km/h) over the kabupaten box."""
    proj = _projection()
    x0, y0 = proj.xy(BOX[0], BOX[1])  # type: ignore[attr-defined]
    x1, y1 = proj.xy(BOX[2], BOX[3])  # type: ignore[attr-defined]
    side = int(np.ceil(np.sqrt(target_nodes)))
    gx, gy = np.meshgrid(np.linspace(x0, x1, side), np.linspace(y0, y1, side), indexing="ij")
    x, y = gx.ravel(), gy.ravel()
    idx = np.arange(side * side).reshape(side, side)
    pairs = [(idx[:-1, :].ravel(), idx[1:, :].ravel()), (idx[:, :-1].ravel(), idx[:, 1:].ravel())]
    u = np.concatenate([p for a, b in pairs for p in (a, b)])
    v = np.concatenate([p for a, b in pairs for p in (b, a)])
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    cs = [np.c_[x[[a, b]], y[[a, b]]] for a, b in zip(u, v, strict=True)]
    return _finish(proj, x, y, u, v, length / (20 / 3.6), length, cs)


def _finish(proj, x, y, u, v, t, length, coords) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Sort the edges by (u, v), keep the fastest per pair, and go back to lon/lat."""
    n = len(x)
    order = np.lexsort((t, v, u))
    key = u[order] * n + v[order]
    keep = order[np.r_[True, key[1:] != key[:-1]]]
    lon, lat = proj.lonlat(x, y)
    coords_ll = [np.c_[proj.lonlat(coords[k][:, 0], coords[k][:, 1])] for k in keep]
    return {"lon": lon, "lat": lat, "u": u[keep], "v": v[keep], "time": t[keep], "len": length[keep],
            "coords": coords_ll}  # fmt: skip


def save(arrays: dict[str, object], out: Path) -> float:
    """Write the network as a prepared network directory; returns the seconds it took."""
    from ektp_routes.network import assemble_graph, get_profile
    from ektp_routes.network.store import save_network

    start = time.perf_counter()
    g = assemble_graph(
        profile=get_profile("motorbike"), node_ids=np.arange(len(arrays["lon"])),  # type: ignore[arg-type]
        node_lon=arrays["lon"], node_lat=arrays["lat"], edge_u=arrays["u"], edge_v=arrays["v"],  # type: ignore[arg-type]
        edge_time=arrays["time"], edge_len=arrays["len"], edge_coords=arrays["coords"],  # type: ignore[arg-type]
    )  # fmt: skip
    save_network(g, out, source={"kind": "benchmark", "nodes": g.n_nodes})
    return time.perf_counter() - start


#: Motorbike speed (km/h) -> an OSM highway class with that speed (for writing the mosaic as OSM data).
_CLASS_OF_KMH = {40: "trunk", 35: "primary", 30: "secondary", 25: "tertiary", 20: "residential",
                 12: "service", 10: "track", 8: "path", 6: "footway"}  # fmt: skip


def write_pbf(arrays: dict[str, object], path: Path) -> None:
    """Write a network's arrays as OpenStreetMap data: one way per road segment (both directions
    unless one-way), its geometry vertices as nodes, the highway class from its speed."""
    import osmium

    lon, lat, u, v = arrays["lon"], arrays["lat"], arrays["u"], arrays["v"]  # type: ignore[assignment]
    n = len(lon)  # type: ignore[arg-type]
    key = u * n + v  # type: ignore[operator]
    rev = np.isin(v * n + u, key)  # type: ignore[operator]
    next_id = n + 1
    with osmium.SimpleWriter(str(path), overwrite=True) as out:
        for i in range(n):
            out.add_node(osmium.osm.mutable.Node(id=i + 1, location=(float(lon[i]), float(lat[i]))))  # type: ignore[index]
        ways = []
        for e in np.flatnonzero(~rev | (u < v)):  # type: ignore[operator]
            inner = arrays["coords"][e][1:-1]  # type: ignore[index]
            ids = []
            for x, y in inner:
                out.add_node(osmium.osm.mutable.Node(id=next_id, location=(float(x), float(y))))
                ids.append(next_id)
                next_id += 1
            kmh = round(float(arrays["len"][e] / arrays["time"][e] * 3.6))  # type: ignore[index]
            tags = {"highway": _CLASS_OF_KMH.get(kmh, "residential")}
            if kmh not in _CLASS_OF_KMH:
                tags["maxspeed"] = str(kmh)
            if not rev[e]:
                tags["oneway"] = "yes"
            ways.append((int(u[e]) + 1, ids, int(v[e]) + 1, tags))  # type: ignore[index]
        for k, (a, ids, b, tags) in enumerate(ways):
            out.add_way(osmium.osm.mutable.Way(id=k + 1, nodes=[a, *ids, b], tags=tags))


#: Peak RSS of the child process itself: VmHWM is reset by exec, whereas ru_maxrss keeps the parent's
#: RSS at fork (a parent that built a 300k-node network in memory would show as every child's peak).
PEAK = """
def peak_mib():
    try:
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

PREP = (
    PEAK
    + """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from ektp_routes.cli import main
t0 = time.perf_counter()
rc = main(["network", "build", "--pbf", {pbf!r}, "--out", {out!r}, "--margin-m", "2000"])
print(json.dumps({{"rc": rc, "seconds": time.perf_counter() - t0,
                   "peak_rss_mib": peak_mib()}}))
"""
)


def prepare_from_pbf(kind: str, n: int, cache: Path) -> None:
    """Time ``ektp-routes network build --pbf`` on the network written as an .osm.pbf (fresh process)."""
    arrays = (mosaic if kind == "mosaic" else grid)(n)
    pbf = cache / f"{kind}-{n}.osm.pbf"
    t0 = time.perf_counter()
    write_pbf(arrays, pbf)
    print(
        f"{kind} {n:,}: written as {pbf.name} ({pbf.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s"
    )
    code = PREP.format(root=str(ROOT), pbf=str(pbf), out=str(cache / f"{kind}-{n}-from-pbf"))
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    r = json.loads(res.stdout.strip().splitlines()[-1])
    print(
        f"{kind} {n:,}: network build --pbf (clip to the kabupaten + 2 km, osmnx graph, save) "
        f"{r['seconds']:.1f} s, peak {r['peak_rss_mib']:.0f} MiB; {res.stdout.strip().splitlines()[0]}"
    )


#: RSS of the process now (MiB).
RSS = """
def rss_mib():
    with open("/proc/self/status") as f:
        return next(int(x.split()[1]) for x in f if x.startswith("VmRSS:")) / 1024
"""

CHILD = (
    PEAK
    + RSS
    + """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {root!r})
steps = {{"python_mib": rss_mib()}}
if {plan_modules!r}:  # what a `plan` process has imported before its first matrix (pandas, geopandas, ...)
    import ektp_routes.plan, ektp_routes.cli
from ektp_routes.network import RoadNetwork
steps["imports_mib"] = rss_mib()
t0 = time.perf_counter()
# As `plan --network DIR` loads it (RoadNetwork.from_file, default options) unless the engine is chosen.
options = {{}} if {engine!r} == "auto" else {{"search_margin_m": {margin!r}, "matrix_engine": {engine!r}}}
net = RoadNetwork.from_file({net!r}, **options)
load_s = time.perf_counter() - t0
steps["loaded_mib"] = rss_mib()
rng = np.random.default_rng({seed})
lon_all, lat_all = net.graph.node_lon, net.graph.node_lat
mid = np.argsort(np.hypot(lon_all - lon_all.mean(), lat_all - lat_all.mean()))[rng.integers(0, 2000)]
d = np.hypot((lon_all - lon_all[mid]) * 110_500, (lat_all - lat_all[mid]) * 110_600)
near = np.flatnonzero(d < {radius_m})
pick = rng.choice(near, {n}, replace=len(near) < {n})
lon = lon_all[pick] + rng.normal(0, 0.0002, {n})
lat = lat_all[pick] + rng.normal(0, 0.0002, {n})
t0, c0 = time.perf_counter(), time.process_time()
if {case!r} == "route":
    order, left = [0], set(range(1, {n}))
    while left:
        last = order[-1]
        nxt = min(left, key=lambda k: (lon[k] - lon[last]) ** 2 + (lat[k] - lat[last]) ** 2)
        order.append(nxt); left.remove(nxt)
    t0, c0 = time.perf_counter(), time.process_time()
    legs = net.path_geometry(lon[order].tolist(), lat[order].tolist())
    extra = {{"legs": len(legs)}}
else:
    m = net.matrix(lon, lat)
    ok = np.isfinite(m.time_s)
    extra = {{"unroutable": len(m.unroutable), "median_time_s": float(np.median(m.time_s[ok])),
              "sum_time_s": float(m.time_s[ok].sum())}}
sec, cpu = time.perf_counter() - t0, time.process_time() - c0
steps["first_matrix_mib"] = rss_mib()
if {case!r} != "route":  # the same matrix again: without the first call's loading of compiled code
    t1, c1 = time.perf_counter(), time.process_time()
    net.matrix(lon, lat)
    extra.update(again_s=time.perf_counter() - t1, again_cpu_s=time.process_time() - c1)
print(json.dumps({{"load_s": load_s, "seconds": sec, "cpu_s": cpu, "nodes": net.n_nodes,
                   "peak_rss_mib": peak_mib(), "steps": steps, "hierarchy": net.hierarchy is not None, **extra}}))
"""
)

CASES = {"territory": (250, 1_500), "office": (2_000, 4_000), "route": (60, 1_500)}


def _steps(r: dict[str, Any]) -> str:
    """Where the peak goes: RSS after starting Python, the imports, loading the network, the first matrix."""
    st = r.get("steps", {})
    return " -> ".join(f"{k.removesuffix('_mib')} {v:.0f}" for k, v in st.items()) + " MiB" if st else ""


def _again(r: dict[str, float]) -> str:
    if "again_s" not in r:
        return ""
    return f"again {r['again_s']:5.2f} s (cpu {r['again_cpu_s']:5.2f} s)  "


def run_case(
    net: Path, case: str, *, margin: float | str | None, engine: str = "auto", seed: int = 1,
    env: dict[str, str] | None = None, plan_modules: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """One case in a fresh process; ``engine="auto"`` loads the network as ``plan --network DIR`` does."""
    n, radius = CASES[case]
    code = CHILD.format(root=str(ROOT), net=str(net), margin=margin, seed=seed, radius_m=radius, n=n, case=case,
                        engine=engine, plan_modules=plan_modules)  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


CONTRACT = (
    PEAK
    + """
import json, logging, resource, sys, time
sys.path.insert(0, {root!r})
from ektp_routes.network.contraction import ContractionGaveUp, contract_graph
from ektp_routes.network.store import load_network, save_network
said = []
log = logging.getLogger("ektp_routes.network.contraction")
log.setLevel(logging.INFO)
log.addHandler(type("Keep", (logging.Handler,), {{"emit": lambda self, r: said.append(r.getMessage())}})())
stored = load_network({net!r})
t0, c0 = time.perf_counter(), time.process_time()
try:
    h, gave_up = contract_graph(stored.graph), None
except ContractionGaveUp as exc:
    h, gave_up = None, str(exc)
sec, cpu = time.perf_counter() - t0, time.process_time() - c0
save_network(stored.graph, {net!r}, max_snap_m=stored.max_snap_m, source=stored.manifest["source"], hierarchy=h,
             contraction_gave_up=gave_up)
print(json.dumps({{"seconds": sec, "cpu_s": cpu, "upward_edges": h.n_edges if h else 0, "edges": stored.graph.n_edges,
                   "peak_rss_mib": peak_mib(), "gave_up": gave_up, "log": said}}))
"""
)


def prepare_hierarchy(net: Path, label: str) -> None:
    """Contract the saved graph and store the hierarchy next to it (fresh process, peak RSS)."""
    code = CONTRACT.format(root=str(ROOT), net=str(net))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if r["gave_up"]:
        print(f"{label}: NO contraction hierarchy, {r['seconds']:.1f} s (cpu {r['cpu_s']:.1f} s), peak "
              f"{r['peak_rss_mib']:.0f} MiB: {r['gave_up']}")  # fmt: skip
        return
    print(f"{label}: contraction hierarchy {r['seconds']:.1f} s (cpu {r['cpu_s']:.1f} s), peak {r['peak_rss_mib']:.0f} MiB; "
          f"{r['edges']:,} edges -> {r['upward_edges']:,} upward edges and shortcuts; {'; '.join(r['log'])}")  # fmt: skip


def agreement(n_territories: int = 10, per: int = 100, margin: float = 300.0) -> None:
    """The hierarchy and the box search vs the whole-graph reference on the shipped real extracts."""
    from ektp_routes.network import RoadNetwork

    for name in EXTRACTS:
        ref = RoadNetwork.from_osm_xml(DATA / f"{name}.osm.bz2", max_snap_m=300.0)
        ref = RoadNetwork.from_road_graph(ref.graph, search_margin_m=None, matrix_engine="dijkstra")
        t0 = time.perf_counter()
        ch = RoadNetwork.from_road_graph(ref.graph, matrix_engine="hierarchy")
        print(f"agreement {name}: {ref.n_nodes:,} nodes contracted in {time.perf_counter() - t0:.2f} s")
        local = RoadNetwork.from_road_graph(ref.graph, search_margin_m=margin, matrix_engine="dijkstra")
        for label, other in (("hierarchy", ch), (f"box search (margin {margin:.0f} m)", local)):
            _agree(name, label, ref, other, n_territories, per)


def _agree(name: str, label: str, ref: object, other: object, n_territories: int, per: int) -> None:
    """Median, p95 and max relative difference of travel times over random territories."""
    import geopandas as gpd
    import shapely

    b = gpd.read_file(DATA / f"{name}_boundary.geojson").geometry.iloc[0]
    rng = np.random.default_rng(7)
    rel, len_rel, t_ref, t_loc = [], [], 0.0, 0.0
    for _ in range(n_territories):
        c = shapely.Point(rng.uniform(b.bounds[0], b.bounds[2]), rng.uniform(b.bounds[1], b.bounds[3]))
        disc = c.buffer(0.008).intersection(b)  # about 900 m
        if disc.is_empty:
            continue
        pts = shapely.points(rng.uniform(disc.bounds[0], disc.bounds[2], per * 8),
                             rng.uniform(disc.bounds[1], disc.bounds[3], per * 8))  # fmt: skip
        pts = pts[shapely.contains(disc, pts)][:per]
        lon, lat = shapely.get_x(pts), shapely.get_y(pts)
        t0 = time.perf_counter()
        a = ref.matrix(lon, lat)  # type: ignore[attr-defined]
        t1 = time.perf_counter()
        z = other.matrix(lon, lat)  # type: ignore[attr-defined]
        t_loc += time.perf_counter() - t1
        t_ref += t1 - t0
        ok = np.isfinite(a.time_s) & (a.time_s > 0)
        assert np.array_equal(np.isfinite(a.time_s), np.isfinite(z.time_s)), "reachability differs"
        rel.append(np.abs(z.time_s[ok] - a.time_s[ok]) / a.time_s[ok])
        len_rel.append(np.abs(z.dist_m[ok] - a.dist_m[ok]) / np.maximum(a.dist_m[ok], 1e-9))
    r, lr = np.concatenate(rel), np.concatenate(len_rel)
    print(f"agreement {name}, {label}: {len(r):,} pairs in {n_territories} territories of {per} stops: "
          f"times median {np.median(r):.3%}, p95 {np.quantile(r, 0.95):.3%}, max {r.max():.3%}; "
          f"lengths differ (ties between equally fast paths) on {np.mean(lr > 1e-9):.2%} of pairs; "
          f"time reference {t_ref:.2f} s, {label} {t_loc:.2f} s")  # fmt: skip


def _line(kind: str, label: str, r: dict[str, Any], what: str = "matrix") -> str:
    return (f"{kind:6s} {r['nodes']:>8,} nodes  {label} load {r['load_s']:5.1f} s  {what} {r['seconds']:6.2f} s "
            f"(cpu {r['cpu_s']:5.2f} s)  peak {r['peak_rss_mib']:6.0f} MiB  {_again(r)}"
            f"{json.dumps({k: v for k, v in r.items() if k in ('unroutable', 'legs', 'sum_time_s')})}\n"
            f"{'':17s}RSS after: {_steps(r)}")  # fmt: skip


def run_cases(out: Path, kind: str, args: argparse.Namespace) -> None:
    """The cases on one saved network, each in a fresh process. ``hierarchy`` loads the network as
    ``plan --network DIR`` does (``RoadNetwork.from_file``, default options: its stored hierarchy)."""
    if args.cold_jit:
        with tempfile.TemporaryDirectory() as cold:
            r = run_case(out, "territory", margin=args.margin, env={**os.environ, "NUMBA_CACHE_DIR": cold})
        print(_line(kind, "territory EMPTY numba cache (compile + first call)", r))
    for case in args.cases:
        for engine in args.engines if case != "route" else ["auto"]:
            auto = engine in ("hierarchy", "auto")
            r = run_case(out, case, margin=args.margin, engine="auto" if auto else engine)
            used = "" if engine != "hierarchy" or r["hierarchy"] else " (none stored: Dijkstra)"
            print(_line(kind, f"{case:9s} {engine:9s}{used}", r, "paths" if case == "route" else "matrix"))
            if args.plan_modules and case != "route":
                r = run_case(
                    out, case, margin=args.margin, engine="auto" if auto else engine, plan_modules=True
                )
                print(_line(kind, f"{case:9s} {engine:9s} with plan's modules imported", r))
    if args.reference and "territory" in args.cases:
        r = run_case(out, "territory", margin=None, engine="dijkstra")
        print(_line(kind, "territory REFERENCE (whole graph)", r))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, nargs="+", default=[150_000, 300_000])
    p.add_argument("--kinds", nargs="+", default=["mosaic", "grid"], choices=["mosaic", "grid"])
    p.add_argument("--cases", nargs="+", default=["territory", "office", "route"], choices=list(CASES))
    p.add_argument("--engines", nargs="+", default=["hierarchy"], choices=["hierarchy", "dijkstra"])
    p.add_argument("--cold-jit", action="store_true", help="time the first call with an empty numba cache")
    p.add_argument("--reference", action="store_true", help="also time the whole-graph reference (territory)")
    p.add_argument(
        "--agreement", action="store_true", help="agreement with the reference on the real extracts"
    )
    p.add_argument("--margin", type=float, default=2_000.0, help="first search margin in metres")
    p.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "ektp-large-network"))
    p.add_argument("--prepare-pbf", action="store_true", help="time `network build --pbf` on each network")
    p.add_argument(
        "--plan-modules",
        action="store_true",
        help="also run each matrix with the modules a `plan` process has imported (pandas, geopandas, ...)",
    )
    args = p.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start "
        "(wall times grow with the load; cpu = this process's CPU seconds)"
    )
    if args.agreement:
        agreement()
    for kind in args.kinds:
        for n in args.nodes:
            out = Path(args.cache) / f"{kind}-{n}"
            if not (out / "network.json").is_file():
                t0 = time.perf_counter()
                arrays = (mosaic if kind == "mosaic" else grid)(n)
                build_s = time.perf_counter() - t0
                save_s = save(arrays, out)
                del arrays
                print(f"{kind} {n:,}: built in {build_s:.1f} s, saved in {save_s:.1f} s -> {out}")
            if (
                not (out / "hierarchy.npz").is_file()
                and "contraction_gave_up" not in (out / "network.json").read_text()
            ):
                prepare_hierarchy(out, f"{kind} {n:,}")
            if args.prepare_pbf:
                prepare_from_pbf(kind, n, Path(args.cache))
            run_cases(out, kind, args)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
