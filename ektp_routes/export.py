"""Writing a plan's outputs: GeoJSON layers, CSV/XLSX tables and courier manifests, then the views
(``plan.gpkg``, ``plan.qgz``, ``map.html``, the report) through :mod:`ektp_routes.views`.

The GeoJSON writer and the order of a manifest's cards serve the operation's daily dispatch too
(:mod:`ektp_routes.opsreport`). Files are written atomically (:mod:`ektp_routes._files`); text a
spreadsheet would run as a formula is escaped. Columns come from :mod:`ektp_routes.schema`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ektp_routes import schema
from ektp_routes._errors import OutputError
from ektp_routes._files import (
    PART_SUFFIX,
    atomic_path,
    escape_frame,
    escape_spreadsheet,
    output_error,
    safe_filename,
    write_atomic,
    write_text,
)
from ektp_routes._text import fold, strip_rt_rw
from ektp_routes.blocks import settlement_display
from ektp_routes.i18n import DEFAULT_LANG, Messages, messages
from ektp_routes.layers import has_length, hhmm, places_only_routes, plan_layers, route_line
from ektp_routes.views import write_views

if TYPE_CHECKING:
    from ektp_routes.report import PlanResult

__all__ = [
    "atomic_path",
    "escape_frame",
    "escape_spreadsheet",
    "safe_filename",
    "write_atomic",
    "write_csv",
    "write_geojson",
    "write_plan",
    "write_xlsx",
]


def write_csv(df: pd.DataFrame, path: Path, *, escape: bool = True) -> Path:
    """CSV in UTF-8 with BOM (so Excel shows Indonesian text right), formulas escaped."""
    frame = escape_frame(df) if escape else df
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def write_xlsx(df: pd.DataFrame, path: Path, *, sheet: str = "Sheet1") -> Path:
    """XLSX with formulas escaped and control characters (which XLSX cannot hold) removed.

    Written by XlsxWriter row by row in constant memory, text kept as text (never turned into a
    formula, number or link): a courier manifest takes less than half the time openpyxl needs.
    """
    header, rows = _cells(df)
    return write_atomic(path, partial(_xlsx_file, sheet=sheet, header=header, rows=rows))


def _cells(df: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    """Header and rows of ``df`` as plain Python values, text escaped (:func:`escape_spreadsheet`),
    NA as None: one pass that both the CSV and the XLSX of a manifest are written from."""
    rows = [[_cell(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
    return [str(c) for c in df.columns], rows


def _cell(v: object) -> object:
    if isinstance(v, str):
        return escape_spreadsheet(v)
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


_XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def _xlsx_file(
    tmp: Path, *, sheet: str, header: list[str], rows: list[list[object]], notes: Sequence[str] = ()
) -> None:
    """The sheet: ``notes`` one a line, a blank line after them, then the table."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp), _XLSX_OPTIONS)
    ws = book.add_worksheet(sheet[:31])
    for r, line in enumerate(notes):
        ws.write_string(r, 0, line)
    top = len(notes) + 1 if notes else 0
    ws.write_row(top, 0, header)
    for r, rec in enumerate(rows, start=top + 1):
        ws.write_row(r, 0, [_ILLEGAL_XML.sub("", v) if isinstance(v, str) else v for v in rec])
    book.close()


def _csv_file(tmp: Path, *, header: list[str], rows: list[list[object]]) -> None:
    """The same bytes as :func:`write_csv` (UTF-8 with BOM, minimal quoting, \\n line ends)."""
    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


#: Characters XML 1.0 (and so XLSX) cannot hold: the C0 controls other than tab, newline, return.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ---------------------------------------------------------------------------------------------- plan outputs
def write_plan(
    result: PlanResult,
    out_dir: str | Path,
    *,
    shift_start_hour: float = 8.0,
    with_map: bool = True,
    lang: str = DEFAULT_LANG,
    dates: Mapping[int, dt.date] | None = None,
) -> dict[str, Path]:
    """Write every output of a plan into ``out_dir`` (atomically, file by file).

    routes.geojson, stops.geojson, offices.geojson (RFC 7946), assignments.csv, summary.csv,
    manifests/ (one CSV and XLSX per courier-day, the only files with names), and the views
    (:func:`ektp_routes.views.write_views`): plan.gpkg, plan.qgz, map.html, report.html/.pdf and the
    charts. ``lang`` ('id' or 'en') is the language of everything a person reads; ``dates`` maps
    planning days to calendar dates.
    """
    t = messages(lang)
    out = Path(out_dir)
    _mkdir(out)
    h = shift_start_hour
    layers = plan_layers(result, start_hour=h, dates=dates)
    written = {
        "routes": write_geojson(out / "routes.geojson", "routes", _route_features(result, h)),
        "stops": write_geojson(
            out / "stops.geojson", "stops", _point_features(layers.stops, schema.STOP_FEATURE)
        ),
        "offices": write_geojson(out / "offices.geojson", "offices", _office_features(result)),
        "assignments": write_csv(assignments_file(result.assignments, t=t), out / "assignments.csv"),
        "summary": write_csv(
            result.summary.rename(columns=t.columns(result.summary.columns)), out / "summary.csv"
        ),
        "manifests": _write_manifests(result, out / "manifests", h, t),
    }
    written.update(write_views(result, result.assignments, out, lang=lang, layers=layers, with_map=with_map))
    if "map" in written:
        written["map_licence"] = out / "leaflet-LICENSE.txt"
    return written


