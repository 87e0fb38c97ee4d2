"""Assembling a plan's tables: routes, stops, assignments (one row per input row) and the summary.

Inputs are values: the read :class:`~ektp_routes.cards.CardList`, the stops table, the stop of each
card, and each office's :class:`~ektp_routes.runner.OfficeResult`. Columns are those of
:mod:`ektp_routes.schema`; reasons travel as ``reason_code`` / ``reason_message`` values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from ektp_routes import schema
from ektp_routes.cards import CardList
from ektp_routes.config import ServiceTimes
from ektp_routes.estimate import settlement_identity
from ektp_routes.network import NetworkRecord
from ektp_routes.nik import mask_nik
from ektp_routes.offices import PostOffice
from ektp_routes.pseudonyms import check_pseudonym_key, pseudonym
from ektp_routes.runner import OfficeResult
from ektp_routes.schema import CardStatus

LonLat = tuple[float, float]


@dataclass(frozen=True)
class PlanResult:
    """Everything a run produced, as tables (see :mod:`ektp_routes.export` for the files).

    ``stops`` has the columns of :data:`ektp_routes.schema.STOPS`, ``routes`` those of
    :data:`~ektp_routes.schema.ROUTES`, ``assignments`` those of
    :data:`~ektp_routes.schema.ASSIGNMENT_VALUES` (plus ``card_ref`` with a pseudonym key), ``summary``
    those of :data:`~ektp_routes.schema.SUMMARY`. ``geometries`` maps a route id to its line.
    ``service`` and ``network`` are the service times and the travel network the plan was made with
    (``network`` None: not recorded), so that :func:`ektp_routes.evaluate.replay` judges it on them.
    """

    cards: CardList
    stops: pd.DataFrame
    offices: Sequence[PostOffice]
    routes: pd.DataFrame
    assignments: pd.DataFrame
    summary: pd.DataFrame
    network_is_straight: bool
    geometries: Mapping[str, Sequence[LonLat]] = field(default_factory=dict)
    service: ServiceTimes = field(default_factory=ServiceTimes)
    network: NetworkRecord | None = None


@dataclass(frozen=True)
class Scoped:
    """The cards a run planned: the in-scope mask over accepted cards, and each scoped card's stop."""

    in_scope: npt.NDArray[np.bool_]
    stop_of_card: npt.NDArray[np.intp]
    outside_desa: npt.NDArray[np.bool_] | None = None

    def __post_init__(self) -> None:
        if self.outside_desa is None:
            object.__setattr__(self, "outside_desa", np.zeros(len(self.stop_of_card), dtype=bool))


def assemble(
    cards: CardList,
    stops: pd.DataFrame,
    scoped: Scoped,
    offices: Sequence[PostOffice],
    results: Mapping[str, OfficeResult],
    *,
    network_is_straight: bool,
    pseudonym_key: bytes | None = None,
    service: ServiceTimes | None = None,
    network: NetworkRecord | None = None,
) -> PlanResult:
    """The plan's tables from the offices' results; raises if a card would be lost or duplicated.

    ``service`` (default: :class:`~ektp_routes.config.ServiceTimes` defaults) and ``network`` are
    recorded in the result as what the plan was made with.
    """
    by_id = {o.office_id: o for o in offices}
    ordered = [results[oid] for oid in sorted(results)]
    routes = routes_table(ordered, by_id)
    stops = stops_table(stops, ordered, by_id)
    assignments = assignments_table(cards, stops, scoped)
    if pseudonym_key is not None:
        pseudonym_key = check_pseudonym_key(pseudonym_key)
        acc = cards.cards
        refs = {int(r): pseudonym(pseudonym_key, n) for r, n in zip(acc["row"], acc["nik"], strict=True)}
        assignments.insert(1, schema.CARD_REF, assignments["row"].map(lambda r: refs.get(int(r), "")))
    geometries = {str(r.route_id): list(r.geometry) for res in ordered for r in res.routes}
    return PlanResult(
        cards,
        stops,
        list(offices),
        routes,
        assignments,
        summary_table(routes, stops, offices),
        network_is_straight,
        geometries,
        service or ServiceTimes(),
        network,
    )


