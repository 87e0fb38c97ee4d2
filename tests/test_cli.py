from __future__ import annotations

import logging
import re
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
    rej_id = tmp_path / "penolakan.csv"
    assert main(["validate", str(out), "--rejects", str(rej_id)]) == 0  # Bahasa Indonesia by default
    text = capsys.readouterr().out
    assert f"ditolak: {len(r)}" in text and "diterima:" in text and "(NIK ganda)" in text
    r_id = pd.read_csv(rej_id, dtype=str, encoding="utf-8-sig")  # why each row: in Bahasa, same codes
    assert r_id["reason"].tolist() == r["reason"].tolist() and r_id["row"].tolist() == r["row"].tolist()
    said = r_id.set_index("reason")["message"]
    assert said.filter(like="nik_duplicate").str.startswith("NIK sama dengan baris ").all()
    assert (r_id["message"] != r["message"]).all()
    assert not r.astype(str).apply(lambda c: c.isin(df.NAMA)).any().any()


def test_geocode_speaks_indonesian_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cards, out = tmp_path / "cards.csv", tmp_path / "geo.csv"
    argv = [
        "demo-cards",
        "--n",
        "200",
        "--kecamatan",
        "Sukawangi",
        "--defect-rate",
        "0.1",
        "--out",
        str(cards),
    ]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["geocode", str(cards), "--out", str(out)]) == 0
    said = capsys.readouterr().out.splitlines()
    n = len(pd.read_csv(out))
    assert re.fullmatch(rf"{n} kartu diberi koordinat \(\d+ baris ditolak validasi\)", said[0]), said
    assert said[-1] == f"ditulis ke {out} (tanpa nama, tanpa NIK)", said
    assert main(["geocode", str(cards), "--out", str(out), "--lang", "en"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"{n} cards geocoded \(\d+ rows rejected by validation\)", said[0]), said
    assert said[-1] == f"written to {out} (no names, no NIKs)", said


def test_cli_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("galat: kolom wajib 'nik', 'nama', 'alamat' tidak ditemukan")
        and "Traceback" not in err
    )
    assert main(["--lang", "en", "validate", str(p)]) == 2
    assert capsys.readouterr().err.startswith("error: required column")


