"""Small builders shared by the network tests: points inside a shipped extract's boundary, toy graphs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

DATA = Path(__file__).parent / "data"


def points_in(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform random points inside the boundary of the shipped extract ``name``."""
    b = gpd.read_file(DATA / f"{name}_boundary.geojson").geometry.iloc[0]
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = b.bounds
    x = rng.uniform(minx, maxx, n * 4)
    y = rng.uniform(miny, maxy, n * 4)
    ok = shapely.contains_xy(b, x, y)
    return x[ok][:n], y[ok][:n]


def toy_graph(
    xy: Iterable[tuple[float, float]], edges: Iterable[tuple[int, int]], **edge_attrs: object
) -> nx.MultiDiGraph:
    """An osmnx-style graph: nodes at (lon, lat), residential edges of 110 m unless told otherwise."""
    g = nx.MultiDiGraph()
    for n, (x, y) in enumerate(xy):
        g.add_node(n, x=x, y=y)
    attrs = {"length": 110.0, "highway": "residential", **edge_attrs}
    for u, v in edges:
        g.add_edge(u, v, **attrs)
    return g


def clip_osm(src: Path, dst: Path, bbox: tuple[float, float, float, float]) -> Path:
    """Clip an OSM XML extract to ``bbox`` (min lon, min lat, max lon, max lat), as extract tools do.

    Nodes outside are dropped and each way keeps its runs of consecutive inside nodes (a way that
    leaves and re-enters the box becomes several ways), so roads end at the box's edge and pieces of
    road network come loose from the rest, as in real clipped extracts.
    """
    import bz2
    import xml.etree.ElementTree as ET  # our own shipped test data, not user input

    root = ET.fromstring(bz2.decompress(src.read_bytes()))
    x0, y0, x1, y1 = bbox
    inside = {
        n.get("id")
        for n in root.iter("node")
        if x0 <= float(n.get("lon", "nan")) <= x1 and y0 <= float(n.get("lat", "nan")) <= y1
    }
    out = ET.Element("osm", version="0.6")
    out.extend(n for n in root.iter("node") if n.get("id") in inside)
    next_id = 10**12
    for way in root.iter("way"):
        tags = way.findall("tag")
        runs: list[list[str]] = [[]]
        for nd in way.findall("nd"):
            ref = nd.get("ref", "")
            if ref in inside:
                runs[-1].append(ref)
            elif runs[-1]:
                runs.append([])
        for run in (r for r in runs if len(r) >= 2):
            next_id += 1
            w = ET.SubElement(out, "way", id=str(next_id))
            for ref in run:
                ET.SubElement(w, "nd", ref=ref)
            w.extend(tags)
    ET.ElementTree(out).write(dst, encoding="utf-8", xml_declaration=True)
    return dst
