"""What the operation writes: a day's dispatch (manifests, dispatch.csv, GeoJSON), the returns lists
per kecamatan, and the status (cards per state, per day, pace, burn-down charts).

Only the manifests and the returns lists carry names and NIKs (they are the field forms and the
list handed back to Disdukcapil); dispatch.csv, the GeoJSON layers, status and charts carry card
references, codes and counts only.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ektp_routes._errors import InputFileError, OutputError
from ektp_routes._files import is_system_file, safe_filename, write_atomic
from ektp_routes.blocks import block_settlement, courier_place, places_not_people, settlement_display
from ektp_routes.export import manifest_order, settlement_text, write_csv, write_geojson
from ektp_routes.fieldform import (
    MANIFEST_COLUMNS,
    RETURN_COLUMNS,
    Form,
    write_form_csv,
    write_form_pdf,
    write_form_xlsx,
)
from ektp_routes.i18n import DEFAULT_LANG, Messages, error, messages
from ektp_routes.layers import has_length, places_only_routes, route_line
from ektp_routes.ledger import NOT_ATTEMPTED, CardState, Ledger, Outcome
from ektp_routes.network import haversine_m
from ektp_routes.offices import PostOffice
from ektp_routes.operation import load_offices, route_id
from ektp_routes.operation_config import OperationConfig, load_config
from ektp_routes.outcomes import read_outcomes
from ektp_routes.schema import HOUSE_PRECISIONS

_HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DISPATCH_COLUMNS = (
    "card_ref", "office_id", "courier", "date", "sequence", "stop_id", "operation_id", "route_id",
)  # fmt: skip
SHIFT_START_HOUR = 8.0


def file_stem(office_id: str) -> str:
    """A file-name-safe form of an office id that stays unique: a short hash is added whenever the
    safe form differs from the id itself."""
    safe = safe_filename(office_id, max_len=40)
    return safe if safe == office_id else f"{safe}~{hashlib.sha256(office_id.encode()).hexdigest()[:8]}"


def _day_cards(ledger: Ledger, day: date) -> pd.DataFrame:
    c = ledger.cards()
    c = c[pd.to_datetime(c["dispatch_date"]).dt.date == day].copy()
    # whole numbers: the column was float while cards never sent out (NaN) were among the rows
    c[["courier", "sequence"]] = c[["courier", "sequence"]].astype("int64")
    c["lon"] = c["field_lon"].fillna(c["lon"])
    c["lat"] = c["field_lat"].fillna(c["lat"])
    return c.sort_values(["office_id", "courier", "sequence", "card_ref"]).reset_index(drop=True)


def check_dispatch_folder(out_dir: Path, day: date) -> None:
    """Refuse an output folder whose ``manifests`` hold files that are not manifests of ``day`` (the
    lists of another day, names and NIKs, would be mixed with this day's; hidden and system files
    (:func:`~ektp_routes._files.is_system_file`) do not count),
    a manifest of ``day`` open in Excel (its ``~$`` lock file lies beside it), or manifests of ``day``
    that may hold outcomes typed in (see :func:`_has_outcomes`): the day's folder is rewritten when
    the day is dispatched again, and a clerk's outcomes not yet recorded would be lost.

    Raises
    ------
    OutputError
        Saying how many such files there are (not their names) and what to do instead.
    """
    folder = out_dir / "manifests"
    own = re.compile(rf"manifest_.+_{day:%Y%m%d}_K[0-9]+\.(?:xlsx|csv|pdf)")
    names = [p.name for p in folder.iterdir() if not is_system_file(p.name)] if folder.is_dir() else []
    # Excel's lock file: "~$" and the workbook's name (for long names, in place of its first 2 letters)
    locks = [n for n in names if n.startswith("~$") and (own.fullmatch(n[2:]) or own.fullmatch("ma" + n[2:]))]
    other = [n for n in names if not own.fullmatch(n) and n not in locks]
    if other:
        raise _refusal("error.dispatch_foreign_files", out_dir, len(other), day)
    if locks:
        raise _refusal("error.dispatch_open_in_excel", out_dir, len(locks), day)
    typed = sum(_has_outcomes(folder / n) for n in names)
    if typed:
        raise _refusal("error.dispatch_outcomes_typed", out_dir, typed, day)


def _refusal(key: str, out_dir: Path, n: int, day: date) -> OutputError:
    """A refusal of ``--out`` about ``n`` files, worded for one or for several."""
    return error(OutputError, f"{key}.{'one' if n == 1 else 'many'}", out=out_dir, n=n, day=day)


def _has_outcomes(path: Path) -> bool:
    """Whether a manifest (XLSX or CSV) may hold outcomes: one typed in, as ``ops record`` reads it
    (:func:`~ektp_routes.outcomes.read_outcomes`), or a file it cannot read or finds no outcome column
    in (a damaged sheet, a CSV re-saved with another delimiter): never written over unseen."""
    if path.suffix not in (".xlsx", ".csv"):
        return False
    try:
        rows = read_outcomes(path)
    except InputFileError:
        return True
    return bool(rows["hasil"].ne("").any())


def write_dispatch(ledger: Ledger, day: date, out_dir: Path, *, workers: int = 1) -> dict[str, Path]:
    """Write the outputs of the dispatch of ``day`` (from the ledger, so they can be rewritten) into a
    folder :func:`check_dispatch_folder` accepts; manifests are written in ``workers`` processes."""
    check_dispatch_folder(out_dir, day)
    operation = ledger.operation_id()
    cards = _day_cards(ledger, day)
    pairs = zip(cards["office_id"], cards["courier"], strict=True)
    cards = cards.assign(operation_id=operation, route_id=[route_id(o, day, int(k)) for o, k in pairs])
    offices = {o.office_id: o for o in load_offices(ledger)}
    config = load_config(ledger)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame({k: cards[k] for k in DISPATCH_COLUMNS if k in cards}).assign(date=day.isoformat())
    written = {"dispatch": write_csv(table[list(DISPATCH_COLUMNS)], out_dir / "dispatch.csv")}
    stops = _stops(cards, _places(ledger, cards))
    written["stops"] = write_geojson(out_dir / "stops.geojson", "stops", _stop_features(stops))
    routes = _route_features(stops, offices, day)
    written["routes"] = write_geojson(out_dir / "routes.geojson", "routes", routes)
    folder = out_dir / "manifests"
    jobs = [
        (manifest_form(grp, offices[str(oid)], int(courier), day, config, operation=operation),
         folder / f"manifest_{file_stem(str(oid))}_{day:%Y%m%d}_K{int(courier):02d}")
        for (oid, courier), grp in cards.groupby(["office_id", "courier"], sort=True)
    ]  # fmt: skip
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_write_manifest, jobs, chunksize=8))
    else:
        for job in jobs:
            _write_manifest(job)
    written["manifests"] = folder
    return written


def _write_manifest(job: tuple[Form, Path]) -> None:
    form, stem = job
    write_form_xlsx(form, stem.parent / f"{stem.name}.xlsx")
    write_form_pdf(form, stem.parent / f"{stem.name}.pdf")
    write_form_csv(form, stem.parent / f"{stem.name}.csv")


_STOP_PROPERTIES = (
    "stop_id", "route_id", "office_id", "courier", "sequence", "cards", "desa_kode", "desa", "settlement",
    "rw", "rt", "precision",
)  # fmt: skip
"""Properties of a feature of a day's ``stops.geojson``: the fields the plan's stops layer gives a
stop's place (desa, settlement as manifests print it, RW, RT); no name, NIK or address."""


