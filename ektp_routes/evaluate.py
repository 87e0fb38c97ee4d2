"""Judge a plan against the ground truth: drive every courier-day through the true households.

A plan is built from what a post office has (registry columns, perhaps pins); this module judges it
with what only a test or a benchmark knows: the true location of every household (the synthetic
generator's ``true_lon``/``true_lat``/``household_id``). :func:`replay` takes each courier-day in its
planned order and visits every distinct household it serves, in the order the plan gives, or
nearest-first inside a stop whose households the plan does not order, with the same travel model and
service times as planning (the plan records them: ``PlanResult.service`` and ``PlanResult.network``,
or the office features of its output folder). It reports realised travel, day lengths and overruns of
the shift per courier-day, per office and in total, next to what the plan expected.

:func:`status_quo_days` builds the baseline a post office uses without any planning: cards sorted by
desa, RW, RT and address, 150 to a courier-day, visited in list order.

Example
-------
>>> from ektp_routes import synthetic_cards
>>> from ektp_routes.plan import PlanConfig, plan_file
>>> truth = synthetic_cards(191_000, seed=1, kecamatan=["Bojongmangu"]).head(60)
>>> registry = truth.drop(columns=["true_lon", "true_lat"])
>>> res = plan_file(registry, config=PlanConfig(workers=1).with_options(time_limit_s=1))
>>> r = replay(res, truth)
>>> r.total.courier_days == len(res.routes), r.total.cards == 60
(True, True)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ektp_routes import schema
from ektp_routes._errors import InputFileError
from ektp_routes.config import ServiceTimes
from ektp_routes.i18n import log, phrase
from ektp_routes.network import NetworkRecord, StraightLineNetwork, TravelNetwork
from ektp_routes.nik import mask_nik

if TYPE_CHECKING:
    from ektp_routes.offices import PostOffice
    from ektp_routes.report import PlanResult

logger = logging.getLogger(__name__)

#: Columns of :attr:`PlannedDays.visits`: one row per card on a courier-day, in plan order.
VISIT_COLUMNS = ["route_id", "office_id", "stop_seq", "within", "row", "nik_masked"]


@dataclass(frozen=True)
class PlannedDays:
    """What a replay needs from a plan, with no personal data.

    Attributes
    ----------
    visits
        One row per planned card: ``route_id``, ``office_id``, ``stop_seq`` (the stop's place in the
        day), ``within`` (the card's place inside its stop, NaN when the plan leaves it to the courier),
        ``row`` (1 = the first card of the input list) and, optionally, ``nik_masked`` (the card's
        masked NIK, first 6 and last 4 digits, which :func:`check_same_list` compares with the truth).
    routes
        One row per courier-day: ``route_id``, ``office_id``, ``expected_travel_s``,
        ``expected_duration_s`` (NaN where the plan makes no estimate).
    depots
        ``office_id`` -> (lon, lat) of the post office.
    shift_s
        ``office_id`` -> shift length in seconds.
    service
        ``office_id`` -> the service times the plan was made with (missing: not recorded).
    network
        The travel network the plan was made with (None: not recorded, straight lines assumed).
    """

    visits: pd.DataFrame
    routes: pd.DataFrame
    depots: dict[str, tuple[float, float]]
    shift_s: dict[str, float]
    service: Mapping[str, ServiceTimes] = field(default_factory=dict)
    network: NetworkRecord | None = None


@dataclass(frozen=True)
class ReplayTotals:
    """Realised figures over a set of courier-days (an office or the whole plan).

    ``realised_travel_s`` splits into ``realised_depot_s`` (from the post office to the first house
    and from the last house back), ``realised_inside_s`` (between houses of one visit) and the rest
    (from one visit to the next).
    """

    courier_days: int
    cards: int
    households: int
    expected_travel_s: float
    realised_travel_s: float
    realised_depot_s: float
    realised_inside_s: float
    realised_duration_s: float
    days_over_shift: int
    max_over_shift_s: float
    p90_day_s: float
    max_day_s: float


@dataclass(frozen=True)
class Replay:
    """The result of :func:`replay`.

    Attributes
    ----------
    routes
        One row per courier-day: route_id, office_id, cards, households, expected_travel_s,
        realised_travel_s (of which realised_depot_s and realised_inside_s, see
        :class:`ReplayTotals`), expected_duration_s, realised_duration_s, shift_s, over_shift_s.
    offices
        :class:`ReplayTotals` per office id.
    total
        :class:`ReplayTotals` over the whole plan.
    unplanned_cards
        Cards of the truth table that no courier-day carries (rejected, unserved, out of scope).
    """

    routes: pd.DataFrame
    offices: dict[str, ReplayTotals]
    total: ReplayTotals
    unplanned_cards: int

    def describe(self) -> str:
        """Two lines a planner reads: what the plan expects and what happens on the ground."""
        t = self.total
        exp = "-" if np.isnan(t.expected_travel_s) else f"{t.expected_travel_s / 3600:.1f} h"
        return (
            f"{t.courier_days} courier-days, {t.cards} cards, {t.households} households; "
            f"travel expected {exp}, realised {t.realised_travel_s / 3600:.1f} h\n"
            f"days over the shift: {t.days_over_shift} (worst by {t.max_over_shift_s / 60:.0f} min); "
            f"day length p90 {t.p90_day_s / 3600:.2f} h, longest {t.max_day_s / 3600:.2f} h"
        )


# ---------------------------------------------------------------------------------------------- plans in
def planned_days(plan: PlanResult | str | Path) -> PlannedDays:
    """The courier-days of a :class:`~ektp_routes.plan.PlanResult` or of a plan's output folder."""
    if isinstance(plan, (str, Path)):
        return _days_from_outdir(Path(plan))
    offices = {o.office_id: o for o in plan.offices}
    days = _days(
        plan.assignments,
        plan.routes,
        {k: (o.lon, o.lat) for k, o in offices.items()},
        {k: float(o.fleet.shift_s) for k, o in offices.items()},
    )
    network = plan.network or (None if plan.network_is_straight else _UNKNOWN_ROAD)
    return replace(days, service=dict.fromkeys(offices, plan.service), network=network)


#: A road network the plan does not say where it was read from: replay asks for ``network=``.
_UNKNOWN_ROAD = NetworkRecord("road", "")


def _days_from_outdir(out: Path) -> PlannedDays:
    need = [out / "assignments.csv", out / "routes.geojson", out / "offices.geojson"]
    missing = [p.name for p in need if not p.is_file()]
    if missing:
        raise InputFileError(f"{out} is not a plan's output folder: {', '.join(missing)} missing")
    asg = pd.read_csv(need[0], dtype={"route_id": str, "stop_id": str}, keep_default_na=False)
    routes = pd.DataFrame(_properties(need[1]))
    if routes.empty:  # a plan with no courier-day (every card refused or unserved) has no route feature
        routes = pd.DataFrame(columns=list(schema.ROUTE_FEATURE))
    offices = _properties(need[2], with_point=True)
    depots = {str(o["office_id"]): (float(o["lon"]), float(o["lat"])) for o in offices}
    shifts = {str(o["office_id"]): float(o.get("shift_s") or 7 * 3600) for o in offices}
    days = _days(asg, routes, depots, shifts)
    on_roads = "straight_line" in routes and any(v is not None and not v for v in routes["straight_line"])
    return replace(days, **_recorded_settings(offices, on_roads=on_roads, source=need[2].name))


def _recorded_settings(offices: list[dict[str, Any]], *, on_roads: bool, source: str) -> dict[str, Any]:
    """The service times per office and the travel network recorded on the office features.

    A folder written before plans recorded them gets one warning; its travel network is taken as
    straight lines, unless its routes were planned on roads (then replay needs ``network=``).
    """
    try:
        service = {
            str(o["office_id"]): ServiceTimes(float(o["service_base_s"]), float(o["service_per_card_s"]))
            for o in offices
            if o.get("service_base_s") is not None and o.get("service_per_card_s") is not None
        }
        network = next((r for o in offices if (r := _network_record(o)) is not None), None)
    except (TypeError, ValueError) as exc:
        raise InputFileError(f"{source}: recorded service times or travel network invalid ({exc})") from exc
    if network is None:
        network = _UNKNOWN_ROAD if on_roads else None
        d = ServiceTimes()
        travel = phrase("replay.no_network" if on_roads else "replay.straight")
        values = {
            "source": source,
            "travel": travel,
            "base_s": f"{d.base_s:g}",
            "per_card_s": f"{d.per_card_s:g}",
        }
        log(logger, logging.WARNING, "log.replay_unrecorded", **values)
    return {"service": service, "network": network}


def _network_record(office: Mapping[str, Any]) -> NetworkRecord | None:
    """The travel network recorded on an ``offices.geojson`` feature (None: not recorded)."""
    if office.get("network") not in ("straight", "road"):
        return None
    given = {f: office[p] for f, p in schema.OFFICE_NETWORK.items() if office.get(p) is not None}
    return NetworkRecord(**given)


def _properties(path: Path, *, with_point: bool = False) -> list[dict[str, Any]]:
    try:
        feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (ValueError, KeyError) as exc:
        raise InputFileError(f"{path.name} is not a GeoJSON FeatureCollection: {exc}") from exc
    out = []
    for f in feats:
        p = dict(f.get("properties") or {})
        if with_point:
            p["lon"], p["lat"] = f["geometry"]["coordinates"][:2]
        out.append(p)
    return out


def _days(
    asg: pd.DataFrame,
    routes: pd.DataFrame,
    depots: dict[str, tuple[float, float]],
    shifts: dict[str, float],
) -> PlannedDays:
    planned = asg[asg["status"].astype(str) == "planned"]
    office_of = dict(zip(routes["route_id"].astype(str), routes["office_id"].astype(str), strict=True))
    within = pd.Series(np.nan, index=planned.index)  # no plan orders the households inside a stop
    visits = pd.DataFrame(
        {
            "route_id": planned["route_id"].astype(str).to_numpy(),
            "office_id": planned["route_id"].astype(str).map(office_of).to_numpy(),
            "stop_seq": planned["visit" if "visit" in planned.columns else "sequence"].astype(int).to_numpy(),
            "within": pd.to_numeric(within, errors="coerce").to_numpy(),
            "row": planned["row"].astype(int).to_numpy(),
            "nik_masked": planned.get("nik_masked", pd.Series("", index=planned.index)).to_numpy(),
        }
    )
    travel = routes["travel_s"] if "travel_s" in routes.columns else np.nan
    duration = routes["duration_s"] if "duration_s" in routes.columns else np.nan
    rt = pd.DataFrame(
        {
            "route_id": routes["route_id"].astype(str),
            "office_id": routes["office_id"].astype(str),
            "expected_travel_s": pd.to_numeric(travel, errors="coerce"),
            "expected_duration_s": pd.to_numeric(duration, errors="coerce"),
        }
    )
    return PlannedDays(visits, rt.reset_index(drop=True), depots, shifts)


def status_quo_days(
    cards: pd.DataFrame,
    offices: Sequence[PostOffice],
    office_of_desa: dict[str, str],
    *,
    bag: int = 150,
) -> PlannedDays:
    """The unplanned baseline: per office, cards in desa/RW/RT/address order, ``bag`` per courier-day.

    ``cards`` are validated cards (``row``, ``desa_kode``, ``rw``, ``rt``, ``alamat``); every card is a
    stop of its own in list order, so the households are visited as the sorted list gives them.
    """
    c = cards.assign(
        office_id=cards["desa_kode"].map(office_of_desa),
        _addr=cards["alamat"].astype(str).str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True),
    )
    c = c.sort_values(["office_id", "desa_kode", "rw", "rt", "_addr", "row"], kind="stable")
    rank = c.groupby("office_id").cumcount().to_numpy()
    day = rank // bag
    rid = c["office_id"].astype(str) + "-SQ" + pd.Series(day + 1, index=c.index).map("{:03d}".format)
    visits = pd.DataFrame(
        {
            "route_id": rid.to_numpy(),
            "office_id": c["office_id"].to_numpy(),
            "stop_seq": rank % bag + 1,
            "within": np.nan,
            "row": c["row"].astype(int).to_numpy(),
            "nik_masked": mask_nik(c["nik"]).to_numpy() if "nik" in c.columns else "",
        }
    )
    routes = visits.drop_duplicates("route_id")[["route_id", "office_id"]].assign(
        expected_travel_s=np.nan, expected_duration_s=np.nan
    )
    by_id = {o.office_id: o for o in offices}
    used = set(visits["office_id"])
    return PlannedDays(
        visits,
        routes.reset_index(drop=True),
        {k: (by_id[k].lon, by_id[k].lat) for k in used},
        {k: float(by_id[k].fleet.shift_s) for k in used},
    )


