from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from opsdata import CONFIG, registry_cards

from ektp_routes.cli import main
from ektp_routes.ledger import Ledger


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    registry_cards().head(60).to_csv("cards.csv", index=False)
    Path("plan.toml").write_text(CONFIG)
    return tmp_path


def test_operation_from_the_command_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "plan.toml",
                 "--start-date", "2026-08-14"]) == 0  # fmt: skip
    assert main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-16", "--out", "d0"]) == 0
    assert "bukan hari kerja" in capsys.readouterr().out and not Path("d0").exists()
    assert (
        main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-14", "--out", "d1", "--workers", "1"])
        == 0
    )
    # The first day has no block served before: the line says so, as a sentence.
    assert "stabilitas wilayah: belum ada (belum ada blok yang pernah dilayani)\n" in capsys.readouterr().out
    sent = pd.read_csv("d1/dispatch.csv", dtype=str, encoding="utf-8-sig")
    pd.DataFrame({"card_ref": sent["card_ref"], "hasil": "DITERIMA", "waktu": "2026-08-14T10:00"}).to_csv(
        "hand.csv", index=False
    )
    assert main(["ops", "record", "hand.csv", "--ledger", "l.db"]) == 0
    assert main(["ops", "record", "hand.csv", "--ledger", "l.db", "--lang", "en"]) == 0
    assert "already recorded, nothing changed" in capsys.readouterr().out
    assert main(["ops", "status", "--ledger", "l.db", "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert js["states"]["delivered"] == len(sent) and sum(js["states"].values()) == 60
    assert main(["ops", "returns", "--ledger", "l.db", "--out", "ret"]) == 0


def test_ops_speaks_indonesian_by_default_and_english_on_request(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = ["ops", "start", "cards.csv", "--config", "plan.toml", "--start-date", "2026-08-14"]
    assert main([*start, "--ledger", "id.db"]) == 0
    assert main([*start, "--ledger", "en.db", "--lang", "en"]) == 0
    started = capsys.readouterr().out
    assert "60 kartu dimuat ke ledger (23 kantor pos; run " in started
    assert "kartu per status: menunggu 60, dibawa kurir 0, diterima 0, gagal 0, dikembalikan 0\n" in started
    assert "loaded 60 cards into the ledger (23 post offices; run " in started
    assert "cards per state: pending 60, dispatched 0, delivered 0, failed 0, returned 0\n" in started
    dispatch = ["ops", "dispatch", "--ledger", "id.db", "--date", "2026-08-14", "--out", "d",
                "--workers", "1"]  # fmt: skip
    assert main(dispatch) == 0
    first = capsys.readouterr().out
    assert re.search(r"^\d+ kartu dikirim ke \d+ titik dalam \d+ hari-kurir \(2026-08-14\)$", first, re.M)
    assert main([*dispatch, "--lang", "en"]) == 0  # the same day again: rewritten from the ledger
    assert (
        capsys.readouterr().out
        == "2026-08-14 was already dispatched: outputs rewritten from the ledger into d\n"
    )
    assert main(["ops", "status", "--ledger", "id.db", "--by", "kecamatan"]) == 0
    indonesian = capsys.readouterr().out
    assert (
        "laju: 0 kartu selesai per hari; hari kerja sampai selesai dengan laju ini: belum diketahui"
        in indonesian
    )
    assert main(["ops", "status", "--ledger", "id.db", "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert "pace: 0 cards closed per day; working days to finish at this pace: unknown" in english
    assert "JUMLAH" in indonesian and "dibawa kurir" in indonesian and "TOTAL" in english
    # Why a day is closed, in the user's language (the holiday's own name stays Indonesian).
    sunday = ["ops", "dispatch", "--ledger", "id.db", "--date", "2026-08-16", "--out", "d0"]
    holiday = ["ops", "dispatch", "--ledger", "id.db", "--date", "2026-08-17", "--out", "d0"]
    assert main(sunday) == 0 and main([*sunday, "--lang", "en"]) == 0
    assert main(holiday) == 0 and main([*holiday, "--lang", "en"]) == 0
    closed = capsys.readouterr().out.splitlines()
    assert closed[0] == "2026-08-16 bukan hari kerja (Minggu bukan hari kerja): tidak ada yang dikirim"
    assert (
        closed[1] == "2026-08-16 is not a working day (Sunday is not a working weekday): nothing dispatched"
    )
    assert closed[2].startswith("2026-08-17 bukan hari kerja (hari libur nasional: Hari ")
    assert closed[3].startswith("2026-08-17 is not a working day (national public holiday: Hari ")
    # A problem row of `ops record` is explained in the user's language, on screen and in the CSV;
    # the CSV's reason column keeps the code.
    ref = pd.read_csv("d/dispatch.csv", dtype=str, encoding="utf-8-sig")["card_ref"].iloc[0]
    Path("hand.csv").write_text(f"card_ref,hasil,waktu\n{ref},HILANG,2026-08-14T10:00\n")
    assert main(["ops", "record", "hand.csv", "--ledger", "id.db", "--problems", "p_id.csv"]) == 0
    recorded = capsys.readouterr().out
    assert f"hand.csv baris 2 {ref}: unknown_outcome (bukan salah satu kode hasil DITERIMA, " in recorded
    Path("hand.csv").write_text(f"card_ref,hasil,waktu\n{ref},HILANG,2026-08-14T10:01\n")  # not seen before
    assert (
        main(["ops", "record", "hand.csv", "--ledger", "id.db", "--problems", "p_en.csv", "--lang", "en"])
        == 0
    )
    recorded_en = capsys.readouterr().out
    assert f"hand.csv row 2 {ref}: unknown_outcome (not one of the outcome codes DITERIMA, " in recorded_en
    for lang, opening in (("id", "bukan salah satu kode hasil"), ("en", "not one of the outcome codes")):
        problems = pd.read_csv(f"p_{lang}.csv", dtype=str, encoding="utf-8-sig")
        assert problems["reason"].tolist() == ["unknown_outcome"]
        assert problems["message"].str.startswith(opening).all()
    # The problems report written into the folder of outcome files is not read back as one of them
    # by the next `ops record` of that folder (review: the second run was refused whole).
    Path("hasil").mkdir()
    Path("hasil/kurir1.csv").write_text(f"card_ref,hasil,waktu\n{ref},HILANG,2026-08-14T10:02\n")
    folder_run = ["ops", "record", "hasil", "--ledger", "id.db", "--problems", "hasil/problems.csv"]
    assert main(folder_run) == 0 and Path("hasil/problems.csv").is_file()
    Path("hasil/kurir2.csv").write_text(f"card_ref,hasil,waktu\n{ref},HILANG,2026-08-14T10:03\n")
    assert main(folder_run) == 0
    assert "kurir2.csv baris 2" in capsys.readouterr().out
    # What a planner reads on the screen names nobody and shows no full NIK.
    cards = pd.read_csv("cards.csv", dtype=str)
    for text in (started, first, indonesian, english, "\n".join(closed), recorded, recorded_en):
        assert not any(nik in text for nik in cards["NIK"]) and not any(n in text for n in cards["NAMA"])


def test_a_dispatch_into_the_folder_of_another_day_is_refused_before_dispatching(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The manifests of 14 August (names, NIKs, perhaps outcomes typed in) must not be mixed with, or
    # lost under, those of the next working day written to the same --out.
    assert main(["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "plan.toml",
                 "--start-date", "2026-08-14"]) == 0  # fmt: skip
    day1 = ["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-14", "--out", "d1", "--workers", "1"]
    assert main(day1) == 0
    before = sorted(p.name for p in Path("d1/manifests").iterdir())
    capsys.readouterr()
    day2 = ["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-18", "--out", "d1", "--workers", "1"]
    assert main(["--lang", "en", *day2]) == 2
    err = capsys.readouterr().err
    assert "manifests of another day" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in Path("d1/manifests").iterdir()) == before
    led = Ledger.open(Path("l.db"))
    sent_on = set(led.cards()["dispatch_date"].dropna().astype(str).str[:10])
    led.close()
    assert sent_on == {"2026-08-14"}  # nothing was dispatched on the 18th
    assert main(day1) == 0  # the same day again is rewritten from the ledger into its folder
    assert main([*day2[:-4], "--out", "d2", "--workers", "1"]) == 0


def test_errors_are_one_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ops", "dispatch", "--ledger", "none.db", "--date", "2026-08-14", "--out", "d"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("galat:") and "ops start" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as info:
        main(["ops", "dispatch", "--ledger", "l.db", "--date", "14/08/2026", "--out", "d"])
    assert info.value.code == 2 and "'14/08/2026' bukan tanggal (YYYY-MM-DD)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["--lang", "en", "ops", "dispatch", "--ledger", "l.db", "--date", "14/08/2026", "--out", "d"])
    assert info.value.code == 2 and "'14/08/2026' is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    assert main(["ops", "start", "cards.csv", "--ledger", "l.db"]) == 2  # first batch without a start date
    assert "--start-date" in capsys.readouterr().err
    assert main(["fleet", "cards.csv", "--couriers", "2", "--first-attempt-failure", "1.5"]) == 2
    assert capsys.readouterr().err == "galat: --first-attempt-failure harus dalam [0, 1)\n"
    assert main(["fleet", "cards.csv", "--couriers", "0"]) == 2
    assert main(["fleet", "cards.csv", "--couriers", "501", "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "galat: --couriers harus 1..500",
        "error: --couriers must be 1..500",
    ]
    assert (
        main(["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "none.toml", "--lang", "en"]) == 2
    )
    assert capsys.readouterr().err == "error: config file none.toml does not exist\n"
    assert main(["ops", "record", "none.csv", "--ledger", "l.db"]) == 2
    assert capsys.readouterr().err == "galat: berkas hasil none.csv tidak ada\n"


def test_plan_with_too_small_a_fleet_says_what_is_missing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("off.csv").write_text(
        "office_id,name,lon,lat,couriers,days,capacity\nKP1,Kantor Pos Uji,107.2,-6.4,1,1,25\n"
    )
    assert (
        main(
            ["--lang", "en", "plan", "cards.csv", "--out", "out", "--offices", "off.csv", "--time-limit", "1"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "FLEET TOO SMALL: 35 cards have no courier-day left" in out and "2 courier-days are missing" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "plan.toml",
         "--start-date", "2026-08-14", "--rejects", "nope/r.csv"],
        ["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-14", "--out", "nope/d"],
        ["ops", "record", "hand.csv", "--ledger", "l.db", "--problems", "nope/p.csv"],
        ["ops", "returns", "--ledger", "l.db", "--out", "nope/r"],
        ["ops", "status", "--ledger", "l.db", "--charts", "nope/c"],
        ["fleet", "cards.csv", "--couriers", "2", "--start-date", "2026-08-14", "--chart", "nope/c.png"],
    ],
    ids=["start-rejects", "dispatch-out", "record-problems", "returns-out", "status-charts", "fleet-chart"],
)  # fmt: skip
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (None, "galat: --{option} nope/{name}: folder {folder} tidak ada; buat dulu foldernya"),
        ("en", "error: --{option} nope/{name}: the directory {folder} does not exist; create it first"),
    ],
    ids=["default-id", "en"],
)
def test_a_missing_output_directory_is_refused_not_created(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], lang: str | None, said: str
) -> None:
    Path("hand.csv").write_text("card_ref,hasil,waktu\n")
    if argv[:2] != ["ops", "start"]:
        assert main(["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "plan.toml",
                     "--start-date", "2026-08-14"]) == 0  # fmt: skip
        capsys.readouterr()
    assert main(argv + (["--lang", lang] if lang else [])) == 2
    err = capsys.readouterr().err
    option, name = next((a[2:], b[5:]) for a, b in itertools.pairwise(argv) if b.startswith("nope/"))
    assert err == said.format(option=option, name=name, folder=workdir / "nope") + "\n"
    assert not Path("nope").exists()


@pytest.mark.parametrize(
    ("lang", "said"), [("id", "-1 negatif; beri 0 atau lebih"), ("en", "-1 is negative")]
)
def test_record_show_must_not_be_negative(
    workdir: Path, capsys: pytest.CaptureFixture[str], lang: str, said: str
) -> None:
    Path("hand.csv").write_text("card_ref,hasil,waktu\n")
    with pytest.raises(SystemExit) as info:
        main(["ops", "record", "hand.csv", "--ledger", "l.db", "--show", "-1", "--lang", lang])
    assert info.value.code == 2 and said in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "cards.csv", "--start-date", "0001-01-01"],
        ["ops", "start", "cards.csv", "--ledger", "l.db", "--start-date", "1999-12-31"],
        ["ops", "dispatch", "--ledger", "l.db", "--date", "2101-01-01", "--out", "d"],
        ["fleet", "cards.csv", "--finish-by", "9999-12-31", "--start-date", "2026-08-14"],
    ],
    ids=["plan", "ops-start", "ops-dispatch", "fleet"],
)
@pytest.mark.parametrize(
    ("lang", "said"),
    [("id", "tanggal yang diterima dari 2000-01-01 sampai 2100-12-31"),
     ("en", "allowed a date from 2000-01-01 to 2100-12-31")],
)  # fmt: skip
def test_dates_outside_2000_to_2100_are_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], lang: str, said: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*argv, "--lang", lang])
    err = capsys.readouterr().err
    assert info.value.code == 2 and said in err and "Traceback" not in err


