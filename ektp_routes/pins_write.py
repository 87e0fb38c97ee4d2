"""The blocks file a GIS analyst edits: one row per delivery block with a suggested point to move.

``ektp-routes blocks CARDS --out blocks.gpkg`` writes one row per delivery block (desa, settlement, RW,
RT) with its estimated households (a whole number) and cards and a suggested point: the mean of what
geocoding found for its cards (a street match when ``--osm`` is given, else the desa's point) with that
precision. An analyst moves the points in QGIS (a few thousand settlements for a kabupaten, not 100,000
houses); :mod:`ektp_routes.pins_read` reads them back. A blocks file whose points someone moved is never
written over.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ektp_routes._errors import EktpRoutesError, OutputError
from ektp_routes._files import escape_frame, require_parent, write_atomic
from ektp_routes.blocks import assign_blocks, doors_per_group
from ektp_routes.geocode import PRECISIONS
from ektp_routes.i18n import error
from ektp_routes.pins_read import pin_layers, read_pins
from ektp_routes.regions import Gazetteer

BLOCK_FILE_COLUMNS = (
    "desa_kode",
    "desa",
    "kecamatan",
    "settlement_kind",
    "settlement",
    "rw",
    "rt",
    "households",
    "cards",
    "lon",
    "lat",
    "precision",
)
"""Columns of the blocks file (no names, no NIKs, no house numbers)."""


def block_table(geocoded: pd.DataFrame) -> pd.DataFrame:
    """Distinct blocks of geocoded cards with their suggested point (:data:`BLOCK_FILE_COLUMNS`).

    ``geocoded`` holds accepted cards after :func:`~ektp_routes.geocode.geocode_cards` (``desa_kode``,
    ``desa``, ``kecamatan``, ``alamat``, ``rt``, ``rw``, ``lon``, ``lat``, ``precision``). The point of
    a block is the mean of its cards' points at their best precision.
    """
    b = assign_blocks(geocoded)
    codes, _ = pd.factorize(b["block_key"])
    rank = b["precision"].map(_precision_rank).to_numpy()
    at_best = rank == pd.Series(rank).groupby(codes).transform("min").to_numpy()
    best = (
        b[at_best]
        .groupby(codes[at_best])
        .agg(lon=("lon", "mean"), lat=("lat", "mean"), precision=("precision", "first"))
    )
    first = b.groupby(codes).first()
    out = first[["desa_kode", "desa", "kecamatan", "settlement_kind", "settlement", "rw", "rt"]].assign(
        households=whole_households(doors_per_group(b["alamat"], codes)),
        cards=np.bincount(codes),
        lon=best["lon"].round(6),
        lat=best["lat"].round(6),
        precision=best["precision"],
    )
    return out.sort_values(["desa_kode", "settlement", "rw", "rt"]).reset_index(drop=True)


def whole_households(doors: np.ndarray) -> np.ndarray:
    """Estimated households as the whole number the blocks file shows: rounded half up, at least one
    (the estimate itself stays fractional where addresses do not tell households apart)."""
    return np.maximum(np.floor(np.asarray(doors, dtype=float) + 0.5), 1.0).astype(np.int64)


def _precision_rank(p: object) -> int:
    return PRECISIONS.index(str(p)) if str(p) in PRECISIONS else len(PRECISIONS)


def refuse_overwriting_pins(path: str | Path, gaz: Gazetteer, *, option: str = "--out") -> None:
    """Refuse to write new blocks over a blocks file whose points someone moved (an analyst's pins,
    hours of work in QGIS), or over a GeoPackage holding other layers than ``blocks`` (a project's
    roads: the file is written whole); an unedited blocks file, or a file that is no blocks file, may
    be replaced.

    Raises
    ------
    OutputError
        Saying how many moved pins (or which other layers) the file holds and what to do instead.
    """
    p = Path(path)
    if not p.is_file():
        return
    try:
        # Every layer of blocks a GeoPackage holds: the moved points may sit in a layer saved beside
        # the written one, which the file written again would lose.
        layers: list[str | None] = list(pin_layers(p)) if p.suffix.lower() == ".gpkg" else [None]
    except EktpRoutesError:
        return
    moved = sum(_moved_pins(p, gaz, layer) for layer in layers)
    if moved:
        key = "error.blocks_out_pinned." + ("one" if moved == 1 else "many")
        raise error(OutputError, key, option=option, path=p, n=moved, name=p.name)
    others = _other_layers(p) if p.suffix.lower() == ".gpkg" else []
    if others:
        named = ", ".join(repr(n) for n in others)
        raise error(OutputError, "error.blocks_out_other_layers", option=option, path=p, layers=named)


def _other_layers(p: Path) -> list[str]:
    """Layers of a GeoPackage other than ``blocks`` and the styles QGIS saves in it (none when the
    file is no readable GeoPackage: it may be replaced)."""
    import warnings

    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            listed = pyogrio.list_layers(p)
    except Exception:
        return []
    return sorted(str(n) for n, _ in listed if str(n) not in ("blocks", "layer_styles"))


def _moved_pins(p: Path, gaz: Gazetteer, layer: str | None) -> int:
    """Rows of a blocks file (of one layer of a GeoPackage) that someone moved: pins, and refused
    pins but for rows of no known desa (a file that is no blocks file)."""
    try:
        pins = read_pins(p, gaz, layer=layer)
    except EktpRoutesError:
        return 0
    return len(pins.pins) + int((pins.rejects["reason"] != "desa_unknown").sum())


def write_blocks(table: pd.DataFrame, path: str | Path, *, option: str = "--out") -> Path:
    """Write a blocks table as a GeoPackage (layer ``blocks``, points) or CSV, by file suffix.

    Raises
    ------
    OutputError
        The suffix is neither, the folder (named as ``option``) does not exist or the file cannot be
        written (worded by the message catalogue).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".gpkg", ".csv"):
        raise error(OutputError, "error.blocks_out_suffix", name=p.name)
    require_parent(p, option)
    frame = table[list(BLOCK_FILE_COLUMNS)]

    def write(tmp: Path) -> None:
        if suffix == ".csv":
            # Settlement names come from card addresses: "Kp. =cmd|..." must not run in a spreadsheet;
            # the byte-order mark tells Excel the file is UTF-8, as the manifests do.
            escape_frame(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
            return
        import geopandas as gpd

        tmp.unlink()  # GDAL creates the GeoPackage itself
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs="EPSG:4326")
        gdf.to_file(tmp, layer="blocks", driver="GPKG")

    return write_atomic(p, write, suffix=suffix)
