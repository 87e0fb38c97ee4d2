"""Solving post offices side by side: local processes or a Dask cluster, with resume.

Each post office is one :class:`OfficeJob`; :func:`solve_office` turns it into an :class:`OfficeResult`,
a small JSON-able value that names stops by their identity (never by position). With a work
directory, each finished office is saved as ``office-<key>.json`` where the key is a sha256 over a
canonical serialisation of everything the result depends on (office, stops, solver parameters,
service times, network), so a later run, in any process, reuses it exactly when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ektp_routes._errors import ConfigError
from ektp_routes._files import write_text
from ektp_routes.config import ServiceTimes
from ektp_routes.estimate import STOP_ESTIMATE_COLUMNS, PlaceEstimates
from ektp_routes.i18n import error, log
from ektp_routes.ids import RouteId
from ektp_routes.network import TravelNetwork
from ektp_routes.offices import PostOffice
from ektp_routes.problem import DenseMatrices, RoutingProblem, TerritoryMatrices
from ektp_routes.route_plan import RoutePlan, describe_unserved
from ektp_routes.schema import LeftOutStatus, UnservedReason
from ektp_routes.solve import solve
from ektp_routes.solve_params import SolveParams

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
LonLat = tuple[float, float]


@dataclass(frozen=True)
class OfficeJob:
    """One post office's routing problem: its stops (``stop_id, lon, lat, cards``) and how to solve."""

    office: PostOffice
    stops: pd.DataFrame
    network: TravelNetwork
    params: SolveParams
    service: ServiceTimes
    estimates: PlaceEstimates | None = None

    def key(self) -> str:
        """sha256 over a canonical serialisation of the job: equal in every process and run."""
        columns: tuple[str, ...] = ("stop_id", "lon", "lat", "cards")
        if self.estimates is not None:
            columns += (*STOP_ESTIMATE_COLUMNS, "precision")
        doc = {
            "office": asdict(self.office),
            "stops": {c: self.stops[c].tolist() for c in columns},
            "params": asdict(self.params),
            "service": asdict(self.service),
            "network": self.network.fingerprint(),
            "estimates": None if self.estimates is None else self.estimates.fingerprint(),
        }
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=True)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class PlannedRoute:
    """A courier-day: its stops in visiting order (by identity) with arrival times and totals."""

    route_id: RouteId
    stop_ids: tuple[str, ...]
    arrivals_s: tuple[float, ...]
    cards: int
    distance_m: float
    duration_s: float
    travel_s: float
    geometry: tuple[LonLat, ...]


@dataclass(frozen=True)
class LeftOut:
    """A stop no route carries, with its reason as a (code, message) value."""

    stop_id: str
    code: str
    message: str

    @property
    def status(self) -> LeftOutStatus:
        unreachable = self.code == UnservedReason.UNREACHABLE
        return LeftOutStatus.UNROUTABLE if unreachable else LeftOutStatus.UNSERVED


@dataclass(frozen=True)
class OfficeResult:
    """What solving one office produced, in the order the solver returned its routes."""

    office_id: str
    routes: tuple[PlannedRoute, ...]
    left_out: tuple[LeftOut, ...]
    #: Stops beyond the road network's snap limit, planned on straight legs x circuity (by identity).
    off_network: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> OfficeResult:
        d = json.loads(text)
        routes = tuple(
            PlannedRoute(
                route_id=RouteId(**r["route_id"]),
                stop_ids=tuple(r["stop_ids"]),
                arrivals_s=tuple(r["arrivals_s"]),
                cards=int(r["cards"]),
                distance_m=r["distance_m"],
                duration_s=r["duration_s"],
                travel_s=r["travel_s"],
                geometry=tuple((x, y) for x, y in r["geometry"]),
            )
            for r in d["routes"]
        )
        # A resume file without ``off_network`` (older runs) raises KeyError: it is solved again.
        left_out = tuple(LeftOut(**x) for x in d["left_out"])
        return cls(d["office_id"], routes, left_out, tuple(d["off_network"]))