def _started_and_dispatched() -> pd.DataFrame:
    """The workdir's cards started in ledger l.db and dispatched on their first day into d/: its
    dispatch.csv."""
    start = ["ops", "start", "cards.csv", "--config", "plan.toml", "--start-date", "2026-08-14"]
    assert main([*start, "--ledger", "l.db"]) == 0
    assert main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-14", "--out", "d"]) == 0
    return pd.read_csv("d/dispatch.csv", dtype=str, encoding="utf-8-sig")


def test_record_refuses_a_handheld_file_of_another_operation_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = _started_and_dispatched()
    ours = Ledger.open("l.db").operation_id()
    hand = sent[["operation_id", "route_id", "card_ref"]].assign(hasil="DITERIMA", waktu="2026-08-14T10:00")
    hand.assign(operation_id="OP-ZZZZZZ").to_csv("hand.csv", index=False)
    capsys.readouterr()
    assert main(["ops", "record", "hand.csv", "--ledger", "l.db"]) == 2
    assert main(["ops", "record", "hand.csv", "--ledger", "l.db", "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"galat: hand.csv milik operasi OP-ZZZZZZ, bukan operasi ini ({ours}): catat dengan ledger operasi "
        "itu (tidak ada yang dicatat)",
        f"error: hand.csv belongs to operation OP-ZZZZZZ, not to this one ({ours}): record it with that "
        "operation's ledger (nothing was recorded)",
    ]
    hand.to_csv("hand.csv", index=False)  # the operation's own file is recorded
    assert main(["ops", "record", "hand.csv", "--ledger", "l.db"]) == 0
    assert f"{len(hand)} hasil pengantaran dicatat" in capsys.readouterr().out


def test_record_of_an_empty_or_header_only_file_says_so_in_the_users_language(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "plan.toml",
                 "--start-date", "2026-08-14"]) == 0  # fmt: skip
    Path("kosong.csv").write_text("")
    Path("judul.csv").write_text("operation_id,route_id,card_ref,hasil,waktu\n")
    capsys.readouterr()
    assert main(["ops", "record", "kosong.csv", "--ledger", "l.db"]) == 2
    assert capsys.readouterr().err.startswith(
        "galat: kosong.csv kosong: berkas hasil berisi baris judul kolom"
    )
    assert main(["ops", "record", "judul.csv", "--ledger", "l.db", "--lang", "en"]) == 0
    assert (
        "judul.csv: no outcome rows (a header only?); nothing recorded from it\n" in capsys.readouterr().out
    )


