"""End-to-end planning: cards -> stops -> areas -> post offices -> routes -> one checked plan.

:func:`plan_routes` validates and geocodes the cards, groups them into delivery stops (one per
household/address, or per RT, per RW, or at the desa office), assigns each desa to a post office,
solves each office's routing problem (in parallel processes), and returns a :class:`PlanResult`
whose tables :mod:`ektp_routes.export` writes. Finished offices are saved as they complete under
``OUTDIR/.work``, so a killed run resumes without recomputing them.

Example
-------
>>> from ektp_routes import synthetic_cards
>>> from ektp_routes.plan import PlanConfig, plan_routes
>>> cards = synthetic_cards(191_000, seed=0, kecamatan=["Bojongmangu"]).head(40)
>>> res = plan_routes(cards.rename(columns={"true_lon": "lon", "true_lat": "lat"}),
...                   config=PlanConfig(time_limit_s=2, workers=1))
>>> int(res.assignments.status.eq("planned").sum()), len(res.assignments)
(40, 40)
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ektp_routes._errors import ConfigError, InputFileError
from ektp_routes.cards import CardList, read_cards
from ektp_routes.geocode import Geocoder, coordinate_key, geocode_cards
from ektp_routes.network import StraightLineNetwork, TravelNetwork, haversine_m
from ektp_routes.nik import mask_nik
from ektp_routes.regions import Gazetteer
from ektp_routes.solve import (
    DenseMatrices,
    Fleet,
    RoutePlan,
    RoutingProblem,
    SolveParams,
    TerritoryMatrices,
    describe_unserved,
    solve,
)

logger = logging.getLogger(__name__)

Consolidation = Literal["household", "rt", "rw", "desa"]


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
        if not (94.0 <= self.lon <= 142.0 and -11.5 <= self.lat <= 6.5):
            raise ConfigError(
                f"post office {self.name!r} at ({self.lon}, {self.lat}) lies outside Indonesia; "
                "coordinates must be longitude, latitude in WGS84"
            )


@dataclass(frozen=True)
class PlanConfig:
    """Planning options (see the CLI help for each)."""

    time_limit_s: float = 30.0
    seed: int = 0
    deterministic: bool = True
    workers: int = max(1, os.cpu_count() or 1)
    consolidation: Consolidation = "household"
    couriers: int = 6
    capacity: int = 150
    shift_s: int = 7 * 3600
    days: int = 20
    service_base_s: float = 60.0
    service_per_card_s: float = 45.0
    kecamatan: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.consolidation not in ("household", "rt", "rw", "desa"):
            raise ConfigError(f"consolidation must be household, rt, rw or desa, not {self.consolidation!r}")
        if self.workers < 1 or self.time_limit_s <= 0:
            raise ConfigError("workers must be >= 1 and time_limit_s > 0")

    @classmethod
    def from_toml(cls, path: str | Path) -> PlanConfig:
        import tomllib

        with open(path, "rb") as fh:
            table = tomllib.load(fh).get("plan", {})
        known = set(cls.__dataclass_fields__)
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"unknown [plan] keys {sorted(unknown)} in {path}; known: {sorted(known)}")
        if "kecamatan" in table:
            table["kecamatan"] = tuple(table["kecamatan"])
        return cls(**table)

    def fleet(self) -> Fleet:
        return Fleet(couriers=self.couriers, capacity=self.capacity, shift_s=self.shift_s, days=self.days)


@dataclass
class PlanResult:
    """Everything a run produced, as tables (see :mod:`ektp_routes.export` for the files)."""

    cards: CardList
    stops: pd.DataFrame
    offices: list[PostOffice]
    routes: pd.DataFrame
    assignments: pd.DataFrame
    summary: pd.DataFrame
    network_is_straight: bool
    geometries: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- offices
def placeholder_offices(
    gaz: Gazetteer,
    cfg: PlanConfig,
    kecamatan: Sequence[str] | None = None,
    cards_per_kecamatan: Mapping[str, int] | None = None,
) -> list[PostOffice]:
    """One labelled placeholder office per kecamatan, at the representative point of its most
    populous desa. Real post-office coordinates are not available here.

    Each placeholder gets ``cfg.couriers`` couriers, or more when its kecamatan has more cards than
    they can carry in ``cfg.days`` days at 80% of a bag a day (a planner sizes a real office so).
    """
    t = gaz.desa_table
    out = []
    for kode, grp in t.groupby("kode_kec", sort=True):
        if kecamatan and kode not in kecamatan:
            continue
        top = grp.sort_values("penduduk", ascending=False).iloc[0]
        n_cards = (cards_per_kecamatan or {}).get(str(kode), 0)
        couriers = max(cfg.couriers, math.ceil(n_cards / (0.8 * cfg.capacity * cfg.days)))
        out.append(
            PostOffice(
                office_id=f"PH-{str(kode).replace('.', '')}",
                name=f"Placeholder Kantor Pos {top.nama_kec}",
                lon=float(top.rep_lon),
                lat=float(top.rep_lat),
                fleet=replace(cfg.fleet(), couriers=couriers),
                serves_desa=tuple(grp.kode),
                placeholder=True,
            )
        )
    return out


def read_offices(path: str | Path, cfg: PlanConfig) -> list[PostOffice]:
    """Post offices from CSV (name, lon, lat, [office_id, couriers, shift_h, capacity, days,
    kodepos, desa]) or GeoJSON (Point features with the same properties)."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"offices file {p} does not exist")
    try:
        if p.suffix.lower() in (".geojson", ".json"):
            import geopandas as gpd

            g = gpd.read_file(p)
            if not g.geom_type.eq("Point").all():
                raise InputFileError(f"{p.name}: every office must be a Point geometry")
            df = pd.DataFrame(g.drop(columns="geometry"))
            df["lon"], df["lat"] = g.geometry.x, g.geometry.y
        else:
            df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except InputFileError:
        raise
    except Exception as exc:
        raise InputFileError(f"{p.name} cannot be read as an offices file: {exc}") from exc
    cols = {c.lower().strip(): c for c in df.columns}
    for need in ("name", "lon", "lat"):
        if need not in cols:
            raise InputFileError(f"{p.name}: column {need!r} missing (found {list(df.columns)})")
    out = []
    for i, r in enumerate(df.to_dict("records")):

        def get(key: str, default: Any = "", r: dict[str, Any] = r) -> Any:
            v = r.get(cols.get(key, ""), default)
            return default if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else v

        try:
            fleet = Fleet(
                couriers=int(get("couriers", cfg.couriers)),
                capacity=int(get("capacity", cfg.capacity)),
                shift_s=int(float(get("shift_h", cfg.shift_s / 3600)) * 3600),
                days=int(get("days", cfg.days)),
            )
            out.append(
                PostOffice(
                    office_id=str(get("office_id", f"PO{i + 1:02d}")),
                    name=str(get("name")),
                    lon=float(get("lon")),
                    lat=float(get("lat")),
                    fleet=fleet,
                    serves_kodepos=tuple(s.strip() for s in str(get("kodepos")).split(";") if s.strip()),
                    serves_desa=tuple(s.strip() for s in str(get("desa")).split(";") if s.strip()),
                )
            )
        except (ValueError, ConfigError) as exc:
            raise InputFileError(f"{p.name}, office row {i + 1}: {exc}") from exc
    if not out:
        raise InputFileError(f"{p.name} lists no post office")
    return out


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
    return out