def _stops(cards: pd.DataFrame, places: pd.Series) -> pd.DataFrame:
    """The day's stops (one row per stop id, in the cards' order) with :data:`_STOP_PROPERTIES`, lon
    and lat; ``places``: each card's settlement as :func:`_places` gives it."""
    key = cards["block"].fillna("").astype(str).str.split("|")
    c = cards.assign(settlement=places, rw=key.str[-2].fillna(""), rt=key.str[-1].fillna(""))
    first = {k: (k, "first") for k in ("route_id", "office_id", "courier", "sequence", "desa_kode", "desa",
                                        "settlement", "rw", "rt", "precision")}  # fmt: skip
    if not len(c):
        return pd.DataFrame(columns=[*_STOP_PROPERTIES, "lon", "lat"])
    out = c.groupby("stop_id", sort=False).agg(
        lon=("lon", "mean"), lat=("lat", "mean"), cards=("card_id", "size"), **first
    )
    return out.reset_index()[[*_STOP_PROPERTIES, "lon", "lat"]]


def _places(ledger: Ledger, cards: pd.DataFrame) -> pd.Series:
    """Each card's settlement as the plan's layers and the manifests show it ("Kampung Pulo", "Pulo",
    "RW 005" where none is named, blank for a house), never a person's name: a settlement that names a
    card holder of its RT (:func:`ektp_routes.blocks.places_not_people`, against every card of the
    ledger in those desa, later batches too) is shown as its RW."""
    if not len(cards):
        return pd.Series("", index=cards.index, dtype=object)
    cols = ["card_id", "nama", "desa_kode", "rw", "rt", "block"]
    around = ledger.cards(columns=cols, match=("desa_kode", cards["desa_kode"].astype(str).tolist()))
    kind, name = block_settlement(around["block"])
    kind, name = places_not_people(kind.to_numpy(dtype=object), name.to_numpy(dtype=object), around)
    safe = pd.DataFrame({"kind": kind, "name": name}, index=around["card_id"].to_numpy())
    kind = cards["card_id"].map(safe["kind"]).fillna("")
    name = cards["card_id"].map(safe["name"]).fillna("")
    house = cards["precision"].astype(str).isin(HOUSE_PRECISIONS)
    place = courier_place(kind, name, house=house)
    rw = cards["block"].fillna("").astype(str).str.split("|").str[-2].fillna("")
    return settlement_display(place.where(place.ne("") | house, "rw " + rw))


