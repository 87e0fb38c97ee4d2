"""The delivery operation: load cards into the ledger, then dispatch one working day at a time.

:func:`start_operation` validates and geocodes a card list, assigns each card to a post office,
groups cards into households (stops) and blocks (desa, RW, RT), and cuts each office's blocks into
courier territories (a sweep around the office into slices of equal cards). :func:`dispatch_day`
plans one date: each courier who works that day takes the due re-deliveries and pending cards of
their own territory first (a courier keeps their blocks from day to day), then helps with blocks
whose courier is away; each courier-day is routed by the library's solver
(:func:`ektp_routes.solve.solve`). Re-deliveries after "not home" can be held for a late window of
the shift or for the weekend. Everything a command changes is one ledger transaction.

The options and the retry rule are :mod:`ektp_routes.operation_config`'s, the territories and each
day's share of stops per courier :mod:`ektp_routes.courier_territories`'; their public names are
importable from here too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ektp_routes._errors import ConfigError, LedgerError
from ektp_routes.blocks import assign_blocks
from ektp_routes.cards import read_cards
from ektp_routes.courier_territories import CourierJob, bag_sized, choose_jobs, territories
from ektp_routes.couriers import Fleet
from ektp_routes.geocode import coordinate_key, geocode_cards
from ektp_routes.i18n import error
from ektp_routes.ids import DispatchRouteId
from ektp_routes.ledger import CardState, Ledger, Transition, new_run_id
from ektp_routes.network import StraightLineNetwork
from ektp_routes.offices import PostOffice, assign_offices, placeholder_offices
from ektp_routes.operation_config import OperationConfig, RetryWindow, load_config, retry_due
from ektp_routes.problem import DenseMatrices, RoutingProblem
from ektp_routes.regions import Gazetteer
from ektp_routes.solve import solve
from ektp_routes.solve_params import SolveParams
from ektp_routes.workcalendar import Closed

__all__ = [
    "CourierJob",
    "DispatchReport",
    "OfficeDay",
    "OperationConfig",
    "RetryWindow",
    "RoutedDay",
    "StartReport",
    "card_frame",
    "dispatch_day",
    "due_cards",
    "load_config",
    "load_offices",
    "office_day",
    "retry_due",
    "route_all",
    "route_id",
    "route_office",
    "start_operation",
    "stop_id",
    "territories",
]

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------- start
@dataclass(frozen=True)
class StartReport:
    """What ``ops start`` did."""

    added: int
    already_present: tuple[int, ...]
    rejects: pd.DataFrame
    offices: int
    run_id: str


def load_offices(ledger: Ledger) -> list[PostOffice]:
    """The post offices stored in the ledger at start."""
    text = ledger.meta("offices")
    if text is None:
        raise error(LedgerError, "error.ledger_no_operation")
    out = []
    for o in json.loads(text):
        fleet = Fleet(**{k: o.pop(k) for k in ("couriers", "capacity", "shift_s", "days")})
        kw: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in o.items()}
        out.append(PostOffice(fleet=fleet, **kw))
    return out


def _office_json(offices: Sequence[PostOffice]) -> str:
    rows = []
    for o in offices:
        d = asdict(o)
        fleet = d.pop("fleet")
        d.update({k: fleet[k] for k in ("couriers", "capacity", "shift_s", "days")})
        rows.append(d)
    return json.dumps(rows)


def start_operation(
    source: str | Path | pd.DataFrame,
    *,
    ledger: Ledger,
    config_text: str = "",
    start_date: date | None = None,
    offices: Sequence[PostOffice] | None = None,
    gazetteer: Gazetteer | None = None,
    source_name: str | None = None,
    sheet: str | int | None = None,
    lang: str = "en",
) -> StartReport:
    """Validate, geocode and load a card list into the ledger (the first batch starts the operation);
    ``lang`` is the language of the rejects' messages."""
    gaz = gazetteer or Gazetteer.bekasi()
    config = OperationConfig.from_toml_text(config_text)
    cards = read_cards(source, gazetteer=gaz, sheet=sheet, lang=lang)
    geo = geocode_cards(cards.cards.reset_index(drop=True), gaz)
    name = source_name or (Path(source).name if isinstance(source, str | Path) else "frame")
    run = new_run_id()
    with ledger.transaction() as conn:
        first = ledger.meta("start_date", conn=conn) is None
        if first:
            if start_date is None:
                raise error(ConfigError, "error.ops_start_needs_date")
            per_kec = geo["kecamatan_kode"].value_counts().to_dict() if len(geo) else {}
            offs = list(offices) if offices else placeholder_offices(gaz, config.plan.fleet, None, per_kec)
            Ledger.set_meta(
                conn,
                {
                    "start_date": start_date.isoformat(),
                    "config_toml": config_text,
                    "offices": _office_json(offs),
                },
            )
            ledger.operation_id(conn=conn)
        else:
            offs = load_offices(ledger)
        frame = card_frame(geo, gaz, offs)
        if first:  # the transaction is rolled back: nothing stored
            _check_leave(config, offs, frame["office_id"])
        report = ledger.add_cards(frame, source=name, run_id=run, conn=conn)
        Ledger.put_blocks(conn, territories(frame, offs, ledger.blocks(conn=conn)))
    rejects = cards.rejects[["row", "nik_masked", "field", "reason", "message"]].copy()
    return StartReport(report.added, report.already_present, rejects, len(offs), run)