def routes_table(results: Sequence[OfficeResult], offices: Mapping[str, PostOffice]) -> pd.DataFrame:
    """One row per courier-day, offices in id order, routes in the solver's order."""
    rows = []
    for res in results:
        o = offices[res.office_id]
        for r in res.routes:
            rows.append(
                {
                    "route_id": str(r.route_id),
                    "office_id": o.office_id,
                    "office": o.name,
                    "courier": r.route_id.courier + 1,
                    "day": r.route_id.day + 1,
                    "stops": len(r.stop_ids),
                    "cards": r.cards,
                    "distance_m": round(r.distance_m, 1),
                    "duration_s": round(r.duration_s, 1),
                    "travel_s": round(r.travel_s, 1),
                    "start_s": 0.0,
                    "end_s": round(r.duration_s, 1),
                    "placeholder": o.placeholder,
                }
            )
    return pd.DataFrame(rows, columns=list(schema.ROUTES))


def stops_table(
    stops: pd.DataFrame, results: Sequence[OfficeResult], offices: Mapping[str, PostOffice]
) -> pd.DataFrame:
    """The stops with their route, visiting order, arrival, status and reason, and whether the road
    network's snap limit left them on straight legs (``off_network``)."""
    if not len(stops):
        return stops
    visit: dict[str, tuple[str, int, float]] = {}
    left: dict[str, tuple[str, str, str]] = {}
    for res in results:
        for r in res.routes:
            for seq, (sid, arr) in enumerate(zip(r.stop_ids, r.arrivals_s, strict=True), start=1):
                visit[sid] = (str(r.route_id), seq, arr)
        for x in res.left_out:
            left[x.stop_id] = (x.status, x.code, x.message)
    out = stops.copy()
    ids = out["stop_id"]
    out["route_id"] = [visit[s][0] if s in visit else "" for s in ids]
    out["sequence"] = [visit[s][1] if s in visit else 0 for s in ids]
    out["arrival_s"] = [visit[s][2] if s in visit else np.nan for s in ids]
    out["visit"], out["until_s"] = _visits(out, results)
    status = [
        (CardStatus.PLANNED.value, "", "")
        if s in visit
        else left.get(s, ("unserved", "unserved", "not solved"))
        for s in ids
    ]
    out["status"] = [str(x[0]) for x in status]
    out["reason_code"] = [str(x[1]) for x in status]
    out["reason_message"] = [x[2] for x in status]
    out["placeholder"] = out["office_id"].map(lambda x: offices[x].placeholder)
    off = {sid for res in results for sid in res.off_network}
    out["off_network"] = ids.isin(off).to_numpy(dtype=bool)
    return out


def _visits(stops: pd.DataFrame, results: Sequence[OfficeResult]) -> tuple[list[int], list[float]]:
    """Each stop's visit (consecutive block stops of one settlement and RW are walked as one visit, its
    households in the courier's order) and the end of the stop's window: the arrival at the next block
    of its visit, for the visit's last stop the next visit's arrival (the route's end after the last
    visit). The windows of one visit follow one another, none overlaps the next."""
    ids = stops["stop_id"].tolist()
    labels = settlement_identity(stops).tolist() if "settlement" in stops.columns else [""] * len(ids)
    label = dict(zip(ids, labels, strict=True))
    desa = dict(zip(ids, stops["desa_kode"].tolist(), strict=True))
    unit: dict[str, tuple[int, float]] = {}
    for res in results:
        for r in res.routes:
            groups: list[list[int]] = []
            prev = None
            for k, sid in enumerate(r.stop_ids):
                here = (desa[sid], label[sid]) if label[sid] else None
                if here is None or here != prev:
                    groups.append([])
                groups[-1].append(k)
                prev = here
            ends = [r.arrivals_s[groups[i + 1][0]] for i in range(len(groups) - 1)] + [r.duration_s]
            for i, g in enumerate(groups, start=1):
                untils = [r.arrivals_s[k] for k in g[1:]] + [ends[i - 1]]
                for k, until in zip(g, untils, strict=True):
                    unit[r.stop_ids[k]] = (i, float(until))
    return [unit[s][0] if s in unit else 0 for s in ids], [unit[s][1] if s in unit else np.nan for s in ids]


