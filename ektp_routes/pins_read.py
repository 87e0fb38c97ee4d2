"""Pins read back from an edited blocks file: each checked to lie in its desa, or refused with its reason.

``--blocks blocks.gpkg`` (``plan``, ``geocode``) reads the file :mod:`ektp_routes.pins_write` wrote,
after an analyst moved its points in QGIS: each pin is checked to lie in its desa (with a small
tolerance) or refused with its reason, the block it names and, outside its desa, by how many metres;
rows still at their desa's point are the unmoved suggestion, neither pins nor refused. A CSV saved
again by a spreadsheet (semicolons, decimal commas, upper-case headers) is read as it comes. Which
card takes which pin is :mod:`ektp_routes.pins`' job.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ektp_routes._errors import InputFileError, RegionError
from ektp_routes._text import fold
from ektp_routes.blocks import settlement_of
from ektp_routes.geodesy import METRES_PER_DEGREE, haversine_m
from ektp_routes.i18n import Messages, error, log, messages
from ektp_routes.nik import mask_nik_in
from ektp_routes.reader import read_table
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)

#: File suffixes a blocks file is read from: the GeoPackage or CSV ``ektp-routes blocks`` writes, and
#: the workbook a spreadsheet saves an edited CSV as.
BLOCK_FILE_SUFFIXES = (".gpkg", ".csv", ".xlsx")

#: How far outside its desa polygon a pin may lie (digitising slack on a shared border).
PIN_TOLERANCE_M = 150.0

#: A row this close to its desa's representative point is the unmoved suggestion, not a pin.
UNMOVED_M = 5.0


#: Refusals of a block pinned at points this far apart (``apart_m``).
_APART = ("pin_conflict", "rw_rt_column_missing")

REJECT_COLUMNS = ("line", "desa_kode", "settlement", "rw", "rt", "reason", "message", "outside_m", "apart_m")
"""Columns of :attr:`Pins.rejects` (no names, no NIKs: a block is a place)."""


def reason_message(reason: str, metres: float, tolerance_m: float, *, t: Messages | None = None) -> str:
    """The message of a refusal (English unless ``t`` gives another language); ``metres``: how far
    outside its desa (``pin_outside_desa``) or apart (``pin_conflict``, ``rw_rt_column_missing``) the
    pin lies."""
    gap = f"{metres:,.0f}" if np.isfinite(metres) else "?"
    return (t or messages("en"))(f"pin_reason.{reason}", gap=gap, tol=f"{tolerance_m:.0f}")


@dataclass(frozen=True)
class Pins:
    """Pins read back from a blocks file.

    Attributes
    ----------
    pins
        Accepted pins: ``desa_kode``, ``settlement_kind``, ``settlement``, ``rw``, ``rt`` ("" for a pin
        of the whole settlement), ``lon``, ``lat`` and ``line`` (1 = the first row below the header).
    rejects
        One row per refused row (:data:`REJECT_COLUMNS`): ``line`` (1 = the first row below the
        header), the block it names (``desa_kode``, ``settlement`` with its kind, ``rw``, ``rt``), the
        ``reason`` code, a ``message`` and, for ``pin_outside_desa``, ``outside_m``: how far outside
        the desa it lies; for ``pin_conflict`` (and ``rw_rt_column_missing``: the same for a file
        without its RW or RT column), ``apart_m``: how far apart the block's rows put it.
    unmoved
        Rows still at their desa's point (the suggestion nobody moved): not pins, not refused.
    """

    pins: pd.DataFrame
    rejects: pd.DataFrame
    unmoved: int = 0


def read_pins(
    path: str | Path, gaz: Gazetteer, *, tolerance_m: float = PIN_TOLERANCE_M, layer: str | None = None
) -> Pins:
    """Read an edited blocks file (GeoPackage or CSV); refuse pins outside their desa, with reasons.

    A GeoPackage is read from ``layer`` when given, else from its one layer of blocks
    (:func:`pin_layers`: ``blocks`` or a point layer with the blocks' columns under any name); with
    several such layers (the moved points saved as a new layer beside ``blocks``) the choice is not
    guessed.

    A CSV saved again by a spreadsheet is read as it comes: comma, semicolon or tab separated, header
    names in any case ("DESA_KODE"), decimal commas in lon/lat ("106,98"); one exported by QGIS with
    its geometry as X and Y or as WKT takes the point from those (lon/lat still hold the suggestion).
    """
    raw = _read_block_file(Path(path), layer)
    frame = _block_fields(raw)
    lon, lat = _number(frame["lon"]), _number(frame["lat"])
    kode = np.array([_canonical(gaz, k) for k in frame["desa_kode"]], dtype=object)
    reason, gap_m, unmoved = _check_points(gaz, kode, lon, lat, tolerance_m)
    reason = np.where((reason == "") & _unreadable_block(frame), "rw_rt_unreadable", reason)
    # A blank row a spreadsheet kept between the blocks: no pin, nothing to refuse (lines still count).
    reason = np.where(_blank_rows(raw), "blank", reason)
    spread_m = _spread(frame, kode, lon, lat, (reason == "") & ~unmoved)
    # Without its RW or RT column (deleted in QGIS or Excel) each row pins a wider block, which the
    # other rows of it pin elsewhere: the cause is the column, not a copied row.
    dropped = not {"rw", "rt"} <= set(raw.columns)
    reason = np.where(spread_m > UNMOVED_M, "rw_rt_column_missing" if dropped else "pin_conflict", reason)
    refused = np.where(reason == "blank", "", reason)
    rejects = _rejects(frame, refused, np.where(np.isin(reason, _APART), spread_m, gap_m), tolerance_m)
    take = (reason == "") & ~unmoved
    keep = frame[take].assign(
        desa_kode=kode[take], lon=lon[take], lat=lat[take], line=np.flatnonzero(take) + 1
    )
    if len(rejects):
        rows = int((reason != "blank").sum())
        log(logger, logging.WARNING, "log.pins_refused", n=len(rejects), total=rows)
    cols = ["desa_kode", "settlement_kind", "settlement", "rw", "rt", "lon", "lat", "line"]
    return Pins(keep[cols].reset_index(drop=True), rejects, int(((reason == "") & unmoved).sum()))


def _check_points(
    gaz: Gazetteer, kode: np.ndarray, lon: np.ndarray, lat: np.ndarray, tolerance_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's refusal reason ("" when the pin is good), metres outside its desa, and whether it
    is unmoved. Values beyond degrees (metres of another CRS) and lon/lat the wrong way round are
    named as such, never measured as a point thousands of kilometres away."""
    known, finite = kode != "", np.isfinite(lon) & np.isfinite(lat)
    plausible = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 180)
    gap_m, unmoved = _placement(gaz, kode, lon, lat, known & plausible & (np.abs(lat) <= 90))
    far = gap_m > tolerance_m
    swapped = _placement(gaz, kode, lat, lon, known & plausible & far & (np.abs(lon) <= 90))[0] <= tolerance_m
    reason = np.select(
        [~known, ~finite, swapped, ~plausible | (np.abs(lat) > 90), far],
        ["desa_unknown", "pin_missing", "pin_lonlat_swapped", "pin_not_degrees", "pin_outside_desa"],
        "",
    )
    return reason, gap_m, unmoved


