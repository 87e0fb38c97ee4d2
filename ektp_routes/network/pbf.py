"""Read OpenStreetMap ``.osm.pbf`` extracts, clipped to the planning area, with pyosmium.

OpenStreetMap extracts are distributed as ``.osm.pbf`` (Geofabrik, BBBike, ``osmium extract``). A
country or island extract holds far more than a kabupaten needs, so the roads are clipped while they
are read: a way is kept when it is a road (``highway``, not an area, not a planned or closed road,
the same exclusions as osmnx's ``network_type="all"``) and at least one of its nodes lies in the
planning area. Kept ways stay whole, so a road leaving the area is not cut in the middle.

The kept ways and the nodes they reference are written to a temporary OSM XML file and handed to
osmnx's own graph builder, the one that reads ``.osm`` files: one-way rules, lengths, simplification
and the courier profiles then behave exactly as for an OSM XML file (``tests/test_pbf.py`` checks
that a ``.osm.pbf`` and the ``.osm`` it was made from give the same graph).

Example
-------
>>> from ektp_routes.regions import Gazetteer
>>> area = planning_area(Gazetteer.bekasi().outline(), margin_m=2_000)
>>> round(area.bounds[0], 2), round(area.bounds[2], 2)
(106.95, 107.31)
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import shapely

from ektp_routes._errors import NetworkError
from ektp_routes.i18n import error, log
from ektp_routes.network.osm import graph_from_osm_xml

if TYPE_CHECKING:
    import geopandas as gpd

    from ektp_routes.geocode import StreetGeocoder

logger = logging.getLogger(__name__)

#: Metres per degree of latitude (the margin is turned into degrees with it, as for downloads).
_M_PER_DEG = 111_320.0

#: ``highway`` values that are not roads anyone rides today (osmnx's ``network_type="all"`` filter).
EXCLUDED_HIGHWAYS = frozenset(
    {"abandoned", "construction", "no", "planned", "platform", "proposed", "raceway", "razed", "rest_area",
     "services"}
)  # fmt: skip


@dataclass(frozen=True)
class ClipStats:
    """What clipping kept: road ways read, kept in the area, and dropped for missing node locations."""

    ways_read: int
    ways_kept: int
    ways_incomplete: int


def planning_area(outline: shapely.Geometry, *, margin_m: float = 2_000.0) -> shapely.Geometry:
    """The planning area: an outline (e.g. ``Gazetteer.outline()``) grown by ``margin_m`` metres.

    The margin keeps the roads just outside the boundary that couriers use between two desa.
    """
    if margin_m < 0:
        raise error(NetworkError, "error.clip_margin", margin=margin_m)
    return shapely.buffer(outline, margin_m / _M_PER_DEG)


def _is_road(tags: object) -> bool:
    get = tags.get  # type: ignore[attr-defined]
    highway = get("highway")
    return highway is not None and highway not in EXCLUDED_HIGHWAYS and get("area") != "yes"


def _kept_way_ids(path: Path, area: shapely.Geometry | None) -> tuple[list[int], ClipStats]:
    """Ids of the road ways with a node in ``area`` (all complete road ways when ``area`` is None)."""
    import osmium
    import osmium.filter as osm_filter

    ids: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    owner: list[int] = []
    read = incomplete = 0
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osm_filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osm_filter.KeyFilter("highway"))
    )
    for way in processor:
        if not isinstance(way, osmium.osm.Way) or not _is_road(way.tags):
            continue
        read += 1
        nodes = way.nodes
        if not all(n.location.valid() for n in nodes):
            incomplete += 1
            continue
        ids.append(way.id)
        for n in nodes:
            lons.append(n.lon)
            lats.append(n.lat)
            owner.append(len(ids) - 1)
    if area is not None and ids:
        inside = shapely.contains_xy(area, np.asarray(lons), np.asarray(lats))
        keep = np.unique(np.asarray(owner)[inside])
        ids = [ids[i] for i in keep]
    return ids, ClipStats(ways_read=read, ways_kept=len(ids), ways_incomplete=incomplete)


def clip_to_osm_xml(src: str | Path, dst: str | Path, *, area: shapely.Geometry | None = None) -> ClipStats:
    """Write the road ways of ``src`` (``.osm.pbf`` or any format osmium reads) inside ``area`` to ``dst``.

    ``dst``'s format follows its suffix (``.osm`` XML, ``.osm.pbf``); the nodes the kept ways
    reference come along with their tags (traffic signals, junctions).
    """
    import osmium
    import osmium.filter as osm_filter

    path = Path(src)
    if not path.is_file():
        raise error(NetworkError, "error.osm_missing", path=path)
    try:
        ids, stats = _kept_way_ids(path, area)
    except RuntimeError as exc:  # osmium reports unreadable files as RuntimeError
        raise error(NetworkError, "error.osm_unreadable", name=path.name, why=exc) from exc
    if not ids:
        raise error(NetworkError, "error.osm_no_road", name=path.name, n=stats.ways_read)
    try:
        ways = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(osm_filter.IdFilter(ids))
        writer = osmium.BackReferenceWriter(str(dst), ref_src=str(path), remove_tags=False, overwrite=True)
        with writer as out:
            for way in ways:
                out.add_way(way)
    except RuntimeError as exc:  # osmium reports unreadable files as RuntimeError
        raise error(NetworkError, "error.osm_unreadable", name=path.name, why=exc) from exc
    if stats.ways_incomplete:
        log(logger, logging.WARNING, "log.ways_skipped", name=path.name, n=stats.ways_incomplete)
    logger.info("%s: %d of %d road ways kept in the planning area", path.name, stats.ways_kept,
                stats.ways_read)  # fmt: skip
    return stats


def graph_from_pbf(
    path: str | Path, *, area: shapely.Geometry | None = None, bidirectional: bool = False
) -> nx.MultiDiGraph:
    """An osmnx road graph (simplified, every component kept) from an ``.osm.pbf`` clipped to ``area``.

    Parameters
    ----------
    path
        The extract.
    area
        Planning area (lon/lat polygon, see :func:`planning_area`); None keeps every road.
    bidirectional
        Whether one-way streets get edges both ways (for profiles that ignore one-way rules).
    """
    with tempfile.TemporaryDirectory(prefix="ektp-pbf-") as tmp:
        xml = Path(tmp) / "roads.osm"
        clip_to_osm_xml(path, xml, area=area)
        try:
            g = graph_from_osm_xml(xml, bidirectional=bidirectional)
        except Exception as exc:
            raise error(NetworkError, "error.network_unbuildable", name=Path(path).name, why=exc) from exc
    logger.info("%s: %d nodes, %d edges", Path(path).name, g.number_of_nodes(), g.number_of_edges())
    return g


def _places_from_pbf(path: Path, area: shapely.Geometry | None) -> gpd.GeoDataFrame | None:
    """Named place nodes (:data:`~ektp_routes.geocode.PLACE_KINDS`) of an extract inside ``area``."""
    import geopandas as gpd
    import osmium
    import osmium.filter as osm_filter

    from ektp_routes.geocode import PLACE_KINDS

    names: list[str] = []
    kinds: list[str] = []
    lons: list[float] = []
    lats: list[float] = []
    nodes = osmium.FileProcessor(str(path), osmium.osm.NODE).with_filter(osm_filter.KeyFilter("place"))
    for node in nodes:
        if not isinstance(node, osmium.osm.Node):
            continue
        kind, name = node.tags.get("place"), node.tags.get("name")
        if kind in PLACE_KINDS and name and node.location.valid():
            names.append(name)
            kinds.append(kind)
            lons.append(node.location.lon)
            lats.append(node.location.lat)
    keep = np.ones(len(names), dtype=bool)
    if area is not None and names:
        keep = shapely.contains_xy(area, np.asarray(lons), np.asarray(lats))
    if not keep.any():
        return None
    return gpd.GeoDataFrame(
        {"name": np.asarray(names, dtype=object)[keep], "place": np.asarray(kinds, dtype=object)[keep]},
        geometry=gpd.points_from_xy(np.asarray(lons)[keep], np.asarray(lats)[keep]),
        crs="EPSG:4326",
    )


def street_geocoder(
    path: str | Path, *, areas: gpd.GeoDataFrame | None = None, area: shapely.Geometry | None = None
) -> StreetGeocoder:
    """A :class:`~ektp_routes.geocode.StreetGeocoder` from OSM XML (.osm, .osm.bz2) or an ``.osm.pbf``.

    An ``.osm.pbf`` is clipped to ``area`` (see :func:`planning_area`; None keeps everything): its
    roads go through :func:`clip_to_osm_xml` into a temporary OSM XML file, its named place nodes are
    read with pyosmium. OSM XML is read whole, as :meth:`StreetGeocoder.from_osm_xml` does.
    """
    from ektp_routes.geocode import StreetGeocoder

    p = Path(path)
    if not p.is_file():  # before the reader's English "[Errno 2] No such file or directory"
        raise error(NetworkError, "error.osm_missing", path=p)
    if not p.name.lower().endswith(".pbf"):
        return StreetGeocoder.from_osm_xml(p, areas=areas)
    with tempfile.TemporaryDirectory(prefix="ektp-pbf-") as tmp:
        xml = Path(tmp) / "roads.osm"
        clip_to_osm_xml(p, xml, area=area)
        try:
            places = _places_from_pbf(p, area)
        except RuntimeError as exc:  # osmium reports unreadable files as RuntimeError
            raise error(NetworkError, "error.osm_unreadable", name=p.name, why=exc) from exc
        return StreetGeocoder.from_osm_xml(xml, areas=areas, places=places)
