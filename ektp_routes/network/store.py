"""A prepared road network on disk: built once from OSM data, loaded in a second by every plan.

``ektp-routes network build`` reads an extract, builds the profile's :class:`RoadGraph` and writes a
directory that ``plan --network DIR`` loads without osmnx or networkx:

- ``network.json``: what the directory holds (format version, profile, snap limit, counts, the source
  file's name and sha256, the planning-area margin) and the graph's fingerprint;
- ``graph.npz``: the graph's arrays (nodes, directed edges with times and lengths, street geometry as
  one coordinate array with offsets), read with ``allow_pickle=False``;
- ``hierarchy.npz`` (optional): the graph's contraction hierarchy for fast matrices
  (:mod:`~ektp_routes.network.contraction`), tied in ``network.json`` to the graph's fingerprint and
  to a sha256 of its own arrays; without it, ``network.json`` may say why (``contraction_gave_up``:
  the contraction ran out of its budget, matrices use Dijkstra searches).

Loading rebuilds the graph with :func:`assemble_graph` and checks its fingerprint against
``network.json``, so a damaged or edited file, or a profile whose speeds changed since the build, is
refused with the command that rebuilds it; so is a hierarchy that was prepared for another graph or
whose arrays changed.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ektp_routes._errors import NetworkError
from ektp_routes.i18n import error, phrase
from ektp_routes.network.graph import EdgeCoords, RoadGraph, assemble_graph
from ektp_routes.network.profiles import get_profile
from ektp_routes.network.travel import canonical_hash

logger = logging.getLogger(__name__)

#: Bumped whenever the layout of the directory changes.
STORE_FORMAT = 1
MANIFEST = "network.json"
ARRAYS = "graph.npz"
HIERARCHY = "hierarchy.npz"
#: Bumped whenever the meaning of the hierarchy's arrays changes.
HIERARCHY_FORMAT = 1
_KIND = "ektp-routes prepared road network"

if TYPE_CHECKING:  # numba is imported only when a hierarchy is read
    from ektp_routes.network.contraction import Hierarchy, UpwardGraph


@dataclass(frozen=True)
class StoredNetwork:
    """A prepared network read back: the graph, its snap limit and what ``network.json`` says."""

    graph: RoadGraph
    max_snap_m: float
    manifest: Mapping[str, Any]
    hierarchy: Hierarchy | None = None


def save_network(
    graph: RoadGraph,
    out_dir: str | Path,
    *,
    max_snap_m: float = 300.0,
    source: dict[str, Any] | None = None,
    hierarchy: Hierarchy | None = None,
    contraction_gave_up: str | None = None,
) -> Path:
    """Write ``graph`` (and its contraction ``hierarchy``, if given) to ``out_dir`` (created if
    needed); returns the manifest's path.

    ``source`` describes where the graph came from (file name, sha256, clipping margin) and is kept
    in the manifest as it is; ``contraction_gave_up`` says why there is no hierarchy (its contraction
    ran out of budget), so that loading the network does not try again.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    arrays = {
        "node_ids": _id_array(graph.node_ids),
        "node_lon": graph.node_lon,
        "node_lat": graph.node_lat,
        "edge_u": graph.edge_u,
        "edge_v": graph.edge_v,
        "edge_time": graph.edge_time,
        "edge_len": graph.edge_len,
        "coord_offsets": graph.edge_coords.offsets,
        "coords": graph.edge_coords.flat,
    }
    _write_npz(out / ARRAYS, arrays)
    manifest: dict[str, Any] = {
        "kind": _KIND,
        "format": STORE_FORMAT,
        "profile": graph.profile.canonical(),
        "max_snap_m": float(max_snap_m),
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "graph_fingerprint": graph.fingerprint(),
        "source": source or {},
    }
    (out / HIERARCHY).unlink(missing_ok=True)
    if hierarchy is not None:
        manifest["hierarchy"] = _save_hierarchy(hierarchy, out / HIERARCHY, graph)
    elif contraction_gave_up:
        manifest["contraction_gave_up"] = contraction_gave_up
    path = out / MANIFEST
    tmp_manifest = out / f".{MANIFEST}.tmp"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp_manifest, path)
    logger.info("saved %d nodes, %d edges to %s", graph.n_nodes, graph.n_edges, out)
    return path


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        np.savez(fh, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, path)


def _hierarchy_arrays(h: Hierarchy) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {"rank": h.rank}
    for name, g in (("up", h.up), ("down", h.down)):
        arrays.update({f"{name}_ptr": g.ptr, f"{name}_head": g.head, f"{name}_time": g.time,
                       f"{name}_len": g.length})  # fmt: skip
    return arrays


def _hierarchy_sha256(arrays: dict[str, np.ndarray]) -> str:
    return canonical_hash({"hierarchy_format": HIERARCHY_FORMAT}, [arrays[k] for k in sorted(arrays)])


