"""Solving offices side by side, resume files (JSON, keyed by a stable sha256)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from ektp_routes import runner
from ektp_routes.config import ServiceTimes
from ektp_routes.ids import RouteId
from ektp_routes.network import RoadNetwork, StraightLineNetwork, TravelNetwork
from ektp_routes.offices import PostOffice
from ektp_routes.runner import LeftOut, OfficeJob, OfficeResult, PlannedRoute, ResumeStore, run_jobs
from ektp_routes.solve import Fleet, SolveParams
from ektp_routes.synthetic import synthetic_cards, write_cards

ROOT = Path(__file__).resolve().parents[1]


def _job(office_id: str = "PO1", n: int = 6, network: TravelNetwork | None = None) -> OfficeJob:
    stops = pd.DataFrame(
        {
            "stop_id": [f"S{i:010d}" for i in range(n)],
            "lon": [107.10 + 0.002 * i for i in range(n)],
            "lat": [-6.20 - 0.001 * i for i in range(n)],
            "cards": [1 + i % 3 for i in range(n)],
        }
    )
    office = PostOffice(office_id, "KPC Uji", 107.1, -6.2, Fleet(couriers=2, capacity=10, days=2))
    params = SolveParams(time_limit_s=1, deterministic=True, engine="ortools")
    return OfficeJob(office, stops, network or StraightLineNetwork(), params, ServiceTimes())


def test_solve_office_names_stops_by_identity() -> None:
    job = _job()
    res = runner.solve_office(job)
    routed = [s for r in res.routes for s in r.stop_ids]
    left = [x.stop_id for x in res.left_out]
    assert sorted(routed + left) == sorted(job.stops["stop_id"])
    assert all(isinstance(r.route_id, RouteId) and r.route_id.office_id == "PO1" for r in res.routes)
    assert all(len(r.geometry) >= 2 and len(r.arrivals_s) == len(r.stop_ids) for r in res.routes)


def test_result_round_trips_through_json() -> None:
    res = OfficeResult(
        "PO1",
        (
            PlannedRoute(
                RouteId("PO1", 1, 0),
                ("S1", "S2"),
                (60.5, 200.25),
                3,
                1234.5,
                900.0,
                700.125,
                ((107.1, -6.2), (107.2, -6.3)),
            ),
        ),
        (LeftOut("S3", "beyond_shift", "beyond the shift"), LeftOut("S4", "unreachable", "no road")),
    )
    assert OfficeResult.from_json(res.to_json()) == res
    assert [x.status for x in res.left_out] == ["unserved", "unroutable"]
    json.loads(res.to_json())  # plain JSON, inspectable


def _key_in_fresh_process(seed: str) -> str:
    code = "from tests.test_runner import _job; print(_job().key())"
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_job_key_is_the_same_in_every_process() -> None:
    keys = {_key_in_fresh_process(s) for s in ("1", "2", "3")}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert _job().key() != _job(n=5).key() != _job("PO2").key()


def test_run_jobs_saves_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = runner.solve_office

    def counting(job: OfficeJob) -> OfficeResult:
        calls.append(job.office.office_id)
        return real(job)

    monkeypatch.setattr(runner, "solve_office", counting)
    jobs = [_job("PO1"), _job("PO2")]
    first = run_jobs(jobs, workers=1, work_dir=tmp_path)
    assert calls == ["PO1", "PO2"] and len(list(tmp_path.glob("office-*.json"))) == 2
    progress: list[tuple[int, int]] = []
    again = run_jobs(jobs, workers=1, work_dir=tmp_path, progress=lambda d, t: progress.append((d, t)))
    assert calls == ["PO1", "PO2"] and again == first and progress == [(2, 2)]


def test_unreadable_resume_file_is_solved_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    job = _job()
    store = ResumeStore(tmp_path)
    store.path(job).write_text("{broken")
    assert store.load(job) is None and "unreadable resume file" in caplog.text
    res = run_jobs([job], workers=1, work_dir=tmp_path)
    assert store.load(job) == res["PO1"]


def test_second_cli_process_resumes_whatever_its_hash_seed(tmp_path: Path) -> None:
    df = (
        synthetic_cards(191_000, seed=4, kecamatan=["Bojongmangu", "Sukawangi"])
        .groupby("true_desa_kode")
        .head(6)
    )
    df = df.drop(columns=["defect"]).rename(columns={"true_lon": "lon", "true_lat": "lat"})
    cards = write_cards(df, tmp_path / "cards.csv")
    out = tmp_path / "out"
    logs = []
    for seed in ("11", "12"):
        cmd = [
            sys.executable,
            "-m",
            "ektp_routes.cli",
            "-v",
            "plan",
            str(cards),
            "--out",
            str(out),
            "--time-limit",
            "1",
            "--workers",
            "1",
        ]
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        p = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        assert p.returncode == 0, p.stderr[-2000:]
        logs.append(p.stderr)
        assert len(list((out / ".work").glob("office-*.json"))) == 2  # not one more per run
    assert "resumed office" not in logs[0]
    assert logs[1].count("resumed office") == 2


def test_stop_off_the_road_network_is_planned_on_a_straight_leg() -> None:
    """Issue 13: a stop with no road within the snap limit is planned (straight legs), not dropped;
    strict mode leaves it out as unreachable, with the distance to the road in the reason."""
    import networkx as nx

    from ektp_routes.network import RoadNetwork

    g = nx.MultiDiGraph()
    for n in range(6):
        g.add_node(n, x=107.10 + 0.002 * n, y=-6.20 - 0.001 * n)  # a street through the stops
    for n in range(5):
        g.add_edge(n, n + 1, length=247.0, highway="residential")
        g.add_edge(n + 1, n, length=247.0, highway="residential")
    job = _job(n=6)
    far = job.stops.copy()
    far.loc[5, ["lon", "lat"]] = (107.104, -6.215)  # more than 1 km from the street
    for strict in (False, True):
        net = RoadNetwork(g, strict=strict)
        res = runner.solve_office(OfficeJob(job.office, far, net, job.params, job.service))
        routed = {s for r in res.routes for s in r.stop_ids}
        left = {x.stop_id: x for x in res.left_out}
        assert routed | set(left) == set(far["stop_id"])
        if strict:
            assert set(left) == {"S0000000005"} and "too_far_from_road" in left["S0000000005"].message
        else:
            assert left == {} and "S0000000005" in routed
            leg = next(r for r in res.routes if "S0000000005" in r.stop_ids).geometry
            assert (107.104, -6.215) in leg


class _NeverPickled(StraightLineNetwork):
    """A network that refuses to be pickled, as a large one should never be, once per job."""

    def __reduce__(self) -> tuple:  # type: ignore[override]
        raise TypeError("this network must not be pickled")


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="workers are forked on Linux")
def test_local_workers_get_the_network_once_not_with_every_job() -> None:
    net = _NeverPickled()
    jobs = [_job("PO1", network=net), _job("PO2", n=5, network=net), _job("PO3", n=4, network=net)]
    in_processes = run_jobs(jobs, workers=2)
    assert in_processes == run_jobs(jobs, workers=1)
    assert sorted(in_processes) == ["PO1", "PO2", "PO3"]


class _CountingNetwork:
    """A road network that counts the geometry calls made on it."""

    def __init__(self, net: RoadNetwork) -> None:
        self.net, self.calls = net, 0

    def path_geometry(self, lon: list[float], lat: list[float]) -> list[LineString]:
        self.calls += 1
        return self.net.path_geometry(lon, lat)


def test_route_geometries_batched_equal_one_search_per_route(
    kg: RoadNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    from network_helpers import points_in  # tests/ is on the path under pytest only

    lon, lat = points_in("kelapa_gading", 40, seed=3)
    routes = [list(range(1 + 8 * k, 9 + 8 * k)) for k in range(4)] + [[33, 25, 26]]
    one_by_one = []
    for stops in routes:
        path = [0, *stops, 0]
        coords: list[tuple[float, float]] = []
        for leg in kg.path_geometry(lon[path].tolist(), lat[path].tolist()):
            pts = [(round(x, 6), round(y, 6)) for x, y in leg.coords]
            coords += pts if not coords else pts[1:]
        one_by_one.append(tuple(coords))
    counting = _CountingNetwork(kg)
    assert runner.route_geometries(counting, routes, lon, lat) == one_by_one  # type: ignore[arg-type]
    assert counting.calls == 1
    monkeypatch.setattr(runner, "GEOMETRY_BATCH_POINTS", 10)
    counting.calls = 0
    assert runner.route_geometries(counting, routes, lon, lat) == one_by_one  # type: ignore[arg-type]
    assert counting.calls == 4  # 8 + 8 > 10 distinct stops: a batch each, but the last two (9) share one
    assert all(np.isfinite(np.asarray(c)).all() and len(c) >= 2 for c in one_by_one)


def test_largest_offices_start_first_in_the_process_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    # With two processes, a large office started last would leave the other process idle at the end.
    from concurrent.futures import Future

    submitted: list[str] = []

    class _Pool:
        def __init__(self, max_workers: int, **kwargs: object) -> None:
            self.max_workers = max_workers

        def __enter__(self) -> _Pool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def submit(self, fn, parts, slot):  # type: ignore[no-untyped-def]
            office = parts[0]
            submitted.append(office.office_id)
            fut: Future[OfficeResult] = Future()
            fut.set_result(OfficeResult(office.office_id, (), ()))
            return fut

    monkeypatch.setattr(runner, "ProcessPoolExecutor", _Pool)
    jobs = [_job("SMALL", n=3), _job("LARGE", n=9), _job("MIDDLE", n=6)]
    done = run_jobs(jobs, workers=2)
    assert submitted == ["LARGE", "MIDDLE", "SMALL"]
    assert sorted(done) == ["LARGE", "MIDDLE", "SMALL"]


def test_stops_beyond_the_snap_limit_are_flagged_off_network_in_the_written_stops(kg: RoadNetwork) -> None:
    """Issue 16 audit: a stop far from every road of the shipped Kelapa Gading extract is planned on
    straight legs; the stops table and the stops layer (stops.geojson, plan.gpkg) say so per stop,
    for a whole-office matrix and for per-territory matrices, and never on the straight-line model."""
    from dataclasses import replace

    from network_helpers import points_in  # tests/ is on the path under pytest only

    from ektp_routes import layers, report
    from ektp_routes.estimate import PlaceEstimates, TravelModel
    from ektp_routes.report import PlanResult

    lon, lat = points_in("kelapa_gading", 9, seed=5)
    lon, lat = np.r_[lon, lon.max() + 0.05], np.r_[lat, lat.mean()]  # ~5 km east of every road
    n = len(lon) - 1
    stops = pd.DataFrame(
        {
            "stop_id": [f"S{i:010d}" for i in range(n)],
            "office_id": "PO1",
            "desa_kode": "3175031001",
            "desa": "Kelapa Gading Timur",
            "rw": "001",
            "rt": "001",
            "precision": "input",
            "lon": lon[1:],
            "lat": lat[1:],
            "cards": 1,
        }
    )
    far = stops["stop_id"].iloc[-1]
    fleet = Fleet(couriers=2, capacity=20, days=2)
    office = PostOffice("PO1", "KPC Uji", float(lon[0]), float(lat[0]), fleet)
    params = SolveParams(time_limit_s=1, deterministic=True, engine="ortools")
    blocks = stops.assign(settlement="", rt_number=1.0, doors=1.0, spacing_m=20.0)
    estimates = PlaceEstimates(TravelModel(), {})
    straight = StraightLineNetwork()
    cases = [(kg, 100, None), (kg, 4, None), (kg, 100, estimates), (kg, 4, estimates)]
    for net, whole, est in [*cases, (straight, 100, None), (straight, 100, estimates)]:
        expected = [far] if net is kg else []
        table_in = stops if est is None else blocks
        solve = replace(params, max_stops_whole=whole)
        job = OfficeJob(office, table_in, net, solve, ServiceTimes(), est)
        res = runner.solve_office(job)
        assert res.left_out == () and list(res.off_network) == expected
        assert OfficeResult.from_json(res.to_json()) == res  # resume keeps the flag
        table = report.stops_table(table_in, [res], {"PO1": office})
        assert table.loc[table["off_network"], "stop_id"].tolist() == expected
        assert table["off_network"].dtype == bool
        routes = report.routes_table([res], {"PO1": office})
        empty = pd.DataFrame()
        result = PlanResult(None, table, [office], routes, empty, empty, net is not kg)  # type: ignore[arg-type]
        layer = layers.stops_layer(result)
        assert layer.loc[layer["off_network"].astype(bool), "stop_id"].tolist() == expected