def _check_leave(config: OperationConfig, offices: Sequence[PostOffice], used: pd.Series) -> None:
    """Refuse leave of an office the operation does not have, or of a courier beyond its fleet: it
    would be stored and never applied (the courier sent out on the day of leave).

    Raises
    ------
    ConfigError
        Naming the leave's office and courier and the offices that serve the list's cards.
    """
    fleet = {o.office_id: o.fleet.couriers for o in offices}
    serving = sorted(set(used.dropna().astype(str)))
    others = len(fleet) - len(serving)
    known = ", ".join(serving) + (f" (+{others})" if others > 0 else "")
    for lv in config.calendar.leave:
        if lv.office_id not in fleet:
            raise error(ConfigError, "error.ops_leave_office", office=lv.office_id, known=known)
        if lv.courier > fleet[lv.office_id]:
            n = fleet[lv.office_id]
            raise error(ConfigError, "error.ops_leave_courier", office=lv.office_id, courier=lv.courier, n=n)


def card_frame(geo: pd.DataFrame, gaz: Gazetteer, offices: Sequence[PostOffice]) -> pd.DataFrame:
    """The ledger's columns for geocoded cards: office, household (stop) key and delivery block
    (desa, settlement, RW, RT, as :func:`ektp_routes.blocks.assign_blocks` reads the address)."""
    if not len(geo):
        return geo.assign(office_id=[], stop_key=[], block=[])
    area = assign_offices(gaz, sorted(geo["desa_kode"].unique()), offices)
    addr = geo["alamat"].str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
    block = assign_blocks(geo)["block_key"]
    return geo.assign(
        office_id=geo["desa_kode"].map(area),
        block=block,
        stop_key=block + "|" + coordinate_key(geo["lon"]) + "," + coordinate_key(geo["lat"]) + "|" + addr,
    )


# ---------------------------------------------------------------------------------------- dispatch
@dataclass(frozen=True)
class OfficeDay:
    """One office's work for one date: its depot, fleet and courier jobs."""

    office: PostOffice
    jobs: tuple[CourierJob, ...]
    params: SolveParams
    service_base_s: float
    service_per_card_s: float
    late_window_s: tuple[float, float]


@dataclass(frozen=True)
class DispatchReport:
    """What ``ops dispatch`` did for one date."""

    day: date
    closed: Closed | None = None
    already: bool = False
    cards: int = 0
    stops: int = 0
    courier_days: int = 0
    stable_stops: int = 0
    known_stops: int = 0
    left_pending: int = 0
    unreported: int = 0
    sent_again: int = 0

    @property
    def stability(self) -> float | None:
        """Share of today's stops in blocks served before that go to the courier who served them."""
        return self.stable_stops / self.known_stops if self.known_stops else None