def _save_hierarchy(h: Hierarchy, path: Path, graph: RoadGraph) -> dict[str, Any]:
    """Write the hierarchy's arrays; what the manifest says of them."""
    if h.n_nodes != graph.n_nodes:
        raise ValueError(f"the hierarchy has {h.n_nodes} nodes, the graph {graph.n_nodes}")
    arrays = _hierarchy_arrays(h)
    _write_npz(path, arrays)
    return {
        "file": HIERARCHY,
        "format": HIERARCHY_FORMAT,
        "graph_fingerprint": graph.fingerprint(),
        "sha256": _hierarchy_sha256(arrays),
        "upward_edges": h.n_edges,
    }


def _rebuild(path: Path, problem: str, **values: object) -> NetworkError:
    """The refusal of a file of a prepared network that must be built again (``problem``: a message id)."""
    return error(NetworkError, "error.store_rebuild", path=path, problem=phrase(problem, **values))


def _load_hierarchy(d: Path, meta: Any, graph: RoadGraph) -> Hierarchy:
    """The hierarchy ``network.json`` announces, refused unless it belongs to ``graph`` unchanged."""
    from ektp_routes.network.contraction import Hierarchy

    path = d / HIERARCHY
    if not isinstance(meta, dict) or meta.get("format") != HIERARCHY_FORMAT:
        raise _rebuild(path, "store.other_version")
    if meta.get("graph_fingerprint") != graph.fingerprint():
        raise _rebuild(path, "store.stale")
    try:
        with np.load(path, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        if _hierarchy_sha256(a) != meta.get("sha256"):
            raise ValueError("checksum")
        # The dtypes the contraction writes today (files of older versions held int64 heads): half
        # the memory, and one compiled signature for the matrix code, whatever wrote the file.
        h = Hierarchy(
            rank=a["rank"].astype(np.int32, copy=False),
            up=_upward_graph(a, "up"),
            down=_upward_graph(a, "down"),
        )
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise _rebuild(path, "store.damaged", kind=type(exc).__name__) from exc
    if h.n_nodes != graph.n_nodes:
        raise _rebuild(path, "store.node_count", n=h.n_nodes, m=graph.n_nodes)
    return h


def _upward_graph(a: dict[str, np.ndarray], name: str) -> UpwardGraph:
    from ektp_routes.network.contraction import UpwardGraph

    return UpwardGraph(
        a[f"{name}_ptr"].astype(np.int64, copy=False), a[f"{name}_head"].astype(np.int32, copy=False),
        a[f"{name}_time"].astype(float, copy=False), a[f"{name}_len"].astype(float, copy=False),
    )  # fmt: skip


def _id_array(ids: np.ndarray) -> np.ndarray:
    """Node ids as integers when they are (OSM ids), else as fixed-width text (never objects)."""
    a = np.asarray(ids)
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    try:
        return a.astype(np.int64)
    except (TypeError, ValueError):
        return a.astype(str)


def is_network_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory written by :func:`save_network`."""
    return (Path(path) / MANIFEST).is_file()


def load_network(path: str | Path) -> StoredNetwork:
    """Read a directory written by :func:`save_network` (see the module docstring for what is checked)."""
    d = Path(path)
    manifest = _read_manifest(d)
    profile = get_profile(str(manifest["profile"].get("name")))
    if profile.canonical() != manifest["profile"]:
        raise _rebuild(d, "store.other_profile", profile=profile.name)
    try:
        with np.load(d / ARRAYS, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        graph = assemble_graph(
            profile=profile,
            node_ids=a["node_ids"],
            node_lon=a["node_lon"],
            node_lat=a["node_lat"],
            edge_u=a["edge_u"],
            edge_v=a["edge_v"],
            edge_time=a["edge_time"],
            edge_len=a["edge_len"],
            edge_coords=EdgeCoords(a["coords"], a["coord_offsets"]),
        )
    except (OSError, KeyError, ValueError, IndexError, zipfile.BadZipFile) as exc:
        raise _rebuild(d / ARRAYS, "store.unreadable", kind=type(exc).__name__) from exc
    if graph.fingerprint() != manifest.get("graph_fingerprint"):
        raise _rebuild(d, "store.fingerprint")
    hierarchy = _load_hierarchy(d, manifest["hierarchy"], graph) if "hierarchy" in manifest else None
    logger.info("loaded prepared network %s: %d nodes, %d edges", d, graph.n_nodes, graph.n_edges)
    return StoredNetwork(
        graph=graph, max_snap_m=float(manifest["max_snap_m"]), manifest=manifest, hierarchy=hierarchy
    )


def _read_manifest(d: Path) -> dict[str, Any]:
    path = d / MANIFEST
    if not path.is_file():
        raise error(NetworkError, "error.store_not_prepared", path=d, manifest=MANIFEST)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise error(NetworkError, "error.store_not_json", path=path, kind=type(exc).__name__) from exc
    if not isinstance(manifest, dict) or manifest.get("kind") != _KIND:
        raise error(NetworkError, "error.store_foreign", path=path)
    if manifest.get("format") != STORE_FORMAT:
        raise error(
            NetworkError, "error.store_format", path=path, found=manifest.get("format"), wanted=STORE_FORMAT
        )
    if not isinstance(manifest.get("profile"), dict):
        raise error(NetworkError, "error.store_no_profile", path=path)
    return manifest
