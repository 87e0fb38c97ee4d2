"""Hostile inputs, injected faults, and the privacy audit (see RELIABILITY.md)."""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ektp_routes import EktpRoutesError, InputFileError, OutputError, read_cards
from ektp_routes.export import atomic_path, escape_spreadsheet, safe_filename, write_csv, write_plan
from ektp_routes.plan import PlanConfig, PostOffice, plan_file, read_offices
from ektp_routes.solve import Fleet, check_plan
from ektp_routes.synthetic import synthetic_cards, write_cards

HEADER = "NIK,NAMA,ALAMAT,RT,RW,KEL/DESA,KECAMATAN,KODE POS\n"
GOOD_ROW = "3216101201900001,Siti,Kp. Pulo,1,2,Karangbahagia,Karang Bahagia,17535\n"


# ---------------------------------------------------------------------------------------------- hostile files
def _hostile_files(tmp: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    files: dict[str, bytes] = {
        "random.csv": rng.bytes(20_000),
        "random.xlsx": rng.bytes(20_000),
        "random.parquet": rng.bytes(20_000),
        "empty.csv": b"",
        "header_only.csv": HEADER.encode(),
        "utf16.csv": (HEADER + GOOD_ROW).encode("utf-16"),
        "cp1252.csv": (HEADER + GOOD_ROW.replace("Siti", "Sit\u00ef")).encode("cp1252"),
        "many_columns.csv": (",".join(f"c{i}" for i in range(200_000)) + "\n").encode(),
        "huge_cell.csv": (HEADER + GOOD_ROW.replace("Kp. Pulo", "x" * 10_000_000)).encode(),
        "nul_bytes.csv": b"NIK,NAMA\x00\x00\x00" * 100,
        "formula.csv": (
            HEADER + '=HYPERLINK("http://evil"),=1+1,@SUM(A1),+1,-1,Karangbahagia,Karang Bahagia,\n'
        ).encode(),
        "unbalanced_quotes.csv": (HEADER + '"3216101201900001,Siti,"Kp. Pulo\n').encode(),
        "only_newlines.csv": b"\n\n\n\n",
        "semicolon_bom.csv": ("\ufeff" + HEADER.replace(",", ";") + GOOD_ROW.replace(",", ";")).encode(),
        "scientific.csv": (HEADER + GOOD_ROW.replace("3216101201900001", "3.2161E+15")).encode(),
    }
    good = tmp / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(HEADER.strip().split(","))
    wb.active.append(GOOD_ROW.strip().split(","))
    wb.save(good)
    files["truncated.xlsx"] = good.read_bytes()[:300]
    pq = tmp / "good.parquet"
    pd.read_csv(io.StringIO(HEADER + GOOD_ROW), dtype=str).to_parquet(pq)
    files["truncated.parquet"] = pq.read_bytes()[:100]
    out = {}
    for name, data in files.items():
        p = tmp / name
        p.write_bytes(data)
        out[name] = p
    return out


def test_hostile_card_files_fail_cleanly_or_reject_rows(tmp_path: Path) -> None:
    files = _hostile_files(tmp_path)
    outcomes = {}
    for name, path in files.items():
        try:
            res = read_cards(path)
            assert len(res.cards) + len(res.rejects) == res.n_rows
            outcomes[name] = (len(res.cards), len(res.rejects))
        except EktpRoutesError as exc:  # one clear error; anything else fails the test
            assert str(exc)
            outcomes[name] = "error"
    assert outcomes["random.csv"] == "error" or outcomes["random.csv"][0] == 0
    assert outcomes["random.xlsx"] == outcomes["random.parquet"] == outcomes["truncated.xlsx"] == "error"
    assert outcomes["truncated.parquet"] == outcomes["empty.csv"] == outcomes["many_columns.csv"] == "error"
    assert outcomes["header_only.csv"] == (0, 0)
    assert outcomes["utf16.csv"] == outcomes["cp1252.csv"] == outcomes["semicolon_bom.csv"] == (1, 0)
    assert outcomes["huge_cell.csv"] == (0, 1)
    assert outcomes["scientific.csv"] == (0, 1)
    assert outcomes["formula.csv"][0] == 0
    print(f"hostile card files tried: {len(files)}")


def test_spreadsheet_outputs_escape_formulas(tmp_path: Path) -> None:
    for v in ("=1+1", "+62812", "-5", "@SUM(A1)", "\tx"):
        assert escape_spreadsheet(v).startswith("'")
    assert escape_spreadsheet("Kp. Pulo") == "Kp. Pulo"
    df = pd.DataFrame({"a": ['=HYPERLINK("http://evil")', "ok"]})
    write_csv(df, tmp_path / "x.csv")
    assert "'=HYPERLINK" in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")


def test_unsafe_names_cannot_escape_outdir(tmp_path: Path) -> None:
    for name in ("../../etc/passwd", "..", "/abs/path", "a\\..\\b", "kurir\x00x", "CON", "a" * 500):
        s = safe_filename(name)
        assert "/" not in s and "\\" not in s and ".." not in s and "\x00" not in s and len(s) <= 80
        assert (tmp_path / s).resolve().parent == tmp_path.resolve()


def test_offices_files_with_bad_geometry(tmp_path: Path) -> None:
    bad = {
        "line.geojson": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "A"},
                    "geometry": {"type": "LineString", "coordinates": [[107, -6.2], [107.1, -6.2]]},
                }
            ],
        },
        "outside.geojson": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "A"},
                    "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
                }
            ],
        },
        "swapped.geojson": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "A"},
                    "geometry": {"type": "Point", "coordinates": [-6.2, 107.1]},
                }
            ],
        },
    }
    for name, doc in bad.items():
        p = tmp_path / name
        p.write_text(json.dumps(doc))
        with pytest.raises(InputFileError):
            read_offices(p, PlanConfig().fleet)
    (tmp_path / "garbage.geojson").write_bytes(b"{not json")
    with pytest.raises(InputFileError):
        read_offices(tmp_path / "garbage.geojson", PlanConfig().fleet)
    (tmp_path / "nan.csv").write_text("name,lon,lat\nA,nan,nan\n")
    with pytest.raises(InputFileError):
        read_offices(tmp_path / "nan.csv", PlanConfig().fleet)


