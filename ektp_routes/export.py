"""Writing outputs safely: atomic files, spreadsheet-injection escaping, clear errors.

Every file is written to a temporary name in the same directory and renamed into place, so a reader
never sees a half-written file and a killed run leaves no truncated output behind.
"""

from __future__ import annotations

import errno
import html
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ektp_routes._errors import OutputError

if TYPE_CHECKING:
    from ektp_routes.plan import PlanResult

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def escape_spreadsheet(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula (=, +, -, @ ...) with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell passed through :func:`escape_spreadsheet`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_spreadsheet)
    return out


def safe_filename(name: str, *, max_len: int = 80) -> str:
    """A file name made only of letters, digits, '.', '_' and '-' that cannot leave its directory."""
    s = re.sub(r"\.{2,}", "_", _SAFE_NAME.sub("_", name)).strip("._") or "unnamed"
    return s[:max_len]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    finally:
        if tmp_path.exists():
            tmp_path.unlink(missing_ok=True)


def _output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(
            f"disk full while writing {path}; free some space and run again (finished areas are kept)"
        )
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return OutputError(
            f"cannot write {path}: the directory is read-only or not yours; choose another --out"
        )
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def write_atomic(path: Path, writer: Callable[[Path], object]) -> Path:
    """Run ``writer(tmp_path)`` and move the result to ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_csv(df: pd.DataFrame, path: Path, *, escape: bool = True) -> Path:
    """CSV in UTF-8 with BOM (so Excel shows Indonesian text right), formulas escaped."""
    frame = escape_frame(df) if escape else df
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def write_xlsx(df: pd.DataFrame, path: Path, *, sheet: str = "Sheet1") -> Path:
    frame = escape_frame(df)
    return write_atomic(
        path, lambda tmp: frame.to_excel(tmp, index=False, sheet_name=sheet[:31], engine="openpyxl")
    )


# ---------------------------------------------------------------------------------------------- plan outputs
def _feature_collection(features: list[dict[str, Any]], name: str) -> str:
    # RFC 7946: WGS84 lon/lat, no "crs" member; 6 decimals (~0.1 m) is plenty.
    return json.dumps({"type": "FeatureCollection", "name": name, "features": features}, ensure_ascii=False)


def _clean(v: object) -> object:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else round(f, 3)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def _hhmm(seconds: float, start_hour: float) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    t = start_hour * 3600 + float(seconds)
    return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}"


def write_plan(
    result: PlanResult, out_dir: str | Path, *, shift_start_hour: float = 8.0, with_map: bool = True
) -> dict[str, Path]:
    """Write every output of a plan into ``out_dir`` (atomically, file by file).

    routes.geojson, stops.geojson, offices.geojson (RFC 7946), assignments.csv, summary.csv,
    manifests/ (one CSV and XLSX per courier-day, the only files with names) and map.html.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(out, exc) from exc
    written: dict[str, Path] = {}
    feats = []
    for r in result.routes.to_dict("records"):
        coords = result.geometries.get(str(r["route_id"]), [])
        if len(coords) < 2:
            continue
        props = {k: _clean(v) for k, v in r.items()}
        props["start_time"] = _hhmm(r["start_s"], shift_start_hour)
        props["end_time"] = _hhmm(r["end_s"], shift_start_hour)
        props["straight_line"] = result.network_is_straight
        feats.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "LineString", "coordinates": [[x, y] for x, y in coords]},
            }
        )
    written["routes"] = _write_text(out / "routes.geojson", _feature_collection(feats, "routes"))
    feats = []
    if len(result.stops):
        for s in result.stops.to_dict("records"):
            props = {
                k: _clean(s[k])
                for k in (
                    "stop_id",
                    "route_id",
                    "sequence",
                    "cards",
                    "desa_kode",
                    "desa",
                    "precision",
                    "status",
                    "reason",
                    "office_id",
                    "placeholder",
                )
            }
            props["arrival"] = _hhmm(s["arrival_s"], shift_start_hour)
            feats.append(
                {
                    "type": "Feature",
                    "properties": props,
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(s["lon"]), 6), round(float(s["lat"]), 6)],
                    },
                }
            )
    written["stops"] = _write_text(out / "stops.geojson", _feature_collection(feats, "stops"))
    feats = [
        {
            "type": "Feature",
            "properties": {
                "office_id": o.office_id,
                "name": o.name,
                "couriers": o.fleet.couriers,
                "days": o.fleet.days,
                "capacity": o.fleet.capacity,
                "shift_s": o.fleet.shift_s,
                "placeholder": o.placeholder,
            },
            "geometry": {"type": "Point", "coordinates": [round(o.lon, 6), round(o.lat, 6)]},
        }
        for o in result.offices
        if (result.summary["office_id"] == o.office_id).any()
    ]
    written["offices"] = _write_text(out / "offices.geojson", _feature_collection(feats, "offices"))
    written["assignments"] = write_csv(result.assignments, out / "assignments.csv")
    written["summary"] = write_csv(result.summary, out / "summary.csv")
    written["manifests"] = _write_manifests(result, out / "manifests", shift_start_hour)
    if with_map:
        written["map"] = _write_map(result, out / "map.html")
    return written


