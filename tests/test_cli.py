from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from ektp_routes.cli import main


def test_demo_cards_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cards.csv"
    assert (
        main(
            [
                "demo-cards",
                "--n",
                "20000",
                "--kecamatan",
                "Sukawangi",
                "--defect-rate",
                "0.1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    df = pd.read_csv(out, dtype=str)
    assert "true_lon" not in df.columns and len(df) > 100
    rej = tmp_path / "rejects.csv"
    assert main(["validate", str(out), "--rejects", str(rej), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "accepted:" in text and "rejected:" in text and "with warning nik_out_of_region" in text
    r = pd.read_csv(rej, dtype=str, encoding="utf-8-sig")
    assert len(r) > 0 and f"rejected: {len(r)}" in text
    assert main(["validate", str(out)]) == 0  # Bahasa Indonesia by default
    text = capsys.readouterr().out
    assert f"ditolak: {len(r)}" in text and "diterima:" in text and "(NIK ganda)" in text
    assert not r.astype(str).apply(lambda c: c.isin(df.NAMA)).any().any()


def test_cli_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("galat: required column") and "Traceback" not in err
    assert main(["--lang", "en", "validate", str(p)]) == 2
    assert capsys.readouterr().err.startswith("error: required column")


def test_plan_reports_an_office_that_receives_no_desa(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = tmp_path / "cards.csv"
    assert main(["demo-cards", "--n", "3000", "--kecamatan", "Bojongmangu", "--out", str(cards)]) == 0
    offices = tmp_path / "offices.csv"
    offices.write_text(
        "office_id,name,lon,lat\nKP-BJM,Kantor Pos Bojongmangu,107.2042,-6.4087\n"
        "KP-TRJ,Kantor Pos Tarumajaya,107.0001,-6.1575\n"
    )
    out = tmp_path / "out"
    args = [
        "plan",
        str(cards),
        "--offices",
        str(offices),
        "--out",
        str(out),
        "--time-limit",
        "1",
        "--workers",
        "1",
        "--start-date",
        "2026-12-24",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "kantor pos Kantor Pos Tarumajaya (KP-TRJ) tidak mendapat desa" in text
    assert "kartu masuk:" in text and "plan.gpkg" in text and "report.pdf" in text
    assert (out / "plan.qgz").is_file() and (out / "map.html").is_file()
    # Days carry dates: 25 December (Christmas) and Sunday 27 December are not working days.
    stops = gpd.read_file(out / "plan.gpkg", layer="stops")
    planned = stops[stops["day"].notna()]
    dates = dict(zip(planned["day"].astype(int), planned["date"], strict=True))
    assert dates[1] == "2026-12-24" and dates.get(2, "2026-12-26") == "2026-12-26"


def test_plan_strict_roads_flag_reaches_the_network(data_dir: Path) -> None:
    from ektp_routes.cli import _network, build_parser
    from ektp_routes.config import PlanConfig

    osm = str(data_dir / "kelapa_gading.osm.bz2")
    parser = build_parser()
    strict = _network(
        parser.parse_args(["plan", "cards.csv", "--network", osm, "--strict-roads"]), PlanConfig()
    )
    lenient = _network(parser.parse_args(["plan", "cards.csv", "--network", osm]), PlanConfig())
    assert getattr(strict, "strict", None) is True and getattr(lenient, "strict", None) is False
    # A stop 5 km from the extract: planned on straight legs by default, unroutable with the flag.
    lon, lat = [106.905, 106.955], [-6.16, -6.16]
    assert lenient.matrix(lon, lat).off_network.tolist() == [False, True]
    assert 1 in strict.matrix(lon, lat).unroutable
