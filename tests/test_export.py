"""Writing a plan: files and their columns (from ektp_routes.schema), manifests, escaping."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd

from ektp_routes import schema
from ektp_routes.config import ServiceTimes
from ektp_routes.export import escape_frame, escape_spreadsheet, manifest_sheets, write_plan
from ektp_routes.i18n import messages
from ektp_routes.network import NetworkRecord, StraightLineNetwork
from ektp_routes.report import assemble


def _written(plan_parts, out: Path):  # type: ignore[no-untyped-def]
    cards, stops, scoped, office, res = plan_parts
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    return plan, write_plan(plan, out, with_map=False)


def test_files_have_the_schema_columns(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, files = _written(plan_parts, tmp_path)
    asg = pd.read_csv(files["assignments"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert tuple(asg.columns) == schema.ASSIGNMENTS
    assert list(asg["reason"]) == ["", "", asg.loc[2, "reason"], asg.loc[3, "reason"]]
    assert asg.loc[3, "reason"].startswith("beyond_shift: ") and asg.loc[3, "reason_code"] == "beyond_shift"
    summary = pd.read_csv(files["summary"], encoding="utf-8-sig")
    # Headings in Bahasa Indonesia by default (English, the schema's names, with lang="en").
    assert tuple(summary.columns) == tuple(messages("id").columns(schema.SUMMARY).values())
    assert summary.columns[0] == "kode_kantor" and "hari_kurir" in summary.columns
    routes = json.loads(files["routes"].read_text())["features"]
    assert tuple(routes[0]["properties"]) == schema.ROUTE_FEATURE
    stops = json.loads(files["stops"].read_text())["features"]
    assert all(tuple(f["properties"]) == schema.STOP_FEATURE for f in stops)
    offices = json.loads(files["offices"].read_text())["features"]
    assert tuple(offices[0]["properties"]) == schema.OFFICE_FEATURE


def test_offices_record_what_the_plan_was_made_with(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Service times and the travel network on the office features; null where none was recorded."""
    cards, stops, scoped, office, res = plan_parts
    rec = NetworkRecord.of(StraightLineNetwork(profile="bicycle", circuity=1.4))
    parts = (cards, stops, scoped, [office], {"PO1": res})
    plan = assemble(*parts, network_is_straight=True, service=ServiceTimes(15, 30), network=rec)
    props = json.loads(write_plan(plan, tmp_path, with_map=False)["offices"].read_text())["features"][0]
    p = props["properties"]
    assert (p["service_base_s"], p["service_per_card_s"]) == (15, 30)
    assert (p["network"], p["network_profile"], p["network_circuity"]) == ("straight", "bicycle", 1.4)
    assert p["network_fingerprint"] == rec.fingerprint and p["network_max_snap_m"] is None
    unrecorded = assemble(*parts, network_is_straight=True)
    props = json.loads(write_plan(unrecorded, tmp_path, with_map=False)["offices"].read_text())["features"][0]
    p = props["properties"]
    assert (p["service_base_s"], p["service_per_card_s"], p["network"]) == (60, 45, None)


