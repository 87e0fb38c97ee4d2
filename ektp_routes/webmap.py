"""``map.html``: the plan on a Leaflet map that works offline, in one self-contained file.

Leaflet (BSD-2-Clause, shipped in ``ektp_routes/web/`` with its licence) and the page's own script and
style are inlined; the desa polygons are the base layer, so the map means something without tiles, and
OpenStreetMap tiles are added when the browser is online. Every text that comes from the plan (office
names, desa names, reasons) enters the page only as JSON inside ``<script type="application/json">``,
escaped so that ``</script>`` or ``<!--`` cannot end the block, and the page's script puts it on screen
with ``textContent``: no user text is ever part of HTML or JavaScript code.

folium is no longer used: it loads Leaflet, jQuery and Bootstrap from CDNs (a blank map offline) and
writes user text into generated JavaScript.
"""

from __future__ import annotations

import itertools
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ektp_routes._files import write_atomic
from ektp_routes.i18n import DEFAULT_LANG, Messages, messages
from ektp_routes.layers import PlanLayers, has_length
from ektp_routes.schema import CardStatus, LocationKind, Precision, location_kind

LEAFLET_VERSION = "1.9.4"
#: Route colour of courier n is COURIER_PALETTE[(n - 1) % 10] (the QGIS style uses the same colours);
#: no red in it: red marks unserved stops.
COURIER_PALETTE: tuple[str, ...] = (
    "#4363d8", "#3cb44b", "#f58231", "#911eb4", "#42d4f4",
    "#f032e6", "#9a6324", "#469990", "#808000", "#000075",
)  # fmt: skip
#: Fill of the desa choropleth classes, fewest cards first.
DESA_COLOURS: tuple[str, ...] = ("#fbf8f0", "#f3e3c3", "#e8c88f", "#d9a55b", "#c07a2f")
#: Stop statuses in map order; planned stops take their route's colour.
STOP_STATUSES: tuple[str, ...] = (CardStatus.PLANNED, CardStatus.UNSERVED, CardStatus.UNROUTABLE)
STATUS_COLOURS: tuple[str, ...] = ("#ffffff", "#d7191c", "#000000")
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: How a stop is drawn, by what its point is (:func:`ektp_routes.schema.location_kind`): a house a small
#: dot, a street point a ring, a block/settlement pin a large pale dot; stops known only to their desa
#: are not drawn as houses: one hollow dashed circle per desa point, with the number of its stops.
MARKER_KINDS: tuple[LocationKind, ...] = tuple(LocationKind)

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: object) -> str:
    """JSON text that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``.

    >>> script_json({"name": "</script><!--"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


def class_breaks(values: pd.Series, *, n: int = len(DESA_COLOURS)) -> list[int]:
    """Upper bounds of ``n`` classes of card counts: class 0 holds zero, the rest split by quantiles."""
    v = values[values > 0].to_numpy(dtype=float)
    if not len(v):
        return [0] * n
    qs = np.quantile(v, np.linspace(0, 1, n)[1:])
    out = [0]
    for q in qs:
        out.append(max(int(np.ceil(q)), out[-1] + 1))
    out[-1] = max(out[-1], int(v.max()))
    return out


def class_of(value: float, breaks: list[int]) -> int:
    """Index of the class of ``value`` given upper bounds ``breaks``."""
    return next((k for k, b in enumerate(breaks) if value <= b), len(breaks) - 1)


def class_labels(breaks: list[int]) -> list[str]:
    """'0', '1-12', '13-40' ... for the legend."""
    out = ["0"]
    for lo, hi in itertools.pairwise(breaks):
        out.append(f"{lo + 1}" if hi == lo + 1 else f"{lo + 1}-{hi}")
    return out


def _desa_json(desa: gpd.GeoDataFrame, breaks: list[int]) -> dict[str, Any]:
    feats = []
    simple = desa.geometry.simplify(0.00005, preserve_topology=True)
    labels = desa.geometry.representative_point()
    for rec, geom, lab in zip(desa.to_dict("records"), simple, labels, strict=True):
        props = {k: rec[k] for k in ("desa", "kecamatan", "cards", "planned", "unserved", "courier_days")}
        props = {k: (int(v) if isinstance(v, (int, np.integer)) else str(v)) for k, v in props.items()}
        props["cls"] = class_of(float(rec["cards"]), breaks)
        props["label"] = [round(lab.x, 5), round(lab.y, 5)] if rec["cards"] > 0 else None
        geo = json.loads(gpd.GeoSeries([geom]).to_json(drop_id=True))["features"][0]["geometry"]
        feats.append({"type": "Feature", "properties": props, "geometry": _round(geo)})
    return {"type": "FeatureCollection", "features": feats}


def _round(geo: dict[str, Any]) -> dict[str, Any]:
    def r(c: Any) -> Any:
        return [round(c[0], 5), round(c[1], 5)] if isinstance(c[0], float) else [r(x) for x in c]

    return {"type": geo["type"], "coordinates": r(geo["coordinates"])}


def _line(geom: Any) -> list[list[float]]:
    """A route's line for the page; none for a courier-day that never leaves its office's point (its
    blocks all at the office's desa point), as in the GIS layers: the day is still listed, not drawn."""
    coords = [] if geom is None else list(geom.coords)
    return [[round(x, 5), round(y, 5)] for x, y in coords] if has_length(coords) else []


def _routes_json(routes: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    out = []
    for rec, geom in zip(routes.to_dict("records"), routes.geometry, strict=True):
        out.append(
            {
                "id": rec["route_id"],
                "office_id": rec["office_id"],
                "office": rec["office"],
                "courier": int(rec["courier"]),
                "day": int(rec["day"]),
                "date": rec["date"] or "",
                "stops": int(rec["stops"]),
                "cards": int(rec["cards"]),
                "km": round(float(rec["km"]), 1),
                "hours": round(float(rec["duration_s"]) / 3600, 2),
                "start": rec["start_time"],
                "end": rec["end_time"],
                "coords": _line(geom),
                "approx": bool(rec["places_only"]),  # drawn dashed
            }
        )
    return out


def _stops_json(
    stops: gpd.GeoDataFrame,
    routes: gpd.GeoDataFrame,
    office_ids: list[str],
    desa_names: list[str],
    t: Messages,
) -> dict[str, list[Any]]:
    route_index = {rid: k for k, rid in enumerate(routes["route_id"])}
    status_index = {s: k for k, s in enumerate(STOP_STATUSES)}
    prec_index = {p.value: k for k, p in enumerate(Precision)}
    office_index = {o: k for k, o in enumerate(office_ids)}
    desa_index = {d: k for k, d in enumerate(desa_names)}
    return {
        "id": stops["stop_id"].tolist(),
        "lon": stops.geometry.x.round(5).tolist(),
        "lat": stops.geometry.y.round(5).tolist(),
        "route": [route_index.get(r, -1) for r in stops["route_id"]],
        "office": [office_index.get(o, -1) for o in stops["office_id"]],
        "seq": [int(s) if pd.notna(s) else 0 for s in stops["sequence"]],
        "arrival": [
            a if not u or u == a else f"{a} - {u}"
            for a, u in zip(stops["arrival"], stops["until"], strict=True)
        ],
        "cards": stops["cards"].astype(int).tolist(),
        "desa": [desa_index.get(d, -1) for d in stops["desa"]],
        "rwrt": [
            (f"{place}, " if place else "") + f"{rw or '-'} / {rt or '-'}"
            for place, rw, rt in zip(stops["settlement"], stops["rw"], stops["rt"], strict=True)
        ],
        "precision": [prec_index.get(p, len(prec_index) - 1) for p in stops["precision"]],
        "kind": [MARKER_KINDS.index(location_kind(p)) for p in stops["precision"]],
        "place": desa_places(stops),
        "status": [status_index.get(s, 1) for s in stops["status"]],
        "reason": [_reason_text(c, r, t) for c, r in zip(stops["reason_code"], stops["reason"], strict=True)],
    }


def desa_places(stops: gpd.GeoDataFrame) -> list[int]:
    """Per stop, the number of the desa point it is drawn at when it is known only to its desa (the map
    draws one circle per such point), else -1. Points equal to 6 decimals (0.1 m) are one point: the
    blocks of one desa carry its point up to the last bits of a float."""
    numbers: dict[tuple[float, float], int] = {}
    out = []
    for p, x, y in zip(stops["precision"], stops.geometry.x, stops.geometry.y, strict=True):
        if location_kind(p) != LocationKind.DESA:
            out.append(-1)
            continue
        out.append(numbers.setdefault((round(float(x), 6), round(float(y), 6)), len(numbers)))
    return out


def _reason_text(code: str, reason: str, t: Messages) -> str:
    return t.catalogue.get(f"reason.{code}", str(reason)) if code else ""


def map_data(layers: PlanLayers, *, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """Everything the page shows, as one JSON-serialisable value (no names, no NIKs)."""
    t = messages(lang)
    offices = layers.offices[layers.offices["cards"] > 0]
    breaks = class_breaks(layers.desa["cards"])
    desa_names = sorted(set(layers.stops["desa"])) if len(layers.stops) else []
    bounds = _bounds(layers)
    notes = [t("map.note_approx")] if bool(layers.routes["places_only"].any()) else []
    if len(layers.stops) and (layers.stops["precision"].map(location_kind) == LocationKind.DESA).any():
        notes.append(t("map.note_desa_points"))
    if bool(layers.offices["placeholder"].any()):
        notes.append(t("map.note_placeholder"))
    if len(layers.routes) and bool(layers.routes["straight_line"].any()):
        notes.append(t("map.note_straight"))
    at_office = sum(not _line(g) for g in layers.routes.geometry)
    if at_office:
        notes.append(t("map.note_no_line", n=at_office))
    return {
        "labels": t.section("map."),
        "palette": list(COURIER_PALETTE),
        "desaColours": list(DESA_COLOURS),
        "desaClasses": class_labels(breaks),
        "statusNames": [t(f"status.{s}") for s in STOP_STATUSES],
        "statusColours": list(STATUS_COLOURS),
        "precisionNames": [t(f"precision.{p.value}") for p in Precision],
        "kindNames": [t(f"map.kind_{k.value}") for k in MARKER_KINDS],
        "desaNames": desa_names,
        "officeIds": offices["office_id"].tolist(),
        "offices": [
            {
                "id": o["office_id"],
                "name": o["name"],
                "lon": round(g.x, 6),
                "lat": round(g.y, 6),
                "couriers": int(o["couriers"]),
                "cards": int(o["cards"]),
                "courier_days": int(o["courier_days"]),
                "placeholder": bool(o["placeholder"]),
            }
            for o, g in zip(offices.to_dict("records"), offices.geometry, strict=True)
        ],
        "routes": _routes_json(layers.routes),
        "stops": _stops_json(layers.stops, layers.routes, offices["office_id"].tolist(), desa_names, t),
        "desa": _desa_json(layers.desa, breaks),
        "bounds": bounds,
        "notes": notes,
        "tiles": {"url": OSM_TILES, "attribution": "© OpenStreetMap contributors"},
        "attribution": t("map.attribution"),
    }


def _bounds(layers: PlanLayers) -> list[float] | None:
    for frame in (layers.stops, layers.routes, layers.desa):
        if len(frame):
            return [round(float(v), 5) for v in frame.total_bounds]
    return None


def _asset(name: str) -> str:
    text = resources.files("ektp_routes").joinpath("web", name).read_text(encoding="utf-8")
    if name.endswith((".js", ".css")) and re.search(r"</script|<!--|</style", text, re.IGNORECASE):
        raise ValueError(f"web asset {name} would end its inline block")  # a packaging bug, never input
    return text


def render_map(layers: PlanLayers, *, lang: str = DEFAULT_LANG) -> str:
    """The HTML text of ``map.html`` for ``layers`` in ``lang``."""
    t = messages(lang)
    parts = {
        "LANG": lang,
        "TITLE": _html_text(t("map.title")),
        "LEAFLET_VERSION": LEAFLET_VERSION,
        "LEAFLET_CSS": _asset("leaflet.css"),
        "MAP_CSS": _asset("map.css"),
        "LEAFLET_JS": _asset("leaflet.js"),
        "MAP_JS": _asset("map.js"),
        "DATA": script_json(map_data(layers, lang=lang)),
    }
    # One pass: text inserted for one placeholder is never searched for another.
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: parts[m.group(1)], _asset("map.html"))


def _html_text(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def leaflet_license() -> str:
    """Leaflet's BSD-2-Clause licence text, written beside ``map.html``."""
    return _asset("LEAFLET-LICENSE")


def write_map(layers: PlanLayers, path: str | Path, *, lang: str = DEFAULT_LANG) -> Path:
    """Write ``map.html`` (self-contained, works offline) and Leaflet's licence beside it."""
    target = Path(path)
    page = render_map(layers, lang=lang)
    write_atomic(target.with_name("leaflet-LICENSE.txt"), lambda tmp: tmp.write_text(leaflet_license()))
    return write_atomic(target, lambda tmp: tmp.write_text(page, encoding="utf-8"))
