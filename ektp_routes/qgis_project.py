"""``plan.qgz``: a QGIS project that opens every layer of ``plan.gpkg`` styled, over OpenStreetMap.

The project refers to the GeoPackage beside it by a relative path (the folder can be moved or
shared as a whole), embeds each layer's style (the same QML as the GeoPackage's ``layer_styles``),
and puts an OpenStreetMap XYZ tile layer at the bottom, which shows when the computer is online.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import pyproj

from ektp_routes._files import write_atomic
from ektp_routes.i18n import DEFAULT_LANG, Messages, messages
from ektp_routes.layers import PlanLayers
from ektp_routes.qgis_styles import QGIS_VERSION, style_elements

OSM_SOURCE = "type=xyz&url=https://tile.openstreetmap.org/%7Bz%7D/%7Bx%7D/%7By%7D.png&zmax=19&zmin=0"
_GEOMETRY = {
    "routes": ("Line", "LineString"),
    "stops": ("Point", "Point"),
    "offices": ("Point", "Point"),
    "blocks": ("Point", "Point"),
    "desa": ("Polygon", "MultiPolygon"),
}
_TITLES = {
    "routes": "map.layer_routes",
    "stops": "map.layer_stops",
    "offices": "map.layer_offices",
    "blocks": "map.layer_blocks",
    "desa": "map.layer_desa",
}
_ORDER = ("offices", "stops", "blocks", "routes", "desa")  # top of the layer list first


def _layer_id(name: str) -> str:
    # QGIS 3.22 replaces short layer ids (such as "ektp_osm") by random ones when it reads a project,
    # which detaches them from the layer tree: keep ids long, like the ones QGIS makes.
    return f"{name}_ektp_routes_plan_layer"


def _srs(parent: ET.Element, authid: str) -> None:
    # QGIS 3.x builds the CRS from the WKT (authid alone is read only with QGIS's internal srsid).
    crs = pyproj.CRS.from_user_input(authid)
    ref = ET.SubElement(parent, "spatialrefsys")
    ET.SubElement(ref, "wkt").text = crs.to_wkt()
    ET.SubElement(ref, "srid").text = authid.split(":")[1]
    ET.SubElement(ref, "authid").text = authid
    ET.SubElement(ref, "description").text = crs.name


def _vector_layer(name: str, gpkg_name: str, layers: PlanLayers, t: Messages) -> ET.Element:
    geometry, wkb = _GEOMETRY[name]
    labelled = any(e.tag == "labeling" for e in style_elements(name, layers, t))
    ml = ET.Element(
        "maplayer",
        {
            "type": "vector",
            "geometry": geometry,
            "wkbType": wkb,
            "labelsEnabled": "1" if labelled else "0",
            "autoRefreshEnabled": "0",
        },
    )
    ET.SubElement(ml, "id").text = _layer_id(name)
    ET.SubElement(ml, "datasource").text = f"./{gpkg_name}|layername={name}"
    ET.SubElement(ml, "layername").text = t(_TITLES[name])
    _srs(ET.SubElement(ml, "srs"), "EPSG:4326")
    ET.SubElement(ml, "provider", {"encoding": "UTF-8"}).text = "ogr"
    ml.extend(style_elements(name, layers, t))
    return ml


def _osm_layer(t: Messages) -> ET.Element:
    ml = ET.Element("maplayer", {"type": "raster", "autoRefreshEnabled": "0"})
    ET.SubElement(ml, "id").text = _layer_id("osm")
    ET.SubElement(ml, "datasource").text = OSM_SOURCE
    ET.SubElement(ml, "layername").text = t("project.osm")
    _srs(ET.SubElement(ml, "srs"), "EPSG:3857")
    ET.SubElement(ml, "provider").text = "wms"
    return ml


def _extent(layers: PlanLayers) -> tuple[float, float, float, float]:
    for frame in (layers.desa, layers.stops, layers.offices):
        if len(frame):
            b = gpd.GeoSeries(frame.geometry, crs=frame.crs).to_crs("EPSG:3857").total_bounds
            pad = max(b[2] - b[0], b[3] - b[1]) * 0.05
            return (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
    return (11_870_000.0, -740_000.0, 11_960_000.0, -660_000.0)  # Kabupaten Bekasi


def project_xml(layers: PlanLayers, *, gpkg_name: str = "plan.gpkg", lang: str = DEFAULT_LANG) -> str:
    """The ``.qgs`` document of the project."""
    t = messages(lang)
    root = ET.Element("qgis", {"version": QGIS_VERSION, "projectname": t("project.title")})
    ET.SubElement(root, "title").text = t("project.title")
    _srs(ET.SubElement(root, "projectCrs"), "EPSG:3857")
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    names = [n for n in _ORDER if n in dict(layers.items())]
    for name in names:
        ET.SubElement(
            tree,
            "layer-tree-layer",
            {
                "id": _layer_id(name),
                "name": t(_TITLES[name]),
                "source": f"./{gpkg_name}|layername={name}",
                "providerKey": "ogr",
                "checked": "Qt::Checked",
                "expanded": "1",
            },
        )
    ET.SubElement(
        tree,
        "layer-tree-layer",
        {
            "id": _layer_id("osm"),
            "name": t("project.osm"),
            "source": OSM_SOURCE,
            "providerKey": "wms",
            "checked": "Qt::Checked",
            "expanded": "0",
        },
    )
    canvas = ET.SubElement(root, "mapcanvas", {"name": "theMapCanvas", "annotationsVisible": "1"})
    ET.SubElement(canvas, "units").text = "meters"
    extent = ET.SubElement(canvas, "extent")
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), _extent(layers), strict=True):
        ET.SubElement(extent, key).text = f"{value:.1f}"
    _srs(ET.SubElement(canvas, "destinationsrs"), "EPSG:3857")
    project_layers = ET.SubElement(root, "projectlayers")
    project_layers.extend(_vector_layer(n, gpkg_name, layers, t) for n in names)
    project_layers.append(_osm_layer(t))
    props = ET.SubElement(root, "properties")
    ET.SubElement(ET.SubElement(props, "Paths"), "Absolute", {"type": "bool"}).text = "false"
    # Without this flag QGIS 3.22 ignores projectCrs.
    ET.SubElement(ET.SubElement(props, "SpatialRefSys"), "ProjectionsEnabled", {"type": "int"}).text = "1"
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def write_qgz(
    layers: PlanLayers,
    path: str | Path,
    *,
    gpkg_name: str = "plan.gpkg",
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write the QGIS project ``plan.qgz`` (a zip holding ``plan.qgs``) beside ``gpkg_name``."""
    text = project_xml(layers, gpkg_name=gpkg_name, lang=lang)
    target = Path(path)

    def build(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(target.with_suffix(".qgs").name, text)

    return write_atomic(target, build)
