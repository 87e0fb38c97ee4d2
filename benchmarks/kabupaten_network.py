"""The whole kabupaten (191,000 cards, 23 offices) planned on a kabupaten-size road network.

    python benchmarks/kabupaten_network.py [--cache DIR] [--nodes 300000] [--seed 0]
                                           [--kecamatan NAME ...] [--skip-straight]

PLACEHOLDER NETWORK. No road data of Kabupaten Bekasi exists on this machine, so the road network is
made here from the two real OpenStreetMap extracts shipped for the tests (Jatinegara/Cakung and
Kelapa Gading, both in Jakarta; (c) OpenStreetMap contributors, ODbL): the largest rectangle of each
extract that has roads throughout is cut out; copies of the two, each scaled to one row height
(never stretched), are laid in rows over the box of the Kabupaten Bekasi outline and kept where they
touch the outline; every road cut at a tile's side goes on to the nearest node of the tile across
(at its own speed), plus three primary/secondary joins per shared side. The row height is chosen
for about ``--nodes`` nodes in the built network (300,000: the tiles come out at about the extracts'
own scale). Every desa has roads: the benchmark prints the share of each desa's sample points and
of the true households that lie within the snap limit (300 m) of a road. The streets are Jakarta's,
not Bekasi's. The network is written as an ``.osm.pbf`` whose name says so and prepared with ``ektp-routes network build --pbf``
(clipped to the outline + 2 km, as a real extract would be); everything is cached under ``--cache``.

Then (each plan is ``python -m ektp_routes.cli plan`` with the defaults, in a subprocess):

1. ``demo-cards --with-truth`` writes the synthetic cards; the plan gets the registry columns only
   (``true_lon``/``true_lat`` dropped), the truth is kept for :func:`ektp_routes.evaluate.replay`;
2. ``plan --network DIR``: wall time, CPU seconds of the whole process tree (the plan process and
   every worker it waited for, from ``getrusage(RUSAGE_CHILDREN)``) and its peak memory, sampled
   every 0.5 s with psutil over the whole tree: the summed PSS (each shared page split between the
   processes that map it: the honest total) and the summed RSS (shared pages counted once per process);
3. ``plan`` on the straight-line model (the default), measured the same way;
4. both plans replayed on the truth with the same road network (and the straight-line plan also on
   straight lines, the model it was planned with).

Every figure is registry-path (planned from the registry columns, judged on the synthetic truth);
no oracle plan is made. Last line:
``network_plan: wall_s=W cpu_s=C peak_gb=G days=D days_ratio=R replay_travel_ratio=T`` with the
ratios against the straight-line plan replayed on the same network.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from large_network import JOIN_KMH, _finish, _tile_arrays, write_pbf

ROOT = Path(__file__).resolve().parents[1]
EXTRACTS = ("jatinegara_cakung", "kelapa_gading")
PBF_NAME = "PLACEHOLDER-bekasi-mosaic-of-jakarta-osm-extracts-{n}.osm.pbf"
NET_NAME = "PLACEHOLDER-bekasi-mosaic-{n}"
#: Mosaic nodes per node of the built network: `network build` clips to the outline + 2 km and merges
#: nodes that only join two road pieces (measured: 296,724 mosaic nodes gave 240,001).
BUILD_LOSS = 1.24
TRUTH_COLUMNS = ["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"]


# ---------------------------------------------------------------------------------------------- mosaic
def _largest_rectangle(occ: np.ndarray) -> tuple[int, int, int, int]:
    """(i0, j0, i1, j1), exclusive ends: the largest all-True rectangle of a boolean matrix."""
    best, box = 0, (0, 0, 0, 0)
    heights = np.zeros(occ.shape[1], dtype=int)
    for i in range(occ.shape[0]):
        heights = np.where(occ[i], heights + 1, 0)
        stack: list[int] = []
        for j in range(len(heights) + 1):
            h = heights[j] if j < len(heights) else 0
            while stack and heights[stack[-1]] >= h:
                top = stack.pop()
                left = stack[-1] + 1 if stack else 0
                area = heights[top] * (j - left)
                if area > best:
                    best, box = area, (i - heights[top] + 1, left, i + 1, j)
            stack.append(j)
    return box


def core_tile(name: str, cell_m: float = 400.0) -> dict[str, object]:
    """The largest rectangle of an extract that has roads throughout, and the roads cut at its sides.

    Roads throughout: every ``cell_m`` square of it holds a road node, after closing gaps of one
    square (a river, a park). Returns the tile's nodes (metres, centred on the rectangle), its edges
    inside, its size and the cut roads as stubs: (inside node, side 'W'/'E'/'S'/'N', speed m/s).
    """
    t = _tile_arrays(name)
    x, y = t["x"], t["y"]  # type: ignore[assignment]
    ix = ((x - x.min()) // cell_m).astype(int)
    iy = ((y - y.min()) // cell_m).astype(int)
    occ = np.zeros((ix.max() + 1, iy.max() + 1), dtype=bool)
    occ[ix, iy] = True
    occ = ndimage.binary_closing(occ, iterations=1) & ndimage.binary_fill_holes(occ)
    i0, j0, i1, j1 = _largest_rectangle(occ)
    x0, x1 = x.min() + i0 * cell_m, x.min() + i1 * cell_m
    y0, y1 = y.min() + j0 * cell_m, y.min() + j1 * cell_m
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    u, v = t["u"], t["v"]  # type: ignore[assignment]
    both = inside[u] & inside[v]
    cut = inside[u] ^ inside[v]
    new = np.cumsum(inside) - 1
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    stubs = []
    for e in np.flatnonzero(cut):
        a, b = (u[e], v[e]) if inside[u[e]] else (v[e], u[e])
        side = "W" if x[b] < x0 else "E" if x[b] > x1 else "S" if y[b] < y0 else "N"
        stubs.append((int(new[a]), side, float(t["len"][e] / t["time"][e])))  # type: ignore[index]
    coords = [t["coords"][e] - (cx, cy) for e in np.flatnonzero(both)]  # type: ignore[index]
    return {
        "x": x[inside] - cx, "y": y[inside] - cy, "u": new[u[both]], "v": new[v[both]],
        "time": t["time"][both], "len": t["len"][both], "coords": coords,  # type: ignore[index]
        "w": x1 - x0, "h": y1 - y0, "stubs": stubs,
    }  # fmt: skip


@dataclass
class Placed:
    """One tile placed: node offset, node coordinates (m), its cut roads and its box (m)."""

    offset: int
    x: np.ndarray
    y: np.ndarray
    stubs: list[tuple[int, str, float]]
    box: tuple[float, float, float, float]


def _layout(outline: object, proj: object, tiles: list[dict], height: float) -> list[tuple[int, tuple]]:
    """Rows of tiles ``height`` m high (each scaled to it, the extracts alternating) over the outline's
    box; the tiles whose box touches the outline, as (tile index, box)."""
    import shapely

    minx, miny, maxx, maxy = outline.bounds  # type: ignore[attr-defined]
    x0, y0 = proj.xy(minx, miny)  # type: ignore[attr-defined]
    x1, y1 = proj.xy(maxx, maxy)  # type: ignore[attr-defined]
    kept = []
    for row, yb in enumerate(np.arange(y0, y1, height)):
        xb, k = float(x0), row % 2
        while xb < x1:
            t = tiles[k % 2]
            w = t["w"] * height / t["h"]
            box = (xb, float(yb), xb + w, float(yb) + height)
            lo, hi = proj.lonlat(box[0], box[1]), proj.lonlat(box[2], box[3])  # type: ignore[attr-defined]
            if shapely.intersects(outline, shapely.box(lo[0], lo[1], hi[0], hi[1])):
                kept.append((k % 2, box))
            xb, k = xb + w, k + 1
    return kept


def kabupaten_mosaic(target_nodes: int) -> dict[str, object]:
    """The real extracts' road blocks, scaled (not stretched) in rows over the kabupaten outline."""
    from ektp_routes.network import LocalProjection
    from ektp_routes.regions import Gazetteer

    outline = Gazetteer.bekasi().outline()
    proj = LocalProjection(float((outline.bounds[1] + outline.bounds[3]) / 2))
    tiles = [core_tile(n) for n in EXTRACTS]
    height = float(np.mean([t["h"] for t in tiles]))
    for _ in range(12):  # row height for about ``target_nodes`` nodes
        layout = _layout(outline, proj, tiles, height)
        n = sum(len(tiles[k]["x"]) for k, _ in layout)
        if abs(n / target_nodes - 1) < 0.03:
            break
        height *= float(np.sqrt(n / target_nodes))
    xs, ys, us, vs, ts, ls, cs = [], [], [], [], [], [], []
    placed: list[Placed] = []
    offset = 0
    for k, box in layout:
        t = tiles[k]
        s = height / t["h"]  # type: ignore[operator]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        px, py = t["x"] * s + cx, t["y"] * s + cy  # type: ignore[operator]
        xs.append(px), ys.append(py)
        cs.extend(c * s + (cx, cy) for c in t["coords"])  # type: ignore[attr-defined]
        us.append(t["u"] + offset), vs.append(t["v"] + offset)  # type: ignore[operator]
        ts.append(t["time"] * s), ls.append(t["len"] * s)  # type: ignore[operator]
        placed.append(Placed(offset, px, py, t["stubs"], box))  # type: ignore[arg-type]
        offset += len(px)
    x, y = np.concatenate(xs), np.concatenate(ys)
    ju, jv, jt, jl = _stitch(placed, x, y)
    cs.extend(np.c_[x[[a, b]], y[[a, b]]] for a, b in zip(ju, jv, strict=True))
    u, v = np.concatenate([*us, ju]), np.concatenate([*vs, jv])
    out = _finish(proj, x, y, u, v, np.concatenate([*ts, jt]), np.concatenate([*ls, jl]), cs)
    out["tiles"], out["height_m"] = len(placed), height
    return out


