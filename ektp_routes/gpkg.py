"""``plan.gpkg``: the plan's layers in one GeoPackage, with QGIS styles stored inside it.

Layers ``desa``, ``routes``, ``stops``, ``offices`` (and any extra layer passed in, e.g. delivery
blocks), EPSG:4326. Each layer's QML style is stored in the GeoPackage's ``layer_styles`` table (the
table QGIS itself uses) with ``useAsDefault`` set, so QGIS opens every layer styled. The file is built
under a temporary name and renamed into place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from ektp_routes._files import write_atomic
from ektp_routes.i18n import DEFAULT_LANG, messages
from ektp_routes.layers import PlanLayers, without_zero_length_lines
from ektp_routes.qgis_styles import layer_style

_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
    f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
    styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""


def write_layers(frames: Mapping[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write each GeoDataFrame as a layer of a new GeoPackage at ``path`` (a ``.gpkg`` name).

    GeoPackage 1.2, which every GDAL since 2.2 (QGIS 3.x on any desktop) reads without a warning.
    """
    for k, (name, frame) in enumerate(frames.items()):
        options = {"dataset_options": {"VERSION": "1.2"}} if k == 0 else {"append": True}
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio", **options)


def store_styles(path: Path, styles: Mapping[str, str], *, description: str = "ektp_routes") -> None:
    """Store QML ``styles`` (layer name -> QML) as the layers' default styles in ``layer_styles``."""
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(_STYLES_DDL)
            con.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles')"
            )
            geom = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
            for name, qml in styles.items():
                con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (name,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner) "
                    "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '')",
                    (name, geom.get(name, "geom"), name, qml, description),
                )
    finally:
        con.close()


def write_gpkg(
    layers: PlanLayers,
    path: str | Path,
    *,
    lang: str = DEFAULT_LANG,
    extra: Mapping[str, tuple[gpd.GeoDataFrame, str]] | None = None,
) -> Path:
    """Write ``plan.gpkg`` with its layers and their default QGIS styles.

    Parameters
    ----------
    layers
        The plan's layers.
    path
        Where the GeoPackage goes (replaced if it exists).
    lang
        Language of the legend labels in the styles.
    extra
        More layers, name -> (GeoDataFrame, QML style), e.g. delivery blocks.
    """
    t = messages(lang)
    frames = {name: without_zero_length_lines(frame) for name, frame in layers.items()}
    styles = {name: layer_style(name, layers, t) for name in frames}
    for name, (frame, qml) in (extra or {}).items():
        frames[name], styles[name] = frame, qml

    def build(tmp: Path) -> None:
        tmp.unlink()  # GDAL creates the GeoPackage itself (under a .gpkg name, as it wants)
        write_layers(frames, tmp)
        store_styles(tmp, styles)

    return write_atomic(Path(path), build, suffix=".gpkg")