# ---------------------------------------------------------------------------------------------- faults
def test_atomic_write_never_leaves_half_files(tmp_path: Path) -> None:
    target = tmp_path / "routes.geojson"
    target.write_text("old complete content")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed while writing")
    assert target.read_text() == "old complete content"
    assert [p.name for p in tmp_path.iterdir()] == ["routes.geojson"]


def test_read_only_outdir_and_full_disk_give_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with monkeypatch.context() as mp:
            if os.access(ro, os.W_OK):  # running as root: permissions are not enforced, so simulate them
                mp.setattr("tempfile.mkstemp", _raise(errno.EACCES))
            with pytest.raises(OutputError, match="read-only"):
                write_csv(pd.DataFrame({"a": [1]}), ro / "x.csv")
    finally:
        ro.chmod(0o700)
    monkeypatch.setattr("os.replace", _raise(errno.ENOSPC))
    with pytest.raises(OutputError, match="disk full"):
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "y.csv")
    assert not list(tmp_path.glob("*.part"))


def _raise(code: int):  # type: ignore[no-untyped-def]
    def f(*a: object, **k: object) -> None:
        raise OSError(code, os.strerror(code))

    return f


@pytest.fixture(scope="module")
def small_cards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    df = synthetic_cards(
        191_000, seed=4, kecamatan=["Bojongmangu", "Sukawangi", "Cabangbungin"], defect_rate=0.02
    )
    df = df.groupby("true_desa_kode").head(15).drop(columns=["defect"])
    df = df.rename(columns={"true_lon": "lon", "true_lat": "lat"})
    return write_cards(df, tmp_path_factory.mktemp("cards") / "cards.csv")


def _cli_plan(cards: Path, out: Path, *, verbose: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ektp_routes.cli",
            *(["-v"] if verbose else []),
            "plan",
            str(cards),
            "--out",
            str(out),
            "--time-limit",
            "3",
            "--workers",
            "1",
            "--seed",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if verbose else subprocess.DEVNULL,
        text=True,
    )


