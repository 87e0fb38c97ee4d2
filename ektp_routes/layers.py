"""The GIS layers of a plan: routes, stops, offices and desa as GeoDataFrames (WGS84 lon/lat).

One place builds the tables that the GeoPackage, the web map and the report all show, so a field
means the same thing everywhere. No layer carries personal data: no names, no NIKs, no street
addresses; a stop is known by its desa, RW, RT and precision.

Example
-------
>>> import pandas as pd
>>> hhmm(3600 + 90, start_hour=8.0)
'09:01'
>>> minutes(pd.Series([90.0, None])).tolist()
[1.5, nan]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ektp_routes import schema
from ektp_routes.blocks import settlement_display
from ektp_routes.regions import Gazetteer
from ektp_routes.schema import HOUSE_PRECISIONS, Precision

WGS84 = "EPSG:4326"

#: Precision columns of the desa layer, one per precision level, best first.
PRECISION_COLUMNS: tuple[str, ...] = tuple(f"prec_{p.value}" for p in Precision)


class _Fleet(Protocol):
    couriers: int
    capacity: int
    shift_s: int
    days: int


class _Office(Protocol):
    office_id: str
    name: str
    lon: float
    lat: float
    placeholder: bool

    @property
    def fleet(self) -> _Fleet: ...


class PlanTables(Protocol):
    """What the layers are built from: the result tables of a plan (``PlanResult``)."""

    @property
    def routes(self) -> pd.DataFrame: ...
    @property
    def stops(self) -> pd.DataFrame: ...
    @property
    def offices(self) -> Sequence[Any]: ...
    @property
    def summary(self) -> pd.DataFrame: ...
    @property
    def network_is_straight(self) -> bool: ...
    @property
    def geometries(self) -> Mapping[str, Sequence[tuple[float, float]]]: ...


@dataclass(frozen=True)
class PlanLayers:
    """The GIS layers of one plan, each a GeoDataFrame in EPSG:4326."""

    routes: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame
    offices: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame
    blocks: gpd.GeoDataFrame | None = None

    def items(self) -> list[tuple[str, gpd.GeoDataFrame]]:
        """(layer name, layer) in drawing order, bottom first (``blocks`` only when the plan has some)."""
        blocks = [("blocks", self.blocks)] if self.blocks is not None and len(self.blocks) else []
        return [
            ("desa", self.desa),
            ("routes", self.routes),
            *blocks,
            ("stops", self.stops),
            ("offices", self.offices),
        ]


def hhmm(seconds: float | None, *, start_hour: float) -> str:
    """Clock time ``HH:MM`` of ``seconds`` after a shift that starts at ``start_hour``; '' if unknown."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    t = start_hour * 3600 + float(seconds)
    return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}"


def minutes(seconds: pd.Series) -> pd.Series:
    """Seconds as minutes, one decimal."""
    return (pd.to_numeric(seconds, errors="coerce") / 60).round(1)


def _dates(days: pd.Series, dates: Mapping[int, dt.date] | None) -> pd.Series:
    if not dates:
        return pd.Series([None] * len(days), index=days.index, dtype=object)
    return days.map(lambda d: dates[int(d)].isoformat() if pd.notna(d) and int(d) in dates else None)


def places_only_routes(stops: pd.DataFrame) -> set[str]:
    """Routes most of whose cards are known only to a block, street or desa, not to the house: their
    line joins the places visited in order (blocks, desa points), it is not the street path to the
    houses (``places_only`` in the routes layer and ``routes.geojson``; drawn dashed on the map)."""
    if not len(stops):
        return set()
    s = stops[stops["route_id"].fillna("").astype(str) != ""]
    coarse = s["cards"].where(~s["precision"].isin(HOUSE_PRECISIONS), 0).groupby(s["route_id"]).sum()
    share = coarse / s.groupby("route_id")["cards"].sum()
    return {str(r) for r in share[share > 0.5].index}