def _write_text(path: Path, text: str) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _write_manifests(result: PlanResult, folder: Path, start_hour: float) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(folder, exc) from exc
    if not len(result.stops):
        return folder
    cards = result.cards.cards
    asg = result.assignments
    planned = asg[asg["status"] == "planned"].merge(
        cards[["row", "nik", "nama", "alamat", "rt", "rw", "desa", "kecamatan"]], on="row"
    )
    stops = result.stops.set_index("stop_id")
    for rid, grp in planned.groupby("route_id", sort=True):
        grp = grp.sort_values(["sequence", "row"])
        sheet = pd.DataFrame(
            {
                "Urutan": grp["sequence"].to_numpy(),
                "Perkiraan Tiba": [_hhmm(stops.at[s, "arrival_s"], start_hour) for s in grp["stop_id"]],
                "NIK": grp["nik"].to_numpy(),
                "Nama": grp["nama"].to_numpy(),
                "Alamat": grp["alamat"].to_numpy(),
                "RT": grp["rt"].to_numpy(),
                "RW": grp["rw"].to_numpy(),
                "Desa/Kelurahan": grp["desa"].to_numpy(),
                "Kecamatan": grp["kecamatan"].to_numpy(),
                "Titik": grp["stop_id"].to_numpy(),
                "Diterima (tanda tangan)": "",
            }
        )
        base = safe_filename(f"manifest_{rid}")
        write_csv(sheet, folder / f"{base}.csv")
        write_xlsx(sheet, folder / f"{base}.xlsx", sheet=safe_filename(str(rid)))
    return folder


def _write_map(result: PlanResult, path: Path, max_stops: int = 5000) -> Path:
    import folium

    if len(result.stops):
        center = [float(result.stops["lat"].mean()), float(result.stops["lon"].mean())]
    elif result.offices:
        center = [result.offices[0].lat, result.offices[0].lon]
    else:
        center = [-6.25, 107.15]
    m = folium.Map(location=center, zoom_start=13, tiles="OpenStreetMap")
    palette = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999"]
    for k, (rid, coords) in enumerate(sorted(result.geometries.items())):
        if len(coords) >= 2:
            folium.PolyLine(
                [(y, x) for x, y in coords],
                color=palette[k % len(palette)],
                weight=3,
                tooltip=html.escape(rid),
            ).add_to(m)
    for s in result.stops.head(max_stops).to_dict("records") if len(result.stops) else []:
        folium.CircleMarker(
            [s["lat"], s["lon"]],
            radius=3,
            fill=True,
            color="#333" if s["status"] == "planned" else "#d00",
            tooltip=html.escape(f"{s['route_id']} #{s['sequence']} ({s['cards']} kartu)"),
        ).add_to(m)
    for o in result.offices:
        label = o.name + (" (PLACEHOLDER)" if o.placeholder else "")
        folium.Marker([o.lat, o.lon], tooltip=html.escape(label)).add_to(m)
    return write_atomic(path, lambda tmp: m.save(str(tmp)))