def _spread(
    frame: pd.DataFrame, kode: np.ndarray, lon: np.ndarray, lat: np.ndarray, good: np.ndarray
) -> np.ndarray:
    """Metres from each good pin to the farthest other good pin of the same block (0 for a block pinned
    once): a block pinned at two points (a copied QGIS feature, one copy moved) is not guessed at."""
    rows: dict[tuple[str, ...], list[int]] = {}
    for i in np.flatnonzero(good).tolist():
        r = frame.iloc[i]
        block = (kode[i], *pin_settlement(r.settlement_kind, r.settlement), r.rw, r.rt)
        rows.setdefault(block, []).append(i)
    spread = np.zeros(len(frame))
    for same in (v for v in rows.values() if len(v) > 1):
        for i in same:
            spread[i] = max(float(haversine_m(lon[i], lat[i], lon[j], lat[j])) for j in same)
    return spread


def _canonical(gaz: Gazetteer, kode: str) -> str:
    """The gazetteer's code of a desa (an old code listed as an alias gives today's), "" if unknown.

    A code written without its dots ("3216102001", or "3216102001.0" from a spreadsheet's number
    column) is read as the dotted code ("32.16.10.2001")."""
    digits = re.sub(r"\.0$", "", kode.strip())
    if re.fullmatch(r"\d{10}", digits):
        kode = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    try:
        return gaz.get(kode).kode
    except RegionError:
        return ""