def route_line(coords: Sequence[tuple[float, float]], *, places_only: bool) -> list[tuple[float, float]]:
    """The points a route's line is drawn through. A ``places_only`` route joins the places visited in
    order, so consecutive stops at one place (the blocks of a desa known only by its point) are one
    vertex, not a spoke of zero length; each stop stays in the stops layer. Other routes as given.

    >>> route_line([(107.1, -6.2), (107.2, -6.3), (107.2, -6.3), (107.1, -6.2)], places_only=True)
    [(107.1, -6.2), (107.2, -6.3), (107.1, -6.2)]
    """
    pts = [(float(x), float(y)) for x, y in coords]
    if not places_only or len(pts) < 2:
        return pts
    out = pts[:1]
    for p in pts[1:]:
        if (round(p[0], 6), round(p[1], 6)) != (round(out[-1][0], 6), round(out[-1][1], 6)):
            out.append(p)
    return out if len(out) >= 2 else [pts[0], pts[-1]]


def has_length(coords: Sequence[Sequence[float]]) -> bool:
    """Whether a line through these points has a length (two distinct points at least).

    A courier-day that never leaves its office's point (its blocks all at the office's desa point, as
    at a placeholder office) has none; a line of zero length is invalid geometry (QGIS's processing
    tools stop on it), so the GIS files write such a route with no geometry, its row kept.

    >>> has_length([(107.1, -6.2), (107.1, -6.2)]), has_length([(107.1, -6.2), (107.2, -6.2)])
    (False, True)
    """
    return len({(float(x), float(y)) for x, y in coords}) >= 2


