"""The immutable road graph of one courier profile, built by a pure function from an osmnx graph.

:func:`build_graph` reads an osmnx-style ``MultiDiGraph`` and returns a :class:`RoadGraph`: node
coordinates, one directed edge per (u, v) (the fastest, after the profile's speeds and one-way rules),
each edge's street geometry, and the CSR matrix that ``scipy.sparse.csgraph`` searches. Nothing is
mutated after construction; snapping, matrices and paths read it.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString

from ektp_routes._errors import NetworkError
from ektp_routes.geodesy import FloatArray, IntArray, haversine_m
from ektp_routes.i18n import error
from ektp_routes.network.access import blocks, may_use
from ektp_routes.network.profiles import CourierProfile
from ektp_routes.network.travel import canonical_hash

if TYPE_CHECKING:  # networkx only where an osmnx graph is read or a check asks for one
    import networkx as nx

logger = logging.getLogger(__name__)

#: Bumped whenever the meaning of the graph's arrays changes, so old fingerprints no longer match.
GRAPH_FORMAT = 2  # 2: access tags and closed barriers (network.access)


@dataclass(frozen=True, eq=False)
class EdgeCoords:
    """Every edge's lon/lat vertices in one read-only array: ``coords[e]`` is edge ``e``'s (k, 2) slice.

    One array instead of one per edge: a kabupaten network has hundreds of thousands of edges, and
    an array object each would cost more memory than their vertices.
    """

    flat: FloatArray  # (vertices, 2)
    offsets: IntArray  # (edges + 1,): edge e's vertices are flat[offsets[e]:offsets[e + 1]]

    @classmethod
    def from_list(cls, coords: Sequence[FloatArray]) -> EdgeCoords:
        """From one (k, 2) array per edge."""
        offsets = np.cumsum([0, *(len(c) for c in coords)]).astype(np.int64)
        flat = np.concatenate([np.asarray(c, dtype=float).reshape(-1, 2) for c in coords]) if coords else None
        return cls(_frozen(flat if flat is not None else np.zeros((0, 2))), _frozen(offsets))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, e: int) -> FloatArray:
        return self.flat[self.offsets[e] : self.offsets[e + 1]]

    def __iter__(self) -> Iterator[FloatArray]:
        return (self[e] for e in range(len(self)))


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A directed road graph with travel times for one courier profile (read-only arrays).

    Node ``i`` lies at (``node_lon[i]``, ``node_lat[i]``) and was ``node_ids[i]`` in the source graph.
    Edges are sorted by (u, v); edge ``e`` runs from ``edge_u[e]`` to ``edge_v[e]`` in ``edge_time[e]``
    seconds over ``edge_len[e]`` metres along ``edge_coords[e]`` (lon/lat vertices, u to v).
    ``edge_rev[e]`` is the index of the edge (v, u), or -1. Build one with :func:`build_graph` or
    :func:`assemble_graph`.

    ``edge_key`` and ``csr`` are derived from the edges when asked for (``edge_key`` then kept), not
    held from the start: matrices on a contraction hierarchy need neither, and on a kabupaten network
    they weigh 14 MB.
    """

    profile: CourierProfile
    node_ids: npt.NDArray[Any]
    node_lon: FloatArray
    node_lat: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_time: FloatArray
    edge_len: FloatArray
    edge_coords: EdgeCoords
    edge_rev: IntArray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_lon)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.edge_u)

    @cached_property
    def edge_key(self) -> IntArray:
        """``u * n_nodes + v`` per edge (sorted, as the edges are): looks an edge up by its ends."""
        key = self.edge_u * self.n_nodes + self.edge_v
        key.setflags(write=False)
        return key

    @property
    def csr(self) -> csr_matrix:
        """The travel times as a sparse (nodes x nodes) matrix, for ``scipy.sparse.csgraph`` (built on
        each call: only the component check uses it)."""
        return _csr(self.edge_u, self.edge_v, self.edge_time, self.n_nodes)

    def edge_index(self, u: int, v: int) -> int:
        """Index of directed edge (u, v) (node indices), or -1."""
        key = u * self.n_nodes + v
        pos = int(np.searchsorted(self.edge_key, key))
        return pos if pos < len(self.edge_key) and self.edge_key[pos] == key else -1

    def lengths_along(self, pred: npt.NDArray[np.int32]) -> FloatArray:
        """Road length (m) from each Dijkstra source to every node along its shortest-path tree.

        ``pred`` is the predecessor array ``scipy.sparse.csgraph.dijkstra`` returns (one row per source).
        """
        return lengths_all(self.edge_key, self.edge_len, pred)

    def main_component(self) -> npt.NDArray[np.bool_]:
        """Nodes of the largest strongly connected component (each reaches, and is reached from, all).

        Clipped OSM extracts fall apart into pieces (roads cut at the boundary, one-way streets leading
        out); only this component lets a courier get from any stop to any other and back.
        """
        _, labels = connected_components(self.csr, directed=True, connection="strong")
        counts = np.bincount(labels)
        return np.asarray(labels == int(np.argmax(counts)))

    def fingerprint(self) -> str:
        """sha256 over the profile and the arrays: equal graphs, equal strings, in every process."""
        header = {"graph_format": GRAPH_FORMAT, "profile": self.profile.canonical()}
        arrays = (self.node_lon, self.node_lat, self.edge_u, self.edge_v, self.edge_time, self.edge_len)
        return canonical_hash(header, arrays)

    def to_networkx(self) -> nx.DiGraph:
        """The profile's directed graph (node indices, ``time`` and ``length`` weights), for checks."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(self.n_nodes))
        for u, v, t, length in zip(self.edge_u, self.edge_v, self.edge_time, self.edge_len, strict=True):
            g.add_edge(int(u), int(v), time=max(float(t), 1e-6), length=float(length))
        return g


def lengths_to(
    edge_key: IntArray, edge_len: FloatArray, pred: npt.NDArray[np.int32], targets: IntArray
) -> FloatArray:
    """Road length (m) from each search's source to each of ``targets`` along its tree of fastest paths.

    ``edge_key`` is ``u * n + v`` per edge (sorted), ``pred`` scipy's predecessor matrix (one row per
    source, one column per node). Walks back from the targets only, all rows at once: the work grows
    with targets x path edges, not with the size of the graph; when the targets are a large share of
    the nodes (a small network), one pass over every node (pointer jumping) is cheaper and is used
    instead (measured on the 300k-node mosaic: walking back is faster even for 3,500 targets in a
    40,000-node box). Unreachable targets get 0.
    """
    n = pred.shape[1]
    if len(targets) * 4 >= n:
        return lengths_all(edge_key, edge_len, pred)[:, np.asarray(targets, dtype=np.int64)]
    rows = np.arange(pred.shape[0])[:, None]
    cur = np.repeat(np.asarray(targets, dtype=np.int64)[None, :], pred.shape[0], axis=0)
    acc = np.zeros(cur.shape)
    live = np.ones(cur.shape, dtype=bool)
    while True:
        prev = pred[rows, cur].astype(np.int64)
        live &= prev >= 0
        if not live.any():
            return acc
        pos = np.searchsorted(edge_key, prev[live] * n + cur[live])
        acc[live] += edge_len[pos]
        cur[live] = prev[live]


def lengths_all(edge_key: IntArray, edge_len: FloatArray, pred: npt.NDArray[np.int32]) -> FloatArray:
    """Length (m) from each row's source to every node along its fastest-path tree (``pred`` as in
    :func:`lengths_to`): pointer jumping, log2(path edges) rounds over every node."""
    rows, n = pred.shape
    p = pred.astype(np.int64)
    has = p >= 0
    col = np.arange(n)[None, :]
    pos = np.clip(np.searchsorted(edge_key, np.where(has, p * n + col, 0)), 0, max(len(edge_key) - 1, 0))
    acc = np.where(has, edge_len[pos], 0.0) if len(edge_key) else np.zeros(pred.shape)
    jump = np.where(has, p, col)
    r_idx = np.arange(rows)[:, None]
    for _ in range(64):
        nxt = jump[r_idx, jump]
        if np.array_equal(nxt, jump):
            break
        acc = acc + np.where(jump != col, acc[r_idx, jump], 0.0)
        jump = nxt
    return acc


# (u, v) -> (seconds, metres, lon/lat vertices): the fastest edge offered so far between two nodes.
_Best = dict[tuple[int, int], tuple[float, float, FloatArray]]


def build_graph(g: nx.MultiDiGraph, profile: CourierProfile) -> RoadGraph:
    """Build the profile's :class:`RoadGraph` from an osmnx-style graph (which is not modified).

    Parameters
    ----------
    g
        Nodes with ``x`` (lon), ``y`` (lat); edges with ``length`` (m), ``highway``, optional
        ``geometry`` (LineString or WKT), ``maxspeed``.
    profile
        The courier profile: speeds, one-way rules, forbidden road classes.
    """
    if g.number_of_nodes() == 0:
        raise error(NetworkError, "error.graph_no_nodes")
    nodes = _Nodes(g, profile.name)
    best: _Best = {}
    dropped = 0
    for u, v, data in g.edges(data=True):
        speed = profile.speed_for(data.get("highway"), data.get("maxspeed"))
        if speed is None or not may_use(profile.name, data):
            dropped += 1
            continue
        iu, iv = nodes.end(u, v), nodes.end(v, u)
        coords = _edge_coords(data.get("geometry"), *nodes.ends_lonlat(iu, iv))
        length = float(data.get("length", 0.0)) or float(
            haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum()
        )
        secs = length / (speed / 3.6)
        _offer(best, iu, iv, secs, length, coords)
        if not profile.respects_oneway:
            _offer(best, iv, iu, secs, length, coords[::-1])
    if not best:
        raise error(NetworkError, "error.graph_no_usable_road", profile=profile.name)
    logger.info("profile %s: %d directed edges (%d not usable), %d closed barriers", profile.name,
                len(best), dropped, len(nodes.closed))  # fmt: skip
    keys = sorted(best)
    return assemble_graph(
        profile=profile,
        node_ids=nodes.ids,
        node_lon=nodes.lon,
        node_lat=nodes.lat,
        edge_u=np.array([k[0] for k in keys], dtype=np.int64),
        edge_v=np.array([k[1] for k in keys], dtype=np.int64),
        edge_time=np.array([best[k][0] for k in keys]),
        edge_len=np.array([best[k][1] for k in keys]),
        edge_coords=[best[k][2] for k in keys],
    )


class _Nodes:
    """The graph's node indices, with every closed barrier split into one dead end per neighbour.

    A courier may ride up to a closed gate from either side and turn back, but not pass through:
    the gate becomes one node per road reaching it (same position, same source id), each joined
    only to that road's other end.
    """

    def __init__(self, g: nx.MultiDiGraph, profile: str) -> None:
        self.ids: list[Hashable] = list(g.nodes)
        self.index = {n: i for i, n in enumerate(self.ids)}
        self._lon = [float(g.nodes[n]["x"]) for n in self.ids]
        self._lat = [float(g.nodes[n]["y"]) for n in self.ids]
        self.closed = {n for n, tags in g.nodes(data=True) if blocks(profile, tags)}
        self._copies: dict[tuple[Hashable, Hashable], int] = {}
        self._kept: set[Hashable] = set()

    def end(self, node: Hashable, other: Hashable) -> int:
        """Index of ``node`` as the end of an edge joining it to ``other``."""
        if node not in self.closed:
            return self.index[node]
        key = (node, other)
        if key not in self._copies:
            i = self.index[node]
            if node in self._kept:  # the first road keeps the node itself, the others a copy
                self._copies[key] = len(self.ids)
                self.ids.append(node)
                self._lon.append(self._lon[i])
                self._lat.append(self._lat[i])
            else:
                self._kept.add(node)
                self._copies[key] = i
        return self._copies[key]

    def ends_lonlat(self, iu: int, iv: int) -> tuple[FloatArray, FloatArray]:
        """Longitudes and latitudes of two node indices."""
        return np.array([self._lon[iu], self._lon[iv]]), np.array([self._lat[iu], self._lat[iv]])

    @property
    def lon(self) -> FloatArray:
        """Longitudes, copies included (valid once every edge has been visited)."""
        return np.array(self._lon)

    @property
    def lat(self) -> FloatArray:
        """Latitudes, copies included."""
        return np.array(self._lat)


def _edge_coords(geom: object, lon: FloatArray, lat: FloatArray) -> FloatArray:
    """An edge's lon/lat vertices: its geometry (a LineString or WKT text), else the straight u-v segment."""
    if geom is None:
        return np.c_[lon, lat]
    line = geom if isinstance(geom, LineString) else shapely.from_wkt(str(geom))
    return np.asarray(line.coords)