def assignments_file(assignments: pd.DataFrame, *, t: Messages | None = None) -> pd.DataFrame:
    """``assignments.csv`` as written: the reason as text (``code: message``) and as its code.

    The message of a rejected row is in the language it was validated in; a card left out by the
    plan (unserved, unroutable, outside the kecamatan chosen) is told in the language of ``t`` by
    its code (the library's English sentence, with the network's detail, when ``t`` is English or
    None)."""
    out = assignments.copy()
    said = out["reason_message"].to_numpy(dtype=object).copy()
    if t is not None and t.lang != "en":
        left_out = out["reason_code"].isin([*schema.UnservedReason, schema.OUT_OF_SCOPE]).to_numpy(dtype=bool)
        said[left_out] = [t(f"reason.{c}") for c in out["reason_code"].to_numpy()[left_out]]
    out["reason"] = [schema.reason_text(c, m) for c, m in zip(out["reason_code"], said, strict=True)]
    front = [schema.CARD_REF] if schema.CARD_REF in out.columns else []
    return out[[schema.ASSIGNMENTS[0], *front, *schema.ASSIGNMENTS[1:]]]


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(folder, exc) from exc


def write_geojson(path: Path, name: str, features: list[dict[str, Any]]) -> Path:
    """A GeoJSON FeatureCollection named ``name`` at ``path``, atomically (UTF-8, non-ASCII kept)."""
    # RFC 7946: WGS84 lon/lat, no "crs" member; 6 decimals (~0.1 m) is plenty.
    doc = {"type": "FeatureCollection", "name": name, "features": features}
    return write_text(path, json.dumps(doc, ensure_ascii=False))


def _feature(props: dict[str, Any], geometry_type: str, coordinates: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": geometry_type, "coordinates": coordinates},
    }


def _clean(v: object) -> object:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else round(f, 3)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def _route_features(result: PlanResult, start_hour: float) -> list[dict[str, Any]]:
    feats = []
    places_only = places_only_routes(result.stops)
    for r in result.routes.to_dict("records"):
        approx = str(r["route_id"]) in places_only
        coords = route_line(result.geometries.get(str(r["route_id"]), []), places_only=approx)
        if len(coords) < 2:
            continue
        props = {k: _clean(v) for k, v in r.items()}
        props["start_time"] = hhmm(r["start_s"], start_hour=start_hour)
        props["end_time"] = hhmm(r["end_s"], start_hour=start_hour)
        props["straight_line"] = result.network_is_straight
        props["places_only"] = approx
        feature = _feature(props, "LineString", [[x, y] for x, y in coords])
        feats.append(feature if has_length(coords) else {**feature, "geometry": None})
    return feats