def without_zero_length_lines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A layer with each line of zero length (see :func:`has_length`) as no geometry."""
    geoms = np.array(frame.geometry, dtype=object)
    zero = (shapely.get_type_id(geoms) == 1) & (shapely.length(geoms) == 0)
    if not zero.any():
        return frame
    out = frame.copy()
    out.loc[zero, frame.geometry.name] = None
    return out


def routes_layer(
    tables: PlanTables, *, start_hour: float = 8.0, dates: Mapping[int, dt.date] | None = None
) -> gpd.GeoDataFrame:
    """One LineString per courier-day, with times as HH:MM and durations in minutes and seconds."""
    r = tables.routes.copy()
    approx = r["route_id"].astype(str).isin(places_only_routes(tables.stops)).to_numpy()
    geoms = [
        route_line(tables.geometries.get(str(rid), ()), places_only=bool(a))
        for rid, a in zip(r["route_id"], approx, strict=True)
    ]
    keep = np.array([len(g) >= 2 for g in geoms], dtype=bool)
    r = r[keep].reset_index(drop=True)
    lines = [shapely.LineString(g) for g, k in zip(geoms, keep, strict=True) if k]
    out = pd.DataFrame(
        {
            "route_id": r["route_id"].astype(str),
            "office_id": r["office_id"].astype(str),
            "office": r["office"].astype(str),
            "courier": r["courier"].astype(int),
            "day": r["day"].astype(int),
            "date": _dates(r["day"], dates),
            "stops": r["stops"].astype(int),
            "cards": r["cards"].astype(int),
            "km": (r["distance_m"] / 1000).round(2),
            "distance_m": r["distance_m"].round(1),
            "duration_min": minutes(r["duration_s"]),
            "duration_s": r["duration_s"].round(1),
            "travel_min": minutes(r["travel_s"]),
            "travel_s": r["travel_s"].round(1),
            "start_time": [hhmm(v, start_hour=start_hour) for v in r["start_s"]],
            "end_time": [hhmm(v, start_hour=start_hour) for v in r["end_s"]],
            "placeholder": r["placeholder"].astype(bool),
            "straight_line": bool(tables.network_is_straight),
            "places_only": approx[keep],
        }
    )
    return gpd.GeoDataFrame(out, geometry=lines, crs=WGS84)


def stops_layer(
    tables: PlanTables, *, start_hour: float = 8.0, dates: Mapping[int, dt.date] | None = None
) -> gpd.GeoDataFrame:
    """One point per delivery stop with its office, courier, day, sequence, RT/RW, desa and precision;
    the fields of :data:`ektp_routes.schema.STOP_FEATURE`, in that order."""
    s = tables.stops
    if not len(s):
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in schema.STOP_FEATURE}, geometry=[], crs=WGS84
        )
    names = {o.office_id: o.name for o in tables.offices}
    route = tables.routes.set_index("route_id")[["courier", "day"]]
    joined = s[["route_id"]].join(route, on="route_id")
    out = pd.DataFrame(
        {
            "stop_id": s["stop_id"].astype(str),
            "office_id": s["office_id"].astype(str),
            "office": s["office_id"].map(names).astype(str),
            "route_id": s["route_id"].fillna("").astype(str),
            "courier": joined["courier"].astype("Int64"),
            "day": joined["day"].astype("Int64"),
            "date": _dates(joined["day"], dates),
            "sequence": pd.to_numeric(s["sequence"]).where(s["status"] == "planned").astype("Int64"),
            "arrival": [hhmm(v, start_hour=start_hour) for v in s["arrival_s"]],
            "arrival_min": minutes(s["arrival_s"]),
            "arrival_s": pd.to_numeric(s["arrival_s"]).round(1),
            "until": [hhmm(v, start_hour=start_hour) for v in _column(s, "until_s", np.nan)],
            "visit": pd.to_numeric(_column(s, "visit", 0)).where(s["status"] == "planned").astype("Int64"),
            "cards": s["cards"].astype(int),
            "desa_kode": s["desa_kode"].astype(str),
            "desa": s["desa"].astype(str),
            "rw": s["rw"].fillna("").astype(str),
            "rt": s["rt"].fillna("").astype(str),
            "settlement": _settlement(s),
            "households": pd.to_numeric(_column(s, "doors", np.nan)).round(1),
            "precision": s["precision"].astype(str),
            "outside_desa": s["outside_desa"].astype(bool) if "outside_desa" in s else False,
            "status": s["status"].astype(str),
            "reason_code": s["reason_code"].fillna("").astype(str),
            "reason": [
                schema.reason_text(c, m) for c, m in zip(s["reason_code"], s["reason_message"], strict=True)
            ],
            "placeholder": s["placeholder"].astype(bool),
            "off_network": s["off_network"].astype(bool) if "off_network" in s else False,
        }
    )
    pts = shapely.points(s["lon"].to_numpy(dtype=float), s["lat"].to_numpy(dtype=float))
    return gpd.GeoDataFrame(out[list(schema.STOP_FEATURE)], geometry=pts, crs=WGS84)


def _settlement(stops: pd.DataFrame) -> pd.Series:
    """A stop's settlement as the manifests print it ("Kampung Pulo", "Pulo"), or the RW that stands in
    for an unnamed one ("RW 005"); blank for a house."""
    place = _column(stops, "place", "").fillna("").astype(str)
    return settlement_display(place.where(place.ne(""), _column(stops, "settlement", "")))


def _column(frame: pd.DataFrame, name: str, default: object) -> pd.Series:
    # Block fields exist only when stops were grouped into delivery blocks.
    return frame[name] if name in frame.columns else pd.Series(default, index=frame.index)


def blocks_layer(stops: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The delivery blocks of the plan (stops not known to the house: a settlement, RW and RT at the
    best point known for it), with who visits them when; the fields of
    :data:`ektp_routes.schema.BLOCK_FEATURE`."""
    if not len(stops):
        return stops.iloc[:0]
    keep = ~stops["precision"].isin(HOUSE_PRECISIONS) & stops["settlement"].ne("")
    return stops.loc[keep, [*schema.BLOCK_FEATURE, "geometry"]].reset_index(drop=True)


def offices_layer(tables: PlanTables) -> gpd.GeoDataFrame:
    """The post offices with their fleet and the cards they serve.

    Every office of an offices file is kept (one that received no desa shows 0 cards); a placeholder
    office (one per kecamatan when no offices file is given) is kept only if it received cards.
    """
    summ = tables.summary.set_index("office_id")
    rows = []
    offices = [o for o in tables.offices if not o.placeholder or o.office_id in summ.index]
    for o in offices:
        served = summ.loc[o.office_id] if o.office_id in summ.index else None
        rows.append(
            {
                "office_id": o.office_id,
                "name": o.name,
                "couriers": int(o.fleet.couriers),
                "days": int(o.fleet.days),
                "capacity": int(o.fleet.capacity),
                "shift_h": round(o.fleet.shift_s / 3600, 2),
                "cards": int(served["cards"]) if served is not None else 0,
                "cards_planned": int(served["cards_planned"]) if served is not None else 0,
                "courier_days": int(served["courier_days"]) if served is not None else 0,
                "placeholder": bool(o.placeholder),
            }
        )
    df = pd.DataFrame(rows, columns=[*_OFFICE_COLUMNS])
    pts = shapely.points([o.lon for o in offices], [o.lat for o in offices])
    return gpd.GeoDataFrame(df, geometry=list(pts), crs=WGS84)