def _stop_features(stops: pd.DataFrame) -> list[dict[str, Any]]:
    feats = []
    for s in stops.to_dict("records"):
        props = {k: s[k] for k in _STOP_PROPERTIES}
        props.update(courier=int(s["courier"]), sequence=int(s["sequence"]), cards=int(s["cards"]))
        geom = {"type": "Point", "coordinates": [round(float(s["lon"]), 6), round(float(s["lat"]), 6)]}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return feats


def _route_features(stops: pd.DataFrame, offices: dict[str, PostOffice], day: date) -> list[dict[str, Any]]:
    """One line per courier-day from the office through its stops in order and back; a day whose
    cards are mostly known only to their block or desa joins the places visited once each
    (:func:`ektp_routes.layers.route_line`), the stops layer keeping every stop; a day that never
    leaves the office's point has no geometry (:func:`ektp_routes.layers.has_length`)."""
    feats = []
    places_only = places_only_routes(stops)
    for (oid, courier), grp in stops.sort_values("sequence").groupby(["office_id", "courier"], sort=True):
        o, rid = offices[str(oid)], str(grp["route_id"].iloc[0])
        visits = zip(grp["lon"].to_numpy(float), grp["lat"].to_numpy(float), strict=True)
        path = [(o.lon, o.lat), *visits, (o.lon, o.lat)]
        lon, lat = np.array(route_line(path, places_only=rid in places_only)).T
        km = float(np.sum(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]))) / 1000
        props = {
            "route_id": rid,
            "office_id": oid,
            "courier": int(courier),
            "date": day.isoformat(),
            "stops": len(grp),
            "cards": int(grp["cards"].sum()),
            "straight_km": round(km, 2),
            "places_only": rid in places_only,
        }
        coords = [[round(float(x), 6), round(float(y), 6)] for x, y in zip(lon, lat, strict=True)]
        line = {"type": "LineString", "coordinates": coords} if has_length(coords) else None
        feats.append({"type": "Feature", "geometry": line, "properties": props})
    return feats