def solve_office(job: OfficeJob) -> OfficeResult:
    """Build and solve one post office's problem (runs in a worker process or a Dask worker)."""
    o = job.office
    lon = np.r_[o.lon, job.stops["lon"].to_numpy(dtype=float)]
    lat = np.r_[o.lat, job.stops["lat"].to_numpy(dtype=float)]
    unroutable: dict[int, str] = {}
    off_network: set[int] = set()
    plan = solve(_problem(job, lon, lat, unroutable, off_network), job.params)
    ids = job.stops["stop_id"].tolist()
    res = _office_result(job, plan, lon, lat, unroutable)
    return replace(res, off_network=tuple(ids[i - 1] for i in sorted(off_network) if i != 0))


def _problem(
    job: OfficeJob, lon: np.ndarray, lat: np.ndarray, unroutable: dict[int, str], off_network: set[int]
) -> RoutingProblem:
    """The office's routing problem; records stops no road reaches into ``unroutable`` and the problem
    nodes planned on straight legs beyond the network's snap limit into ``off_network``."""
    cards = np.r_[0, job.stops["cards"].to_numpy(dtype=np.int64)]
    common: dict[str, Any] = dict(
        service_base_s=job.service.base_s, service_per_card_s=job.service.per_card_s, lon=lon, lat=lat
    )
    if job.estimates is not None:
        return _estimated_problem(job, job.estimates, cards, common, off_network)
    if len(lon) - 1 <= job.params.max_stops_whole:
        m = job.network.matrix(lon, lat)
        unroutable.update({i: why for i, why in m.unreachable_from(0).items() if i != 0})
        off_network.update(int(i) for i in np.flatnonzero(m.off_network))
        return RoutingProblem(DenseMatrices(m.time_s, m.dist_m), cards, job.office.fleet, **common)

    # A large office: matrices are built per territory, never for all its stops at once.
    def matrix_fn(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sub = job.network.matrix(lon[idx], lat[idx])
        for k, why in sub.unreachable_from(0).items():
            if k != 0:
                unroutable[int(idx[k])] = why
        off_network.update(int(idx[k]) for k in np.flatnonzero(sub.off_network))
        return sub.time_s, sub.dist_m

    return RoutingProblem(TerritoryMatrices(matrix_fn), cards, job.office.fleet, **common)


def _estimated_problem(
    job: OfficeJob, est: PlaceEstimates, cards: np.ndarray, common: dict[str, Any], off_network: set[int]
) -> RoutingProblem:
    """An office with block stops: expected travel among places, each block's walk and its doors.

    Courier-days are planned to :attr:`~ektp_routes.estimate.TravelModel.shift_utilisation` of the
    shift, so the days stay inside it when the estimates are off.
    """
    depot = (job.office.lon, job.office.lat)
    doors = job.stops["doors"].to_numpy(dtype=float)
    service = np.r_[0.0, job.service.base_s * doors + job.service.per_card_s * cards[1:]]
    fleet = job.office.fleet
    fleet = replace(fleet, shift_s=max(60, int(fleet.shift_s * est.model.shift_utilisation)))

    def build(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = est.travel(job.stops.iloc[np.asarray(idx[1:]) - 1], depot, job.network)
        off_network.update(int(idx[k]) for k in np.flatnonzero(e.off_network))
        return e.time_s, e.dist_m

    matrices: DenseMatrices | TerritoryMatrices
    if len(cards) - 1 <= job.params.max_stops_whole:
        matrices = DenseMatrices(*build(np.arange(len(cards))))
    else:
        matrices = TerritoryMatrices(build)
    return RoutingProblem(matrices, cards, fleet, service_s_per_node=service, **common)


def _office_result(
    job: OfficeJob, plan: RoutePlan, lon: np.ndarray, lat: np.ndarray, unroutable: dict[int, str]
) -> OfficeResult:
    ids = job.stops["stop_id"].tolist()  # problem node i (>= 1) is stop i - 1
    geometry = route_geometries(job.network, [list(r.stops) for r in plan.routes], lon, lat)
    routes = [
        PlannedRoute(
            route_id=RouteId(job.office.office_id, r.courier, r.day),
            stop_ids=tuple(ids[s - 1] for s in r.stops),
            arrivals_s=tuple(float(a) for a in r.arrivals_s),
            cards=int(r.cards),
            distance_m=float(r.distance_m),
            duration_s=float(r.duration_s),
            travel_s=float(r.travel_s),
            geometry=coords,
        )
        for r, coords in zip(plan.routes, geometry, strict=True)
    ]
    left_out = tuple(
        LeftOut(
            ids[s - 1],
            why,
            (why == UnservedReason.UNREACHABLE and unroutable.get(s)) or describe_unserved(why),
        )
        for s, why in plan.unserved.items()
    )
    return OfficeResult(job.office.office_id, tuple(routes), left_out)


#: Distinct points whose legs are searched in one call of the network (bounds the search's memory).
GEOMETRY_BATCH_POINTS = 128


def route_geometries(
    network: TravelNetwork, routes: list[list[int]], lon: np.ndarray, lat: np.ndarray
) -> list[tuple[LonLat, ...]]:
    """Road geometry of each route (problem nodes, depot 0 at both ends added here), rounded to 1e-6°.

    Every route starts and ends at the depot, so the routes of a batch are chained into one sequence
    ``0, a, b, 0, c, 0, ...`` whose legs are exactly the routes' legs: one network call per batch of
    routes (with up to :data:`GEOMETRY_BATCH_POINTS` distinct points) instead of one per route.
    """
    out: list[tuple[LonLat, ...]] = []
    for batch in _batches(routes, GEOMETRY_BATCH_POINTS):
        chain = [0]
        for stops in batch:
            chain += [*stops, 0]
        legs = network.path_geometry(lon[chain].tolist(), lat[chain].tolist())
        first = 0
        for stops in batch:
            coords: list[LonLat] = []
            for leg in legs[first : first + len(stops) + 1]:
                pts = [(round(x, 6), round(y, 6)) for x, y in leg.coords]
                coords += pts if not coords else pts[1:]
            out.append(tuple(coords))
            first += len(stops) + 1
    return out


def _batches(routes: list[list[int]], max_points: int) -> Iterator[list[list[int]]]:
    """Consecutive routes grouped so that a group holds at most ``max_points`` distinct nodes (a
    longer route is a group of its own)."""
    batch: list[list[int]] = []
    seen: set[int] = set()
    for stops in routes:
        if batch and len(seen | set(stops)) > max_points:
            yield batch
            batch, seen = [], set()
        batch.append(stops)
        seen |= set(stops)
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------------- running
class ResumeStore:
    """Finished offices saved as JSON files under a work directory, keyed by :meth:`OfficeJob.key`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, job: OfficeJob) -> Path:
        return self.folder / f"office-{job.key()}.json"

    def load(self, job: OfficeJob) -> OfficeResult | None:
        f = self.path(job)
        if not f.is_file():
            return None
        try:
            res = OfficeResult.from_json(f.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError):
            log(logger, logging.WARNING, "log.resume_unreadable", name=f.name)
            return None
        logger.info("resumed office %s from %s", job.office.office_id, f.name)
        return res

    def keep_only(self, jobs: list[OfficeJob]) -> None:
        """Remove resume files of offices that are not among ``jobs`` (earlier runs' offices)."""
        keep = {self.path(job).name for job in jobs}
        for f in self.folder.glob("office-*.json"):
            if f.name not in keep:
                f.unlink(missing_ok=True)

    def save(self, job: OfficeJob, res: OfficeResult) -> None:
        write_text(self.path(job), res.to_json())
        logger.info("saved office %s to %s", job.office.office_id, self.path(job).name)


def connect(address: str, *, option: str = "scheduler", timeout_s: float = 10.0) -> Any:
    """A ``dask.distributed.Client`` for a scheduler address, or one clear error within ``timeout_s``."""
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None:
        raise error(ConfigError, "error.scheduler_address", option=option, address=repr(address))
    from dask.distributed import Client

    try:
        return Client(address, timeout=timeout_s)
    except (OSError, TimeoutError, ValueError) as exc:
        raise error(
            ConfigError, "error.scheduler_silent", option=option, address=address, timeout=f"{timeout_s:g}",
            why=type(exc).__name__,
        ) from None  # fmt: skip


def run_jobs(
    jobs: list[OfficeJob],
    *,
    workers: int,
    work_dir: Path | None = None,
    client: Any = None,
    progress: Progress | None = None,
) -> dict[str, OfficeResult]:
    """Solve every job (resuming saved ones); office id -> result."""
    store = ResumeStore(work_dir) if work_dir else None
    done: dict[str, OfficeResult] = {}
    pending = []
    for job in jobs:
        saved = store.load(job) if store else None
        if saved is not None:
            done[job.office.office_id] = saved
        else:
            pending.append(job)
    if progress:
        progress(len(done), len(jobs))
    for job, res in _solve_all(pending, workers, client):
        done[res.office_id] = res
        if store:
            store.save(job, res)
        if progress:
            progress(len(done), len(jobs))
    if store:
        store.keep_only(jobs)
    return done


def _solve_all(
    pending: list[OfficeJob], workers: int, client: Any
) -> Iterator[tuple[OfficeJob, OfficeResult]]:
    """(job, result) as each finishes: on a Dask client, in local processes, or in this process.

    A road network can be large (a kabupaten's: hundreds of MB), so it never travels with each job:
    local worker processes receive every distinct network once, when they start (inherited without
    a copy where processes are forked), and a Dask cluster gets it once per worker (scattered).
    """
    networks = _distinct_networks(pending)
    slot = {id(net): k for k, net in enumerate(networks)}
    if client is not None:
        from dask.distributed import as_completed as dask_completed

        shared = {id(net): client.scatter(net, broadcast=True, hash=False) for net in networks}
        futs = {
            client.submit(_solve_parts, _parts(job), shared[id(job.network)], pure=False, retries=2): job
            for job in pending
        }
        for fut in dask_completed(list(futs)):
            yield futs[fut], fut.result()
    elif workers > 1 and len(pending) > 1:
        size = min(workers, len(pending))
        # Largest offices first, so that no large office starts last while the other processes idle.
        by_size = sorted(pending, key=lambda job: -len(job.stops))
        with ProcessPoolExecutor(max_workers=size, initializer=_hold, initargs=(networks,)) as pool:
            futs2 = {pool.submit(_solve_held, _parts(job), slot[id(job.network)]): job for job in by_size}
            for fut2 in as_completed(futs2):
                yield futs2[fut2], fut2.result()
    else:
        for job in pending:
            yield job, solve_office(job)


def _distinct_networks(jobs: list[OfficeJob]) -> tuple[TravelNetwork, ...]:
    """The networks of ``jobs`` (usually one for all), each once, in order of first use."""
    return tuple({id(job.network): job.network for job in jobs}.values())


#: What a job is without its network: office, stops, solver parameters, service times, estimates.
JobParts = tuple[PostOffice, pd.DataFrame, SolveParams, ServiceTimes, PlaceEstimates | None]

#: The networks a local worker process was given when it started (slot -> network); read-only.
_HELD: dict[int, TravelNetwork] = {}


def _parts(job: OfficeJob) -> JobParts:
    return job.office, job.stops, job.params, job.service, job.estimates


def _hold(networks: tuple[TravelNetwork, ...]) -> None:
    """Worker-process initializer: keep the networks for every job this process will solve."""
    _HELD.clear()
    _HELD.update(enumerate(networks))


def _solve_held(parts: JobParts, slot: int) -> OfficeResult:
    """Solve a job in a local worker process, with the network it holds in ``slot``."""
    return _solve_parts(parts, _HELD[slot])


def _solve_parts(parts: JobParts, network: TravelNetwork) -> OfficeResult:
    office, stops, params, service, estimates = parts
    return solve_office(OfficeJob(office, stops, network, params, service, estimates))