def _placement(
    gaz: Gazetteer, kode: np.ndarray, lon: np.ndarray, lat: np.ndarray, check: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Metres each checked pin lies outside its desa polygon (0 inside), and whether it is unmoved."""
    gap_m = np.full(len(kode), np.inf)
    unmoved = np.zeros(len(kode), dtype=bool)
    for i in np.flatnonzero(check):
        d = gaz.get(kode[i])
        point = shapely.Point(lon[i], lat[i])
        gap_m[i] = float(shapely.distance(point, gaz.polygon(d.kode))) * METRES_PER_DEGREE
        unmoved[i] = float(haversine_m(lon[i], lat[i], d.rep_lon, d.rep_lat)) < UNMOVED_M
    return gap_m, unmoved


def _rejects(frame: pd.DataFrame, reason: np.ndarray, gap_m: np.ndarray, tolerance_m: float) -> pd.DataFrame:
    """The refused rows with the block each names and, for a pin outside its desa, by how much."""
    bad = np.flatnonzero(reason != "")
    rows = frame.iloc[bad]
    metres = np.round(gap_m[bad])
    outside = np.where(reason[bad] == "pin_outside_desa", metres, np.nan)
    apart = np.where(np.isin(reason[bad], _APART), metres, np.nan)
    return pd.DataFrame(
        {
            "line": bad + 1,
            "desa_kode": rows["desa_kode"].map(mask_nik_in).to_numpy(),
            "settlement": (rows["settlement_kind"] + " " + rows["settlement"])
            .str.strip()
            .map(mask_nik_in)
            .to_numpy(),
            "rw": rows["rw"].where(rows["rw"] != "", rows["rw_text"]).map(mask_nik_in).to_numpy(),
            "rt": rows["rt"].where(rows["rt"] != "", rows["rt_text"]).map(mask_nik_in).to_numpy(),
            "reason": reason[bad],
            "message": [reason_message(r, g, tolerance_m) for r, g in zip(reason[bad], metres, strict=True)],
            "outside_m": outside,
            "apart_m": apart,
        },
        columns=list(REJECT_COLUMNS),
    )


def _block_fields(frame: pd.DataFrame) -> pd.DataFrame:
    """Block fields as stripped text (absent ones empty), RW and RT as three digits ("" when empty or
    unreadable; ``rw_text`` and ``rt_text`` keep what the row said)."""
    out = frame.copy()
    for c in ("desa_kode", "settlement_kind", "settlement", "rw", "rt"):
        out[c] = out[c].fillna("").astype(str).str.strip() if c in out else ""
    for c in ("rw", "rt"):
        out[f"{c}_text"], out[c] = out[c], out[c].map(_three_digits)
    return out


def _blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Rows with every cell empty (a GeoPackage row: no attributes and no point either)."""
    if raw.empty:
        return np.zeros(len(raw), dtype=bool)
    text = raw.astype(object).where(raw.notna(), "").astype(str)
    return (text.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()


def _three_digits(v: str) -> str:
    """ "3", "003", "3.0" (a spreadsheet's number) and "RT 03" as "003"; "" unless a number of 1-3 digits
    ("1234" is no RT 234, "3/5" no RT 035)."""
    text = re.sub(r"^(?:RW|RT)[.:]?\s*", "", re.sub(r"\.0+$", "", v), flags=re.IGNORECASE)
    return text.zfill(3) if re.fullmatch(r"\d{1,3}", text) else ""


def _unreadable_block(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose RW or RT says something that is not an RW/RT number: read as empty, the pin would
    cover a wider area (the whole settlement) than the analyst meant."""
    bad = [(frame[f"{c}_text"] != "") & (frame[c] == "") for c in ("rw", "rt")]
    return (bad[0] | bad[1]).to_numpy()


def _number(s: pd.Series) -> np.ndarray:
    """Numbers of a column, a decimal comma ("106,98", as a spreadsheet in an Indonesian locale writes
    it) read as a decimal point."""
    text = s.astype(str).str.strip()
    text = text.where(~text.str.fullmatch(r"[+-]?\d+,\d+"), text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _read_block_file(p: Path, layer: str | None) -> pd.DataFrame:
    """The rows of a blocks file, header names lower case; one clear line when it is not one."""
    if p.is_dir():
        raise error(InputFileError, "error.blocks_file_folder", path=p)
    if not p.is_file():
        raise error(InputFileError, "error.blocks_file_missing", path=p)
    suffix = p.suffix.lower()
    if suffix not in BLOCK_FILE_SUFFIXES:
        raise error(InputFileError, "error.blocks_file_suffix", name=p.name)
    try:
        frame = _read_gpkg(p, layer or _pin_layer(p)) if suffix == ".gpkg" else read_table(p).frame
    except Exception as exc:
        if isinstance(exc, InputFileError) and exc.key.startswith("error.blocks_"):
            raise  # the GeoPackage's own refusal (no point layer, polygons, ...)
        raise error(InputFileError, "error.blocks_file_unreadable", name=p.name) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    twice = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if twice:
        raise error(InputFileError, "error.blocks_columns_twice", name=p.name, columns=twice)
    # A layer exported by QGIS with its geometry as WKT or as X and Y: the moved point, whatever
    # lon/lat say (they still hold the suggestion).
    wkt = next((c for c in _WKT_COLUMNS if c in frame.columns), None) if suffix != ".gpkg" else None
    xy = {"x", "y"} <= set(frame.columns) and suffix != ".gpkg"
    missing = {"desa_kode", "settlement", *(() if xy or wkt else ("lon", "lat"))} - set(frame.columns)
    if missing:
        raise _missing_columns(p.name, sorted(missing), list(frame.columns))
    if wkt:
        return _wkt_points(frame, wkt)
    if xy:
        frame = frame.drop(columns=["lon", "lat"], errors="ignore").rename(columns={"x": "lon", "y": "lat"})
    return frame


#: Columns in which QGIS writes a layer's geometry as text: "WKT" (Save Features As CSV with
#: GEOMETRY=AS_WKT), "wkt_geom" (rows copied from the attribute table).
_WKT_COLUMNS = ("wkt", "wkt_geom")


def _wkt_points(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows with lon/lat taken from their WKT point ("POINT (107.1 -6.2)", "Point Z (...)", a
    one-point MultiPoint); a row whose WKT is empty or no point has no lon/lat (refused as missing)."""
    text = frame[column].fillna("").astype(str).str.strip()
    geoms = shapely.from_wkt(np.array([v or None for v in text], dtype=object), on_invalid="ignore")
    one = (shapely.get_type_id(geoms) == 4) & (shapely.get_num_geometries(geoms) == 1)
    geoms[one] = shapely.get_geometry(geoms[one], 0)
    geoms[shapely.is_empty(geoms)] = None  # "Point EMPTY" (its vertex deleted): no point, no crash
    out = frame.drop(columns=[column, "lon", "lat"], errors="ignore")
    return out.assign(lon=shapely.get_x(geoms), lat=shapely.get_y(geoms))


def _missing_columns(name: str, missing: list[str], headers: list[str]) -> InputFileError:
    """The error for a blocks file without the columns it needs, naming the columns it has (only
    counted when the first row looks like data)."""
    if any(re.search(r"\d{4,}", h) for h in headers):
        return error(
            InputFileError,
            "error.blocks_columns_missing_data_row",
            name=name,
            columns=missing,
            n=len(headers),
        )
    found = ", ".join(repr(h) for h in headers)
    return error(InputFileError, "error.blocks_columns_missing", name=name, columns=missing, found=found)


def _read_gpkg(p: Path, layer: str) -> pd.DataFrame:
    """The rows of a GeoPackage's blocks layer with each point as lon/lat in degrees (a layer saved in
    another CRS converted; a table without geometry read by its lon/lat columns)."""
    import geopandas as gpd

    g = gpd.read_file(p, layer=layer)
    if not isinstance(g, gpd.GeoDataFrame) or (len(g) and g.geometry.isna().all()):
        if {"lon", "lat"} <= {str(c).strip().lower() for c in g.columns}:
            return pd.DataFrame(g.drop(columns="geometry", errors="ignore"))
        raise error(InputFileError, "error.blocks_layer_no_points", name=p.name, layer=layer)
    one = (g.geom_type == "MultiPoint").to_numpy() & (shapely.get_num_geometries(g.geometry.values) == 1)
    g.loc[one, g.geometry.name] = shapely.get_geometry(g.geometry.values[one], 0)  # a one-point multipoint
    kinds = sorted(set(g.geom_type.dropna()) - {"Point"})
    if kinds:
        kinds_text = ", ".join(kinds)
        raise error(
            InputFileError, "error.blocks_layer_not_points", name=p.name, layer=layer, kinds=kinds_text
        )
    if g.crs is not None and not g.crs.equals("EPSG:4326"):
        g = g.to_crs(4326)  # saved in the QGIS project's CRS: pins are checked in degrees
    frame = pd.DataFrame(g.drop(columns="geometry"))
    frame["lon"] = [q.x if q is not None and not q.is_empty else np.nan for q in g.geometry]
    frame["lat"] = [q.y if q is not None and not q.is_empty else np.nan for q in g.geometry]
    return frame


def _pin_layer(p: Path) -> str:
    """The layer of a GeoPackage that holds the pins: its one layer of blocks (:func:`pin_layers`),
    else its only point layer (QGIS's "Save Features As" names the layer after the new file).

    With several layers of blocks (the moved points saved as a new layer beside ``blocks``), or
    several point layers and none of blocks, the choice is not guessed.
    """
    holding = pin_layers(p)
    if len(holding) > 1:
        raise error(InputFileError, "error.blocks_layers_several", name=p.name, layers=_named(holding))
    if holding:
        return holding[0]
    layers = [name for name, geometry in _layers(p) if geometry]
    if len(layers) == 1:
        return layers[0]
    if not layers:
        raise error(InputFileError, "error.blocks_no_point_layer", name=p.name)
    raise error(InputFileError, "error.blocks_no_layer", name=p.name, layers=_named(layers))


def pin_layers(path: str | Path) -> list[str]:
    """The layers of a GeoPackage that hold blocks: ``blocks`` (a table without geometry too) and
    every layer with geometry and the blocks' ``desa_kode`` and ``settlement`` columns.

    Raises
    ------
    InputFileError
        The file is no readable GeoPackage.
    """
    import warnings

    import pyogrio

    p = Path(path)
    out = []
    try:
        for name, geometry in _layers(p):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fields = {str(f).strip().lower() for f in pyogrio.read_info(p, layer=name)["fields"]}
            if name == "blocks" or (geometry and {"desa_kode", "settlement"} <= fields):
                out.append(name)
    except Exception as exc:
        raise error(InputFileError, "error.blocks_file_unreadable", name=p.name) from exc
    return out


def _layers(p: Path) -> list[tuple[str, str | None]]:
    """(name, geometry type or None) of each layer of a GeoPackage."""
    import warnings

    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL's notes on a malformed file: the caller's error says it
        listed = pyogrio.list_layers(p)
    return [(str(name), None if geometry is None else str(geometry)) for name, geometry in listed]


def _named(layers: list[str]) -> str:
    return ", ".join(repr(n) for n in sorted(layers))


def block_label(desa_kode: str, rw: str, rt: str) -> str:
    """A block of a blocks file for messages: "desa 32.16.23.2001 RW 002 RT 001". Messages name a
    row by its line and these codes, never by its settlement text: an analyst may have typed anything
    there, a person's name too (the refusals file beside the blocks file keeps the text)."""
    where = "".join(f" {label} {_code(v)}" for label, v in (("RW", rw), ("RT", rt)) if v)
    return mask_nik_in(f"desa {_code(desa_kode)}{where}")


#: What a desa code, RW or RT may hold to be shown in a message: digits, separators, an RT/RW label
#: (and the asterisks of a NIK already masked).
_CODE_LIKE = re.compile(r"(?:R\.?[TW][.:]?)?[0-9*\s./\\:,;-]*", re.IGNORECASE)


def _code(text: str) -> str:
    """A desa code, RW or RT as written, or masked whole when it is no code (a name typed there)."""
    s = str(text)
    return s if _CODE_LIKE.fullmatch(s.strip()) else re.sub(r"\S", "*", s)


def pin_settlement(kind: str, name: str) -> tuple[str, str]:
    """(kind, folded name) of a pin's settlement, read like a card's: a marker typed into the name
    ("Kp. Pondok Lama") gives the kind, case and punctuation do not count."""
    parsed_kind, parsed = settlement_of(name)
    if not kind and parsed_kind not in ("", "tempat"):
        kind = parsed_kind
    return kind, fold(parsed or name)