def _window_text(late: bool, config: OperationConfig) -> str:
    if not late:
        return ""
    lo, hi = (SHIFT_START_HOUR + h for h in config.late_window_h)
    return f"sore {int(lo):02d}:{int(lo % 1 * 60):02d}-{int(hi):02d}:{int(hi % 1 * 60):02d}"


def manifest_form(
    cards: pd.DataFrame,
    office: PostOffice,
    courier: int,
    day: date,
    config: OperationConfig,
    *,
    operation: str,
) -> Form:
    """The field form of one courier-day: stops in order, each card with its name and NIK; the header
    and two hidden columns carry the operation's id and the route id, which ``ops record`` checks."""
    c = manifest_order(cards, tie="card_ref")
    route = route_id(office.office_id, day, courier)
    house = c["precision"].astype(str).isin(HOUSE_PRECISIONS)
    late = c["window"].eq("late") & c["attempts"].gt(0)
    rows = pd.DataFrame(
        {
            "no": range(1, len(c) + 1),
            "urutan": c["sequence"].astype(int).to_numpy(),
            "card_ref": c["card_ref"].to_numpy(),
            "nama": c["nama"].to_numpy(),
            "nik": c["nik"].to_numpy(),
            "alamat": c["alamat"].to_numpy(),
            "blok": settlement_text(courier_place(*block_settlement(c["block"]), house=house)),
            "rt_rw": (c["rt"].astype(str) + "/" + c["rw"].astype(str)).to_numpy(),
            "desa": c["desa"].to_numpy(),
            "percobaan": (c["attempts"].astype(int) + 1).to_numpy(),
            "jendela": [_window_text(bool(x), config) for x in late],
            "tanggal": day.isoformat(),
            "operation_id": operation,
            "route_id": route,
        }
    )
    codes = [o.value for o in Outcome if config.rules.family_handover or o is not Outcome.DITERIMA_KELUARGA]
    header = (
        f"Kantor pos: {office.name} ({office.office_id})   Kurir: K{courier:02d}   "
        f"Tanggal: {_HARI[day.weekday()]}, {day.isoformat()}   "
        f"Operasi: {operation}   Rute: {route}",
        f"Total: {len(c)} kartu di {c['sequence'].nunique()} titik   Diterima: ______   Gagal: ______",
        "Kode hasil: " + ", ".join(codes),
    )
    return Form(
        "DAFTAR PENGANTARAN KTP-el",
        header,
        MANIFEST_COLUMNS,
        rows,
        {"hasil": tuple(codes)},
        hidden=("tanggal", "operation_id", "route_id"),
        note=messages("id")("manifest.order_note"),  # the field forms are Indonesian
    )


# ------------------------------------------------------------------------------------------- returns
def write_returns(ledger: Ledger, out_dir: Path) -> list[Path]:
    """One returns list per kecamatan (CSV, XLSX, PDF) of the cards returned to Disdukcapil."""
    c = ledger.cards(states=[CardState.RETURNED])
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for (kode, name), grp in c.groupby(["kecamatan_kode", "kecamatan"], sort=True, dropna=False):
        g = grp.sort_values(["desa", "rw", "rt", "card_ref"])
        rows = g.assign(
            no=range(1, len(g) + 1),
            rt_rw=g["rt"].astype(str) + "/" + g["rw"].astype(str),
            tanggal=pd.to_datetime(g["dispatch_date"]).dt.date.astype(str),
        )
        header = (
            f"Kecamatan: {name} ({kode})",
            f"Jumlah kartu dikembalikan: {len(g)}",
            "Alasan: kode hasil terakhir; Percobaan = jumlah pengantaran",
        )
        form = Form("DAFTAR KTP-el DIKEMBALIKAN KE DISDUKCAPIL", header, RETURN_COLUMNS, rows)
        stem = f"returns_{file_stem(str(name))}"
        written += [
            write_form_csv(form, out_dir / f"{stem}.csv"),
            write_form_xlsx(form, out_dir / f"{stem}.xlsx"),
            write_form_pdf(form, out_dir / f"{stem}.pdf"),
        ]
    return written


