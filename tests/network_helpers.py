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
