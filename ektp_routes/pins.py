"""One pin per block, placed once: the blocks file a GIS analyst edits, read back as precision "block".

``ektp-routes blocks CARDS --out blocks.gpkg`` writes one row per delivery block (desa, settlement, RW,
RT) with the number of households and cards and a suggested point: the mean of what geocoding found
for its cards (a street match when ``--osm`` is given, else the desa's point) with that precision. An
analyst moves the points in QGIS (a few thousand settlements for a kabupaten, not 100,000 houses) and
``--blocks blocks.gpkg`` gives every later ``plan`` and ``geocode`` run the pins: each pin is checked to
lie in its desa (with a small tolerance) or rejected with its reason, and the cards of a pinned block
get precision "block" unless they already have a better one. A row with RW and RT left empty pins the
whole settlement, one with only RT left empty the settlement's part in that RW (the most specific pin
of a card wins).

A pin does not make its households one point: a block is still visited as a unit, door to door (the
walk inside is estimated by :mod:`ektp_routes.estimate`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ektp_routes._errors import InputFileError, OutputError, RegionError
from ektp_routes.blocks import assign_blocks, doors_per_group
from ektp_routes.geocode import GeocodeResult
from ektp_routes.network import haversine_m
from ektp_routes.regions import METRES_PER_DEGREE, Gazetteer

logger = logging.getLogger(__name__)

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

#: How far outside its desa polygon a pin may lie (digitising slack on a shared border).
PIN_TOLERANCE_M = 150.0

#: A row this close to its desa's representative point is the unmoved suggestion, not a pin.
UNMOVED_M = 5.0


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
        households=np.round(doors_per_group(b["alamat"], codes), 1),
        cards=np.bincount(codes),
        lon=best["lon"].round(6),
        lat=best["lat"].round(6),
        precision=best["precision"],
    )
    return out.sort_values(["desa_kode", "settlement", "rw", "rt"]).reset_index(drop=True)


def _precision_rank(p: object) -> int:
    from ektp_routes.geocode import PRECISIONS

    return PRECISIONS.index(str(p)) if str(p) in PRECISIONS else len(PRECISIONS)


def write_blocks(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a blocks table as a GeoPackage (layer ``blocks``, points) or CSV, by file suffix."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".gpkg", ".csv"):
        raise OutputError(f"cannot write {p.name}: use a .gpkg or .csv file name")
    if not p.parent.is_dir():
        raise OutputError(f"cannot write {p}: the folder {p.parent} does not exist")
    frame = table[list(BLOCK_FILE_COLUMNS)]
    fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part" + suffix, dir=p.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8")
        else:
            import geopandas as gpd

            tmp.unlink()
            gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs="EPSG:4326")
            gdf.to_file(tmp, layer="blocks", driver="GPKG")
        os.replace(tmp, p)
    except OSError as exc:
        raise OutputError(f"cannot write {p}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return p


# ---------------------------------------------------------------------------------------------- reading pins
@dataclass(frozen=True)
class Pins:
    """Pins read back from a blocks file.

    Attributes
    ----------
    pins
        Accepted pins: ``desa_kode``, ``settlement_kind``, ``settlement``, ``rw``, ``rt`` ("" for a pin
        of the whole settlement), ``lon``, ``lat``.
    rejects
        ``line`` (1 = first data row), ``reason`` code and ``message`` for each refused row.
    unmoved
        Rows still at their desa's point (the suggestion nobody moved): not pins, not refused.
    """

    pins: pd.DataFrame
    rejects: pd.DataFrame
    unmoved: int = 0


def read_pins(path: str | Path, gaz: Gazetteer, *, tolerance_m: float = PIN_TOLERANCE_M) -> Pins:
    """Read an edited blocks file (GeoPackage or CSV); refuse pins outside their desa, with reasons."""
    frame = _read_block_file(Path(path))
    lon = pd.to_numeric(frame.get("lon"), errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame.get("lat"), errors="coerce").to_numpy(dtype=float)
    kode = frame["desa_kode"].astype(str).str.strip().to_numpy()
    known = np.array([_known(gaz, k) for k in kode])
    finite = np.isfinite(lon) & np.isfinite(lat)
    gap_m = np.full(len(frame), np.inf)
    unmoved = np.zeros(len(frame), dtype=bool)
    for i in np.flatnonzero(known & finite):
        d = gaz.get(kode[i])
        gap_m[i] = (
            float(shapely.distance(shapely.Point(lon[i], lat[i]), gaz.polygon(d.kode))) * METRES_PER_DEGREE
        )
        unmoved[i] = float(haversine_m(lon[i], lat[i], d.rep_lon, d.rep_lat)) < UNMOVED_M
    reason = np.select(
        [~known, ~finite, gap_m > tolerance_m],
        ["desa_unknown", "pin_missing", "pin_outside_desa"],
        default="",
    )
    message = {
        "desa_unknown": "desa_kode is not a desa/kelurahan code of the gazetteer",
        "pin_missing": "lon/lat missing or not a number",
        "pin_outside_desa": f"the pin lies more than {tolerance_m:.0f} m outside its desa",
    }
    bad = reason != ""
    rejects = pd.DataFrame(
        {"line": np.flatnonzero(bad) + 1, "reason": reason[bad], "message": [message[r] for r in reason[bad]]}
    )
    take = ~bad & ~unmoved
    keep = frame[take].copy()
    keep["lon"], keep["lat"] = lon[take], lat[take]
    for c in ("settlement_kind", "settlement", "rw", "rt"):
        keep[c] = keep[c].fillna("").astype(str).str.strip() if c in keep else ""
    keep["rw"], keep["rt"] = keep["rw"].map(_three_digits), keep["rt"].map(_three_digits)
    if len(rejects):
        logger.warning("%d of %d pins refused (see the rejects)", len(rejects), len(frame))
    cols = ["desa_kode", "settlement_kind", "settlement", "rw", "rt", "lon", "lat"]
    return Pins(keep[cols].reset_index(drop=True), rejects, int((~bad & unmoved).sum()))


def _known(gaz: Gazetteer, kode: str) -> bool:
    try:
        gaz.get(kode)
    except RegionError:
        return False
    return True


def _three_digits(v: str) -> str:
    digits = "".join(ch for ch in v if ch.isdigit())
    return digits.zfill(3)[-3:] if digits else ""


def _read_block_file(p: Path) -> pd.DataFrame:
    if not p.is_file():
        raise InputFileError(f"blocks file {p} does not exist")
    try:
        if p.suffix.lower() == ".gpkg":
            import geopandas as gpd

            g = gpd.read_file(p, layer="blocks")
            if g.crs is not None and not g.crs.equals("EPSG:4326"):
                g = g.to_crs(4326)  # saved in the QGIS project's CRS: pins are checked in degrees
            frame = pd.DataFrame(g.drop(columns="geometry"))
            pts = g.geometry
            frame["lon"] = [q.x if q is not None and not q.is_empty else np.nan for q in pts]
            frame["lat"] = [q.y if q is not None and not q.is_empty else np.nan for q in pts]
        else:
            frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise InputFileError(
            f"{p.name} cannot be read as a blocks file (.gpkg layer 'blocks' or .csv)"
        ) from exc
    missing = {"desa_kode", "settlement", "lon", "lat"} - set(frame.columns)
    if missing:
        raise InputFileError(
            f"{p.name}: column(s) {sorted(missing)} missing; write it with `ektp-routes blocks`"
        )
    return frame


class PinGeocoder:
    """Cards of a pinned block (or settlement) at the pin, precision "block"."""

    name = "pin"

    def __init__(self, pins: Pins) -> None:
        p = pins.pins
        key = p["desa_kode"] + "|" + p["settlement_kind"] + " " + p["settlement"]
        point = list(zip(p.lon, p.lat, strict=True))
        # The most specific pin wins: the block (RW and RT), the settlement in one RW (RT left empty),
        # the whole settlement (RW and RT left empty).
        self._by_key: dict[str, tuple[float, float]] = {}
        for k, rw, rt, xy in zip(key, p["rw"], p["rt"], point, strict=True):
            where = "" if rw == "" and rt == "" else f"|{rw}" + ("" if rt == "" else f"|{rt}")
            self._by_key[k + where] = xy

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        b = assign_blocks(cards)
        settlement = b["desa_kode"] + "|" + b["settlement_kind"] + " " + b["settlement"]
        out: list[GeocodeResult | None] = []
        by_key = self._by_key
        for sk, rw, rt, kode in zip(settlement, b["rw"], b["rt"], b["desa_kode"], strict=True):
            hit = by_key.get(f"{sk}|{rw}|{rt}") or by_key.get(f"{sk}|{rw}") or by_key.get(sk)
            out.append(
                None if hit is None else GeocodeResult(hit[0], hit[1], "block", str(kode), 1.0, self.name)
            )
        return out