def _offer(best: _Best, u: int, v: int, secs: float, length: float, coords: FloatArray) -> None:
    cur = best.get((u, v))
    if cur is None or secs < cur[0]:
        best[(u, v)] = (secs, length, coords)


def assemble_graph(
    *,
    profile: CourierProfile,
    node_ids: Sequence[Hashable] | npt.ArrayLike,
    node_lon: npt.ArrayLike,
    node_lat: npt.ArrayLike,
    edge_u: npt.ArrayLike,
    edge_v: npt.ArrayLike,
    edge_time: npt.ArrayLike,
    edge_len: npt.ArrayLike,
    edge_coords: Sequence[FloatArray] | EdgeCoords,
) -> RoadGraph:
    """A :class:`RoadGraph` from plain arrays (edges sorted by (u, v), at most one per pair).

    This is the entry point for readers that do not go through networkx: it derives the reverse
    partners, the lookup keys and the CSR matrix, and freezes every array.
    """
    eu = np.asarray(edge_u, dtype=np.int64)
    ev = np.asarray(edge_v, dtype=np.int64)
    etime = np.asarray(edge_time, dtype=float)
    n = len(np.asarray(node_lon))
    edge_key = eu * n + ev
    if len(edge_key) and not (np.diff(edge_key) > 0).all():
        raise NetworkError("edges must be sorted by (u, v) with at most one edge per pair")
    rev_key = ev * n + eu
    pos = np.clip(np.searchsorted(edge_key, rev_key), 0, len(edge_key) - 1)
    edge_rev = np.where(edge_key[pos] == rev_key, pos, -1)
    return RoadGraph(
        profile=profile,
        node_ids=_frozen(np.asarray(node_ids)),
        node_lon=_frozen(np.asarray(node_lon, dtype=float)),
        node_lat=_frozen(np.asarray(node_lat, dtype=float)),
        edge_u=_frozen(eu),
        edge_v=_frozen(ev),
        edge_time=_frozen(etime),
        edge_len=_frozen(np.asarray(edge_len, dtype=float)),
        edge_coords=_edge_coords_value(edge_coords),
        edge_rev=_frozen(edge_rev),
    )


def _csr(edge_u: IntArray, edge_v: IntArray, edge_time: FloatArray, n: int) -> csr_matrix:
    # Tiny positive floor: csgraph treats explicit zeros as missing edges.
    return csr_matrix((np.maximum(edge_time, 1e-6), (edge_u, edge_v)), shape=(n, n))


def _edge_coords_value(coords: Sequence[FloatArray] | EdgeCoords) -> EdgeCoords:
    if isinstance(coords, EdgeCoords):
        return EdgeCoords(_frozen(coords.flat), _frozen(coords.offsets))
    return EdgeCoords.from_list(coords)


def _frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A read-only copy (the caller's array stays writable and can no longer change the graph)."""
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out