def test_each_planned_card_on_exactly_one_manifest(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan, files = _written(plan_parts, tmp_path)
    sheets = list(manifest_sheets(plan))
    assert [rid for rid, _ in sheets] == ["PO1-K01-H02"]
    _, sheet = sheets[0]
    assert tuple(sheet.columns) == schema.MANIFEST
    assert list(sheet["Urutan"]) == [1, 2] and list(sheet["Perkiraan Tiba"]) == ["08:01", "08:04"]
    on_files = pd.concat(
        pd.read_csv(f, dtype=str, encoding="utf-8-sig") for f in sorted(files["manifests"].glob("*.csv"))
    )
    planned = plan.cards.cards.merge(plan.assignments[plan.assignments.status == "planned"], on="row")
    assert sorted(on_files["NIK"]) == sorted(planned["nik"])
    assert len(list(files["manifests"].glob("*.xlsx"))) == 1


def test_escaping_formulas() -> None:
    assert escape_spreadsheet("=1+1") == "'=1+1" and escape_spreadsheet("Siti") == "Siti"
    assert escape_spreadsheet(5) == 5
    df = escape_frame(pd.DataFrame({"a": ["@SUM(A1)", "x"], "n": [1, 2]}))
    assert list(df["a"]) == ["'@SUM(A1)", "x"] and list(df["n"]) == [1, 2]


def test_english_outputs_and_every_view(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cards, stops, scoped, office, res = plan_parts
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    files = write_plan(plan, tmp_path, lang="en")
    summary = pd.read_csv(files["summary"], encoding="utf-8-sig")
    assert tuple(summary.columns) == schema.SUMMARY
    sheet = pd.read_csv(next(files["manifests"].glob("*.csv")), encoding="utf-8-sig")
    assert list(sheet.columns[:4]) == ["Order", "Expected arrival", "NIK", "Name"]
    for name in ("plan.gpkg", "plan.qgz", "map.html", "report.html", "report.pdf", "chart_workload.png"):
        assert (tmp_path / name).stat().st_size > 1000, name
    assert "Cards not planned, by reason" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_manifest_headings_in_bahasa_are_the_schema() -> None:
    from ektp_routes.export import _MANIFEST_KEYS

    t = messages("id")
    assert tuple(t(f"manifest.{k}") for k in _MANIFEST_KEYS) == schema.MANIFEST


def test_control_characters_in_names_do_not_break_the_xlsx(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    cards, stops, scoped, office, res = plan_parts
    cards.cards.loc[0, "nama"] = "Siti\x01\x0b Aminah"
    cards.cards.loc[1, "alamat"] = "Kp.\x1f Pulo"
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    files = write_plan(plan, tmp_path, with_map=False)
    (xlsx,) = files["manifests"].glob("*.xlsx")
    names = [c.value for c in openpyxl.load_workbook(xlsx).active["D"]]
    assert "Siti Aminah" in names


def test_replanning_replaces_the_manifests_whole(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stale = tmp_path / "manifests" / "manifest_OLD-K01-H01.csv"
    stale.parent.mkdir()
    stale.write_text("NIK,Nama\n3216061201900009,Orang Lama\n")
    _written(plan_parts, tmp_path)
    assert sorted(p.name for p in (tmp_path / "manifests").iterdir()) == [
        "manifest_PO1-K01-H02.csv",
        "manifest_PO1-K01-H02.xlsx",
    ]
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_xlsx_holds_the_table_as_text_numbers_and_blanks(tmp_path: Path) -> None:
    import openpyxl

    from ektp_routes.export import write_xlsx

    df = pd.DataFrame(
        {
            "Urutan": [1, 2, 3],
            "NIK": ["3216061201900009", "0032160612019000", "3216061201900010"],
            "Nama": ['=HYPERLINK("http://x")', "Siti\x01 Aminah", "http://example.org"],
            "Jam": ["08:01", None, "1e5"],
            "km": [1.5, float("nan"), 2.0],
        }
    )
    path = write_xlsx(df, tmp_path / "m.xlsx", sheet="PO1-K01-H02")
    book = openpyxl.load_workbook(path)
    ws = book["PO1-K01-H02"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["Urutan", "NIK", "Nama", "Jam", "km"]
    assert rows[1] == [1, "3216061201900009", '\'=HYPERLINK("http://x")', "08:01", 1.5]
    # NIKs stay text (leading zeros kept), control characters go, NA is an empty cell, "1e5" stays text.
    assert rows[2] == [2, "0032160612019000", "Siti Aminah", None, None]
    assert rows[3] == [3, "3216061201900010", "http://example.org", "1e5", 2.0]
    assert all(ws.cell(r, 3).data_type == "s" for r in (2, 3, 4))  # text, never a formula or a link
    assert not ws._hyperlinks


def test_manifest_csv_is_byte_for_byte_what_pandas_writes(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cards, stops, scoped, office, res = plan_parts
    cards.cards.loc[0, "nama"] = "=cmd|' /C calc'!A0"  # a name a spreadsheet would run
    cards.cards.loc[1, "alamat"] = 'Kp. "Pulo", Gg. 3'  # quotes and a comma
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    files = write_plan(plan, tmp_path, with_map=False)
    for rid, sheet in manifest_sheets(plan):
        expected = tmp_path / "expected.csv"
        escape_frame(sheet).to_csv(expected, index=False, encoding="utf-8-sig")
        written = files["manifests"] / f"manifest_{rid}.csv"
        assert written.read_bytes() == expected.read_bytes()
        assert b"'=cmd" in written.read_bytes()


def test_a_full_disk_while_writing_manifests_is_one_clear_error(
    plan_parts, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import errno

    import pytest

    import ektp_routes.export as export
    from ektp_routes._errors import OutputError

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "_xlsx_file", full)
    cards, stops, scoped, office, res = plan_parts
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    with pytest.raises(OutputError, match="disk full"):
        write_plan(plan, tmp_path, with_map=False)
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_a_block_visit_lists_its_households_in_address_order() -> None:
    # A block is walked door to door: the courier reads its cards house by house, in house-number
    # order, the cards of one house together (not in the order of the registry's rows).
    from _plans import registry_plan

    numbered = 0
    for _, sheet in manifest_sheets(registry_plan()):
        for _, visit in sheet.groupby("Titik", sort=False):
            text = visit["Alamat"].str.replace(r"(?i)\s*\bRT\b.*$", "", regex=True).str.upper()
            blok = text.str.extract(r"\bBLOK ([A-Z]+)(\d+)").fillna({0: "", 1: "0"})
            number = text.str.extract(r"\bNO\.?\s*(\d+)", expand=False)
            house = [(b, int(k), int(n)) for b, k, n in zip(blok[0], blok[1], number, strict=True) if n == n]
            numbered += len(house) > 1
            assert house == sorted(house)
            assert (text.ne(text.shift()).cumsum().groupby(text).nunique() == 1).all()
    assert numbered >= 5


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def test_block_windows_of_one_visit_follow_one_another() -> None:
    # A visit walks several blocks of one settlement: their windows are consecutive, never "09:00-11:29"
    # then "10:45-11:29"; every block (its households unseen) has a window, not a minute-exact time.
    from _plans import registry_plan

    plan = registry_plan()
    visits_of_several_blocks = 0
    for rid, sheet in manifest_sheets(plan):
        stops = sheet.drop_duplicates("Titik")
        windows = [tuple(_minutes(x) for x in w.split("-")) for w in stops["Perkiraan Tiba"]]
        assert all(len(w) == 2 and w[0] <= w[1] for w in windows), rid
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(windows)), rid
        visit = plan.stops.set_index("stop_id").loc[stops["Titik"], "visit"]
        visits_of_several_blocks += int((visit.value_counts() > 1).sum())
    assert visits_of_several_blocks >= 3


def test_a_stop_recorded_at_the_door_has_a_time_not_a_window() -> None:
    # Precision "field" (a courier's handheld at the door) is a house, as the summary and the map say.
    import dataclasses

    from _plans import registry_plan

    plan = registry_plan()
    at_door = dataclasses.replace(plan, stops=plan.stops.assign(precision="field", doors=1.0))
    times = pd.concat([sheet["Perkiraan Tiba"] for _, sheet in manifest_sheets(at_door)])
    assert len(times) and times.str.fullmatch(r"\d\d:\d\d").all()
    windows = pd.concat([sheet["Perkiraan Tiba"] for _, sheet in manifest_sheets(plan)])
    assert windows.str.contains("-").all()  # the same stops as blocks: windows


def test_each_row_names_its_settlement_and_rw_rt() -> None:
    from _plans import registry_plan

    plan = registry_plan()
    stops = plan.stops.set_index("stop_id")
    rows = 0
    for _, sheet in manifest_sheets(plan):
        stop = stops.loc[sheet["Titik"]]
        assert (sheet["Kampung/Perumahan"].str.lower() == stop["place"].str.lower().to_numpy()).all()
        assert sheet["Kampung/Perumahan"].str.match(r"^(Kampung|Perumahan|Dusun|Gang|Jalan|Blok|RW) ").all()
        assert (sheet["RW"].to_numpy() == stop["rw"].to_numpy()).all()
        assert (sheet["RT"].to_numpy() == stop["rt"].to_numpy()).all()
        rows += len(sheet)
    assert rows == int((plan.assignments["status"] == "planned").sum()) > 0


def test_the_settlement_column_shows_a_name_only_where_the_address_names_one() -> None:
    # Blocks with no settlement in their address are known by their RW ("rw 002"), and an unmarked name
    # is of kind "tempat": the courier reads neither as a place name, so the column is blank and the
    # name stands alone.
    from _plans import offices

    from ektp_routes.plan import PlanConfig, plan_file
    from ektp_routes.synthetic import synthetic_cards

    df = synthetic_cards(191_000, seed=4, kecamatan=["Bojongmangu"]).head(300)
    df = df.drop(columns=["defect", "true_lon", "true_lat", "household_id", "true_desa_kode"])
    df["ALAMAT"] = df["ALAMAT"].str.replace(r"(?i)^kp\. babakan", "Babakan", regex=True)
    df["ALAMAT"] = df["ALAMAT"].str.replace(r"(?i)^kp\. jati", "No. 3", regex=True)
    plan = plan_file(df, config=PlanConfig(workers=1).with_options(time_limit_s=1), offices=offices()[:1])
    rows = pd.concat([sheet for _, sheet in manifest_sheets(plan)], ignore_index=True)
    place = rows["Kampung/Perumahan"]
    assert not place.str.match(r"(?i)^(rw|tempat)\b").any()
    assert set(place[rows["Alamat"].str.startswith("Babakan")]) == {"Babakan"}
    assert set(place[rows["Alamat"].str.startswith("No. 3")]) == {""}
    assert place.str.match(r"^(Kampung|Perumahan) ").sum() > 0


def test_the_xlsx_says_the_courier_walks_nearest_door_first(tmp_path: Path) -> None:
    import openpyxl
    from _plans import registry_plan

    for lang, words in (("id", "pintu terdekat"), ("en", "nearest door first")):
        files = write_plan(registry_plan(), tmp_path / lang, with_map=False, lang=lang)
        xlsx = sorted(files["manifests"].glob("*.xlsx"))
        assert xlsx
        for path in xlsx:
            rows = [[c.value for c in r] for r in openpyxl.load_workbook(path).active.iter_rows()]
            assert words in rows[0][0] and rows[0][0] == messages(lang)("manifest.order_note")
            assert rows[2][:3] == [messages(lang)(f"manifest.{k}") for k in ("sequence", "arrival", "nik")]
        csv = pd.read_csv(files["manifests"] / (xlsx[0].stem + ".csv"), encoding="utf-8-sig")
        assert csv.columns[0] == messages(lang)("manifest.sequence")  # the CSV stays one plain table


def test_routes_geojson_of_a_registry_plan_has_no_zero_length_spokes(tmp_path: Path) -> None:
    # 30 blocks on 6 desa points: the line visits each place once in a row; stops.geojson keeps each block.
    from _plans import registry_plan

    plan = registry_plan()
    files = write_plan(plan, tmp_path, with_map=False)
    routes = json.loads(files["routes"].read_text())["features"]
    assert len(routes) == len(plan.routes) and all(f["properties"]["places_only"] for f in routes)
    vertices = 0
    for f in routes:
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        assert all(a != b for a, b in itertools.pairwise(coords)), f["properties"]["route_id"]
        vertices += len(coords)
    assert vertices < sum(f["properties"]["stops"] + 2 for f in routes)  # office, stops, office: fewer
    stops = json.loads(files["stops"].read_text())["features"]
    assert sum(1 for f in stops if f["properties"]["route_id"]) == plan.routes["stops"].sum()


def test_routes_geojson_gives_a_route_that_never_leaves_its_office_no_line(tmp_path: Path) -> None:
    # Its blocks all at its office's desa point: a zero-length LineString is invalid GeoJSON geometry for
    # GIS tools; the feature keeps its properties with geometry null (RFC 7946 allows it).
    from _plans import one_place_plan

    plan = one_place_plan()
    files = write_plan(plan, tmp_path, with_map=True)
    routes = json.loads(files["routes"].read_text())["features"]
    assert [f["properties"]["route_id"] for f in routes] == plan.routes["route_id"].astype(str).tolist()
    assert routes and all(f["geometry"] is None for f in routes)


def test_a_card_left_out_is_told_why_in_the_plans_language(plan_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cards, stops, scoped, office, res = plan_parts
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    reasons = {}
    for lang in ("id", "en"):
        files = write_plan(plan, tmp_path / lang, with_map=False, lang=lang)
        asg = pd.read_csv(files["assignments"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
        reasons[lang] = asg.loc[3, "reason"]
    assert reasons["id"] == "beyond_shift: " + messages("id")("reason.beyond_shift")
    assert (
        reasons["en"] == "beyond_shift: " + plan.assignments.loc[3, "reason_message"]
    )  # the library's sentence