def test_output_piped_into_a_reader_that_stops_is_no_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `ektp-routes validate cards.csv | head -1`: the reader closes the pipe after one line.
    import io
    import sys

    cards = tmp_path / "cards.csv"
    assert main(["demo-cards", "--n", "20000", "--kecamatan", "Sukawangi", "--out", str(cards)]) == 0
    capsys.readouterr()

    class ClosedPipe(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    code = main(["--lang", "en", "validate", str(cards)])
    monkeypatch.undo()
    assert code == 141  # as a shell reports a command stopped by SIGPIPE
    assert capsys.readouterr().err == ""  # not "unexpected BrokenPipeError (a bug in ektp-routes ...)"


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


# ---------------------------------------------------------------------------------------------- options
@pytest.fixture(scope="module")
def cards_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ektp_routes.synthetic import synthetic_cards, write_cards

    df = synthetic_cards(191_000, seed=3, kecamatan=["Bojongmangu"]).head(30)
    df = df.drop(columns=["defect"]).rename(columns={"true_lon": "lon", "true_lat": "lat"})
    return write_cards(df, tmp_path_factory.mktemp("cli") / "cards.csv")


# (arguments after the command, words the one error line must contain); {cards} and {tmp} are filled in.
OPTION_CASES = [
    (["plan", "{cards}", "--time-limit", "inf"], ["--time-limit", "harus angka berhingga", "yang boleh"]),
    (["plan", "{cards}", "--time-limit", "1e300"], ["--time-limit", "di luar rentang", "86400"]),
    (["plan", "{cards}", "--time-limit", "0"], ["--time-limit", "di luar rentang"]),
    (["plan", "{cards}", "--time-limit", "abc"], ["--time-limit", "nilai float tidak sah"]),
    (["plan", "{cards}", "--seed", "-1"], ["--seed", "di luar rentang", "2147483647"]),
    (["plan", "{cards}", "--seed", str(2**70)], ["--seed", "di luar rentang"]),
    (["plan", "{cards}", "--workers", "0"], ["--workers", "di luar rentang", "1 sampai 256"]),
    (["plan", "{cards}", "--consolidation", "kota"], ["--consolidation", "pilihan tidak sah"]),
    (["plan", "{cards}", "--kecamatan", "Atlantis"], ["kecamatan 'Atlantis'", "tidak cocok dengan nama"]),
    (["plan", "{cards}", "--config", "{tmp}/none.toml"], ["berkas konfigurasi", "tidak ada"]),
    (["plan", "{cards}", "--config", "{tmp}"], ["adalah folder, bukan berkas TOML"]),
    (["plan", "{cards}", "--config", "{cards}"], ["bukan TOML yang sah: galat pada baris 1, kolom"]),
    (
        ["plan", "{cards}", "--pseudonym-key-file", "{tmp}/none.key"],
        ["--pseudonym-key-file", "tidak ada", "secrets"],
    ),
    (
        ["plan", "{cards}", "--pseudonym-key-file", "{tmp}/weak.key"],
        ["--pseudonym-key-file", "terlalu lemah", "16"],
    ),
    (["plan", "{cards}", "--scheduler", "not a url"], ["--scheduler", "tcp://HOST:PORT"]),
    (
        ["plan", "{cards}", "--scheduler", "tcp://127.0.0.1:1"],
        ["--scheduler", "tidak ada penjadwal Dask yang menjawab"],
    ),
    (["plan", "{cards}", "--offices", "{tmp}/none.csv"], ["berkas kantor pos", "tidak ada"]),
    (["plan", "{cards}", "--network", "{tmp}/none.osm"], ["none.osm"]),
    (["plan", "{cards}", "--out", "{tmp}/missing/out"], ["--out", "tidak ada; buat dulu foldernya"]),
    (["plan", "{cards}", "--out", "{cards}"], ["--out", "adalah berkas, bukan folder"]),
    (["plan", "{tmp}/none.csv", "--out", "{tmp}/o"], ["none.csv"]),
    (["demo", "--kecamatan", "Atlantis", "--out", "{tmp}/d"], ["kecamatan 'Atlantis'"]),
    (["demo", "--time-limit", "-5", "--out", "{tmp}/d"], ["--time-limit", "di luar rentang"]),
    (["demo-cards", "--n", "-1", "--out", "{tmp}/c.csv"], ["--n", "di luar rentang"]),
    (["demo-cards", "--n", "0", "--out", "{tmp}/c.csv"], ["--n", "di luar rentang", "1 sampai 10000000"]),
    (["plan", "{cards}", "--start-date", "0001-01-01"], ["--start-date", "diterima dari 2000-01-01"]),
    (["plan", "{cards}", "--start-date", "2026-02-30"], ["--start-date", "bukan tanggal"]),
    (["demo-cards", "--n", "10", "--seed", "-1", "--out", "{tmp}/c.csv"], ["--seed", "di luar rentang"]),
    (
        ["demo-cards", "--n", "10", "--defect-rate", "2", "--out", "{tmp}/c.csv"],
        ["--defect-rate", "di luar rentang"],
    ),
    (
        ["demo-cards", "--n", "10", "--defect-rate", "nan", "--out", "{tmp}/c.csv"],
        ["--defect-rate", "harus angka berhingga"],
    ),
    (
        ["demo-cards", "--n", "10", "--out", "{tmp}/missing/c.csv"],
        ["--out", "tidak ada; buat dulu foldernya"],
    ),
    (["demo-cards", "--n", "10", "--out", "{tmp}/c.txt"], ["c.txt", ".csv, .xlsx atau .parquet"]),
    (
        ["demo-cards", "--n", "10", "--kecamatan", "Atlantis", "--out", "{tmp}/c.csv"],
        ["kecamatan 'Atlantis'"],
    ),
    (["validate", "{cards}", "--rejects", "{tmp}/missing/r.csv"], ["--rejects", "tidak ada"]),
    (["validate", "{cards}", "--kodepos-mismatch", "maybe"], ["--kodepos-mismatch", "pilihan tidak sah"]),
    (
        ["validate", "{cards}", "--nik-kecamatan-mismatch", "x"],
        ["--nik-kecamatan-mismatch", "pilihan tidak sah"],
    ),
    (["validate", "{tmp}/none.csv"], ["none.csv"]),
    (["geocode", "{cards}", "--out", "{tmp}/missing/g.csv"], ["--out", "tidak ada; buat dulu foldernya"]),
    (
        [
            "geocode",
            "{cards}",
            "--out",
            "{tmp}/g.csv",
            "--online",
            "nominatim",
            "--cache",
            "{tmp}/missing/c.sqlite",
        ],
        ["--cache", "tidak ada"],
    ),
    (
        ["geocode", "{cards}", "--out", "{tmp}/g.csv", "--osm", "{tmp}/none.osm"],
        ["berkas OSM", "none.osm tidak ada"],
    ),
    (
        ["blocks", "{cards}", "--out", "{tmp}/b.csv", "--osm", "{tmp}/none.osm"],
        ["berkas OSM", "none.osm tidak ada"],
    ),
    (
        ["geocode", "{cards}", "--out", "{tmp}/g.csv", "--online", "bogus", "--cache", "{tmp}/c.sqlite"],
        ["geocoder daring 'bogus' tidak dikenal; pilih salah satu dari: ", ", nominatim, "],
    ),
    (["plan"], ["argumen berikut wajib diisi: KARTU"]),
    # An output that is the card list (or another input) would destroy it.
    (["validate", "{cards}", "--rejects", "{cards}"], ["--rejects", "juga berkas yang dibaca perintah ini"]),
    (["geocode", "{cards}", "--out", "{cards}"], ["--out", "juga berkas yang dibaca perintah ini"]),
    (["blocks", "{cards}", "--out", "{cards}"], ["--out", "juga berkas yang dibaca perintah ini"]),
    (
        ["fleet", "{cards}", "--couriers", "2", "--start-date", "2026-12-01", "--chart", "{cards}"],
        ["--chart", "juga berkas yang dibaca perintah ini"],
    ),
    (["ops", "start", "{cards}", "--ledger", "{tmp}/l.db", "--rejects", "{cards}"], ["--rejects", "juga"]),
]


@pytest.mark.parametrize(("argv", "words"), OPTION_CASES, ids=[" ".join(c[0][:4]) for c in OPTION_CASES])
def test_every_option_is_checked_at_the_boundary_in_one_line(
    argv: list[str],
    words: list[str],
    cards_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # `plan` without --out writes into ./out
    (tmp_path / "weak.key").write_text("rahasia\n")
    args = [a.replace("{cards}", str(cards_csv)).replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        code = main(args)
    except SystemExit as usage:  # argparse's own checks (types, choices, required) exit through SystemExit
        code = usage.code
    printed = capsys.readouterr()
    err = printed.err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and err.startswith(("error:", "galat:")), err
    notes = ("CATATAN:", "NOTE:")  # what a run is built on, said before it starts
    assert all(ln.startswith(notes) for ln in printed.out.splitlines()), printed.out  # no work done first
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    assert not re.search(r"\b(No such file|Unknown|options are|dict_keys)\b", err), err  # no English inside
    assert [p.name for p in tmp_path.iterdir()] == ["weak.key"]  # nothing created: no --out folder, no file
    assert cards_csv.read_bytes().startswith(b"NIK,") and not (tmp_path / "l.db").exists()  # inputs kept


def test_plan_refuses_an_unknown_kecamatan_before_reading_the_cards(
    cards_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt --kecamatan stops `plan` at once (before a long card list is read, before --out is
    made), naming the closest spellings and every kecamatan."""
    import ektp_routes.cards
    import ektp_routes.plan

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cards were read")

    monkeypatch.setattr(ektp_routes.plan, "read_cards", no_reading)
    monkeypatch.setattr(ektp_routes.cards, "read_cards", no_reading)
    out = tmp_path / "out"
    argv = ["plan", str(cards_csv), "--kecamatan", "Tambun Selatn", "--kecamatan", "Cikarang Tengah"]
    assert main([*argv, "--out", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    said = "error: kecamatan 'Cikarang Tengah': 'Cikarang Tengah' matches no known name; closest: "
    assert err.startswith(said), err
    assert "Cikarang Utara (32.16.09)" in err and "; known kecamatan: Babelan, " in err, err
    assert not out.exists()


def test_demo_names_the_kecamatan_as_the_gazetteer_spells_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ektp_routes.cli

    class Planned(Exception):
        pass

    def stop(*args: object, **kwargs: object) -> None:
        raise Planned

    monkeypatch.setattr(ektp_routes.cli, "_run_plan", stop)  # only the first lines are looked at
    main(["demo", "--kecamatan", "BOJONG MANGU", "--out", str(tmp_path / "d"), "--lang", "en"])  # stops
    first = capsys.readouterr().out.splitlines()[0]
    said = r"demo: \d+ synthetic cards \(no real person\) in Bojongmangu, 1% planted defects"
    assert re.fullmatch(said, first), first


@pytest.mark.parametrize("rows", [0, 3])
def test_plan_with_no_card_left_writes_every_output(
    tmp_path: Path, rows: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list whose every row is rejected (or a header alone) still gives every output, each card
    in assignments once with its reason (it used to stop on the empty stop layer of the map), and
    its count line ends with the count (a header alone printed "cards in: 0; ")."""
    header = "NIK,NAMA,ALAMAT,RT,RW,KEL/DESA,KECAMATAN,KODE POS\n"
    bad = "12,Siti Aminah,Kp. Babakan,001,002,Sukaraya,Karang Bahagia,17530\n"
    cards = tmp_path / "cards.csv"
    cards.write_text(header + bad * rows)
    out = tmp_path / "out"
    assert main(["--lang", "en", "plan", str(cards), "--out", str(out), "--time-limit", "1"]) == 0
    counts = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("cards in:"))
    assert counts == ("cards in: 3; rejected: 3" if rows else "cards in: 0"), counts
    a = pd.read_csv(out / "assignments.csv", dtype=str, encoding="utf-8-sig")
    assert len(a) == rows and set(a["status"]) <= {"rejected"}
    assert (out / "map.html").is_file() and (out / "plan.gpkg").is_file()
    assert len(gpd.read_file(out / "stops.geojson")) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "en", "plan", "x.csv", "--workers", "abc"],
        ["plan", "x.csv", "--workers", "abc", "--lang", "en"],
        ["network", "build", "--osm", "x.osm", "--out", "n", "--margin-m", "-5", "--lang=en"],
    ],
)
def test_usage_errors_speak_the_language_asked_for(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    "argv",
    [
        ["ops", "status", "--ledger", "{tmp}/missing.db", "--lang", "en"],
        ["ops", "returns", "--ledger", "{tmp}/missing.db", "--out", "{tmp}", "--lang=en"],
        ["network", "build", "--osm", "{tmp}/missing.osm", "--out", "{tmp}/net", "--lang", "en"],
    ],
)
def test_lang_after_a_nested_command_is_accepted(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: --lang goes before or after the command name, for `ops start` and `network build` too.
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2  # the command ran and refused the missing file
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "does not exist" in err and "unrecognized" not in err, err


def test_usage_errors_speak_bahasa_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["plan", "x.csv", "--workers", "abc"])
    assert capsys.readouterr().err.startswith("galat: ")