def test_killed_run_resumes_to_the_identical_plan(small_cards: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    assert _cli_plan(small_cards, full).wait(timeout=300) == 0
    killed = tmp_path / "killed"
    proc = _cli_plan(small_cards, killed, verbose=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # the trigger: the run's own log line after the first office is saved
        if "saved office" in line:
            break
    proc.send_signal(signal.SIGKILL)  # killed in the middle: one office saved, others not
    proc.wait()
    saved = len(list((killed / ".work").glob("office-*.json")))
    assert 1 <= saved < 3
    assert not (killed / "assignments.csv").exists()
    assert _cli_plan(small_cards, killed).wait(timeout=300) == 0
    for name in ("assignments.csv", "summary.csv", "routes.geojson", "stops.geojson"):
        assert (killed / name).read_bytes() == (full / name).read_bytes(), name


def test_dask_worker_lost_mid_run(small_cards: Path) -> None:
    from dask.distributed import Client, LocalCluster

    cfg = PlanConfig(workers=1).with_options(time_limit_s=2, seed=1)
    local = plan_file(small_cards, config=cfg)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        workers = list(client.scheduler_info()["workers"])
        retired: list[str] = []

        def progress(done: int, total: int) -> None:
            if done == 1 and not retired:
                client.retire_workers([workers[0]], close_workers=True)  # a worker leaves mid-run
                retired.append(workers[0])

        dres = plan_file(small_cards, config=cfg, client=client, progress=progress)
        left = list(client.scheduler_info()["workers"])
    assert retired and left == workers[1:]  # the worker really left before the run finished
    pd.testing.assert_frame_equal(dres.assignments, local.assignments)


# ---------------------------------------------------------------------------------------------- privacy
def test_privacy_audit_of_a_full_run(
    small_cards: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cards = pd.read_csv(small_cards, dtype=str)
    res = plan_file(
        small_cards,
        config=PlanConfig(workers=1).with_options(time_limit_s=2),
        pseudonym_key=b"5c1e8f0a9b3d47e2a6f1c0d9e8b7a6f5",
    )
    write_plan(res, tmp_path)
    names = {n.strip() for n in cards["NAMA"].dropna()} - {""}
    niks = set(cards["NIK"].dropna())
    found = 0
    for f in tmp_path.rglob("*"):
        if not f.is_file() or "manifests" in f.parts:
            continue
        text = f.read_text(encoding="utf-8", errors="ignore")
        found += sum(n in text for n in niks)
        found += sum(f'"{n}"' in text or f",{n}," in text or f">{n}<" in text for n in names)
    logs = caplog.text
    found += sum(n in logs for n in niks) + sum(f" {n} " in logs for n in names if len(n) > 3)
    assert found == 0
    asg = pd.read_csv(tmp_path / "assignments.csv", dtype=str, encoding="utf-8-sig")
    planned = asg[asg.card_ref.notna()]
    assert planned.card_ref.str.fullmatch(r"[0-9a-f]{24}").all()
    assert planned.card_ref.is_unique


# ---------------------------------------------------------------------------------------------- properties
_POOL = [
    GOOD_ROW.strip(),
    "3216105505850002,Dewi,Kp. Pulo,3,2,Karangbahagia,Karang Bahagia,",
    "3216101402900003,Budi,Jl. Mawar 3,4,7,Karangsatu,Karang Bahagia,17535",
    "3216105202950004,Ani,Kp. Gabus,1,1,Karangmukti,Karang Bahagia,17535",
    "12345,Rusak,Kp. X,1,1,Karangbahagia,Karang Bahagia,",
    "3216101201900005,,Kp. X,1,1,Karangbahagia,Karang Bahagia,",
    "3216101201900006,Tanpa Desa,Kp. X,1,1,Antah Berantah,Karang Bahagia,",
    "3216101201900007,Salah Kodepos,Kp. X,1,1,Karangbahagia,Karang Bahagia,17110",
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.sampled_from(range(len(_POOL))), min_size=1, max_size=25),
    jitter=st.lists(st.floats(-0.01, 0.01), min_size=25, max_size=25),
    couriers=st.integers(1, 2),
    capacity=st.integers(3, 20),
)
def test_property_every_card_once_routes_feasible_deterministic(
    rows: list[int], jitter: list[float], couriers: int, capacity: int
) -> None:
    lines = [_POOL[r] for r in rows]
    df = pd.read_csv(io.StringIO(HEADER + "\n".join(lines) + "\n"), dtype=str, keep_default_na=False)
    df["lon"] = [107.20 + j for j in jitter[: len(df)]]
    df["lat"] = [-6.20 + j for j in jitter[::-1][: len(df)]]
    office = PostOffice(
        "PO", "KPC Uji", 107.2, -6.2, Fleet(couriers=couriers, capacity=capacity, shift_s=2 * 3600, days=1)
    )
    cfg = PlanConfig(workers=1).with_options(time_limit_s=1, deterministic=True)
    a = plan_file(df, config=cfg, offices=[office])
    b = plan_file(df, config=cfg, offices=[office])
    asg = a.assignments
    assert sorted(asg.row) == list(range(1, len(df) + 1))
    assert set(asg.status) <= {"planned", "rejected", "unroutable", "unserved"}
    assert (asg.loc[asg.status != "planned", "reason_code"].str.len() > 0).all()
    assert (a.routes.cards <= capacity).all() and (a.routes.duration_s <= 2 * 3600 + 1).all()
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    pd.testing.assert_frame_equal(a.routes, b.routes)


def test_check_plan_catches_violations() -> None:
    from dataclasses import replace

    from ektp_routes.network import StraightLineNetwork
    from ektp_routes.solve import DenseMatrices, RoutingProblem, SolveParams, solve

    m = StraightLineNetwork().matrix([107.0, 107.01, 107.02], [-6.2, -6.2, -6.2])
    p = RoutingProblem(DenseMatrices(m.time_s, m.dist_m), np.array([0, 3, 3]), Fleet(couriers=1, capacity=10))
    plan = solve(p, SolveParams(time_limit_s=1))
    assert check_plan(p, plan) == []
    bad = replace(plan, routes=(replace(plan.routes[0], stops=(1, 1, 2)),))
    assert any("appears 2 times" in e for e in check_plan(p, bad))
    matrices = DenseMatrices(m.time_s, m.dist_m)
    small = RoutingProblem(matrices, np.array([0, 3, 3]), Fleet(couriers=1, capacity=5))
    assert any("bag" in e for e in check_plan(small, plan))


# ---------------------------------------------------------------------------------------------- issue 12
def _personal(df: pd.DataFrame) -> list[str]:
    """Full NIKs, names and addresses of a card list (what must never reach an error or a log)."""
    vals = set(df["NIK"]) | set(df["NAMA"].str.strip()) | set(df["ALAMAT"].str.strip())
    return sorted(v for v in vals if len(v) >= 8)


def _failing_corpus(tmp: Path, df: pd.DataFrame) -> list[list[str]]:
    """Commands that must fail, each fed personal data where a file of another kind is expected."""
    good = write_cards(df, tmp / "cards.csv")
    headerless = tmp / "headerless.csv"
    headerless.write_text("\n".join(",".join(r) for r in df.astype(str).to_numpy()[:, :8]) + "\n")
    two_cols = tmp / "two_cols.csv"
    two_cols.write_text(
        "NIK,NAMA\n" + "\n".join(f"{n},{m}" for n, m in zip(df.NIK, df.NAMA, strict=True)) + "\n"
    )
    xlsx = write_cards(df, tmp / "cards.xlsx")
    cut = tmp / "cut.xlsx"
    cut.write_bytes(xlsx.read_bytes()[:2000])
    as_key = tmp / "nik.key"
    as_key.write_text(df.NIK.iloc[0][:10])  # too short a key, made of a NIK
    out = str(tmp / "out")
    return [
        ["validate", str(headerless)],
        ["validate", str(two_cols)],
        ["validate", str(cut)],
        ["plan", str(headerless), "--out", out],
        ["plan", str(good), "--offices", str(headerless), "--out", out],
        ["plan", str(good), "--offices", str(good), "--out", out],
        ["plan", str(good), "--config", str(good), "--out", out],
        ["plan", str(good), "--network", str(good), "--out", out],
        ["plan", str(good), "--pseudonym-key-file", str(as_key), "--out", out],
        ["plan", str(good), "--kecamatan", df.NAMA.iloc[0], "--out", out],
        ["geocode", str(headerless), "--out", str(tmp / "g.csv")],
    ]


def test_no_personal_data_in_errors_or_logs_of_failing_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from ektp_routes.cli import main

    caplog.set_level(logging.DEBUG)
    df = (
        synthetic_cards(191_000, seed=8, kecamatan=["Bojongmangu"])
        .head(12)
        .drop(columns=["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"])
    )
    secrets = _personal(df)
    leaks = []
    corpus = _failing_corpus(tmp_path, df)
    for argv in corpus:
        try:
            code = main(argv)
        except SystemExit as usage:
            code = usage.code
        err = capsys.readouterr().err
        assert code == 2, (argv[0], err)
        assert err.strip().count("\n") == 0 and "Traceback" not in err
        text = err + caplog.text
        leaks += [(argv[0], s) for s in secrets if s in text]
        caplog.clear()
    # The name typed as --kecamatan is the user's own argument, echoed back; it is not read from a file.
    leaks = [(c, s) for c, s in leaks if s != df.NAMA.iloc[0].strip()]
    assert leaks == []
    assert len(corpus) == 11


def test_replanning_a_smaller_list_leaves_no_file_of_the_earlier_run(
    small_cards: Path, tmp_path: Path
) -> None:
    from ektp_routes.cli import main

    out = tmp_path / "out"
    big = pd.read_csv(small_cards, dtype=str)
    assert main(["plan", str(small_cards), "--out", str(out), "--time-limit", "1", "--workers", "1"]) == 0
    before = {p.name for p in (out / "manifests").iterdir()}
    small = write_cards(
        big[big["KECAMATAN"].str.contains("Bojong", case=False)].head(5), tmp_path / "small.csv"
    )
    assert main(["plan", str(small), "--out", str(out), "--time-limit", "1", "--workers", "1"]) == 0
    after = {p.name for p in (out / "manifests").iterdir()}
    assert after and len(after) < len(before)
    on_lists = pd.concat(
        pd.read_csv(p, dtype=str, encoding="utf-8-sig") for p in (out / "manifests").glob("*.csv")
    )
    assert set(on_lists["NIK"]) <= set(pd.read_csv(small, dtype=str)["NIK"])  # nobody from the first list
    assert len(list((out / ".work").glob("office-*.json"))) == 1  # the first run's other offices pruned


def test_a_second_run_into_a_busy_outdir_says_so(
    small_cards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ektp_routes.cli import main
    from ektp_routes.outdir import claim

    with claim(tmp_path / "out"):
        assert main(["plan", str(small_cards), "--out", str(tmp_path / "out")]) == 2
    assert "sedang dipakai oleh proses ektp-routes lain" in capsys.readouterr().err  # Bahasa by default


_OFFICE_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True).filter(
    lambda s: ".." not in s  # refused when read (offices.OFFICE_ID)
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ids=st.lists(_OFFICE_IDS, min_size=1, max_size=3, unique_by=str.casefold),
    first=st.lists(st.sampled_from(range(4)), min_size=1, max_size=12),
    second=st.lists(st.sampled_from(range(4)), min_size=1, max_size=6),
)
def test_property_each_planned_card_on_one_manifest_and_no_foreign_file(
    ids: list[str], first: list[int], second: list[int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from ektp_routes.outdir import LOCK_FILE, RUN_RECORD, WORK_DIR, claim

    out = tmp_path_factory.mktemp("prop")
    offices = [
        PostOffice(oid, f"KPC {k}", 107.20 + 0.01 * k, -6.20, Fleet(couriers=2, capacity=4, days=2))
        for k, oid in enumerate(ids)
    ]
    for picks in (first, second):  # the second run replaces the first in the same OUTDIR
        lines = [_POOL[p].replace("0000", f"{i:04d}", 1) if p < 4 else _POOL[p] for i, p in enumerate(picks)]
        df = pd.read_csv(io.StringIO(HEADER + "\n".join(lines) + "\n"), dtype=str, keep_default_na=False)
        df["lon"], df["lat"] = 107.2, -6.2
        cfg = PlanConfig(workers=1).with_options(time_limit_s=0.5)
        with claim(out) as od:
            res = plan_file(df, config=cfg, offices=offices, work_dir=od.work)
            written = write_plan(res, out, with_map=False)
            od.finish([*written.values(), od.work])
    on_lists = [
        n
        for f in (out / "manifests").glob("*.csv")
        for n in pd.read_csv(f, dtype=str, encoding="utf-8-sig")["NIK"]
    ]
    planned = res.cards.cards.merge(res.assignments[res.assignments.status == "planned"], on="row")["nik"]
    assert sorted(on_lists) == sorted(planned)  # each planned card on exactly one manifest
    ours = {p.resolve() for p in written.values()} | {out / n for n in (LOCK_FILE, RUN_RECORD, WORK_DIR)}
    assert {p.resolve() for p in out.iterdir()} <= {p.resolve() for p in ours}
