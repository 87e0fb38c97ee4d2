from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from ektp_routes import schema
from ektp_routes.export import write_plan
from ektp_routes.plan import PlanConfig, plan_file
from ektp_routes.synthetic import synthetic_cards

CFG = PlanConfig(workers=1).with_options(time_limit_s=2, days=5, couriers=2)


@pytest.fixture(scope="module")
def cards() -> pd.DataFrame:
    df = synthetic_cards(191_000, seed=5, kecamatan=["Bojongmangu", "Sukawangi"], defect_rate=0.03)
    df = df.groupby("true_desa_kode").head(25).reset_index(drop=True)  # small: ~25 cards per desa
    return df.drop(columns=["defect"]).rename(columns={"true_lon": "lon", "true_lat": "lat"})


@pytest.fixture(scope="module")
def run(cards: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    out = tmp_path_factory.mktemp("plan")
    res = plan_file(cards, config=CFG, work_dir=out / ".work")
    write_plan(res, out)
    return res, out


def test_every_input_row_accounted_once(cards: pd.DataFrame, run: tuple[object, Path]) -> None:
    _, out = run
    asg = pd.read_csv(out / "assignments.csv", dtype=str, encoding="utf-8-sig")
    assert len(asg) == len(cards)
    assert sorted(asg["row"].astype(int)) == list(range(1, len(cards) + 1))
    assert set(asg["status"]) <= {"planned", "rejected", "unroutable", "unserved"}
    assert (asg["status"] == "rejected").sum() > 0 and (asg["status"] == "planned").sum() > 0
    assert asg.loc[asg.status != "planned", "reason"].notna().all()
    # Masked NIKs only.
    assert not asg["nik_masked"].fillna("").str.contains(r"\d{10}").any()
    assert asg["nik_masked"].fillna("").str.contains(r"\*").mean() > 0.99


def test_routes_feasible(run: tuple[object, Path]) -> None:
    res, _ = run
    r = res.routes
    assert (r["cards"] <= CFG.fleet.capacity).all()
    assert (r["duration_s"] <= CFG.fleet.shift_s + 1).all()
    assert not r.duplicated(["office_id", "courier", "day"]).any()


def test_geojson_rfc7946_and_readable(run: tuple[object, Path]) -> None:
    _, out = run
    for name, geom in (("routes", "LineString"), ("stops", "Point"), ("offices", "Point")):
        path = out / f"{name}.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["type"] == "FeatureCollection" and "crs" not in doc
        coords = []
        for f in doc["features"]:
            assert f["geometry"]["type"] == geom
            c = f["geometry"]["coordinates"]
            coords += c if geom == "LineString" else [c]
        xy = np.array(coords)
        assert ((xy[:, 0] > 106) & (xy[:, 0] < 108) & (xy[:, 1] > -7) & (xy[:, 1] < -5)).all()  # lon, lat
        info = pyogrio.read_info(path)
        assert info["features"] == len(doc["features"])
        g = gpd.read_file(path)
        assert g.crs.to_epsg() == 4326 and len(g) == len(doc["features"])
    r = gpd.read_file(out / "routes.geojson")
    assert r["placeholder"].all()  # placeholder offices flagged in every output
    assert set(schema.ROUTE_FEATURE) <= set(r.columns)


def test_no_names_outside_manifests(cards: pd.DataFrame, run: tuple[object, Path]) -> None:
    _, out = run
    names = set(cards["NAMA"].str.strip()) - {""}
    niks = set(cards["NIK"])
    for f in out.iterdir():
        if f.is_file():
            text = f.read_text(encoding="utf-8", errors="ignore")
            assert not any(n in text for n in niks), f.name
            assert not any(f'"{n}"' in text or f",{n}," in text for n in names), f.name
    manifests = list((out / "manifests").glob("*.csv"))
    assert manifests
    m = pd.read_csv(manifests[0], dtype=str, encoding="utf-8-sig")
    assert list(m.columns[:4]) == ["Urutan", "Perkiraan Tiba", "NIK", "Nama"]


def test_names_typed_as_addresses_stay_in_the_manifests(tmp_path: Path) -> None:
    """A registry list (no coordinates) whose address column holds card holders' names: the blocks,
    GIS layers, map and reports show none of them."""
    df = synthetic_cards(191_000, seed=9, kecamatan=["Bojongmangu"]).head(120)
    df = df.drop(columns=["true_lon", "true_lat", "household_id", "true_desa_kode", "defect"])
    df.loc[:5, "ALAMAT"] = ["", "Kp. ", "Rumah ", "", "Jl. ", ""] + df.loc[:5, "NAMA"] + " RT 001/RW 002"
    write_plan(plan_file(df, config=CFG), tmp_path)
    names = [n for n in df.loc[:5, "NAMA"] if isinstance(n, str)]
    assert len(names) == 6 and any(" " not in n for n in names)
    for f in tmp_path.rglob("*"):
        if f.is_file() and "manifest" not in f.name:
            text = f.read_text(encoding="utf-8", errors="ignore")
            assert not any(n in text for n in names), f.name


def test_summary_totals(run: tuple[object, Path]) -> None:
    res, out = run
    s = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")  # headings in Bahasa Indonesia
    tot = s[s.kode_kantor == "TOTAL"].iloc[0]
    assert tot.hari_kurir == len(res.routes)
    assert tot.km == pytest.approx(res.routes.distance_m.sum() / 1000, abs=0.5)


def test_resume_gives_identical_plan(cards: pd.DataFrame, run: tuple[object, Path], tmp_path: Path) -> None:
    res, out = run
    work = tmp_path / ".work"
    shutil.copytree(out / ".work", work)
    saved = sorted(work.glob("office-*.json"))
    assert len(saved) == 2
    saved[0].unlink()  # as if the run had been killed after the first office
    again = plan_file(cards, config=CFG, work_dir=work)
    pd.testing.assert_frame_equal(again.assignments, res.assignments)
    pd.testing.assert_frame_equal(again.routes, res.routes)


def test_consolidation_levels(cards: pd.DataFrame) -> None:
    n = {}
    for level in ("household", "rt", "desa"):
        res = plan_file(cards, config=PlanConfig(workers=1).with_options(time_limit_s=1, consolidation=level))
        n[level] = len(res.stops)
        assert (res.assignments.status.isin(["planned", "rejected"])).all()
    assert n["household"] > n["rt"] > n["desa"] > 0


def test_dask_local_cluster_equals_local_run(cards: pd.DataFrame, run: tuple[object, Path]) -> None:
    from dask.distributed import Client, LocalCluster

    res, _ = run
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        dres = plan_file(cards, config=CFG, client=client)
    pd.testing.assert_frame_equal(dres.assignments, res.assignments)
    pd.testing.assert_frame_equal(dres.routes, res.routes)


def test_map_html_opens_in_headless_chromium(run: tuple[object, Path], tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed on this machine (.ci/run installs Debian's chromium)")
    import subprocess

    _, out = run
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            (out / "map.html").resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    # The page's own script ran offline (Leaflet inlined) and drew the plan.
    assert 'data-ready="1"' in dom.stdout and "leaflet-container" in dom.stdout


def test_far_away_card_points_fall_back_to_the_desa_and_are_flagged(gaz) -> None:  # type: ignore[no-untyped-def]
    from ektp_routes.offices import PostOffice
    from ektp_routes.solve import Fleet

    d = gaz.resolve_desa("Karangbahagia", kecamatan="Karang Bahagia").desa
    rows = [
        ("3216101201900001", d.rep_lon, d.rep_lat),  # at home
        ("3216101201900002", 106.85, -6.21),  # Jakarta
        ("3216101201900003", d.rep_lon, -d.rep_lat),  # a dropped minus sign
    ]
    df = pd.DataFrame(
        {
            "NIK": [r[0] for r in rows],
            "NAMA": ["Siti", "Dewi", "Budi"],
            "ALAMAT": ["Kp. Pulo 1", "Kp. Pulo 2", "Kp. Pulo 3"],
            "RT": "1",
            "RW": "2",
            "KEL/DESA": "Karangbahagia",
            "KECAMATAN": "Karang Bahagia",
            "lon": [r[1] for r in rows],
            "lat": [r[2] for r in rows],
        }
    )
    office = PostOffice("KPC", "KPC Uji", d.rep_lon, d.rep_lat, Fleet(couriers=1, days=1))
    res = plan_file(df, config=PlanConfig(workers=1).with_options(time_limit_s=1), offices=[office])
    a = res.assignments.set_index("row")
    assert a["status"].tolist() == ["planned"] * 3  # no 132 km route, no beyond_shift
    assert a["outside_desa"].tolist() == [False, True, True]
    far = res.stops[res.stops["outside_desa"]]
    assert far["cards_outside_desa"].sum() == 2
    assert np.allclose(far["lon"], d.rep_lon) and np.allclose(far["lat"], d.rep_lat)
    assert res.summary["cards_outside_desa"].tolist() == [2, 2]
    assert (res.routes["distance_m"] < 20_000).all()


def test_plan_file_refuses_an_unknown_kecamatan_before_reading_the_cards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt kecamatan in the configuration is refused before a long card list is read."""
    import ektp_routes.plan
    from ektp_routes import ConfigError

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cards were read")

    monkeypatch.setattr(ektp_routes.plan, "read_cards", no_reading)
    with pytest.raises(ConfigError, match="kecamatan 'Atlantis'"):
        plan_file(tmp_path / "cards.csv", config=PlanConfig().with_options(kecamatan=("Atlantis",)))