# -------------------------------------------------------------------------------------------- status
@dataclass(frozen=True)
class Status:
    """Cards per state overall, per office/kecamatan/desa and per day, with the pace."""

    states: Mapping[str, int]
    per_area: Mapping[str, pd.DataFrame]
    per_day: pd.DataFrame
    pace_per_day: float
    days_to_finish: int | None
    open_per_day: pd.DataFrame

    def to_json(self) -> dict[str, Any]:
        return {
            "states": self.states,
            "total": sum(self.states.values()),
            "pace_per_day": round(self.pace_per_day, 1),
            "days_to_finish": self.days_to_finish,
            **{f"per_{k}": v.to_dict(orient="index") for k, v in self.per_area.items()},
            "per_day": self.per_day.to_dict(orient="records"),
        }


def status(ledger: Ledger, *, recent_days: int = 5) -> Status:
    """The operation's status (see :class:`Status`); the pace is the mean of cards closed (delivered
    or returned) per dispatch day over the last ``recent_days`` days with outcomes."""
    states = ledger.counts()
    c = ledger.cards(columns=["office_id", "kecamatan", "desa", "state"])
    areas = {
        k: pd.crosstab(c[col], c["state"]).reindex(columns=list(CardState), fill_value=0)
        for k, col in (("office", "office_id"), ("kecamatan", "kecamatan"), ("desa", "desa"))
    }
    ev = ledger.events()
    ev = ev[ev["op_date"].notna() & ~ev["outcome"].isin([o.value for o in NOT_ATTEMPTED])]  # no attempt made
    per_day = pd.crosstab(ev["op_date"].astype(str), ev["to_state"]).reindex(
        columns=[s.value for s in CardState if s is not CardState.PENDING], fill_value=0
    )
    closed = per_day["delivered"] + per_day["returned"]
    recent = closed[closed > 0].tail(recent_days)
    pace = float(recent.mean()) if len(recent) else 0.0
    open_cards = states["pending"] + states["dispatched"] + states["failed"]
    finish = math.ceil(open_cards / pace) if pace > 0 else (0 if open_cards == 0 else None)
    return Status(
        states, areas, per_day.rename_axis("date").reset_index(), pace, finish, _open_per_day(ev, c)
    )


def _open_per_day(ev: pd.DataFrame, cards: pd.DataFrame) -> pd.DataFrame:
    """Open cards (not yet delivered or returned) per office at the end of each operation day."""
    done = ev[ev["to_state"].isin(["delivered", "returned"])]
    table = pd.crosstab(done["op_date"].astype(str), done["office_id"]).sort_index().cumsum()
    total = cards["office_id"].value_counts()
    return (total.reindex(table.columns).fillna(0).astype(int) - table).clip(lower=0)


def burndown_figure(series: pd.Series, office_id: str, t: Messages) -> Figure:
    """Open cards of one office at the end of each operation day, labelled in the language of ``t``."""
    fig = Figure(figsize=(7, 3.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(pd.to_datetime(series.index), series.to_numpy(), marker="o")
    ax.set_title(t("ops.chart_open_title", office=office_id))
    ax.set_ylabel(t("ops.chart_cards"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return fig


def write_burndown(st: Status, out_dir: Path, *, lang: str = DEFAULT_LANG) -> list[Path]:
    """One burn-down chart (open cards per day) per office, as PNG, labelled in ``lang``."""
    t = messages(lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for oid in st.open_per_day.columns:
        path = out_dir / f"burndown_{file_stem(str(oid))}.png"
        written.append(_save_png(burndown_figure(st.open_per_day[oid], str(oid), t), path))
    return written


def _save_png(fig: Any, path: Path) -> Path:
    return write_atomic(path, lambda p: fig.savefig(p, format="png"))


def area_table(st: Status, area: str) -> pd.DataFrame:
    """Cards per state for ``area`` (office, kecamatan or desa), with a total row."""
    t = st.per_area[area].copy()
    t.loc["TOTAL"] = t.sum()
    return t