def assignments_table(cards: CardList, stops: pd.DataFrame, scoped: Scoped) -> pd.DataFrame:
    """One row per input row: planned, unserved, unroutable or rejected, with its reason."""
    acc = cards.cards
    rows = pd.DataFrame(
        {
            "row": acc["row"].to_numpy(),
            "nik_masked": mask_nik(acc["nik"]).to_numpy(),
            "desa_kode": acc["desa_kode"].to_numpy(),
            "status": CardStatus.UNSERVED.value,
            "route_id": "",
            "sequence": 0,
            "visit": 0,
            "stop_id": "",
            "reason_code": schema.OUT_OF_SCOPE,
            "reason_message": "the card's kecamatan was not selected for this run",
            "outside_desa": False,
        }
    )
    where = np.flatnonzero(scoped.in_scope)
    if len(where):
        st = stops.iloc[scoped.stop_of_card]
        for col in ("stop_id", "status", "route_id", "sequence", "visit", "reason_code", "reason_message"):
            rows.loc[where, col] = st[col].to_numpy()
        rows.loc[where, "outside_desa"] = scoped.outside_desa
    rej = cards.rejects
    rej_rows = pd.DataFrame(
        {
            "row": rej["row"],
            "nik_masked": rej["nik_masked"],
            "desa_kode": "",
            "status": CardStatus.REJECTED.value,
            "route_id": "",
            "sequence": 0,
            "visit": 0,
            "stop_id": "",
            "reason_code": rej["reason"].astype(str),
            "reason_message": rej["message"],
            "outside_desa": False,
        }
    )
    out = pd.concat([rows, rej_rows], ignore_index=True).sort_values("row").reset_index(drop=True)
    if len(out) != cards.n_rows or out["row"].duplicated().any():
        raise AssertionError("assignments lost or duplicated a card")  # a bug, never input
    return out[list(schema.ASSIGNMENT_VALUES)]


def summary_table(routes: pd.DataFrame, stops: pd.DataFrame, offices: Sequence[PostOffice]) -> pd.DataFrame:
    """One row per office with stops, then the TOTAL row."""
    rows = []
    for o in offices:
        r = routes[routes["office_id"] == o.office_id]
        s = stops[stops["office_id"] == o.office_id] if len(stops) else stops
        if not len(s):
            continue
        planned = s[s["status"] == CardStatus.PLANNED]
        rows.append(
            {
                "office_id": o.office_id,
                "office": o.name,
                "placeholder": o.placeholder,
                "cards": int(s["cards"].sum()),
                "cards_planned": int(planned["cards"].sum()),
                "stops": len(s),
                "stops_planned": len(planned),
                "couriers": int(r["courier"].nunique()),
                "courier_days": len(r),
                "days": int(r["day"].max()) if len(r) else 0,
                "km": round(r["distance_m"].sum() / 1000, 1),
                "hours": round(r["duration_s"].sum() / 3600, 1),
                **_precision_mix(s),
                **_day_lengths(r),
                "cards_outside_desa": int(s["cards_outside_desa"].sum()),
            }
        )
    df = pd.DataFrame(rows, columns=list(schema.SUMMARY))
    total = {
        "office_id": schema.SUMMARY_TOTAL,
        "office": "",
        "placeholder": bool(df["placeholder"].any()) if len(df) else False,
        # km and hours are summed from rounded office figures: round again so the total reads as they do.
        **{c: round(df[c].sum(), 1) for c in (*schema.SUMMARY_SUMMED, *schema.SUMMARY_PRECISION)},
        **_day_lengths(routes),
        "days": int(df["days"].max()) if len(df) else 0,
    }
    return pd.concat([df, pd.DataFrame([total])], ignore_index=True)


def _precision_mix(stops: pd.DataFrame) -> dict[str, int]:
    """Cards by how precisely their location is known (:data:`~ektp_routes.schema.SUMMARY_PRECISION`)."""
    group = stops["precision"].astype(str).map(lambda p: f"cards_{schema.location_kind(p).value}")
    by = stops["cards"].groupby(group).sum()
    return {c: int(by.get(c, 0)) for c in schema.SUMMARY_PRECISION}


def _day_lengths(routes: pd.DataFrame) -> dict[str, float]:
    """Mean and 90th percentile of the planned courier-day lengths, in hours."""
    d = routes["duration_s"].to_numpy(dtype=float) / 3600
    if not len(d):
        return {"day_h_expected": 0.0, "day_h_p90": 0.0}
    return {"day_h_expected": round(float(d.mean()), 2), "day_h_p90": round(float(np.percentile(d, 90)), 2)}