_OFFICE_COLUMNS = (
    "office_id",
    "name",
    "couriers",
    "days",
    "capacity",
    "shift_h",
    "cards",
    "cards_planned",
    "courier_days",
    "placeholder",
)


def desa_layer(tables: PlanTables, gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    """The embedded desa polygons of every kecamatan the plan touches, with per-desa figures.

    cards, planned, unserved (not on a route, for any reason), couriers and courier_days (distinct
    courier-days visiting the desa), and the cards per precision level (``prec_input`` ...).
    """
    t = gazetteer.desa_table
    s = tables.stops
    t = t[t["kode_kec"].isin(t.loc[t["kode"].isin(s["desa_kode"]), "kode_kec"])] if len(s) else t.iloc[:0]
    base = pd.DataFrame(
        {
            "desa_kode": t["kode"].to_numpy(),
            "desa": t["nama"].to_numpy(),
            "jenis": t["jenis"].to_numpy(),
            "kecamatan": t["nama_kec"].to_numpy(),
            "kodepos": t["kodepos"].to_numpy(),
            "penduduk": t["penduduk"].to_numpy(),
        }
    )
    figures = _desa_figures(s, tables.routes)
    out = base.join(figures, on="desa_kode")
    for col in figures.columns:
        out[col] = out[col].fillna(0).astype(int)
    return gpd.GeoDataFrame(out, geometry=t.geometry.to_numpy(), crs=WGS84)


def _desa_figures(stops: pd.DataFrame, routes: pd.DataFrame) -> pd.DataFrame:
    cols = ["cards", "planned", "unserved", "couriers", "courier_days", *PRECISION_COLUMNS]
    if not len(stops):
        return pd.DataFrame(columns=cols, index=pd.Index([], name="desa_kode"))
    s = stops.assign(planned_cards=stops["cards"].where(stops["status"] == "planned", 0))
    g = s.groupby("desa_kode")
    on_route = s[s["status"] == "planned"].join(routes.set_index("route_id")[["courier"]], on="route_id")
    courier_key = on_route["office_id"].astype(str) + "#" + on_route["courier"].astype(str)
    fig = pd.DataFrame(
        {
            "cards": g["cards"].sum(),
            "planned": g["planned_cards"].sum(),
            "couriers": courier_key.groupby(on_route["desa_kode"]).nunique(),
            "courier_days": on_route.groupby("desa_kode")["route_id"].nunique(),
        }
    )
    fig["unserved"] = fig["cards"] - fig["planned"]
    mix = s.pivot_table(index="desa_kode", columns="precision", values="cards", aggfunc="sum")
    for p in Precision:
        fig[f"prec_{p.value}"] = mix[p.value] if p.value in mix.columns else 0
    return fig.reindex(columns=cols).fillna(0).astype(int)


def plan_layers(
    tables: PlanTables,
    *,
    gazetteer: Gazetteer | None = None,
    start_hour: float = 8.0,
    dates: Mapping[int, dt.date] | None = None,
) -> PlanLayers:
    """All GIS layers of a plan.

    Parameters
    ----------
    tables
        The plan's result tables (a ``PlanResult``).
    gazetteer
        Where the desa polygons come from; default: the embedded Kabupaten Bekasi data.
    start_hour
        Clock hour at which a courier-day starts (for HH:MM times).
    dates
        Planning day number (1-based) -> calendar date; without it the ``date`` fields are empty.
    """
    gaz = gazetteer or Gazetteer.bekasi()
    stops = stops_layer(tables, start_hour=start_hour, dates=dates)
    return PlanLayers(
        routes=routes_layer(tables, start_hour=start_hour, dates=dates),
        stops=stops,
        offices=offices_layer(tables),
        desa=desa_layer(tables, gaz),
        blocks=blocks_layer(stops),
    )
