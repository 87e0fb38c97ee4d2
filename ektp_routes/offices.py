"""Post offices: the value type, reading an offices file, placeholders, and which office serves a desa.

No coordinates of real post offices of Kabupaten Bekasi are available here; without an offices file,
:func:`placeholder_offices` puts one labelled placeholder per kecamatan.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ektp_routes._errors import ConfigError, InputFileError, RegionError
from ektp_routes.config import OPTIONS
from ektp_routes.couriers import Fleet
from ektp_routes.geodesy import haversine_m
from ektp_routes.i18n import error, error_text, log, phrase
from ektp_routes.reader import read_text_table
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)

#: An office farther than this from every desa it serves is named in a warning: its coordinates are
#: probably wrong (swapped, a sign lost, another town), and its cards would all be left unserved.
FAR_OFFICE_KM = 20.0

# No ".." in an id: a safe file name has none (export.safe_filename makes it "_"), so the manifests of
# an office "KP..1" could not be written once its plan was solved.
OFFICE_ID = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_MAX_NAME = 200


def _shown(value: str) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


@dataclass(frozen=True)
class PostOffice:
    """A post office (depot) with its couriers. ``serves_kodepos``/``serves_desa`` make explicit
    assignments; otherwise desa go to the nearest office."""

    office_id: str
    name: str
    lon: float
    lat: float
    fleet: Fleet = field(default_factory=Fleet)
    serves_kodepos: tuple[str, ...] = ()
    serves_desa: tuple[str, ...] = ()
    placeholder: bool = False

    def __post_init__(self) -> None:
        # Office ids become parts of route ids and file names: a safe alphabet makes those unique
        # and harmless by construction (no cutting, no escaping).
        if not isinstance(self.office_id, str) or not OFFICE_ID.fullmatch(self.office_id):
            value = _shown(str(self.office_id))
            raise error(ConfigError, "error.office_id", value=value, rule=phrase("office.id_rule"))
        if not self.name.strip() or len(self.name) > _MAX_NAME or not self.name.isprintable():
            raise error(ConfigError, "error.office_name", office=self.office_id, n=_MAX_NAME)
        if not (math.isfinite(self.lon) and math.isfinite(self.lat)):
            raise error(ConfigError, "error.office_not_finite", office=self.office_id)
        if not (94.0 <= self.lon <= 142.0 and -11.5 <= self.lat <= 6.5):
            raise error(
                ConfigError, "error.office_outside", office=self.office_id, lon=self.lon, lat=self.lat
            )

    @property
    def smallest_bag(self) -> int:
        """The fewest cards any of its couriers carries in a day."""
        caps = [o.capacity for o in self.fleet.overrides if o.capacity is not None]
        return min([self.fleet.capacity, *caps])


def placeholder_offices(
    gaz: Gazetteer,
    fleet: Fleet,
    kecamatan: Sequence[str] | None = None,
    cards_per_kecamatan: Mapping[str, int] | None = None,
) -> list[PostOffice]:
    """One labelled placeholder office per kecamatan, at the representative point of its most
    populous desa.

    Each placeholder gets ``fleet.couriers`` couriers, or more when its kecamatan has more cards than
    they can carry in ``fleet.days`` days at 80% of a bag a day (a planner sizes a real office so).
    """
    t = gaz.desa_table
    out = []
    for kode, grp in t.groupby("kode_kec", sort=True):
        if kecamatan and kode not in kecamatan:
            continue
        top = grp.sort_values("penduduk", ascending=False).iloc[0]
        n_cards = (cards_per_kecamatan or {}).get(str(kode), 0)
        couriers = max(fleet.couriers, math.ceil(n_cards / (0.8 * fleet.capacity * fleet.days)))
        out.append(
            PostOffice(
                office_id=f"PH-{str(kode).replace('.', '')}",
                name=f"Kantor Pos Sementara {top.nama_kec}",  # a name in the language of the place
                lon=float(top.rep_lon),
                lat=float(top.rep_lat),
                fleet=replace(fleet, couriers=couriers),
                serves_desa=tuple(grp.kode),
                placeholder=True,
            )
        )
    return out


#: The columns of an offices file (README, "The offices file"); the first three are required.
OFFICE_COLUMNS = (
    "name",
    "lon",
    "lat",
    "office_id",
    "couriers",
    "capacity",
    "shift_h",
    "days",
    "kodepos",
    "desa",
)


#: Names people give these columns (English and Bahasa Indonesia), for the hint of an unknown column.
_SYNONYMS = {
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "x": "lon",
    "latitude": "lat",
    "y": "lat",
    "nama": "name",
    "id": "office_id",
    "kode": "office_id",
    "kurir": "couriers",
    "kapasitas": "capacity",
    "hari": "days",
    "kode_pos": "kodepos",
    "postcode": "kodepos",
}


def check_office_columns(columns: Sequence[str], source: str) -> None:
    """Refuse a column that is not in :data:`OFFICE_COLUMNS`, naming the closest known one.

    >>> check_office_columns(["name", "lng", "lat"], "offices.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ektp_routes._errors.InputFileError: offices.csv: unknown column 'lng' (did you mean 'lon'?); known ...
    """
    # A row of data read as the header (a card list given by mistake, a file without a header row)
    # holds numbers: then no cell of it is quoted, or a name or a NIK would be in the message.
    header_row = not any(re.search(r"\d{3}", str(c)) for c in columns)
    for col in columns:
        key = str(col).lower().strip()
        if key in OFFICE_COLUMNS:
            continue
        close = (
            [_SYNONYMS[key]]
            if key in _SYNONYMS
            else difflib.get_close_matches(key, OFFICE_COLUMNS, n=1, cutoff=0.6)
        )
        plausible = header_row and re.fullmatch(r"[A-Za-z][A-Za-z _-]{0,29}", str(col))
        shown = repr(str(col)) if plausible else phrase("office.not_a_column_name")
        known = ", ".join(OFFICE_COLUMNS)
        if close:
            raise error(
                InputFileError, "error.offices_unknown_column_near", source=source, column=shown,
                close=repr(close[0]), known=known,
            )  # fmt: skip
        raise error(InputFileError, "error.offices_unknown_column", source=source, column=shown, known=known)


def read_offices(path: str | Path, fleet: Fleet, *, gazetteer: Gazetteer | None = None) -> list[PostOffice]:
    """Post offices from CSV (name, lon, lat, [office_id, couriers, shift_h, capacity, days,
    kodepos, desa]) or GeoJSON (Point features with the same properties).

    ``fleet`` gives the values of the optional fleet columns an office leaves empty. Desa in the
    ``desa`` column (``;``-separated) may be codes or names as people write them; each is resolved like
    a card's desa, and one that resolves to no single desa is an error. Office ids must be unique
    (ignoring case) and match :data:`OFFICE_ID` (1 to 40 letters, digits, '.', '_' or '-', no '..').
    A column that is not an offices column is an error naming the closest known column.
    """
    p = Path(path)
    df = _read_office_table(p)
    check_office_columns(list(df.columns), p.name)
    cols = {c.lower().strip(): c for c in df.columns}
    for need in ("name", "lon", "lat"):
        if need not in cols:
            # The found headers are not quoted: a card list passed here by mistake has personal data
            # in its first row, which a header-less file makes the headers.
            raise error(
                InputFileError,
                "error.offices_column_missing",
                name=p.name,
                column=repr(need),
                n=len(df.columns),
            )
    gaz = gazetteer or Gazetteer.bekasi()
    out: list[PostOffice] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(df.to_dict("records")):
        try:
            office = _office_from_row(i, r, cols, fleet, gaz)
        except (ValueError, ConfigError) as exc:
            raise error(
                InputFileError, "error.offices_row", name=p.name, row=i + 1, why=partial(error_text, exc)
            ) from exc
        first = seen.setdefault(office.office_id.casefold(), i + 1)
        if first != i + 1:
            raise error(
                InputFileError,
                "error.offices_id_twice",
                name=p.name,
                row=i + 1,
                office=office.office_id,
                first=first,
            )
        out.append(office)
    if not out:
        raise error(InputFileError, "error.offices_none", name=p.name)
    _refuse_shared_areas(out, p.name, gaz)
    return out


def _refuse_shared_areas(offices: Sequence[PostOffice], source: str, gaz: Gazetteer) -> None:
    """A desa (or kode pos) listed by two offices: which one serves it would depend on the order of
    the rows (the first would win, without a word), so the file is refused naming both offices."""
    for what in ("desa", "kodepos"):
        claimed: dict[str, str] = {}
        for o in offices:
            for area in o.serves_desa if what == "desa" else o.serves_kodepos:
                first = claimed.setdefault(area, o.office_id)
                if first != o.office_id:
                    desa = gaz.get(area).nama if what == "desa" else ""
                    raise error(
                        InputFileError, f"error.offices_shared_{what}", source=source, desa=desa, code=area,
                        first=first, second=o.office_id,
                    )  # fmt: skip


def _read_office_table(p: Path) -> pd.DataFrame:
    if p.is_dir():
        raise error(InputFileError, "error.offices_folder", path=p)
    if not p.is_file():
        raise error(InputFileError, "error.offices_missing", path=p)
    try:
        if p.suffix.lower() in (".geojson", ".json"):
            import geopandas as gpd

            g = gpd.read_file(p)
            if not g.geom_type.eq("Point").all():
                raise error(InputFileError, "error.offices_not_points", name=p.name)
            df = pd.DataFrame(g.drop(columns="geometry"))
            df["lon"], df["lat"] = g.geometry.x, g.geometry.y
            return df
        return read_text_table(p)  # UTF-8, or cp1252/UTF-16 as Excel saves it; ',' or ';'
    except InputFileError:
        raise
    except Exception as exc:
        raise error(InputFileError, "error.offices_unreadable", name=p.name, why=exc) from exc


def _office_from_row(
    i: int, r: Mapping[str, Any], cols: Mapping[str, str], fleet: Fleet, gaz: Gazetteer
) -> PostOffice:
    def get(key: str, default: Any = "") -> Any:
        v = r.get(cols.get(key, ""), default)
        return default if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else v

    def number(key: str, default: Any = "") -> float:
        raw = get(key, default)
        if key in ("couriers", "capacity", "days") and re.fullmatch(r"\s*\d{1,3}(\.\d{3})+\s*", str(raw)):
            # "1.000": a thousand in an Indonesian spreadsheet, one elsewhere; not guessed
            raise error(ConfigError, "error.office_thousands", key=key)
        if isinstance(raw, str) and raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")  # a decimal comma, as an Indonesian spreadsheet writes it
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise error(ConfigError, "error.office_not_number", key=key) from None  # the cell is not quoted
        if not math.isfinite(value):
            raise error(ConfigError, "error.office_not_finite_number", key=key)
        return value

    office_fleet = Fleet(
        couriers=_whole(number("couriers", fleet.couriers), "couriers"),
        capacity=_whole(number("capacity", fleet.capacity), "capacity"),
        shift_s=_whole(round(number("shift_h", fleet.shift_s / 3600) * 3600), "shift_h", "shift_s", 1 / 3600),
        days=_whole(number("days", fleet.days), "days"),
    )
    return PostOffice(
        office_id=str(get("office_id", f"PO{i + 1:02d}")).strip(),
        name=str(get("name")),
        lon=number("lon"),
        lat=number("lat"),
        fleet=office_fleet,
        serves_kodepos=tuple(_kodepos(s.strip()) for s in str(get("kodepos")).split(";") if s.strip()),
        serves_desa=tuple(_desa_code(gaz, s.strip()) for s in str(get("desa")).split(";") if s.strip()),
    )


def _whole(value: float, key: str, option: str = "", scale: float = 1.0) -> int:
    """A whole number within the range the same setting has in a plan.toml (config.OPTIONS)."""
    if not (math.isfinite(value) and value == int(value)):
        raise error(ConfigError, "error.office_not_whole", key=key)
    opt = OPTIONS[option or key]
    assert opt.lo is not None and opt.hi is not None
    if not opt.lo <= value <= opt.hi:
        lo, hi = opt.lo * scale, opt.hi * scale
        raise error(
            ConfigError, "error.office_range", key=key, value=f"{value * scale:g}", lo=f"{lo:g}", hi=f"{hi:g}"
        )
    return int(value)


def _kodepos(text: str) -> str:
    if not re.fullmatch(r"[0-9]{5}", text):
        raise error(ConfigError, "error.office_kodepos", value=_shown(text))
    return text


def _desa_code(gaz: Gazetteer, text: str) -> str:
    """A desa code for a code or a name as people write it; an error when it is no single desa."""
    if re.fullmatch(r"[0-9.]+", text):
        try:
            return gaz.get(text).kode
        except RegionError:
            raise error(ConfigError, "error.office_desa_code", value=_shown(text)) from None
    r = gaz.resolve_desa(text)
    if not r.ok:
        raise error(ConfigError, "error.office_desa", value=_shown(text), why=r.refusal)
    return r.desa.kode


def assign_offices(
    gaz: Gazetteer, desa_codes: Sequence[str], offices: Sequence[PostOffice]
) -> dict[str, str]:
    """desa code -> office id: explicit desa lists first, then kode pos lists, then the nearest office."""
    out: dict[str, str] = {}
    for kode in desa_codes:
        d = gaz.get(kode)
        explicit = [o for o in offices if d.kode in o.serves_desa] or [
            o for o in offices if d.kodepos in o.serves_kodepos
        ]
        if explicit:
            out[kode] = explicit[0].office_id
            continue
        dist = [float(haversine_m(d.rep_lon, d.rep_lat, o.lon, o.lat)) for o in offices]
        out[kode] = offices[int(np.argmin(dist))].office_id
    _warn_far_offices(gaz, out, offices)
    return out


def _warn_far_offices(gaz: Gazetteer, area: Mapping[str, str], offices: Sequence[PostOffice]) -> None:
    """Warn of each office farther than :data:`FAR_OFFICE_KM` from every desa of the gazetteer (a
    central office serving a far batch is in its area; one 200 km away has wrong coordinates)."""
    lon = np.array([d.rep_lon for d in gaz.all_desa])
    lat = np.array([d.rep_lat for d in gaz.all_desa])
    for o in offices:
        served = [k for k, oid in area.items() if oid == o.office_id]
        if not served:
            continue
        km = float(np.min(haversine_m(lon, lat, o.lon, o.lat))) / 1000.0
        if km > FAR_OFFICE_KM:
            log(logger, logging.WARNING, "log.office_far", office=o.office_id, km=f"{km:.0f}", n=len(served))
