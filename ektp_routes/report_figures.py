"""The figures of a plan's one-page report: totals, per-office use of the fleet and the limit that
binds, unserved cards by reason, and the precision mix. Tables in, tables out (no files).

Which limit binds an office: ``days`` when every courier-day of the horizon is used or stops were left
for lack of one (``no_capacity``); otherwise ``bag`` or ``shift``, whichever more of its courier-days
reach (95% of the bag's cards or of the shift's time); ``none`` when no courier-day is near a limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ektp_routes.i18n import Messages
from ektp_routes.layers import PlanTables
from ektp_routes.schema import Precision

NEAR_LIMIT = 0.95


@dataclass(frozen=True)
class ReportFigures:
    """What the report shows, as tables (column names in English; labels come from the catalogue)."""

    totals: Mapping[str, float]
    offices: pd.DataFrame
    unserved: pd.DataFrame
    precision: pd.DataFrame
    straight_line: bool
    placeholder: bool
    idle_offices: tuple[str, ...] = ()


def _office_row(o: Any, routes: pd.DataFrame, stops: pd.DataFrame) -> dict[str, Any]:
    f = o.fleet
    r = routes[routes["office_id"] == o.office_id]
    s = stops[stops["office_id"] == o.office_id]
    n = len(r)
    bag = float(r["cards"].sum() / (n * f.capacity)) if n else 0.0
    shift = float(r["duration_s"].sum() / (n * f.shift_s)) if n else 0.0
    days = n / (f.couriers * f.days)
    at_bag = int((r["cards"] >= NEAR_LIMIT * f.capacity).sum())
    at_shift = int((r["duration_s"] >= NEAR_LIMIT * f.shift_s).sum())
    no_capacity = int(s.loc[s["reason_code"] == "no_capacity", "cards"].sum())
    if days >= 0.999 or no_capacity:
        binding = "days"
    elif max(at_bag, at_shift) == 0:
        binding = "none"
    else:
        binding = "bag" if at_bag >= at_shift else "shift"
    planned = s[s["status"] == "planned"]
    return {
        "office_id": o.office_id,
        "office": o.name,
        "cards": int(s["cards"].sum()),
        "planned": int(planned["cards"].sum()),
        "unserved": int(s["cards"].sum() - planned["cards"].sum()),
        "couriers": int(f.couriers),
        "courier_days": n,
        "courier_days_available": int(f.couriers * f.days),
        "km": round(float(r["distance_m"].sum()) / 1000, 1),
        "hours": round(float(r["duration_s"].sum()) / 3600, 1),
        "bag_use": round(bag, 3),
        "shift_use": round(shift, 3),
        "days_use": round(days, 3),
        "binding": binding,
    }


def office_figures(tables: PlanTables) -> pd.DataFrame:
    """One row per office that received cards: cards, courier-days, use of bag/shift/days, binding limit."""
    stops = tables.stops
    if not len(stops):
        return pd.DataFrame(columns=["office_id", "office", "cards", "binding"])
    rows = [
        _office_row(o, tables.routes, stops)
        for o in tables.offices
        if (stops["office_id"] == o.office_id).any()
    ]
    return pd.DataFrame(rows)


def unserved_figures(assignments: pd.DataFrame) -> pd.DataFrame:
    """Cards not planned, by status and reason code, most first."""
    a = assignments[assignments["status"] != "planned"]
    out = a.groupby(["status", "reason_code"], as_index=False).size().rename(columns={"size": "cards"})
    return out.sort_values(["cards", "status"], ascending=[False, True]).reset_index(drop=True)


def precision_figures(stops: pd.DataFrame) -> pd.DataFrame:
    """Cards per location precision, best first, with their share."""
    order = [p.value for p in Precision]
    by = stops.groupby("precision")["cards"].sum() if len(stops) else pd.Series(dtype=int)
    out = pd.DataFrame({"precision": [p for p in order if p in by.index]})
    out["cards"] = [int(by[p]) for p in out["precision"]]
    total = out["cards"].sum()
    out["share"] = (out["cards"] / total).round(3) if total else 0.0
    return out


def report_figures(tables: PlanTables, assignments: pd.DataFrame) -> ReportFigures:
    """Every figure of the report."""
    status = assignments["status"].value_counts()
    r = tables.routes
    totals = {
        "cards_in": len(assignments),
        "planned": int(status.get("planned", 0)),
        "unserved": int(status.get("unserved", 0)),
        "unroutable": int(status.get("unroutable", 0)),
        "rejected": int(status.get("rejected", 0)),
        "stops": len(tables.stops),
        "offices": int(tables.stops["office_id"].nunique()) if len(tables.stops) else 0,
        "courier_days": len(r),
        # As summary.csv and the command line give them: the sum of the offices' figures shown.
        "km": float(tables.summary.iloc[-1]["km"]),
        "hours": float(tables.summary.iloc[-1]["hours"]),
    }
    return ReportFigures(
        totals=totals,
        offices=office_figures(tables),
        unserved=unserved_figures(assignments),
        precision=precision_figures(tables.stops),
        straight_line=bool(tables.network_is_straight),
        placeholder=any(bool(o.placeholder) for o in tables.offices),
        idle_offices=idle_offices(tables),
    )


def idle_offices(tables: PlanTables) -> tuple[str, ...]:
    """'name (id)' of every office that received no desa with cards (placeholders not counted)."""
    busy = set(tables.stops["office_id"]) if len(tables.stops) else set()
    return tuple(
        f"{o.name} ({o.office_id})" for o in tables.offices if o.office_id not in busy and not o.placeholder
    )


def reason_label(status: str, code: str, t: Messages) -> str:
    """A reason code in the reader's language (the code itself when the catalogue has no text)."""
    return t.catalogue.get(f"reason.{code}", t.catalogue.get(f"reject.{code}", code or t(f"status.{status}")))