def due_cards(ledger: Ledger, day: date) -> pd.DataFrame:
    """Pending cards and failed cards due on ``day`` (weekend-window cards only on a weekend)."""
    cols = [
        "card_id",
        "office_id",
        "stop_key",
        "block",
        "lon",
        "lat",
        "field_lon",
        "field_lat",
        "state",
        "attempts",
        "due",
        "window",
        "courier",
    ]
    c = ledger.cards(states=[CardState.PENDING, CardState.FAILED], columns=cols)
    due = pd.to_datetime(c["due"])
    ok = c["state"].eq("pending") | (due.isna() | (due <= pd.Timestamp(day)))
    ok &= ~c["window"].eq("weekend") | (day.weekday() >= 5)
    c = c[ok].copy()
    c["lon"] = c["field_lon"].fillna(c["lon"])
    c["lat"] = c["field_lat"].fillna(c["lat"])
    return c


def dispatch_day(ledger: Ledger, day: date, *, workers: int = 1) -> DispatchReport:
    """Plan ``day`` for every office and move the planned cards to ``dispatched`` (one transaction)."""
    config = load_config(ledger)
    why = config.calendar.why_closed(day)
    if why is not None:
        return DispatchReport(day, closed=why)
    if ledger.meta(f"dispatch:{day.isoformat()}") is not None:
        return DispatchReport(day, already=True, sent_again=ledger.sent_again_since(day))
    start = date.fromisoformat(ledger.meta("start_date") or day.isoformat())
    if day < start:
        raise error(ConfigError, "error.dispatch_before_start", day=day, start=start)
    last = ledger.last_dispatch_day()
    if last is not None and day < last:  # a date typed wrong would send cards out back-dated
        raise error(ConfigError, "error.dispatch_before_last", day=day, last=last)
    offices = load_offices(ledger)
    cands = bag_sized(due_cards(ledger, day), {o.office_id: o.fleet.capacity for o in offices})
    blocks = ledger.blocks()
    days = [office_day(o, cands, blocks, config, day) for o in offices]
    days = [d for d in days if d.jobs]
    routed = route_all(days, workers)
    report, moves, served = _transitions(routed, cands, blocks, day)
    unreported = ledger.counts()["dispatched"]
    run = new_run_id()
    with ledger.transaction() as conn:
        Ledger.apply(conn, moves, source=f"dispatch {day.isoformat()}", run_id=run)
        Ledger.served_blocks(conn, served)
        summary = replace(report, unreported=unreported, left_pending=len(cands) - report.cards)
        if moves:  # a day that sent nothing (every card still out) may be dispatched again later
            Ledger.set_meta(conn, {f"dispatch:{day.isoformat()}": json.dumps(_jsonable(summary))})
    logger.info("dispatched %d cards on %s (%s)", summary.cards, day, run)
    return summary


def _jsonable(r: DispatchReport) -> dict[str, Any]:
    d = asdict(r)
    d["day"] = r.day.isoformat()
    return d


def office_day(
    o: PostOffice,
    cands: pd.DataFrame,
    blocks: pd.DataFrame,
    config: OperationConfig,
    day: date,
    *,
    couriers: Sequence[int] | None = None,
) -> OfficeDay:
    """One office's courier jobs for ``day`` (its couriers on the calendar, unless given)."""
    if couriers is None:
        couriers = config.calendar.couriers_on(o.office_id, day, o.fleet.couriers)
    mine = cands[cands["office_id"] == o.office_id]
    jobs = choose_jobs(mine, blocks[blocks["office_id"] == o.office_id], couriers, o.fleet.capacity, config)
    seed = config.plan.solve.seed
    params = SolveParams(time_limit_s=config.route_time_limit_s, seed=seed, deterministic=True)
    lo, hi = config.late_window_h
    return OfficeDay(
        o, jobs, params, config.plan.service.base_s, config.plan.service.per_card_s, (lo * 3600, hi * 3600)
    )


