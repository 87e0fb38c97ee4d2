"""osmnx calls with the settings couriers need: which OSM tags to keep, and how to simplify.

osmnx keeps its options in the global ``osmnx.settings``; :func:`osmnx_settings` sets them only for
the duration of a call and restores them afterwards. Every reader keeps the access tags and barrier
nodes of :mod:`ektp_routes.network.access`, and simplifies the graph so that a barrier stays a node
and a change of access tags stays an edge boundary (so that the rules apply to the right stretch).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from ektp_routes.network.access import NODE_TAGS, WAY_TAGS


@contextlib.contextmanager
def osmnx_settings(**values: Any) -> Iterator[None]:
    """Set ``osmnx.settings`` attributes for the duration of a ``with`` block, then restore them."""
    import osmnx as ox

    saved = {k: getattr(ox.settings, k) for k in values}
    try:
        for k, v in values.items():
            setattr(ox.settings, k, v)
        yield
    finally:
        for k, v in saved.items():
            setattr(ox.settings, k, v)


def courier_tags() -> dict[str, list[str]]:
    """osmnx settings that keep the tags the courier rules read (on top of osmnx's defaults)."""
    import osmnx as ox

    return {
        "useful_tags_way": sorted({*ox.settings.useful_tags_way, *WAY_TAGS}),
        "useful_tags_node": sorted({*ox.settings.useful_tags_node, *NODE_TAGS}),
    }


def simplified(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """osmnx's simplification, keeping barrier nodes and access-tag changes as boundaries (a graph
    simplified already, such as a saved GraphML, is returned as it is)."""
    import osmnx as ox

    if g.graph.get("simplified"):
        return g
    return ox.simplify_graph(g, node_attrs_include=["barrier"], edge_attrs_differ=list(WAY_TAGS))


def graph_from_osm_xml(path: str | Path, *, bidirectional: bool) -> nx.MultiDiGraph:
    """An OSM XML file as a simplified osmnx graph with every component and the courier tags."""
    import osmnx as ox

    with osmnx_settings(**courier_tags()):
        g = ox.graph_from_xml(path, bidirectional=bidirectional, simplify=False, retain_all=True)
    return simplified(g)
