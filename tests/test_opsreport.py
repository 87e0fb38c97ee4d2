from __future__ import annotations

import json
from datetime import date
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from opsdata import START, started

from ektp_routes._errors import OutputError
from ektp_routes.i18n import messages
from ektp_routes.ledger import Ledger
from ektp_routes.operation import dispatch_day, load_config, load_offices
from ektp_routes.opsreport import (
    DISPATCH_COLUMNS,
    burndown_figure,
    check_dispatch_folder,
    file_stem,
    manifest_form,
    status,
    write_burndown,
    write_dispatch,
    write_returns,
)
from ektp_routes.outcomes import read_outcomes, record_outcomes


def test_dispatch_outputs_list_every_card_once(tmp_path: Path) -> None:
    led = started(tmp_path)
    rep = dispatch_day(led, START)
    out = write_dispatch(led, START, tmp_path / "d1")
    table = pd.read_csv(out["dispatch"], dtype=str, encoding="utf-8-sig")
    assert tuple(table.columns) == DISPATCH_COLUMNS and len(table) == rep.cards
    assert led.counts()["pending"] > 0  # cards never sent out once made the courier column a float
    assert table["courier"].str.fullmatch(r"[1-9][0-9]*").all() and table["sequence"].str.isdigit().all()
    assert table["card_ref"].is_unique and table["stop_id"].str.startswith("PH-321623-20260814-K").all()
    on_manifests = pd.concat(
        pd.read_csv(p, dtype=str, encoding="utf-8-sig")
        for p in sorted((tmp_path / "d1" / "manifests").glob("*.csv"))
    )
    assert sorted(on_manifests["card_ref"]) == sorted(table["card_ref"])
    assert on_manifests["blok"].fillna("").str.len().gt(0).all()  # each stop's block (kampung/perum, RW)
    niks = set(led.cards()["nik"])
    assert set(on_manifests["nik"]) <= niks  # the manifest is the field form: names and NIKs
    for layer in ("routes", "stops", "dispatch"):
        text = out[layer].read_text(encoding="utf-8-sig")
        assert not any(n in text for n in niks), f"{layer} holds a NIK"
    routes = json.loads(out["routes"].read_text())
    assert len(routes["features"]) == rep.courier_days
    assert len(list((tmp_path / "d1" / "manifests").glob("*.pdf"))) == rep.courier_days


def test_dispatch_manifest_lists_cards_as_plan_manifests(tmp_path: Path) -> None:
    led = started(tmp_path)
    dispatch_day(led, START)
    c = led.cards()
    c = c[pd.to_datetime(c["dispatch_date"]).dt.date == START]
    office, courier = str(c["office_id"].iloc[0]), int(c["courier"].min())
    day = c[c["courier"] == courier].sort_values(["sequence", "card_ref"]).reset_index(drop=True)
    first = day["sequence"] == day["sequence"].min()
    assert first.sum() >= 2  # a stop of several cards
    # the stop's cards in card-ref order carry the addresses in reverse address order
    day.loc[first, "alamat"] = [f"Kp. Kandang No. {n}" for n in range(first.sum() + 1, 1, -1)]
    day.loc[first, "block"] = "32.16.23.2005|tempat Kandang|001|002"  # a name with no marker: alone
    day.loc[~first, "block"] = "32.16.23.2005|rw 005|005|001"  # no settlement named: blank
    day.loc[day.index[-1], ["block", "precision"]] = ["32.16.23.2005|kampung Pulo|001|002", "input"]
    (office_obj,) = [o for o in load_offices(led) if o.office_id == office]
    form = manifest_form(
        day.sample(frac=1, random_state=1),
        office_obj,
        courier,
        START,
        load_config(led),
        operation="OP-TEST22",
    )
    rows = form.rows
    assert rows["urutan"].is_monotonic_increasing  # visit order
    head = rows[rows["urutan"] == rows["urutan"].min()]
    assert list(head["alamat"]) == [f"Kp. Kandang No. {n}" for n in range(2, first.sum() + 2)]
    assert list(head["card_ref"]) == sorted(head["card_ref"], reverse=True)  # not card-ref order
    assert set(head["blok"]) == {"Kandang"}  # the plan's settlement column: an unmarked name alone
    assert set(rows["blok"].iloc[len(head) : -1]) == {""}  # where the address names none
    assert rows["blok"].iloc[-1] == ""  # a house: its own address says more
    assert form.note == messages("id")("manifest.order_note")