def test_record_reads_a_folder_of_outcome_files_and_refuses_an_empty_one(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = _started_and_dispatched()
    Path("kosong").mkdir()
    Path("kosong/.DS_Store").write_bytes(b"\x00")
    capsys.readouterr()
    assert main(["ops", "record", "kosong", "--ledger", "l.db"]) == 2
    assert main(["ops", "record", "kosong", "--ledger", "l.db", "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "galat: kosong tidak berisi berkas hasil (.csv, .xlsx, atau .txt dengan kolom card_ref dan hasil): "
        "berikan folder berkas perangkat genggam "
        "atau manifes, atau berkasnya sendiri",
        "error: kosong holds no outcome file (.csv, .xlsx, or .txt with the columns card_ref and hasil): "
        "give the folder of the handheld or manifest "
        "files, or the files themselves",
    ]
    Path("hasil").mkdir()
    hand = sent[["operation_id", "route_id", "card_ref"]].assign(hasil="DITERIMA", waktu="2026-08-14T10:00")
    half = len(hand) // 2
    hand.iloc[:half].to_csv("hasil/a.csv", index=False)
    hand.iloc[half:].to_csv("hasil/b.csv", index=False)
    Path("hasil/Thumbs.db").write_bytes(b"\x00")
    assert main(["ops", "record", "hasil", "--ledger", "l.db", "--lang", "en"]) == 0
    assert f"recorded {len(hand)} outcomes; 0 rows repeated" in capsys.readouterr().out
    assert main(["ops", "status", "--ledger", "l.db", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["states"]["delivered"] == len(hand)


def test_dispatch_and_ledger_refusals_speak_the_users_language(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = ["ops", "record", "hand.csv", "--ledger", "none.db"]
    Path("hand.csv").write_text("card_ref,hasil,waktu\n")
    assert main(record) == 2 and main([*record, "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "galat: ledger none.db tidak ada: buat dengan `ektp-routes ops start`",
        "error: ledger none.db does not exist: create it with `ektp-routes ops start`",
    ]
    assert main(["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "plan.toml",
                 "--start-date", "2026-08-14"]) == 0  # fmt: skip
    assert main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-14", "--out", "d"]) == 0
    capsys.readouterr()
    other_day = ["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-15", "--out", "d"]
    assert main(other_day) == 2 and main([*other_day, "--lang", "en"]) == 2
    err = capsys.readouterr().err.splitlines()
    n = len(list(Path("d/manifests").iterdir()))
    assert err == [
        f"galat: --out d: folder manifests-nya berisi {n} berkas yang bukan manifes tanggal 2026-08-15 "
        "(manifes hari lain?); beri setiap hari foldernya sendiri, mis. hari/2026-08-15",
        f"error: --out d: its manifests folder holds {n} files that are not manifests of 2026-08-15 "
        "(the manifests of another day?); give each day its own folder, e.g. hari/2026-08-15",
    ]
    assert main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-13", "--out", "e"]) == 2
    assert capsys.readouterr().err == "galat: 2026-08-13 sebelum awal operasi (2026-08-14)\n"


def test_a_dispatch_that_sends_nothing_says_the_day_stays_open(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry_cards().head(30).to_csv("cards.csv", index=False)
    assert main(["ops", "start", "cards.csv", "--ledger", "l.db", "--config", "plan.toml",
                 "--start-date", "2026-08-14"]) == 0  # fmt: skip
    assert main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-14", "--out", "d1"]) == 0
    capsys.readouterr()
    assert (
        main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-15", "--out", "d2", "--lang", "en"])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "dispatched 0 cards at 0 stops on 0 courier-days (2026-08-15)",
        "nothing went out on 2026-08-15: the day stays open and can be dispatched again (after recording "
        "the outcomes of the cards out for delivery)",
    ]
    assert "out for delivery without an outcome yet: 30" in out[3]
    sent = pd.read_csv("d1/dispatch.csv", dtype=str, encoding="utf-8-sig")
    sent[["card_ref"]].assign(hasil="DITERIMA", waktu="2026-08-14T10:00").to_csv("hand.csv", index=False)
    assert main(["ops", "record", "hand.csv", "--ledger", "l.db"]) == 0
    capsys.readouterr()
    assert (
        main(["ops", "dispatch", "--ledger", "l.db", "--date", "2026-08-18", "--out", "d3", "--lang", "en"])
        == 0
    )
    out = capsys.readouterr().out.splitlines()  # every card delivered: nothing to record first
    assert out[1] == "nothing went out on 2026-08-18: the day stays open and can be dispatched again"


def test_a_config_that_is_not_utf8_text_is_refused_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("bad.toml").write_bytes(b"\xff\xfe[operation]\x00")
    Path("bom.toml").write_bytes(b"\xef\xbb\xbf" + CONFIG.encode())
    for cmd in (["ops", "start", "cards.csv", "--ledger", "l.db", "--start-date", "2026-08-14"],
                ["fleet", "cards.csv", "--couriers", "2"]):  # fmt: skip
        assert main([*cmd, "--config", "bad.toml", "--lang", "en"]) == 2
        assert capsys.readouterr().err == "error: config file bad.toml cannot be read: UnicodeDecodeError\n"
    assert main(["ops", "start", "cards.csv", "--ledger", "l.db", "--start-date", "2026-08-14",
                 "--config", "bom.toml"]) == 0  # fmt: skip
    assert Ledger.open("l.db").counts()["pending"] == 60


def test_fleet_chart_follows_lang(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The chart beside an English table was labelled in Indonesian.
    import ektp_routes.fleet

    labels: list[str] = []
    draw = ektp_routes.fleet.curve_figure

    def spy(*args: object, **kwargs: object) -> object:
        fig = draw(*args, **kwargs)  # type: ignore[arg-type]
        labels.append(fig.axes[0].get_xlabel())
        return fig

    monkeypatch.setattr(ektp_routes.fleet, "curve_figure", spy)
    argv = ["fleet", "cards.csv", "--config", "plan.toml", "--couriers", "1", "--start-date", "2026-08-14"]
    assert main([*argv, "--chart", "c.png", "--lang", "en"]) == 0
    assert "chart: c.png" in capsys.readouterr().out
    assert labels == ["couriers per post office"] and Path("c.png").read_bytes()[:4] == b"\x89PNG"