@dataclass(frozen=True)
class RoutedDay:
    """A routed courier-day: the courier, its stop keys in visiting order and the day's length."""

    courier: int
    stop_keys: tuple[str, ...]
    duration_s: float
    cards: int


def route_office(job: OfficeDay) -> list[RoutedDay]:
    """Route each courier-day of one office with the library's solver; stops the solver cannot fit
    into the shift (or their window) are left for a later day."""
    net = StraightLineNetwork()
    out = []
    o = job.office
    for cj in job.jobs:
        lon, lat = np.r_[o.lon, cj.lon], np.r_[o.lat, cj.lat]
        m = net.matrix(lon, lat)
        windows = [None] + [job.late_window_s if late else None for late in cj.late]
        problem = RoutingProblem(
            DenseMatrices(m.time_s, m.dist_m),
            cards=np.r_[0, cj.cards],
            fleet=Fleet(couriers=1, capacity=o.fleet.capacity, shift_s=o.fleet.shift_s, days=1),
            service_base_s=job.service_base_s,
            service_per_card_s=job.service_per_card_s,
            windows=windows if any(cj.late) else None,
            lon=lon,
            lat=lat,
        )
        plan = solve(problem, job.params)
        order = tuple(cj.stop_keys[s - 1] for r in plan.routes for s in r.stops)
        dur = float(sum(r.duration_s for r in plan.routes))
        out.append(RoutedDay(cj.courier, order, dur, int(sum(r.cards for r in plan.routes))))
    return out


def route_all(days: Sequence[OfficeDay], workers: int) -> dict[str, list[RoutedDay]]:
    """Route the offices' days, in ``workers`` processes when more than one."""
    if workers > 1 and len(days) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(days))) as pool:
            return dict(zip((d.office.office_id for d in days), pool.map(route_office, days), strict=True))
    return {d.office.office_id: route_office(d) for d in days}


def route_id(office_id: str, day: date, courier: int) -> str:
    """The id of one courier-day of the operation (:class:`~ektp_routes.ids.DispatchRouteId`)."""
    return str(DispatchRouteId(office_id, day, courier))


def stop_id(office_id: str, day: date, courier: int, sequence: int) -> str:
    """The id of a stop on one courier-day (:meth:`~ektp_routes.ids.DispatchRouteId.stop`)."""
    return DispatchRouteId(office_id, day, courier).stop(sequence)


def _transitions(
    routed: Mapping[str, list[RoutedDay]], cands: pd.DataFrame, blocks: pd.DataFrame, day: date
) -> tuple[DispatchReport, list[Transition], dict[str, int]]:
    last = dict(zip(blocks["block"], blocks["last_courier"], strict=True))
    members = cands.groupby("stop_key", sort=False).indices
    ids, states = cands["card_id"].to_numpy(), cands["state"].to_numpy()
    attempts, block_of = cands["attempts"].to_numpy(), cands["block"].to_numpy()
    moves: list[Transition] = []
    served: dict[str, int] = {}
    stable = known = stops = cdays = 0
    for oid, couriers in routed.items():
        for rd in couriers:
            courier = rd.courier
            cdays += bool(rd.stop_keys)
            for seq, key in enumerate(rd.stop_keys, start=1):
                rows = members[key]
                block = str(block_of[rows[0]])
                prev = last.get(block)
                if prev is not None and not pd.isna(prev):
                    known += 1
                    stable += int(prev) == courier
                served[block] = courier
                stops += 1
                values = {"courier": courier, "dispatch_date": day, "sequence": seq,
                          "stop_id": stop_id(oid, day, courier, seq)}  # fmt: skip
                moves += [
                    Transition(int(ids[i]), CardState(states[i]), CardState.DISPATCHED, values,
                               attempt=int(attempts[i]) + 1, op_date=day, office_id=oid, courier=courier)
                    for i in rows
                ]  # fmt: skip
    report = DispatchReport(
        day, cards=len(moves), stops=stops, courier_days=cdays, stable_stops=stable, known_stops=known
    )
    return report, moves, served
