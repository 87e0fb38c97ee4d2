"""Reading road data into an osmnx-style graph: OSM XML (``.osm``, ``.osm.bz2``), osmnx GraphML, and
an osmnx download for a polygon saved as GraphML for reuse.

osmnx keeps its options in the global ``osmnx.settings``; the readers set the ones they need only
for the duration of the call (:func:`~ektp_routes.network.osm.osmnx_settings`) and restore them.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import networkx as nx
import shapely

from ektp_routes._errors import NetworkError
from ektp_routes._safexml import refuse_xml_tricks
from ektp_routes.i18n import error
from ektp_routes.network.osm import courier_tags, graph_from_osm_xml, osmnx_settings, simplified
from ektp_routes.network.pbf import graph_from_pbf
from ektp_routes.network.profiles import CourierProfile

logger = logging.getLogger(__name__)

#: osmnx ``network_type`` downloaded for each profile (the motorbike takes every road, then its profile
#: removes what it may not use).
_NETWORK_TYPE = {"walking": "walk", "bicycle": "bike", "car": "drive"}


def read_osm_xml(path: str | Path, *, profile: CourierProfile) -> nx.MultiDiGraph:
    """Load an OSM XML file (``.osm`` or ``.osm.bz2``) with osmnx, keeping every component.

    Files declaring a DOCTYPE or entities are refused: a road extract never needs them, and they
    are the vehicle of entity-expansion and external-entity attacks.
    """
    p = Path(path)
    if not p.is_file():
        raise error(NetworkError, "error.osm_missing", path=p)
    refuse_xml_tricks(p)
    try:
        g = graph_from_osm_xml(p, bidirectional=not profile.respects_oneway)
    except Exception as exc:
        raise error(NetworkError, "error.network_unbuildable", name=p.name, why=exc) from exc
    logger.info("loaded %s: %d nodes, %d edges", p.name, g.number_of_nodes(), g.number_of_edges())
    return g


def read_graphml(path: str | Path) -> nx.MultiDiGraph:
    """Load an osmnx GraphML file (DOCTYPE and entities refused, as for OSM XML)."""
    import osmnx as ox

    p = Path(path)
    if not p.is_file():
        raise error(NetworkError, "error.graphml_missing", path=p)
    refuse_xml_tricks(p)
    try:
        return ox.load_graphml(p)
    except Exception as exc:
        raise error(NetworkError, "error.graphml_unreadable", name=p.name, why=exc) from exc


def read_graph_file(path: str | Path, *, profile: CourierProfile) -> nx.MultiDiGraph:
    """Load by file type: .osm.pbf, .osm / .osm.bz2 / .xml (OSM XML) or .graphml."""
    name = str(path).lower()
    if name.endswith(".graphml"):
        return read_graphml(path)
    if name.endswith((".osm", ".osm.bz2", ".xml")):
        return read_osm_xml(path, profile=profile)
    if name.endswith(".pbf"):
        return graph_from_pbf(path, bidirectional=not profile.respects_oneway)
    p = Path(path)
    if not p.exists():
        raise error(NetworkError, "error.network_missing", path=p)
    if (p.parent / "network.json").is_file():
        raise error(NetworkError, "error.network_file_of_folder", name=p.name, folder=p.parent)
    raise error(NetworkError, "error.network_format", name=p.name)


def download_graph(
    polygon: shapely.Geometry, *, profile: CourierProfile, cache_dir: str | Path, buffer_m: float
) -> nx.MultiDiGraph:
    """Download the roads inside ``polygon`` (buffered) with osmnx, saving them as GraphML for reuse.

    A second call with the same polygon and profile loads the saved file and needs no internet.
    osmnx's own HTTP cache (under ``cache_dir/http``) is used as well.
    """
    import osmnx as ox

    buffered = shapely.buffer(polygon, buffer_m / 111_320.0)
    key = hashlib.sha256(
        shapely.to_wkb(shapely.set_precision(buffered, 1e-6)) + profile.name.encode()
    ).hexdigest()
    cache = Path(cache_dir)
    saved = cache / f"{profile.name}-{key[:16]}.graphml"
    if saved.is_file():
        logger.info("using saved network %s", saved)
        return read_graphml(saved)
    cache.mkdir(parents=True, exist_ok=True)
    network_type = _NETWORK_TYPE.get(profile.name, "all")
    try:
        # osmnx drops access=private ways by default; couriers deliver there (network.access).
        settings = {**courier_tags(), "default_access": '["access"!~"no"]'}
        with osmnx_settings(use_cache=True, cache_folder=str(cache / "http"), **settings):
            g = ox.graph_from_polygon(buffered, network_type=network_type, simplify=False, retain_all=True)
        g = simplified(g)
    except Exception as exc:
        raise error(NetworkError, "error.network_download", why=f"{type(exc).__name__}: {exc}") from exc
    ox.save_graphml(g, saved)
    return g