def _neighbours(placed: list[Placed]) -> list[tuple[Placed, Placed, str]]:
    """Pairs of tiles that share a side: (a, b, side of a facing b), 'E' or 'N'."""
    pairs = []
    eps = 1e-6
    for a in placed:
        for b in placed:
            ax0, ay0, ax1, ay1 = a.box
            bx0, by0, bx1, _ = b.box
            if abs(ax1 - bx0) < eps and abs(ay0 - by0) < eps:
                pairs.append((a, b, "E"))
            elif abs(ay1 - by0) < eps and min(ax1, bx1) - max(ax0, bx0) > eps:
                pairs.append((a, b, "N"))
    return pairs


_OPPOSITE = {"E": "W", "N": "S", "W": "E", "S": "N"}


def _stitch(placed: list[Placed], x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Two-way joins between tiles that share a side: each road cut at the side goes on to the
    nearest node of the tile across (at the cut road's speed), and three primary/secondary joins."""
    u: list[int] = []
    v: list[int] = []
    speed: list[float] = []
    for n, (a, b, side) in enumerate(_neighbours(placed)):
        lo, hi = (max(a.box[1], b.box[1]), min(a.box[3], b.box[3])) if side == "E" else (
            max(a.box[0], b.box[0]), min(a.box[2], b.box[2]))  # fmt: skip
        along = 1 if side == "E" else 0  # the coordinate that runs along the shared side
        for p, q, face in ((a, b, side), (b, a, _OPPOSITE[side])):
            strip = _near_side(q, _OPPOSITE[face], 0.1 * (q.box[3] - q.box[1]))
            strip = strip[((q.y if along else q.x)[strip] >= lo) & ((q.y if along else q.x)[strip] <= hi)]
            if len(strip) == 0:
                continue
            tree = cKDTree(np.c_[q.x[strip], q.y[strip]])
            for node, stub_side, mps in p.stubs:
                c = (p.y if along else p.x)[node]
                if stub_side == face and lo <= c <= hi:
                    k = int(strip[tree.query((p.x[node], p.y[node]))[1]])
                    u.append(p.offset + node), v.append(q.offset + k), speed.append(mps)
        kind = "primary" if n % 3 == 0 else "secondary"
        for f in (0.2, 0.5, 0.8):
            c = lo + f * (hi - lo)
            pt = (a.box[2], c) if side == "E" else (c, a.box[3])
            ka = int(np.argmin(np.hypot(a.x - pt[0], a.y - pt[1])))
            kb = int(np.argmin(np.hypot(b.x - pt[0], b.y - pt[1])))
            u.append(a.offset + ka), v.append(b.offset + kb), speed.append(JOIN_KMH[kind] / 3.6)
    uu, vv, mps_ = np.array(u), np.array(v), np.array(speed)
    d = np.maximum(np.hypot(x[uu] - x[vv], y[uu] - y[vv]) * 1.05, 10.0)
    return np.r_[uu, vv], np.r_[vv, uu], np.r_[d / mps_, d / mps_], np.r_[d, d]


def _near_side(p: Placed, face: str, strip: float) -> np.ndarray:
    x0, y0, x1, y1 = p.box
    sel = {"W": p.x < x0 + strip, "E": p.x > x1 - strip, "S": p.y < y0 + strip, "N": p.y > y1 - strip}
    return np.flatnonzero(sel[face])


# ---------------------------------------------------------------------------------------------- measuring
@dataclass
class Measured:
    """A command run in a subprocess: wall, CPU of the tree, peak summed PSS/RSS, largest process."""

    wall_s: float
    cpu_s: float
    peak_pss_mib: float
    peak_rss_mib: float
    peak_one_mib: float
    stdout: str


def run_measured(cmd: list[str], *, every_s: float = 0.5) -> Measured:
    """Run ``cmd``; sample the memory of its whole process tree every ``every_s`` seconds."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    peak = {"pss": 0.0, "rss": 0.0, "one": 0.0}
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout or []), daemon=True)
    reader.start()
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        pss = rss = one = 0.0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            break
        for p in tree:
            try:
                m = p.memory_full_info()
            except psutil.Error:
                continue
            pss, rss, one = pss + m.pss, rss + m.rss, max(one, m.rss)
        peak = {"pss": max(peak["pss"], pss), "rss": max(peak["rss"], rss), "one": max(peak["one"], one)}
        time.sleep(every_s)
    proc.wait()
    reader.join()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = "".join(out)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-3000:]}")
    mib = 1024 * 1024
    return Measured(wall, cpu, peak["pss"] / mib, peak["rss"] / mib, peak["one"] / mib, text)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ektp_routes.cli", *args]


# ---------------------------------------------------------------------------------------------- steps
def prepare_network(cache: Path, nodes: int) -> Path:
    """The placeholder network's prepared directory (built once, then reused from the cache)."""
    net_dir = cache / NET_NAME.format(n=nodes)
    if (net_dir / "network.json").is_file():
        print(f"network: reusing {net_dir}")
        return net_dir
    pbf = cache / PBF_NAME.format(n=nodes)
    if not pbf.is_file():
        t0 = time.perf_counter()
        arrays = kabupaten_mosaic(round(nodes * BUILD_LOSS))
        print(
            f"mosaic: {len(arrays['lon']):,} nodes, {len(arrays['u']):,} directed edges in "  # type: ignore[arg-type]
            f"{arrays['tiles']} tiles in rows {arrays['height_m']:.0f} m high ({time.perf_counter() - t0:.0f} s)"
        )
        write_pbf(arrays, pbf)
        print(f"mosaic written as {pbf.name} ({pbf.stat().st_size / 1e6:.1f} MB)")
    m = run_measured(cli("network", "build", "--pbf", str(pbf), "--out", str(net_dir)))
    print(f"network build --pbf: {m.wall_s:.0f} s wall, {m.cpu_s:.0f} CPU-s, peak {m.peak_one_mib:.0f} MiB; "
          f"{m.stdout.strip().splitlines()[-1]}")  # fmt: skip
    return net_dir


def make_cards(cache: Path, seed: int, kecamatan: list[str] | None) -> tuple[Path, Path]:
    """(registry columns file, truth file) of the synthetic cards (cached)."""
    import pandas as pd

    tag = f"seed{seed}" + ("-" + "-".join(k.replace(" ", "") for k in kecamatan) if kecamatan else "")
    truth, registry = cache / f"cards-{tag}-truth.parquet", cache / f"cards-{tag}-registry.parquet"
    if not registry.is_file():
        extra = [a for k in kecamatan or [] for a in ("--kecamatan", k)]
        subprocess.run(cli("demo-cards", "--seed", str(seed), "--with-truth", "--out", str(truth), *extra),
                       check=True, cwd=ROOT, capture_output=True)  # fmt: skip
        df = pd.read_parquet(truth)
        df.drop(columns=[c for c in TRUTH_COLUMNS if c in df.columns]).to_parquet(registry)
    return registry, truth


def plan(cards: Path, out: Path, network: Path | None, kecamatan: list[str] | None) -> Measured:
    args = ["plan", str(cards), "--out", str(out)]
    args += ["--network", str(network)] if network else []
    args += [a for k in kecamatan or [] for a in ("--kecamatan", k)]
    return run_measured(cli(*args))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "ektp-kabupaten-network"))
    ap.add_argument(
        "--nodes", type=int, default=300_000, help="about this many nodes in the built placeholder network"
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the synthetic cards")
    ap.add_argument("--kecamatan", action="append", help="only this kecamatan (for development)")
    ap.add_argument("--skip-straight", action="store_true", help="reuse the straight-line plan in the cache")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    print("PLACEHOLDER road network: real OSM streets of Jakarta (Jatinegara/Cakung, Kelapa Gading) "
          "tiled over the Kabupaten Bekasi outline; not Bekasi's roads")  # fmt: skip
    net_dir = prepare_network(cache, args.nodes)
    registry, truth = make_cards(cache, args.seed, args.kecamatan)
    report(cache, net_dir, registry, truth, args)


def report(cache: Path, net_dir: Path, registry: Path, truth_file: Path, args: argparse.Namespace) -> None:
    import pandas as pd

    truth = pd.read_parquet(truth_file)
    coverage(net_dir, truth)
    print(f"{len(truth):,} synthetic cards (seed {args.seed}), planned from the registry columns only")
    runs = {}
    for label, network in (("network", net_dir), ("straight", None)):
        out = cache / f"plan-{label}-{registry.stem}"
        if label == "straight" and args.skip_straight and (out / "assignments.csv").is_file():
            runs[label] = None
            continue
        shutil.rmtree(out, ignore_errors=True)  # never resume offices saved by an earlier run
        m = plan(registry, out, network, args.kecamatan)
        runs[label] = m
        print(f"plan ({label}): wall {m.wall_s:.0f} s, CPU {m.cpu_s:.0f} s (tree), peak PSS {m.peak_pss_mib:,.0f} MiB "
              f"(summed RSS {m.peak_rss_mib:,.0f} MiB, largest process {m.peak_one_mib:,.0f} MiB)", flush=True)  # fmt: skip
    t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    todo = {
        "network plan, replayed on the network": (cache / f"plan-network-{registry.stem}", net_dir),
        "straight plan, replayed on the network": (cache / f"plan-straight-{registry.stem}", net_dir),
        "straight plan, replayed on straight lines": (cache / f"plan-straight-{registry.stem}", None),
    }
    # The replays are independent: side by side in forked processes (each loads the network once).
    with ProcessPoolExecutor(max_workers=2, initializer=_hold_truth, initargs=(truth,)) as pool:
        futs = {k: pool.submit(_replay, *v) for k, v in todo.items()}
        rep = {k: f.result() for k, f in futs.items()}
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    replay_cpu = c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime
    print(f"replays: {time.perf_counter() - t0:.0f} s wall, {replay_cpu:.0f} CPU-s (two processes)")
    _print_tables(rep)
    net_m = runs["network"]
    a, b = (
        rep["network plan, replayed on the network"].total,
        rep["straight plan, replayed on the network"].total,
    )
    print(
        f"network_plan: wall_s={net_m.wall_s:.0f} cpu_s={net_m.cpu_s:.0f} peak_gb={net_m.peak_pss_mib / 1024:.2f} "
        f"days={a.courier_days} days_ratio={a.courier_days / b.courier_days:.3f} "
        f"replay_travel_ratio={a.realised_travel_s / b.realised_travel_s:.3f}"
    )  # fmt: skip


def coverage(net_dir: Path, truth: object) -> None:
    """How well the placeholder network covers the kabupaten: desa sample points and true households
    within the snap limit of a road of the main network."""
    from ektp_routes.estimate import desa_samples
    from ektp_routes.network import RoadNetwork
    from ektp_routes.regions import Gazetteer

    net = RoadNetwork.from_prepared(net_dir)
    gaz = Gazetteer.bekasi()
    share = []
    for kode in gaz.desa_table["kode"]:
        lon, lat = desa_samples(gaz, str(kode))
        share.append(float(net.snap(lon, lat).on_network.mean()))
    s = net.snap(truth["true_lon"].astype(float), truth["true_lat"].astype(float))  # type: ignore[index]
    print(
        f"network {net_dir.name}: {net.n_nodes:,} nodes, {net.n_edges:,} directed edges; desa whose sample "
        f"points all lie within {net.max_snap_m:.0f} m of a road: {sum(x == 1 for x in share)} of {len(share)} "
        f"(lowest share {min(share):.0%}); true households within it: {s.on_network.mean():.2%} "
        f"(median {np.median(s.distance_m):.0f} m from a road, p95 {np.percentile(s.distance_m, 95):.0f} m)"
    )


_TRUTH: list[object] = []


def _hold_truth(truth: object) -> None:
    _TRUTH[:] = [truth]


def _replay(plan_dir: Path, net_dir: Path | None) -> object:
    """One plan driven through the true households, on the network (None: straight lines)."""
    from ektp_routes.evaluate import replay
    from ektp_routes.network import RoadNetwork

    network = RoadNetwork.from_prepared(net_dir) if net_dir else None
    return replay(plan_dir, _TRUTH[0], network=network)  # type: ignore[arg-type]


def _print_tables(rep: dict) -> None:
    first = next(iter(rep.values()))
    print(f"{'office':<10}" + "".join(f" | {k[:38]:>38}" for k in rep))
    for oid in sorted(first.offices):
        cells = []
        for r in rep.values():
            o = r.offices.get(oid)
            cells.append("-" if o is None else f"{o.courier_days:4d} days {o.realised_travel_s / 3600:7.1f} h "
                         f"over {o.days_over_shift:3d}")  # fmt: skip
        print(f"{oid:<10}" + "".join(f" | {c:>38}" for c in cells))
    for k, r in rep.items():
        t = r.total
        exp = "-" if t.expected_travel_s != t.expected_travel_s else f"{t.expected_travel_s / 3600:.1f}"
        print(f"{k}: courier_days={t.courier_days} travel_expected_h={exp} travel_realised_h="
              f"{t.realised_travel_s / 3600:.1f} days_over_shift={t.days_over_shift} "
              f"worst_over_min={t.max_over_shift_s / 60:.0f} unplanned_cards={r.unplanned_cards}")  # fmt: skip


if __name__ == "__main__":
    main()