# ---------------------------------------------------------------------------------------------- stops
def make_stops(
    cards: pd.DataFrame, consolidation: Consolidation, *, max_cards: int = 10**9
) -> tuple[pd.DataFrame, np.ndarray]:
    """Group geocoded cards into delivery stops; returns (stops table, stop index per card).

    household: one stop per distinct point and normalised address within a desa; rt / rw: one stop
    per RT (or RW) of a desa at the members' mean point; desa: one stop per desa (its office).
    """
    c = cards
    addr = c["alamat"].str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
    if consolidation == "household":
        key = c["desa_kode"] + "|" + coordinate_key(c["lon"]) + "|" + coordinate_key(c["lat"]) + "|" + addr
    elif consolidation == "rt":
        key = c["desa_kode"] + "|" + c["rw"] + "|" + c["rt"]
    elif consolidation == "rw":
        key = c["desa_kode"] + "|" + c["rw"]
    else:
        key = c["desa_kode"]
    # A stop never holds more cards than the smallest bag: a big address (a flat block, a desa office
    # under "desa" consolidation) becomes several stops at the same point, visited by one or more routes.
    rank = key.groupby(key).cumcount()
    key = key + "#" + (rank // max_cards).astype(str)
    codes, uniq = pd.factorize(key)
    g = pd.DataFrame(
        {
            "stop": codes,
            "lon": c["lon"].to_numpy(),
            "lat": c["lat"].to_numpy(),
            "desa_kode": c["desa_kode"].to_numpy(),
            "desa": c["desa"].to_numpy(),
            "alamat": c["alamat"].to_numpy(),
            "precision": c["precision"].to_numpy(),
            "rt": c["rt"].to_numpy(),
            "rw": c["rw"].to_numpy(),
        }
    )
    stops = (
        g.groupby("stop", sort=True)
        .agg(
            lon=("lon", "mean"),
            lat=("lat", "mean"),
            desa_kode=("desa_kode", "first"),
            desa=("desa", "first"),
            alamat=("alamat", "first"),
            precision=("precision", "first"),
            rt=("rt", "first"),
            rw=("rw", "first"),
            cards=("lon", "size"),
        )
        .reset_index()
    )
    stops["stop_id"] = [
        f"S{int(h, 16) % 10**10:010d}" for h in (hashlib.sha1(str(k).encode()).hexdigest()[:12] for k in uniq)
    ]
    return stops, codes


# ---------------------------------------------------------------------------------------------- solving
@dataclass(frozen=True)
class _OfficeJob:
    office: PostOffice
    stops: pd.DataFrame
    network: TravelNetwork
    params: SolveParams
    service_base_s: float
    service_per_card_s: float


@dataclass
class OfficeResult:
    office_id: str
    plan: RoutePlan
    stop_ids: list[str]
    unroutable: dict[int, str]
    geometries: dict[str, list[tuple[float, float]]]


def solve_office(job: _OfficeJob) -> OfficeResult:
    """Build and solve one post office's problem (runs in a worker process or a Dask worker)."""
    o = job.office
    lon = np.r_[o.lon, job.stops["lon"].to_numpy(dtype=float)]
    lat = np.r_[o.lat, job.stops["lat"].to_numpy(dtype=float)]
    cards = np.r_[0, job.stops["cards"].to_numpy(dtype=np.int64)]
    common = dict(
        fleet=o.fleet,
        service_base_s=job.service_base_s,
        service_per_card_s=job.service_per_card_s,
        lon=lon,
        lat=lat,
    )
    unroutable: dict[int, str] = {}
    if len(lon) - 1 <= job.params.max_stops_whole:
        m = job.network.matrix(lon, lat)
        unroutable = {i: why for i, why in m.unreachable_from(0).items() if i != 0}
        problem = RoutingProblem(DenseMatrices(m.time_s, m.dist_m), cards, **common)  # type: ignore[arg-type]
    else:
        # A large office: matrices are built per territory, never for all its stops at once.
        def matrix_fn(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            sub = job.network.matrix(lon[idx], lat[idx])
            for k, why in sub.unreachable_from(0).items():
                if k != 0:
                    unroutable[int(idx[k])] = why
            return sub.time_s, sub.dist_m

        problem = RoutingProblem(TerritoryMatrices(matrix_fn), cards, **common)  # type: ignore[arg-type]
    plan = solve(problem, job.params)
    geoms: dict[str, list[tuple[float, float]]] = {}
    for r in plan.routes:
        path = [0, *r.stops, 0]
        legs = job.network.path_geometry(lon[path].tolist(), lat[path].tolist())
        coords: list[tuple[float, float]] = []
        for leg in legs:
            pts = [(round(x, 6), round(y, 6)) for x, y in leg.coords]
            coords += pts if not coords else pts[1:]
        geoms[f"{o.office_id}-K{r.courier + 1:02d}-H{r.day + 1:02d}"] = coords
    return OfficeResult(o.office_id, plan, job.stops["stop_id"].tolist(), unroutable, geoms)


def _job_key(job: _OfficeJob) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(asdict(job.office), sort_keys=True, default=str).encode())
    h.update(
        pd.util.hash_pandas_object(
            job.stops[["stop_id", "lon", "lat", "cards"]], index=False
        ).values.tobytes()
    )
    h.update(json.dumps(asdict(job.params), sort_keys=True).encode())
    h.update(f"{job.service_base_s}|{job.service_per_card_s}|{job.network.fingerprint()}".encode())
    return h.hexdigest()[:20]


def plan_routes(
    source: str | Path | pd.DataFrame,
    *,
    config: PlanConfig | None = None,
    offices: Sequence[PostOffice] | None = None,
    network: TravelNetwork | None = None,
    gazetteer: Gazetteer | None = None,
    columns: Mapping[str, str] | None = None,
    work_dir: str | Path | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    geocoder: Geocoder | None = None,
    pseudonym_key: bytes | None = None,
) -> PlanResult:
    """Plan the delivery of a card list end to end.

    Parameters
    ----------
    source
        Card list file (CSV/XLSX/Parquet) or DataFrame.
    config
        Planning options.
    offices
        Post offices; default: one labelled placeholder per kecamatan.
    network
        Travel network; default: straight-line (no road data of Kabupaten Bekasi exists here).
    work_dir
        Where finished offices are saved for resuming (``OUTDIR/.work`` from the CLI).
    client
        A ``dask.distributed.Client``: offices are solved on its workers instead of local processes.
    progress
        Called with (offices done, offices total).
    geocoder
        Geocoder (chain) for cards without coordinates; default: card coordinates, then the desa point.
    pseudonym_key
        A secret key held by the user: assignments get a ``card_ref`` column, HMAC-SHA256 of the NIK
        under this key, so shared outputs can be joined back to the card list only by the key holder.
    """
    cfg = config or PlanConfig()
    gaz = gazetteer or Gazetteer.bekasi()
    cards = read_cards(source, columns=columns, gazetteer=gaz)
    acc = cards.cards
    kec_codes: set[str] = set()
    for k in cfg.kecamatan:
        r = gaz.resolve_kecamatan(k)
        if not r.ok:
            raise ConfigError(f"--kecamatan {k!r}: {r.describe()}")
        kec_codes.add(r.kecamatan.kode)
    in_scope = acc["kecamatan_kode"].isin(kec_codes) if kec_codes else pd.Series(True, index=acc.index)
    geo = geocode_cards(acc[in_scope].reset_index(drop=True), gaz, geocoder=geocoder)
    net: TravelNetwork = network or StraightLineNetwork()
    if offices is not None:
        offs = list(offices)
    else:
        per_kec = geo["kecamatan_kode"].value_counts().to_dict() if len(geo) else {}
        offs = placeholder_offices(gaz, cfg, sorted(kec_codes) or None, per_kec)
    smallest_bag = min(v.capacity for o in offs for v in o.fleet.vehicles())
    stops, stop_of_card = (
        make_stops(geo, cfg.consolidation, max_cards=smallest_bag)
        if len(geo)
        else (pd.DataFrame(), np.array([], int))
    )
    area_office = assign_offices(gaz, sorted(stops["desa_kode"].unique()) if len(stops) else [], offs)
    if len(stops):
        stops["office_id"] = stops["desa_kode"].map(area_office)
    params = SolveParams(time_limit_s=cfg.time_limit_s, seed=cfg.seed, deterministic=cfg.deterministic)
    jobs = [
        _OfficeJob(
            o,
            stops[stops["office_id"] == o.office_id].reset_index(drop=True),
            net,
            params,
            cfg.service_base_s,
            cfg.service_per_card_s,
        )
        for o in offs
        if len(stops) and (stops["office_id"] == o.office_id).any()
    ]
    results = _run_jobs(jobs, cfg.workers, Path(work_dir) if work_dir else None, client, progress)
    return _assemble(cards, geo, stops, stop_of_card, in_scope, offs, results, net, pseudonym_key)


def _run_jobs(
    jobs: list[_OfficeJob],
    workers: int,
    work_dir: Path | None,
    client: Any,
    progress: Callable[[int, int], None] | None,
) -> dict[str, OfficeResult]:
    done: dict[str, OfficeResult] = {}
    pending = []
    for job in jobs:
        f = work_dir / f"office-{job.office.office_id}-{_job_key(job)}.pkl" if work_dir else None
        if f is not None and f.is_file():
            with f.open("rb") as fh:
                done[job.office.office_id] = pickle.load(fh)  # our own file, written below
            logger.info("resumed office %s from %s", job.office.office_id, f.name)
        else:
            pending.append((job, f))
    total = len(jobs)
    if progress:
        progress(len(done), total)

    def keep(res: OfficeResult, f: Path | None) -> None:
        done[res.office_id] = res
        if f is not None:
            f.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.with_suffix(".part")
            with tmp.open("wb") as fh:
                pickle.dump(res, fh)
            os.replace(tmp, f)
        if progress:
            progress(len(done), total)

    if client is not None:
        from dask.distributed import as_completed as dask_completed

        futs = {client.submit(solve_office, job, pure=False, retries=2): f for job, f in pending}
        for fut in dask_completed(list(futs)):
            keep(fut.result(), futs[fut])
    elif workers > 1 and len(pending) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(pending))) as pool:
            futs2 = {pool.submit(solve_office, job): f for job, f in pending}
            for fut2 in as_completed(futs2):
                keep(fut2.result(), futs2[fut2])
    else:
        for job, f in pending:
            keep(solve_office(job), f)
    return done


