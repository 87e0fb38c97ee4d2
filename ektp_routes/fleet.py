"""Fleet sizing: couriers needed to finish by a date, or the finish date with K couriers per office.

Not a rule of thumb: each office's first day is planned with the operation's own model (its
territories, bag, shift and service times, routed by the solver), which gives the cards one
courier-day really carries and which limit stops it (the bag, or the shift). The workload counts the
re-deliveries: with a share ``p`` of attempts failing and an attempt limit ``L``, a card needs
``1 + p + ... + p**(L-1)`` attempts on average, and the last re-deliveries add ``(L-1)`` retry
intervals after the last first attempt. Working days come from the operation's calendar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ektp_routes._files import write_atomic
from ektp_routes.cards import read_cards
from ektp_routes.courier_territories import territories
from ektp_routes.geocode import geocode_cards
from ektp_routes.i18n import DEFAULT_LANG, Messages, messages
from ektp_routes.offices import PostOffice, placeholder_offices, read_offices
from ektp_routes.operation import card_frame, office_day, route_all
from ektp_routes.operation_config import OperationConfig
from ektp_routes.regions import Gazetteer
from ektp_routes.workcalendar import WorkCalendar


@dataclass(frozen=True)
class OfficeFleet:
    """The sizing of one office.

    ``day_limit`` is what fills a courier-day ('bag' or 'shift'); ``binds`` is what sets the couriers
    needed: 'days' (the working days up to the target date) or, with a given fleet, the ``day_limit``.
    """

    office_id: str
    cards: int
    cards_per_courier_day: float
    hours_per_courier_day: float
    binds: str
    day_limit: str
    courier_days: int
    couriers: int
    working_days: int
    finish: date


@dataclass(frozen=True)
class FleetResult:
    """Sizing per office, and the finish date against couriers per office (the curve)."""

    offices: tuple[OfficeFleet, ...]
    start: date
    finish_by: date | None
    failure: float
    attempts_per_card: float
    curve: pd.DataFrame
    chart: Path | None


def attempts_per_card(failure: float, limit: int) -> float:
    """Expected delivery attempts per card when a share ``failure`` of attempts fails.

    >>> round(attempts_per_card(0.2, 3), 2)
    1.24
    """
    return sum(failure**k for k in range(limit))


def _finish(cal: WorkCalendar, start: date, days: int) -> date:
    it = cal.working_days(start)
    d = next(it)
    for _ in range(max(days, 1) - 1):
        d = next(it)
    return d


def _pilot(
    frame: pd.DataFrame,
    offices: list[PostOffice],
    config: OperationConfig,
    start: date,
    couriers: int | None,
    workers: int,
) -> dict[str, tuple[float, float, str]]:
    """Plan each office's first day: (cards per courier-day, hours per courier-day, binding limit)."""
    if frame.empty:  # no card to deliver (an empty list, or every row refused): no day to plan
        return {}
    blocks = pd.DataFrame(territories(frame, offices, pd.DataFrame()))
    cands = frame.assign(
        card_id=range(len(frame)), state="pending", attempts=0, window="any", courier=None, due=None
    )
    # No more couriers than the office's cards fill bags for: spread over every courier, a small
    # office's first day would measure part-filled courier-days, not what a courier-day carries.
    n = frame["office_id"].value_counts()
    fill = {o.office_id: -(-int(n.get(o.office_id, 0)) // o.fleet.capacity) for o in offices}
    days = [
        office_day(o, cands, blocks, config, start, couriers=range(1, min(couriers or o.fleet.couriers,
                   max(1, fill[o.office_id])) + 1))
        for o in offices
    ]  # fmt: skip
    routed = route_all([d for d in days if d.jobs], workers)
    out = {}
    for o in offices:
        runs = [r for r in routed.get(o.office_id, []) if r.cards]
        if not runs:
            continue
        per_day = sum(r.cards for r in runs) / len(runs)
        hours = sum(r.duration_s for r in runs) / len(runs) / 3600
        binds = "bag" if per_day >= 0.97 * o.fleet.capacity else "shift"
        if sum(r.cards for r in runs) >= n.get(o.office_id, 0) and binds == "shift":
            binds = "none"  # every card went out on the first day: neither bag nor shift was reached
        out[o.office_id] = (per_day, hours, binds)
    return out


def size_fleet(
    cards: str | Path | pd.DataFrame,
    *,
    offices_path: str | None = None,
    config_text: str = "",
    start: date,
    finish_by: date | None = None,
    couriers: int | None = None,
    failure: float = 0.2,
    chart: Path | None = None,
    workers: int = 2,
    sheet: str | int | None = None,
    lang: str = DEFAULT_LANG,
) -> FleetResult:
    """Size the fleet per office (see the module docstring); exactly one of ``finish_by``/``couriers``.

    ``chart``: a PNG of the finish date against couriers, labelled in ``lang`` ('id' or 'en').
    """
    config = OperationConfig.from_toml_text(config_text)
    gaz = Gazetteer.bekasi()
    geo = geocode_cards(read_cards(cards, gazetteer=gaz, sheet=sheet).cards.reset_index(drop=True), gaz)
    per_kec = geo["kecamatan_kode"].value_counts().to_dict()
    offices = (
        read_offices(offices_path, config.plan.fleet)
        if offices_path
        else placeholder_offices(gaz, config.plan.fleet, None, per_kec)
    )
    frame = card_frame(geo, gaz, offices)
    pilot = _pilot(frame, offices, config, start, couriers, workers)
    expect = attempts_per_card(failure, config.rules.attempt_limit)
    tail = (config.rules.attempt_limit - 1) * max(1, config.retry_after_days) if failure > 0 else 0
    cal = config.calendar
    window = cal.count_working_days(start, finish_by) if finish_by else 0
    rows, curve = [], {}
    for o in offices:
        if o.office_id not in pilot:
            continue
        n = int((frame["office_id"] == o.office_id).sum())
        per_day, hours, limit = pilot[o.office_id]
        need = math.ceil(n * expect / per_day)
        if finish_by is not None:
            k, binds = math.ceil(need / max(1, window - tail)), "days"
        else:
            k, binds = couriers or o.fleet.couriers, limit
        days = math.ceil(need / k) + tail
        finish = _finish(cal, start, days)
        rows.append(OfficeFleet(o.office_id, n, per_day, hours, binds, limit, need, k, days, finish))
        curve[o.office_id] = [_finish(cal, start, math.ceil(need / j) + tail) for j in range(1, 21)]
    table = pd.DataFrame(curve, index=pd.RangeIndex(1, 21, name="couriers"))
    result = FleetResult(tuple(rows), start, finish_by, failure, expect, table, chart)
    if chart is not None:
        draw_curve(result, chart, lang=lang)
    return result


def curve_figure(result: FleetResult, t: Messages) -> Figure:
    """The kabupaten's finish date (the last office to finish) against couriers per office, labelled
    in the language of ``t``."""
    last = pd.to_datetime(result.curve.max(axis=1))
    fig = Figure(figsize=(7, 4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(last.index, last.to_numpy(), marker="o", label=t("fleet.chart_all_done"))
    if result.finish_by is not None:
        ax.axhline(pd.Timestamp(result.finish_by), color="red", linestyle="--", label=t("fleet.chart_target"))
    ax.set_xlabel(t("fleet.chart_couriers"))
    ax.set_ylabel(t("fleet.chart_finish"))
    ax.set_title(t("fleet.chart_title", failure=f"{result.failure:.0%}"))
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def draw_curve(result: FleetResult, path: Path, *, lang: str = DEFAULT_LANG) -> Path:
    """PNG of :func:`curve_figure` in ``lang`` ('id' or 'en')."""
    fig = curve_figure(result, messages(lang))
    return write_atomic(path, lambda p: fig.savefig(p, format="png"))


def fleet_report(result: FleetResult, *, lang: str = DEFAULT_LANG) -> str:
    """The sizing as text in ``lang`` ('id' or 'en'), one line per office and a total."""
    t = messages(lang)
    lines = [
        t(
            "cli.fleet_start",
            start=result.start,
            attempts=f"{result.attempts_per_card:.2f}",
            failure=f"{result.failure:.0%}",
        )
    ]
    table = pd.DataFrame(
        {
            "office": o.office_id,
            "cards": o.cards,
            "cards_per_courier_day": f"{o.cards_per_courier_day:.0f}",
            "hours_per_courier_day": f"{o.hours_per_courier_day:.1f}",
            "binds": t("cli.fleet_binds_days", limit=t(f"limit.{o.day_limit}"))
            if o.binds == "days"
            else t(f"limit.{o.binds}"),
            "courier_days": o.courier_days,
            "couriers": o.couriers,
            "working_days": o.working_days,
            "finish": str(o.finish),
        }
        for o in result.offices
    )
    if len(table):
        lines.append(table.rename(columns=lambda c: t(f"fleet_column.{c}")).to_string(index=False))
    last = max((o.finish for o in result.offices), default=result.start)
    lines.append(
        t(
            "cli.fleet_total",
            cards=sum(o.cards for o in result.offices),
            couriers=sum(o.couriers for o in result.offices),
            courier_days=sum(o.courier_days for o in result.offices),
            last=last,
        )
    )
    if result.finish_by is not None and last > result.finish_by:
        lines.append(t("cli.fleet_target_missed", date=result.finish_by))
    if result.chart is not None:
        lines.append(t("cli.fleet_chart", path=result.chart))
    return "\n".join(lines)


def missing_courier_days(stops: pd.DataFrame, routes: pd.DataFrame, *, capacity: int) -> pd.DataFrame:
    """Per office, the courier-days a plan lacks: cards left ``no_capacity`` divided by the cards a
    planned courier-day of that office carries (the bag ``capacity`` when the office planned none).

    ``stops`` and ``routes`` are a plan's tables (``office_id``, ``cards``, ``status``, ``reason_code``).
    """
    if not len(stops):
        stops = pd.DataFrame(columns=["office_id", "cards", "status", "reason_code"])
    short = stops[stops["status"].eq("unserved") & stops["reason_code"].astype(str).eq("no_capacity")]
    left = short.groupby("office_id")["cards"].sum()
    per_day = routes.groupby("office_id")["cards"].mean() if len(routes) else pd.Series(dtype=float)
    rows = []
    for oid, cards in left.items():
        carry = float(per_day.get(oid, capacity)) or float(capacity)
        rows.append({"office_id": oid, "cards_no_capacity": int(cards),
                     "cards_per_courier_day": round(carry, 1),
                     "courier_days_missing": math.ceil(int(cards) / carry)})  # fmt: skip
    return pd.DataFrame(rows, columns=["office_id", "cards_no_capacity", "cards_per_courier_day",
                                       "courier_days_missing"])  # fmt: skip