def test_dispatch_manifest_xlsx_carries_the_order_note_and_reads_back(tmp_path: Path) -> None:
    led = started(tmp_path)
    rep = dispatch_day(led, START)
    write_dispatch(led, START, tmp_path / "d1")
    note = messages("id")("manifest.order_note")
    read = 0
    for path in sorted((tmp_path / "d1" / "manifests").glob("*.xlsx")):
        values = [v for row in load_workbook(path).active.iter_rows(values_only=True) for v in row if v]
        assert note in values
        back = read_outcomes(path)  # the note is no card row
        assert back["card_ref"].str.fullmatch(r"K\d{8}").all()
        read += len(back)
    assert read == rep.cards


def test_dispatch_routes_join_places_once_and_stops_keep_every_stop(tmp_path: Path) -> None:
    led = started(tmp_path)
    dispatch_day(led, START)
    out = write_dispatch(led, START, tmp_path / "d1")
    table = pd.read_csv(out["dispatch"], dtype=str, encoding="utf-8-sig")
    stops = json.loads(out["stops"].read_text())["features"]
    assert sorted(f["properties"]["stop_id"] for f in stops) == sorted(table["stop_id"].unique())
    routes = json.loads(out["routes"].read_text())["features"]
    assert routes and all(f["properties"]["places_only"] for f in routes)  # cards known to their desa
    for f in routes:
        coords = f["geometry"]["coordinates"]
        assert len(coords) >= 2 and all(a != b for a, b in pairwise(coords))
        assert (
            f["properties"]["stops"]
            == table["stop_id"][table["stop_id"].str.startswith(f["properties"]["route_id"])].nunique()
        )


def test_a_dispatch_route_that_never_leaves_its_office_has_no_line(tmp_path: Path) -> None:
    # Cards of Sukabungah only, known to their desa; the placeholder office sits at Sukabungah's point:
    # a line of zero length is invalid geometry for GIS tools, so the route keeps its row, geometry null.
    from opsdata import CONFIG, registry_cards

    from ektp_routes.operation import start_operation

    cards = registry_cards()
    cards = cards[cards["KEL/DESA"].str.replace(" ", "").str.upper().str.endswith("SUKABUNGAH")]
    led = Ledger.open(tmp_path / "ledger.db", create=True)
    start_operation(cards, ledger=led, config_text=CONFIG, start_date=START, source_name="b.csv")
    rep = dispatch_day(led, START)
    routes = json.loads(write_dispatch(led, START, tmp_path / "d1")["routes"].read_text())["features"]
    assert len(routes) == rep.courier_days > 0 and all(f["geometry"] is None for f in routes)


def _fill(path: Path, codes: list[str]) -> None:
    wb = load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[5]]
    for i, code in enumerate(codes, start=6):
        ws.cell(i, header.index("Hasil (kode)") + 1, code)
        ws.cell(i, header.index("Jam") + 1, "10:15")
        ws.cell(i, header.index("Nama penerima") + 1, "Budi")
    wb.save(path)