def _assemble(
    cards: CardList,
    geo: pd.DataFrame,
    stops: pd.DataFrame,
    stop_of_card: np.ndarray,
    in_scope: pd.Series,
    offices: list[PostOffice],
    results: Mapping[str, OfficeResult],
    net: TravelNetwork,
    pseudonym_key: bytes | None = None,
) -> PlanResult:
    by_id = {o.office_id: o for o in offices}
    route_rows = []
    stop_route: dict[str, tuple[str, int, float]] = {}
    stop_status: dict[str, tuple[str, str]] = {}
    geoms: dict[str, list[tuple[float, float]]] = {}
    for oid in sorted(results):
        res = results[oid]
        o = by_id[oid]
        for r in res.plan.routes:
            rid = f"{oid}-K{r.courier + 1:02d}-H{r.day + 1:02d}"
            for seq, (s, arr) in enumerate(zip(r.stops, r.arrivals_s, strict=True), start=1):
                stop_route[res.stop_ids[s - 1]] = (rid, seq, arr)
            route_rows.append(
                {
                    "route_id": rid,
                    "office_id": oid,
                    "office": o.name,
                    "courier": r.courier + 1,
                    "day": r.day + 1,
                    "stops": len(r.stops),
                    "cards": r.cards,
                    "distance_m": round(r.distance_m, 1),
                    "duration_s": round(r.duration_s, 1),
                    "travel_s": round(r.travel_s, 1),
                    "start_s": 0.0,
                    "end_s": round(r.duration_s, 1),
                    "placeholder": o.placeholder,
                }
            )
            geoms[rid] = res.geometries.get(rid, [])
        for s, why in res.plan.unserved.items():
            status = "unroutable" if why == "unreachable" else "unserved"
            detail = res.unroutable.get(s, "") if status == "unroutable" else ""
            stop_status[res.stop_ids[s - 1]] = (status, f"{why}: {detail or describe_unserved(why)}")
    routes = pd.DataFrame(
        route_rows,
        columns=[
            "route_id",
            "office_id",
            "office",
            "courier",
            "day",
            "stops",
            "cards",
            "distance_m",
            "duration_s",
            "travel_s",
            "start_s",
            "end_s",
            "placeholder",
        ],
    )
    if len(stops):
        stops = stops.copy()
        stops["route_id"] = stops["stop_id"].map(lambda s: stop_route.get(s, ("", 0, np.nan))[0])
        stops["sequence"] = stops["stop_id"].map(lambda s: stop_route.get(s, ("", 0, np.nan))[1])
        stops["arrival_s"] = stops["stop_id"].map(lambda s: stop_route.get(s, ("", 0, np.nan))[2])
        stops["status"] = [
            ("planned", "") if sid in stop_route else stop_status.get(sid, ("unserved", "not solved"))
            for sid in stops["stop_id"]
        ]
        stops["reason"] = stops["status"].str[1]
        stops["status"] = stops["status"].str[0]
        stops["placeholder"] = stops["office_id"].map(lambda x: by_id[x].placeholder)
    # Assignments: one row per input row.
    acc = cards.cards
    rows = pd.DataFrame(
        {
            "row": acc["row"].to_numpy(),
            "nik_masked": mask_nik(acc["nik"]).to_numpy(),
            "desa_kode": acc["desa_kode"].to_numpy(),
            "status": "unserved",
            "route_id": "",
            "sequence": 0,
            "stop_id": "",
            "reason": "out_of_scope: the card's kecamatan was not selected for this run",
        }
    )
    scoped = np.flatnonzero(in_scope.to_numpy())
    if len(scoped):
        st = stops.iloc[stop_of_card]
        rows.loc[scoped, "stop_id"] = st["stop_id"].to_numpy()
        rows.loc[scoped, "status"] = st["status"].to_numpy()
        rows.loc[scoped, "route_id"] = st["route_id"].to_numpy()
        rows.loc[scoped, "sequence"] = st["sequence"].to_numpy()
        rows.loc[scoped, "reason"] = st["reason"].to_numpy()
    rej = cards.rejects
    rej_rows = pd.DataFrame(
        {
            "row": rej["row"],
            "nik_masked": rej["nik_masked"],
            "desa_kode": "",
            "status": "rejected",
            "route_id": "",
            "sequence": 0,
            "stop_id": "",
            "reason": rej["reason"] + ": " + rej["message"],
        }
    )
    assignments = pd.concat([rows, rej_rows], ignore_index=True).sort_values("row").reset_index(drop=True)
    if len(assignments) != cards.n_rows or assignments["row"].duplicated().any():
        raise AssertionError("assignments lost or duplicated a card")  # a bug, never input
    if pseudonym_key is not None:
        refs = {int(r): _pseudonym(pseudonym_key, n) for r, n in zip(acc["row"], acc["nik"], strict=True)}
        assignments.insert(1, "card_ref", assignments["row"].map(lambda r: refs.get(int(r), "")))
    summary = _summary(routes, stops, offices)
    return PlanResult(cards, stops, offices, routes, assignments, summary, net.is_straight_line, geoms)


def _pseudonym(key: bytes, nik: str) -> str:
    import hmac

    return hmac.new(key, nik.encode(), "sha256").hexdigest()[:24]


def _summary(routes: pd.DataFrame, stops: pd.DataFrame, offices: list[PostOffice]) -> pd.DataFrame:
    rows = []
    for o in offices:
        r = routes[routes["office_id"] == o.office_id]
        s = stops[stops["office_id"] == o.office_id] if len(stops) else stops
        if not len(s):
            continue
        planned = s[s["status"] == "planned"] if len(s) else s
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
            }
        )
    summed = ["cards", "cards_planned", "stops", "stops_planned", "couriers", "courier_days", "km", "hours"]
    columns = ["office_id", "office", "placeholder", *summed[:-2], "days", "km", "hours"]
    df = pd.DataFrame(rows, columns=columns)
    total = {
        "office_id": "TOTAL",
        "office": "",
        "placeholder": bool(df["placeholder"].any()) if len(df) else False,
        **{c: df[c].sum() for c in summed},
        "days": int(df["days"].max()) if len(df) else 0,
    }
    return pd.concat([df, pd.DataFrame([total])], ignore_index=True)