def test_geocode_warnings_reach_the_console_in_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    # As on a real command line: no handler yet, so main() sets up the console's.
    monkeypatch.setattr(logging.root, "handlers", [])
    monkeypatch.setattr(logging.root, "level", logging.WARNING)
    cards = tmp_path / "kartu.csv"
    cards.write_text("NIK,NAMA,ALAMAT\n3216061201900001,Siti Aminah,Kp. Pulo RT 001/002 Sukawangi\n")
    for lang, line in (
        ("id", "PERINGATAN ektp_routes.cards: kartu.csv: tidak ada kolom desa/kelurahan yang dikenali"),
        ("en", "WARNING ektp_routes.cards: kartu.csv: no desa/kelurahan column recognised"),
    ):
        monkeypatch.setattr(logging.root, "handlers", [])
        assert main(["geocode", str(cards), "--out", str(tmp_path / "g.csv"), "--lang", lang]) == 0
        err = capsys.readouterr().err
        assert err.startswith(line) and err.count("\n") == 1 and "Siti" not in err, err


def test_a_bug_is_one_line_in_the_language_without_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ektp_routes.cli as cli

    def broken(args: object) -> int:
        raise RuntimeError("Siti Aminah 3216061201900001")

    monkeypatch.setattr(cli, "_cmd_validate", broken)
    for lang, said in (
        ("id", "galat: RuntimeError tak terduga (cacat di ektp-routes; pesannya tidak ditampilkan"),
        ("en", "error: unexpected RuntimeError (a bug in ektp-routes; the message is not shown"),
    ):
        assert main(["validate", str(tmp_path / "c.csv"), "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert err.startswith(said) and err.count("\n") == 1, err
        assert "Siti" not in err and "3216061201900001" not in err


def test_an_error_the_library_words_in_english_only_is_never_shown_raw_in_another_language(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import ektp_routes.cli as cli
    from ektp_routes import SolverError
    from ektp_routes.problem import DenseMatrices

    def developer_only(args: object) -> int:  # a check only Python code can fail, reached by a bug
        DenseMatrices(time_s=[[0.0, 5.0]], dist_m=[[0.0, 1.0]])  # type: ignore[arg-type]
        return 0

    with pytest.raises(SolverError) as raised:
        developer_only(None)
    english = str(raised.value)
    monkeypatch.setattr(cli, "_cmd_validate", developer_only)
    assert main(["validate", str(tmp_path / "c.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("galat: SolverError: ektp-routes menolak sebuah nilai") and err.count("\n") == 1
    assert english not in err
    with caplog.at_level(logging.DEBUG, logger="ektp_routes.cli"):  # -vv shows it, for a bug report
        assert main(["-vv", "validate", str(tmp_path / "c.csv")]) == 2
    assert english in caplog.text and english not in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "c.csv"), "--lang", "en"]) == 2  # English is the user's language
    assert capsys.readouterr().err == f"error: {english}\n"


@pytest.mark.parametrize(
    ("toml", "flags", "indonesian", "english"),
    [
        (
            "[fleet]\nshift_s = 30\n",
            [],
            "galat: plan.toml [fleet] shift_s = 30: di luar rentang; "
            "yang boleh: bilangan bulat dari 60 sampai 86400 detik",
            "error: plan.toml [fleet] shift_s = 30: out of range; "
            "allowed: an integer from 60 to 86400 seconds",
        ),
        (
            '[solve]\ndeterministic = "ya"\n',
            [],
            "galat: plan.toml [solve] deterministic = 'ya': harus true atau false; "
            "yang boleh: true atau false",
            "error: plan.toml [solve] deterministic = 'ya': must be true or false; allowed: true or false",
        ),
        (
            "",
            ["--time-limit", "0"],
            "galat: --time-limit = 0.0: di luar rentang; yang boleh: angka di atas 0, paling besar 86400",
            "error: --time-limit = 0.0: out of range; allowed: a number above 0, at most 86400",
        ),
        (
            '[scope]\nkecamatan = ["Atlantis"]\n',
            [],
            "galat: kecamatan 'Atlantis': 'Atlantis' tidak cocok dengan nama mana pun yang dikenal; "
            "yang paling mirip: ",
            "error: kecamatan 'Atlantis': 'Atlantis' matches no known name; closest: ",
        ),
    ],
)
def test_a_bad_plan_setting_is_one_line_in_the_users_language(
    toml: str,
    flags: list[str],
    indonesian: str,
    english: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "plan.toml").write_text(toml)
    argv = ["--config", str(tmp_path / "plan.toml"), *flags]
    _plan_refused_in_one_line(argv, indonesian, english, tmp_path, capsys)


def _plan_refused_in_one_line(
    options: list[str], indonesian: str, english: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan` of a one-card list with ``options`` exits 2 with one line, in Bahasa Indonesia by default
    and in English with --lang en, quoting no name or NIK (the NOTE lines of placeholders aside)."""
    cards = tmp_path / "cards.csv"
    cards.write_text(
        "NIK,NAMA,ALAMAT,RT,RW,KEL/DESA,KECAMATAN,KODE POS\n"
        "3216061201900001,Siti Aminah,Kp. Babakan,001,002,Sukaraya,Karang Bahagia,17530\n"
    )
    argv = ["plan", str(cards), "--out", str(tmp_path / "out"), *options]
    for lang, said in ((None, indonesian), ("en", english)):
        assert main(argv + (["--lang", lang] if lang else [])) == 2
        err = [ln for ln in capsys.readouterr().err.splitlines() if not ln.startswith(("CATATAN", "NOTE"))]
        assert len(err) == 1 and err[0].startswith(said), err
        assert "Siti" not in err[0] and "3216061201900001" not in err[0]


@pytest.mark.parametrize(
    ("name", "text", "option", "indonesian", "english"),
    [
        (
            "kantor.csv",
            "name,lon,lat,couriers\nKP Cibarusah,107.08,-6.43,1.000\n",
            "--offices",
            "galat: kantor.csv, baris kantor ke-1: kolom couriers: titik pemisah ribuan bermakna ganda; ",
            "error: kantor.csv, office row 1: column couriers: a dot between thousands is ambiguous; ",
        ),
        (
            "kantor.csv",
            "3216061201900001,Siti Aminah,Kp. Pulo\n",  # a header-less card list given by mistake
            "--offices",
            "galat: kantor.csv: kolom (bukan nama kolom) tidak dikenal; kolom yang dikenal: name, lon, lat,",
            "error: kantor.csv: unknown column (not a column name); known columns: name, lon, lat,",
        ),
        (
            "kantor.csv",
            "name,lon,lat,desa\nKP Cibarusah,107.08,-6.43,Desa Antah Berantah\n",
            "--offices",
            "galat: kantor.csv, baris kantor ke-1: desa 'Desa Antah Berantah': 'Desa Antah Berantah' tidak "
            "cocok dengan nama mana pun yang dikenal",
            "error: kantor.csv, office row 1: desa 'Desa Antah Berantah': 'Desa Antah Berantah' matches no "
            "known name",
        ),
        (
            "jalan.osm",
            '<?xml version="1.0"?>\n<osm><node id="1" lat="x"',
            "--network",
            "galat: jalan dari jalan.osm tidak bisa dibaca: ",
            "error: cannot read streets from jalan.osm: ",
        ),
        (
            "jalan.osm",
            '<?xml version="1.0"?>\n<!DOCTYPE osm [<!ENTITY a "b">]><osm/>',
            "--network",
            "galat: jalan.osm memuat deklarasi DOCTYPE/ENTITY; berkas jalan OSM tidak pernah memerlukannya",
            "error: jalan.osm declares a DOCTYPE/ENTITY; OSM road files never need one",
        ),
        (
            "jalan.shp",
            "x",
            "--network",
            "galat: jalan.shp: format jaringan jalan tidak dikenal; pakai .osm.pbf, .osm, .osm.bz2, .graphml",
            "error: jalan.shp: unknown road-network format; use .osm.pbf, .osm, .osm.bz2, .graphml",
        ),
    ],
)
def test_a_bad_offices_or_network_file_is_one_line_in_the_users_language(
    name: str,
    text: str,
    option: str,
    indonesian: str,
    english: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / name).write_text(text)
    _plan_refused_in_one_line([option, str(tmp_path / name)], indonesian, english, tmp_path, capsys)


@pytest.mark.parametrize(
    ("argv", "indonesian", "english"),
    [
        (
            ["demo-cards", "--n", "10", "--out", "{tmp}/kartu.txt"],
            "galat: kartu.txt tidak bisa ditulis: pakai nama berkas .csv, .xlsx atau .parquet",
            "error: cannot write kartu.txt: use a .csv, .xlsx or .parquet file name",
        ),
        (
            ["plan", "{tmp}/kartu.csv", "--out", "{tmp}/o", "--pseudonym-key-file", "{tmp}/weak.key"],
            "galat: --pseudonym-key-file {tmp}/weak.key: kunci pseudonim terlalu lemah (7 bita, 5 berbeda): "
            'perlu sedikitnya 16 bita acak; buat dengan: python -c "import secrets;',
            "error: --pseudonym-key-file {tmp}/weak.key: pseudonym key too weak (7 bytes, 5 different): "
            'at least 16 bytes of random content needed; make one with: python -c "import secrets;',
        ),
        (
            ["ops", "status", "--ledger", "{tmp}/lain.sqlite"],
            "galat: sqlite:///{tmp}/lain.sqlite adalah basis data tetapi bukan ledger ektp-routes; ",
            "error: sqlite:///{tmp}/lain.sqlite is a database but not an ektp-routes ledger; ",
        ),
    ],
)
def test_keys_outputs_and_ledgers_are_refused_in_the_users_language(
    argv: list[str], indonesian: str, english: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    (tmp_path / "weak.key").write_text("rahasia\n")
    (tmp_path / "kartu.csv").write_text("NIK,NAMA,ALAMAT\n3216061201900001,Siti Aminah,Kp. Pulo\n")
    with sqlite3.connect(tmp_path / "lain.sqlite") as db:  # another program's database
        db.execute("CREATE TABLE jalan (id INTEGER)")
    args = [a.format(tmp=tmp_path) for a in argv]
    for lang, said in (("id", indonesian), ("en", english)):
        assert main([*args, "--lang", lang]) == 2
        err = [ln for ln in capsys.readouterr().err.splitlines() if not ln.startswith(("CATATAN", "NOTE"))]
        assert len(err) == 1 and err[0].startswith(said.format(tmp=tmp_path)), err
        assert "Siti" not in err[0]


SHEET_CASES = [
    (["validate", "{cards}"], lambda out, d: "kartu.xlsx: 2 rows" in out),
    (["geocode", "{cards}", "--out", "{d}/geo.csv"], lambda out, d: len(pd.read_csv(d / "geo.csv")) == 2),
    (["blocks", "{cards}", "--out", "{d}/blocks.csv"],
     lambda out, d: pd.read_csv(d / "blocks.csv")["cards"].sum() == 2),
    (["plan", "{cards}", "--out", "{d}/plan", "--straight-line", "--time-limit", "1"],
     lambda out, d: len(pd.read_csv(d / "plan" / "assignments.csv")) == 2),
    (["ops", "start", "{cards}", "--ledger", "{d}/l.db", "--start-date", "2026-08-10"],
     lambda out, d: "loaded 2 cards" in out),
    (["fleet", "{cards}", "--start-date", "2026-08-10", "--couriers", "1"],
     lambda out, d: "TOTAL 2 cards" in out),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "read_two"), SHEET_CASES, ids=[c[0][0] for c in SHEET_CASES])
def test_sheet_reads_one_sheet_of_a_workbook_in_every_command_that_reads_cards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], read_two: object
) -> None:
    # Every visible sheet with a card header is read by default; a workbook whose second sheet holds
    # cards that must not go out ('Batal') is read from its first sheet alone with --sheet.
    import openpyxl

    header = ["NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA", "KECAMATAN", "KODE POS"]
    row = ["", "Siti Rahayu", "Kp. Pulo", "001", "002", "Karang Bahagia", "Karang Bahagia", "17535"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, niks in (("Kirim", ["3216101201900001", "3216105505850002"]), ("Batal", ["3216101201900003"])):
        ws = wb.create_sheet(title)
        ws.append(header)
        for nik in niks:
            ws.append([nik, *row[1:]])
    wb.save(tmp_path / "kartu.xlsx")
    args = [a.format(cards=tmp_path / "kartu.xlsx", d=tmp_path) for a in argv]
    assert main([*args, "--sheet", "Kirim", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert callable(read_two) and read_two(out, tmp_path), out


def test_plan_reads_the_plan_toml_the_operation_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One plan.toml serves `plan` and `ops start` (README): its [operation] table is the operation's,
    and a file Notepad saved with a byte-order mark is read as the same TOML."""
    cards = tmp_path / "cards.csv"
    cards.write_text(
        "NIK,NAMA,ALAMAT,RT,RW,KEL/DESA,KECAMATAN,KODE POS\n"
        "3216061201900001,Siti Aminah,Kp. Babakan,001,002,Sukaraya,Karang Bahagia,17530\n"
    )
    toml = tmp_path / "plan.toml"
    toml.write_bytes("\ufeff[fleet]\ncouriers = 2\n[operation]\nattempt_limit = 2\n".encode())
    argv = ["plan", str(cards), "--out", str(tmp_path / "out"), "--config", str(toml), "--time-limit", "1"]
    assert main([*argv, "--workers", "1", "--lang", "en"]) == 0, capsys.readouterr().err
    assert "cards in: 1; planned: 1" in capsys.readouterr().out
    toml.write_text("[fleet]\ncouriers = 2\n[operation]\nattempts = 2\n")  # a typo ops start would refuse
    assert main([*argv, "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown [operation] keys ['attempts']; known: ")


@pytest.mark.parametrize("name", ["cards.gpkg", "cards.geojson", "cards.xlsx", "cards"])
def test_geocode_writes_csv_only_and_refuses_another_file_name(
    name: str, cards_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, a CSV table was written under any name: a 'cards.gpkg' no GIS could open.
    assert main(["geocode", str(cards_csv), "--out", str(tmp_path / name), "--lang", "en"]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot write {name}: geocode writes a CSV table (row, desa, lon, lat, precision); "
        "use a .csv file name\n"
    )
    assert not (tmp_path / name).exists()
    assert main(["geocode", str(cards_csv), "--out", str(tmp_path / "cards.CSV")]) == 0
    assert (tmp_path / "cards.CSV").read_text(encoding="utf-8-sig").startswith("row,desa_kode,")


def test_plan_and_ops_start_say_why_each_row_is_rejected_in_the_users_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = tmp_path / "kartu.csv"
    argv = ["demo-cards", "--n", "20000", "--kecamatan", "Sukawangi", "--defect-rate", "0.1"]
    assert main([*argv, "--out", str(cards)]) == 0
    assert main(["plan", str(cards), "--out", str(tmp_path / "out"), "--time-limit", "1"]) == 0
    a = pd.read_csv(tmp_path / "out" / "assignments.csv", dtype=str, encoding="utf-8-sig")
    rejected = a[a["status"] == "rejected"]
    assert len(rejected) > 3
    assert rejected["reason"].str.contains("NIK sama dengan baris|alamat kosong|nama kosong").any()
    assert not rejected["reason"].str.contains(r"\b(?:same|empty|must|not)\b").any()
    assert (rejected["reason"].str.split(":").str[0] == rejected["reason_code"]).all()  # codes as they were
    rej = tmp_path / "tolak.csv"
    argv = ["ops", "start", str(cards), "--ledger", str(tmp_path / "l.db"), "--start-date", "2026-09-01"]
    assert main([*argv, "--rejects", str(rej)]) == 0
    r = pd.read_csv(rej, dtype=str, encoding="utf-8-sig")
    assert r["reason"].tolist() == rejected["reason_code"].tolist()
    assert not r["message"].str.contains(r"\b(?:same|empty|must|not)\b").any()