def _point_features(layer: gpd.GeoDataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    # The GIS layer's fields (ektp_routes.layers), so stops.geojson and plan.gpkg say the same.
    records = layer[list(columns)].to_dict("records") if len(layer) else []
    return [
        _feature({k: _clean(v) for k, v in rec.items()}, "Point", [round(p.x, 6), round(p.y, 6)])
        for rec, p in zip(records, layer.geometry, strict=True)
    ]


def _office_features(result: PlanResult) -> list[dict[str, Any]]:
    used = set(result.summary["office_id"])
    return [
        _feature(
            {
                "office_id": o.office_id,
                "name": o.name,
                "couriers": o.fleet.couriers,
                "days": o.fleet.days,
                "capacity": o.fleet.capacity,
                "shift_s": o.fleet.shift_s,
                "placeholder": o.placeholder,
                **_planned_with(result),
            },
            "Point",
            [round(o.lon, 6), round(o.lat, 6)],
        )
        for o in result.offices
        if o.office_id in used
    ]


def _planned_with(result: PlanResult) -> dict[str, Any]:
    """The service times and travel network a plan was made with, as ``offices.geojson`` properties
    (see :data:`ektp_routes.schema.OFFICE_FEATURE`); a network not recorded is written as null."""
    rec = result.network
    return {
        "service_base_s": float(result.service.base_s),
        "service_per_card_s": float(result.service.per_card_s),
        **{prop: None if rec is None else getattr(rec, f) for f, prop in schema.OFFICE_NETWORK.items()},
    }


#: Catalogue keys (``manifest.<key>``) of the columns of :data:`ektp_routes.schema.MANIFEST`, in order.
_MANIFEST_KEYS = (
    "sequence",
    "arrival",
    "nik",
    "name",
    "address",
    "settlement",
    "rt",
    "rw",
    "desa",
    "kecamatan",
    "stop",
    "signature",
)


#: A house number as exports write it ("No. 12", "NO.12", "Nomor 12").
_HOUSE_NUMBER = re.compile(r"\b(?:no|nomor|nomer)\b\.?\s*(\d+)", re.I)
_BLOK = re.compile(r"\bblok\b\.?\s*([a-z0-9]+)", re.I)
_ADDRESS_KEYS = ("_blok", "_number", "_address")


def address_order(alamat: pd.Series) -> pd.DataFrame:
    """Sort keys that put the cards of one stop in address order: blok, house number, then the address
    text without its RT/RW (folded), so that the cards of one house sit together on the manifest.

    Example
    -------
    >>> s = pd.Series(["Jl. Mawar No. 12", "JL. MAWAR NO.3 RT 001/RW 002", "Jl. Mawar No. 12 RT.1 RW.2"])
    >>> keys = address_order(s)
    >>> s[keys.sort_values(list(keys.columns)).index].tolist()
    ['JL. MAWAR NO.3 RT 001/RW 002', 'Jl. Mawar No. 12', 'Jl. Mawar No. 12 RT.1 RW.2']
    """
    codes, uniq = pd.factorize(alamat.fillna("").astype(str))
    text = pd.Series(uniq, dtype=object)
    blok = text.str.extract(_BLOK, expand=False).fillna("").str.upper()
    keys = pd.DataFrame(
        {
            # "B9" before "B10": the digits of a blok compared as numbers
            "_blok": blok.str.replace(r"\d+", lambda m: m.group().zfill(6), regex=True),
            "_number": pd.to_numeric(text.str.extract(_HOUSE_NUMBER, expand=False), errors="coerce"),
            "_address": [fold(strip_rt_rw(u, " ")) for u in uniq],
        }
    )
    return keys.iloc[codes].set_axis(alamat.index)


def manifest_sheets(result: PlanResult, *, start_hour: float = 8.0) -> Iterator[tuple[str, pd.DataFrame]]:
    """(route id, delivery list) per courier-day, in route id order; columns of
    :data:`ektp_routes.schema.MANIFEST`. The only tables with names and full NIKs. Each row names its
    stop's settlement (kind and name) and RW/RT; the cards of a stop (a delivery block is walked door
    to door) are in address order (:func:`address_order`)."""
    if not len(result.stops):
        return
    asg = result.assignments
    planned = asg[asg["status"] == schema.CardStatus.PLANNED].merge(
        result.cards.cards[["row", "nik", "nama", "alamat", "rt", "rw", "desa", "kecamatan"]], on="row"
    )
    stop = _manifest_stops(result.stops, start_hour).reindex(planned["stop_id"])
    for col in ("rt", "rw"):  # the card's own RT/RW, else its block's
        own = planned[col].fillna("").astype(str)
        planned[col] = own.where(own.str.strip() != "", stop[col].to_numpy())
    planned["when"], planned["settlement"] = stop["when"].to_numpy(), stop["settlement"].to_numpy()
    for rid, grp in manifest_order(planned, tie="row").groupby("route_id", sort=True):
        values = [grp[c].to_numpy() for c in _MANIFEST_SOURCES] + [""]
        yield str(rid), pd.DataFrame(dict(zip(schema.MANIFEST, values, strict=True)))


def manifest_order(cards: pd.DataFrame, *, tie: str) -> pd.DataFrame:
    """``cards`` in the order a manifest lists them: by visit (``sequence``), the cards of one stop in
    address order (:func:`address_order` of ``alamat``), then by the column ``tie``."""
    keys = pd.concat([cards[["sequence", tie]], address_order(cards["alamat"])], axis=1)
    return cards.loc[keys.sort_values(["sequence", *_ADDRESS_KEYS, tie], kind="stable").index]


def settlement_text(place: pd.Series) -> list[str]:
    """A stop's settlement (its ``place``, :func:`ektp_routes.blocks.courier_place`) as a manifest
    prints it: the first letter capitalised ('Kampung Pulo', 'Pulo'), blank where none is named."""
    return settlement_display(place).tolist()


#: Where the columns of :data:`ektp_routes.schema.MANIFEST` come from (the signature column is blank).
_MANIFEST_SOURCES = (
    "sequence",
    "when",
    "nik",
    "nama",
    "alamat",
    "settlement",
    "rt",
    "rw",
    "desa",
    "kecamatan",
    "stop_id",
)


def _manifest_stops(stops: pd.DataFrame, start_hour: float) -> pd.DataFrame:
    """Per stop id: when the courier is there (``when``), its settlement as a courier reads it
    ('Kampung Pulo', 'Pulo' for an unmarked name; blank for a house or where none is named) and its
    RW/RT. A house has an expected time; a stop not known to the house (a delivery block, or a stop
    of several households) a window whose minutes are an estimate: from its arrival to the next
    block of its visit (:func:`ektp_routes.report.stops_table`), so the windows of one visit follow
    one another and never overlap."""
    n = len(stops)
    doors = pd.to_numeric(stops["doors"]) if "doors" in stops.columns else pd.Series(1.0, index=stops.index)
    block = (doors.gt(1) | ~stops["precision"].astype(str).isin(schema.HOUSE_PRECISIONS)).to_numpy()
    until = stops["until_s"] if "until_s" in stops.columns else pd.Series(np.nan, index=stops.index)
    when = [
        hhmm(a, start_hour=start_hour) + (f"-{hhmm(u, start_hour=start_hour)}" if b and u == u else "")
        for a, u, b in zip(stops["arrival_s"], until, block, strict=True)
    ]
    place = stops["place"] if "place" in stops.columns else pd.Series([""] * n, dtype=object)
    out = pd.DataFrame(
        {
            "when": when,
            "settlement": settlement_text(place),
            "rt": stops["rt"].fillna("").astype(str).to_numpy(),
            "rw": stops["rw"].fillna("").astype(str).to_numpy(),
        },
        index=stops["stop_id"].astype(str).to_numpy(),
    )
    return out


def _write_manifests(result: PlanResult, folder: Path, start_hour: float, t: Messages) -> Path:
    """Write every courier-day's list into a fresh folder, then swap it in for the old one whole: no
    manifest of an earlier run (with names of people not in this plan) survives next to new ones."""
    _mkdir(folder.parent)
    headings = dict(zip(schema.MANIFEST, (t(f"manifest.{k}") for k in _MANIFEST_KEYS), strict=True))
    notes = [t("manifest.order_note")]  # printed above the table of every XLSX (the CSV is the table)
    try:
        fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}{PART_SUFFIX}-", dir=folder.parent))
    except OSError as exc:
        raise output_error(folder, exc) from exc
    try:
        names: set[str] = set()
        for rid, bahasa in manifest_sheets(result, start_hour=start_hour):
            # Route ids are made of safe characters (office ids are validated) and are unique, so
            # their file names are unique by construction; checked all the same.
            base = f"manifest_{rid}"
            if safe_filename(base) != base or base.casefold() in names:
                raise OutputError(f"manifest file name for route {rid} is not unique or not safe")
            names.add(base.casefold())
            # The fresh folder is swapped in whole, so its files need no atomic writes of their own.
            header, rows = _cells(bahasa.rename(columns=headings))
            _csv_file(fresh / f"{base}.csv", header=header, rows=rows)
            _xlsx_file(fresh / f"{base}.xlsx", sheet=rid, header=header, rows=rows, notes=notes)
        _swap(fresh, folder)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile
        raise output_error(folder, exc) from exc
    finally:
        if fresh.exists():
            shutil.rmtree(fresh, ignore_errors=True)
    return folder


def _swap(fresh: Path, folder: Path) -> None:
    old = folder.with_name(f".{folder.name}.old{PART_SUFFIX}-{os.getpid()}")
    try:
        if folder.exists():
            os.replace(folder, old)
        os.replace(fresh, folder)
        if old.exists():
            shutil.rmtree(old)
    except OSError as exc:
        raise output_error(folder, exc) from exc