# ---------------------------------------------------------------------------------------------- replay
def read_truth(truth: pd.DataFrame | str | Path) -> pd.DataFrame:
    """The truth table indexed by input row (1 = first card): ``lon``, ``lat``, ``household`` and
    ``nik_masked`` (the masked NIK, "" without a NIK column: see :func:`check_same_list`).

    ``truth`` is the card list with its ground-truth columns (``true_lon``, ``true_lat`` and, when
    present, ``household_id``), as a DataFrame or a CSV/Parquet file, rows in input order.
    """
    if isinstance(truth, (str, Path)):
        p = Path(truth)
        if not p.is_file():
            raise InputFileError(f"truth file {p} does not exist")
        truth = pd.read_parquet(p) if p.suffix.lower() in (".parquet", ".pq") else pd.read_csv(p, dtype=str)
    missing = {"true_lon", "true_lat"} - set(truth.columns)
    if missing:
        raise InputFileError(f"the truth table has no {sorted(missing)} column(s): replay needs them")
    lon = pd.to_numeric(truth["true_lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(truth["true_lat"], errors="coerce").to_numpy(dtype=float)
    if "household_id" in truth.columns:
        hh = truth["household_id"].astype(str).to_numpy()
    else:
        hh = np.char.add(np.char.add(lon.astype(str), ","), lat.astype(str))
    nik = next((c for c in truth.columns if str(c).strip().lower() == "nik"), None)
    if nik is None:
        logger.info("the truth table has no NIK column: replay cannot check it is the plan's card list")
    masked = _masked(truth[nik]) if nik is not None else pd.Series("", index=truth.index)
    return pd.DataFrame(
        {"lon": lon, "lat": lat, "household": hh, "nik_masked": masked.to_numpy()},
        index=np.arange(1, len(truth) + 1),
    )


def _masked(nik: pd.Series) -> pd.Series:
    """Masked NIKs of a column as a plan writes them (digits only; "" where not a NIK). A float column
    (a NIK column with a blank, read by pandas) holds 16-digit NIKs exactly: written as integers."""
    if pd.api.types.is_float_dtype(nik):
        nik = nik.map(lambda x: "" if pd.isna(x) else f"{x:.0f}")
    digits = nik.astype(object).fillna("").astype(str).str.replace(r"\D", "", regex=True)
    return mask_nik(digits).where(digits.str.len() >= 10, "")


#: Share of planned cards whose masked NIK may differ from the truth's row before replay refuses.
MAX_NIK_MISMATCH = 0.05


def check_same_list(visits: pd.DataFrame, truth: pd.DataFrame) -> None:
    """Refuse a truth table that is not the list the plan was made from (one-line error, no NIKs).

    Row numbers alone cannot tell two lists of one length apart; the masked NIK (first 6 and last 4
    digits) each plan output keeps can. Compared where both sides have one; more than
    :data:`MAX_NIK_MISMATCH` of them differing raises :class:`InputFileError`.
    """
    if "nik_masked" not in visits.columns:
        return
    planned = visits["nik_masked"].fillna("").astype(str)
    planned = planned.where(planned.str.contains(r"\d"), "").to_numpy()  # a value masked whole says nothing
    true = truth["nik_masked"].reindex(visits["row"]).fillna("").astype(str).to_numpy()
    both = (planned != "") & (true != "")
    differ = int((planned[both] != true[both]).sum())
    if both.any() and differ > MAX_NIK_MISMATCH * int(both.sum()):
        raise InputFileError(
            f"the truth table is not the plan's card list: {differ} of {int(both.sum())} planned cards "
            "have another NIK at their row (wrong file, or rows reordered?)"
        )


def replay(
    plan: PlanResult | PlannedDays | str | Path,
    truth: pd.DataFrame | str | Path,
    *,
    network: TravelNetwork | None = None,
    service_base_s: float | None = None,
    service_per_card_s: float | None = None,
) -> Replay:
    """Drive every courier-day of ``plan`` through the true household locations.

    The travel network and service times are the plan's own (:attr:`PlannedDays.network` and
    :attr:`PlannedDays.service`, recorded by the plan); arguments given here win.

    Parameters
    ----------
    plan
        A plan result, its output folder, or :class:`PlannedDays` (e.g. :func:`status_quo_days`).
    truth
        The card list with ``true_lon``/``true_lat`` (and ``household_id``): see :func:`read_truth`.
    network
        The travel model to drive on. Default: the plan's, loaded again from its record (a road
        network from the file or folder it was read from; pass it here to skip loading it); straight
        lines where the plan records none (:func:`status_quo_days`, older output folders).
    service_base_s, service_per_card_s
        Service time per household visit and per card. Default: the plan's, per office; 60 s and
        45 s (planning's defaults) where the plan records none.

    Raises
    ------
    InputFileError
        A bad truth table or plan folder, or a road plan whose network cannot be loaded again (gone,
        changed, or not read from a file): pass ``network=``.
    """
    days = plan if isinstance(plan, PlannedDays) else planned_days(plan)
    t = read_truth(truth)
    v = _visits_on_truth(days, t)
    net = network or (days.network.load() if days.network is not None else StraightLineNetwork())
    given = {"base_s": service_base_s, "per_card_s": service_per_card_s}
    overrides = {k: float(x) for k, x in given.items() if x is not None}
    rows = []
    for rid, grp in v.groupby("route_id", sort=True):
        office = str(grp["office_id"].iloc[0])
        legs, n_hh = _drive(grp, days.depots[office], net)
        service = replace(days.service.get(office, ServiceTimes()), **overrides)
        service_s = n_hh * service.base_s + len(grp) * service.per_card_s
        rows.append((rid, office, len(grp), n_hh, sum(legs), legs[0], legs[1], sum(legs) + service_s))
    out = pd.DataFrame(rows, columns=_REPLAY_ROUTE_COLUMNS)
    out = out.merge(days.routes.drop(columns="office_id"), on="route_id", how="left")
    out["shift_s"] = out["office_id"].map(days.shift_s).astype(float)
    out["over_shift_s"] = (out["realised_duration_s"] - out["shift_s"]).clip(lower=0.0)
    offices = {str(k): _totals(g) for k, g in out.groupby("office_id", sort=True)}
    return Replay(out, offices, _totals(out), int(len(t) - len(days.visits)))


_REPLAY_ROUTE_COLUMNS = [
    "route_id",
    "office_id",
    "cards",
    "households",
    "realised_travel_s",
    "realised_depot_s",
    "realised_inside_s",
    "realised_duration_s",
]


def _visits_on_truth(days: PlannedDays, truth: pd.DataFrame) -> pd.DataFrame:
    """The planned visits with their true ``lon``/``lat``/``household``, after checking that the
    truth table (:func:`read_truth`) is the plan's card list and places every planned card."""
    bad = ~days.visits["row"].isin(truth.index)
    if bad.any():
        raise InputFileError(f"{int(bad.sum())} planned card rows are not in the truth table (wrong file?)")
    check_same_list(days.visits, truth)
    v = days.visits.join(truth.drop(columns="nik_masked"), on="row")
    if v[["lon", "lat"]].isna().any().any():
        raise InputFileError("the truth table lacks coordinates for some planned cards")
    return v


def _drive(
    grp: pd.DataFrame, depot: tuple[float, float], net: TravelNetwork
) -> tuple[tuple[float, float, float], int]:
    """Travel of one courier-day driven through the true locations, and its households.

    The travel comes as (depot legs, inside visits, between visits) seconds (see :class:`ReplayTotals`).
    """
    g = grp.sort_values(["stop_seq", "within"], kind="stable", na_position="last")
    hh_codes, hh = pd.factorize(g["household"])
    first = pd.Series(np.arange(len(g))).groupby(hh_codes).first().to_numpy()
    lon = np.r_[depot[0], g["lon"].to_numpy()[first]]
    lat = np.r_[depot[1], g["lat"].to_numpy()[first]]
    time_s = net.matrix(lon, lat).time_s
    ordered = g["within"].notna().to_numpy()
    seen = np.zeros(len(hh) + 1, dtype=bool)
    seen[0] = True
    pos = 0
    legs = np.zeros(3)  # depot, inside a visit, between visits
    for _, idx in g.groupby("stop_seq", sort=True).indices.items():
        members = [int(h) + 1 for h in dict.fromkeys(hh_codes[idx].tolist()) if not seen[int(h) + 1]]
        if not ordered[idx].all():
            members = _nearest_first(time_s, pos, members)
        for k, node in enumerate(members):
            legs[0 if pos == 0 else (1 if k else 2)] += float(time_s[pos, node])
            seen[node] = True
            pos = node
    legs[0] += float(time_s[pos, 0])
    return (float(legs[0]), float(legs[1]), float(legs[2])), len(hh)


def _nearest_first(time_s: np.ndarray, start: int, members: list[int]) -> list[int]:
    """Visit ``members`` greedily, always going to the nearest one not yet visited."""
    rest = list(members)
    out = []
    pos = start
    while rest:
        k = int(np.argmin(time_s[pos, rest]))
        pos = rest.pop(k)
        out.append(pos)
    return out


def _totals(r: pd.DataFrame) -> ReplayTotals:
    dur = r["realised_duration_s"].to_numpy(dtype=float)
    exp = r["expected_travel_s"].to_numpy(dtype=float) if "expected_travel_s" in r else np.array([np.nan])
    return ReplayTotals(
        courier_days=len(r),
        cards=int(r["cards"].sum()),
        households=int(r["households"].sum()),
        expected_travel_s=float(np.nan if np.isnan(exp).any() else exp.sum()),
        realised_travel_s=float(r["realised_travel_s"].sum()),
        realised_depot_s=float(r["realised_depot_s"].sum()),
        realised_inside_s=float(r["realised_inside_s"].sum()),
        realised_duration_s=float(dur.sum()),
        days_over_shift=int((r["over_shift_s"] > 0).sum()),
        max_over_shift_s=float(r["over_shift_s"].max()) if len(r) else 0.0,
        p90_day_s=float(np.percentile(dur, 90)) if len(dur) else 0.0,
        max_day_s=float(dur.max()) if len(dur) else 0.0,
    )