def test_filled_xlsx_manifest_round_trip_and_status(tmp_path: Path) -> None:
    led = started(tmp_path)
    dispatch_day(led, START)
    write_dispatch(led, START, tmp_path / "d1")
    manifests = sorted((tmp_path / "d1" / "manifests").glob("*.xlsx"))
    _fill(manifests[0], ["DITERIMA", "PINDAH", "TIDAK_DI_RUMAH", "MENINGGAL"])
    rep = record_outcomes(led, [manifests[0]])
    assert rep.applied == 4 and rep.by_outcome == {
        "DITERIMA": 1,
        "PINDAH": 1,
        "TIDAK_DI_RUMAH": 1,
        "MENINGGAL": 1,
    }
    assert {"outcome_empty"} == set(rep.problems["reason"])  # the rows nobody filled in yet
    st = status(led)
    js = st.to_json()
    assert js["states"]["delivered"] == 1 and js["states"]["returned"] == 2 and js["states"]["failed"] == 1
    assert set(js["states"]) == {"pending", "dispatched", "delivered", "failed", "returned"}
    assert sum(js["states"].values()) == 120 and st.days_to_finish is not None
    charts = write_burndown(st, tmp_path / "charts")
    assert charts and charts[0].read_bytes()[:4] == b"\x89PNG"
    # Labelled in the language of the rest of the output (before: always Indonesian).
    oid = str(st.open_per_day.columns[0])
    for lang, title, cards in (("en", "Cards not yet done", "cards"), ("id", "Kartu belum selesai", "kartu")):
        ax = burndown_figure(st.open_per_day[oid], oid, messages(lang)).axes[0]
        assert (ax.get_title(), ax.get_ylabel()) == (f"{title} - {oid}", cards)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_manifest_with_outcomes_typed_in_is_never_written_over(tmp_path: Path, suffix: str) -> None:
    # A clerk types outcomes into the day's manifest where it lies; the day dispatched again into the
    # same folder (outputs rewritten from the ledger) must not erase them before `ops record`.
    led = started(tmp_path)
    dispatch_day(led, START)
    write_dispatch(led, START, tmp_path / "d1")
    write_dispatch(led, START, tmp_path / "d1")  # nothing typed in yet: rewritten
    manifest = sorted((tmp_path / "d1" / "manifests").glob(f"*{suffix}"))[0]
    if suffix == ".xlsx":
        _fill(manifest, ["DITERIMA"])
    else:
        table = pd.read_csv(manifest, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table.loc[0, "hasil"] = "DITERIMA"
        table.to_csv(manifest, index=False, encoding="utf-8-sig")
    typed = manifest.read_bytes()
    with pytest.raises(OutputError, match="1 manifest of 2026-08-14 with outcomes typed in"):
        write_dispatch(led, START, tmp_path / "d1")
    assert manifest.read_bytes() == typed
    assert write_dispatch(led, START, tmp_path / "d2")["manifests"].is_dir()


def _dispatched_csv_with_one_outcome(tmp_path: Path) -> tuple[Ledger, Path, pd.DataFrame]:
    """The day dispatched into d1, one of its CSV manifests and its table with one DITERIMA typed in."""
    led = started(tmp_path)
    dispatch_day(led, START)
    write_dispatch(led, START, tmp_path / "d1")
    manifest = sorted((tmp_path / "d1" / "manifests").glob("*.csv"))[0]
    table = pd.read_csv(manifest, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table.loc[0, "hasil"] = "DITERIMA"
    return led, manifest, table


def test_a_manifest_resaved_with_semicolons_is_never_written_over(tmp_path: Path) -> None:
    # Excel with an Indonesian locale saves CSV with ';': if the manifest cannot be read as one it
    # may hold outcomes, and the re-dispatch refuses rather than erase them.
    led, manifest, table = _dispatched_csv_with_one_outcome(tmp_path)
    table.to_csv(manifest, index=False, sep=";", encoding="utf-8-sig")
    typed = manifest.read_bytes()
    with pytest.raises(OutputError, match="1 manifest of 2026-08-14 with outcomes typed in"):
        write_dispatch(led, START, tmp_path / "d1")
    assert manifest.read_bytes() == typed


def test_a_manifest_with_padded_column_names_is_never_written_over(tmp_path: Path) -> None:
    # " Hasil " is the outcome column to ops record (it cleans column names); so it is here too.
    led, manifest, table = _dispatched_csv_with_one_outcome(tmp_path)
    table.rename(columns={"hasil": " Hasil "}).to_csv(manifest, index=False, encoding="utf-8-sig")
    assert read_outcomes(manifest)["hasil"].eq("DITERIMA").sum() == 1
    with pytest.raises(OutputError, match="1 manifest of 2026-08-14 with outcomes typed in"):
        write_dispatch(led, START, tmp_path / "d1")


@pytest.mark.parametrize("cut", [0, 2])
def test_a_manifest_open_in_excel_is_never_written_over(tmp_path: Path, cut: int) -> None:
    # Excel leaves "~$<name>" beside a workbook it has open (for long names "~$" replaces its first
    # two letters): the clerk may be typing outcomes.
    led = started(tmp_path)
    dispatch_day(led, START)
    write_dispatch(led, START, tmp_path / "d1")
    manifest = sorted((tmp_path / "d1" / "manifests").glob("*.xlsx"))[0]
    lock = manifest.with_name("~$" + manifest.name[cut:])
    lock.write_bytes(b"\x00" * 165)
    before = manifest.read_bytes()
    with pytest.raises(OutputError, match="1 manifest of 2026-08-14 is open in Excel") as err:
        write_dispatch(led, START, tmp_path / "d1")
    assert "close it" in str(err.value) and "not manifests" not in str(err.value)
    assert manifest.read_bytes() == before and lock.exists()
    lock.unlink()  # closed: rewritten
    assert write_dispatch(led, START, tmp_path / "d1")["manifests"].is_dir()


def test_one_file_of_another_day_is_counted_in_the_singular(tmp_path: Path) -> None:
    led = started(tmp_path)
    dispatch_day(led, START)
    (tmp_path / "d1" / "manifests").mkdir(parents=True)
    (tmp_path / "d1" / "manifests" / "manifest_X_20260813_K01.csv").write_text("card_ref,hasil\n")
    with pytest.raises(OutputError, match="holds 1 file that is not a manifest of 2026-08-14"):
        write_dispatch(led, START, tmp_path / "d1")


def test_returns_lists_per_kecamatan(tmp_path: Path) -> None:
    led = started(tmp_path, n=20)
    dispatch_day(led, START)
    refs = led.cards(columns=["card_ref"])["card_ref"][:3]
    f = tmp_path / "h.csv"
    pd.DataFrame(
        {"card_ref": refs, "hasil": ["PINDAH", "MENINGGAL", "DITERIMA"], "waktu": f"{START}T10:00"}
    ).to_csv(f, index=False)
    record_outcomes(led, [f])
    paths = write_returns(led, tmp_path / "ret")
    assert sorted(p.suffix for p in paths) == [".csv", ".pdf", ".xlsx"]
    back = pd.read_csv(next(p for p in paths if p.suffix == ".csv"), dtype=str, encoding="utf-8-sig")
    assert sorted(back["outcome"]) == ["MENINGGAL", "PINDAH"] and back["nik"].str.len().eq(16).all()


def test_file_stems_stay_unique() -> None:
    assert file_stem("PO-1") == "PO-1"
    assert file_stem("KP A") != file_stem("KP/A") and "/" not in file_stem("../x")


def test_no_dispatch_means_empty_outputs(tmp_path: Path) -> None:
    led = started(tmp_path, n=5)
    out = write_dispatch(led, date(2026, 8, 16), tmp_path / "d")
    assert pd.read_csv(out["dispatch"], encoding="utf-8-sig").empty


def test_dispatch_stops_show_the_block_as_manifests_print_it_and_never_a_persons_name(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from ektp_routes.ledger import cards_t

    led = started(tmp_path)
    dispatch_day(led, START)
    c = led.cards()
    c = c[pd.to_datetime(c["dispatch_date"]).dt.date == START]
    # A block whose settlement is a card holder's name in its RT (a ledger from before blocks checked
    # names, or a holder added by a later batch): the stops layer shows its RW instead.
    named = c.groupby("stop_id").filter(lambda g: g["block"].iloc[0].split("|")[1].startswith("kampung "))
    stop = named["stop_id"].iloc[0]
    desa, _, rw, rt = named.loc[named["stop_id"] == stop, "block"].iloc[0].split("|")
    holder = c.loc[(c["desa_kode"] == desa) & (c["rw"] == rw) & (c["rt"] == rt), "nama"].iloc[0]
    with led.transaction() as conn:
        conn.execute(
            sa.update(cards_t)
            .where(cards_t.c.stop_id == stop)
            .values(block=f"{desa}|kampung {holder}|{rw}|{rt}")
        )
    out = write_dispatch(led, START, tmp_path / "d")
    stops = {
        f["properties"]["stop_id"]: f["properties"] for f in json.loads(out["stops"].read_text())["features"]
    }
    assert set(next(iter(stops.values()))) == {
        "stop_id", "route_id", "office_id", "courier", "sequence", "cards", "desa_kode", "desa", "settlement",
        "rw", "rt", "precision",
    }  # fmt: skip
    assert stops[stop]["settlement"] == f"RW {rw}" and (stops[stop]["rw"], stops[stop]["rt"]) == (rw, rt)
    text = out["stops"].read_text(encoding="utf-8")
    assert "|" not in text and not any(n in text for n in led.cards()["nama"])
    # every other stop's settlement is the manifest's (kampung Pulo -> "Kampung Pulo"), or its RW where none
    manifests = pd.concat(
        pd.read_csv(p, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        for p in (tmp_path / "d" / "manifests").glob("*.csv")
    )
    printed = dict(zip(manifests["card_ref"], manifests["blok"], strict=True))
    for sid, grp in c[c["stop_id"] != stop].groupby("stop_id"):
        shown = stops[sid]["settlement"]
        assert shown == printed[grp["card_ref"].iloc[0]] or (
            shown == f"RW {stops[sid]['rw']}" and not printed[grp["card_ref"].iloc[0]]
        )
        assert shown[:1].isupper()


def test_system_files_in_a_day_folder_do_not_refuse_its_dispatch(tmp_path: Path) -> None:
    # Outside review: Windows' Thumbs.db in manifests/ refused `ops dispatch` of the same day again.
    (tmp_path / "manifests").mkdir()
    for name in ("Thumbs.db", "desktop.ini", ".DS_Store"):
        (tmp_path / "manifests" / name).write_text("x")
    check_dispatch_folder(tmp_path, date(2026, 8, 15))
    (tmp_path / "manifests" / "hari lain.xlsx").write_text("x")
    with pytest.raises(OutputError):
        check_dispatch_folder(tmp_path, date(2026, 8, 15))
