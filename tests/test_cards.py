from __future__ import annotations

import logging
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ektp_routes import (
    ConfigError,
    InputFileError,
    MissingColumnError,
    ValidationRules,
    read_cards,
)
from ektp_routes.cards import (
    CARD_COLUMNS,
    CHECKS,
    REASONS,
    WARNING_COLUMNS,
    check_consistency,
    check_nik_duplicates,
    check_row_structure,
    prepare,
    validate,
)
from ektp_routes.reader import map_columns, read_table, table_from_frame
from ektp_routes.regions import Gazetteer
from ektp_routes.schema import CardWarning, RejectReason

HEADER = ["NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA", "KECAMATAN", "KODE POS"]
GOOD = [
    [
        "3216101201900001",
        "Siti Rahayu",
        "Kp. Pulo RT 001/RW 002",
        "1",
        "2",
        "Ds. Karang Bahagia",
        "KARANG BAHAGIA",
        "17535",
    ],
    [
        "3216105505850002",
        "Dewi Lestari",
        "Kp. Pulo",
        "003",
        "002",
        "Karangbahagia",
        "Kec. Karang Bahagia",
        "",
    ],
    [
        "3216061201900003",
        "Budi Santoso",
        "Jl. Mawar No. 3 RT.4 RW.7",
        "",
        "",
        "Mekarsari",
        "Tambun Selatan",
        "17510",
    ],
]


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=HEADER)


def test_good_rows_accepted_with_resolved_desa() -> None:
    res = read_cards(_frame(GOOD))
    assert len(res.cards) == 3 and len(res.rejects) == 0
    c = res.cards.set_index("row")
    assert c.loc[1, "desa_kode"] == "32.16.10.2005"
    assert c.loc[2, "kodepos"] == "17535"  # filled from the desa
    assert (c.loc[1, "rt"], c.loc[1, "rw"]) == ("001", "002")
    assert (c.loc[3, "rt"], c.loc[3, "rw"]) == ("004", "007")  # from the address text
    assert c.loc[3, "kecamatan"] == "Tambun Selatan"


def test_rt_rw_read_from_a_short_n_m_in_the_address_when_the_columns_are_empty() -> None:
    rows = [list(r) for r in GOOD]
    rows[2][2] = "Kp. Babakan Kaler 4/7"  # no RT/RW columns filled: only the address says it
    rows[1][2:5] = ["Jl. Mawar No. 12/3", "", ""]  # a house number, not RT/RW
    c = read_cards(_frame(rows)).cards.set_index("row")
    assert (c.loc[3, "rt"], c.loc[3, "rw"]) == ("004", "007")
    assert (c.loc[2, "rt"], c.loc[2, "rw"]) == ("", "")
    assert c.loc[2, "alamat"] == "Jl. Mawar No. 12/3"


@pytest.mark.parametrize(
    ("rt", "rw", "alamat", "expected"),
    [
        ("003/005", "", "Kp. Pulo", ("003", "005")),  # both in the RT column, RW column empty
        ("RT 3 RW 5", "", "Kp. Pulo", ("003", "005")),
        ("RW 5 / RT 3", "", "Kp. Pulo", ("003", "005")),  # the other order only when labelled
        ("3-5", "", "Kp. Pulo", ("003", "005")),
        ("", "003/005", "Kp. Pulo", ("003", "005")),  # both in the RW column
        ("003/005", "007", "Kp. Pulo", ("003", "007")),  # the RW column says otherwise: it wins
        ("", "", "Kp. Pulo RT003RW005", ("003", "005")),  # glued, in the address only
        ("", "5", "Kp. Kobak RT 1", ("001", "005")),  # an RT alone in the address
        ("1", "", "Kp. Ciketing Udik RW 5", ("001", "005")),  # an RW alone in the address
        ("3.0", "5.0", "Kp. Pulo", ("003", "005")),  # numbers a spreadsheet wrote as floats
        ("3,00", "5", "Kp. Pulo", ("003", "005")),
        ("000", "000", "Kp. Pulo RT 003/RW 005", ("003", "005")),  # zeros written for unknown
        ("000/000", "", "Kp. Pulo", ("", "")),  # no RT 0 or RW 0 exists: unknown, not a block "000"
        ("0", "5", "Kp. Pulo", ("", "005")),
        ("3216101201900001", "5", "Kp. Pulo RT 3", ("003", "005")),  # a NIK pasted in: not RT 321
    ],
)
def test_rt_rw_from_combined_cells_and_any_spelling_in_the_address(
    rt: str, rw: str, alamat: str, expected: tuple[str, str]
) -> None:
    rows = [list(GOOD[1])]
    rows[0][2:5] = [alamat, rt, rw]
    c = read_cards(_frame(rows)).cards
    assert (c.loc[0, "rt"], c.loc[0, "rw"]) == expected


def test_rt_rw_from_the_address_when_the_list_has_no_rt_rw_columns() -> None:
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[0][2], rows[1][2] = "Kp. Pulo RT003RW005", "Kp. Pulo R.T 002 R.W 004"
    frame = _frame(rows).drop(columns=["RT", "RW"])
    c = read_cards(frame).cards
    assert list(zip(c["rt"], c["rw"], strict=True)) == [("003", "005"), ("002", "004")]


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"NIK": "321610120190001"}, "nik_format", "nik"),
        ({"NIK": "3.21610E+15"}, "nik_scientific", "nik"),
        ({"NIK": ""}, "nik_missing", "nik"),
        ({"NIK": "9975101201900009"}, "nik_region", "nik"),  # province 99 exists nowhere
        ({"NIK": "３２１６１０１２０１９０００９"}, "nik_format", "nik"),  # full-width digits are not digits
        ({"NIK": "٣٢١٦١٠١٢٠١٩٠٠٠٠٩"}, "nik_format", "nik"),  # nor are Arabic-Indic ones
        ({"NIK": "3216101213900009"}, "nik_date", "nik"),
        ({"NAMA": "  "}, "nama_empty", "nama"),
        ({"NAMA": "3216101201900077"}, "nama_not_a_name", "nama"),  # a NIK pasted in the name column
        ({"NAMA": "12345"}, "nama_not_a_name", "nama"),
        ({"NAMA": "-1+1"}, "nama_not_a_name", "nama"),
        ({"ALAMAT": ""}, "alamat_empty", "alamat"),
        ({"KEL/DESA": ""}, "desa_empty", "desa"),
        ({"KEL/DESA": "Antah Berantah"}, "desa_unknown", "desa"),
        (
            {"KEL/DESA": "Sirnajaya (Sirnajati)", "KECAMATAN": "", "KODE POS": "", "NIK": "3216211201900009"},
            "desa_ambiguous",
            "desa",
        ),
        ({"KECAMATAN": "Setu"}, "kecamatan_mismatch", "kecamatan"),
        ({"KODE POS": "99999"}, "kodepos_invalid", "kodepos"),
    ],
)
def test_each_rejection_reason(change: dict[str, str], reason: str, field: str) -> None:
    bad = dict(zip(HEADER, GOOD[0], strict=True))
    bad["NIK"] = "3216101201900009"
    bad.update(change)
    res = read_cards(_frame([GOOD[1], list(bad.values())]))
    assert len(res.cards) == 1
    rej = res.rejects.iloc[0]
    assert (rej.row, rej.reason, rej.field) == (2, reason, field)
    assert reason in REASONS
    assert rej.message


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"NIK": "3275101201900009"}, "nik_region", "nik"),
        ({"NIK": "3216991201900009"}, "nik_kecamatan_unknown", "nik"),
        ({"NIK": "3216061201900009"}, "nik_kecamatan_mismatch", "nik"),
        ({"KODE POS": "17510"}, "kodepos_mismatch", "kodepos"),
    ],
)
def test_strict_rules_reject_what_the_default_accepts_with_a_warning(
    change: dict[str, str], reason: str, field: str
) -> None:
    bad = dict(zip(HEADER, GOOD[0], strict=True))
    bad["NIK"] = "3216101201900009"
    bad.update(change)
    rows = _frame([GOOD[1], list(bad.values())])
    strict = read_cards(rows, rules=ValidationRules.strict())
    assert list(zip(strict.rejects.row, strict.rejects.reason, strict.rejects.field, strict=True)) == [
        (2, reason, field)
    ]
    lenient = read_cards(rows)
    assert len(lenient.cards) == 2 and lenient.rejects.empty
    w = lenient.warnings
    assert w.row.tolist() == [2] and w.field.tolist() == [field]
    assert w.code.iloc[0] == ("nik_out_of_region" if reason == "nik_region" else reason)


def test_duplicate_nik_rejects_the_later_row() -> None:
    rows = [GOOD[0], GOOD[1], GOOD[0]]
    res = read_cards(_frame(rows))
    assert res.rejects.row.tolist() == [3]
    assert res.rejects.reason.tolist() == ["nik_duplicate"]
    assert "row 1" in res.rejects.message.iloc[0]


def test_all_problems_listed_and_primary_first() -> None:
    bad = ["12", "", "", "", "", "Antah", "Setu", "1"]
    res = read_cards(_frame([bad]))
    probs = res.rejects.problems.iloc[0].split(";")
    assert probs[0] == res.rejects.reason.iloc[0] == "nik_format"
    assert {"nama_empty", "alamat_empty", "desa_unknown"} <= set(probs)


def test_policies_can_downgrade_to_warnings() -> None:
    row = list(GOOD[0])
    row[0] = "3216061201900001"  # NIK from Tambun Selatan, lives in Karang Bahagia (moved)
    row[7] = "17510"
    res = read_cards(_frame([row]))
    assert len(res.cards) == 1
    w = res.warnings
    assert w.columns.tolist() == list(WARNING_COLUMNS)
    assert set(zip(w.code, w.field, strict=True)) == {
        ("kodepos_mismatch", "kodepos"),
        ("nik_kecamatan_mismatch", "nik"),
    }
    assert (w.row == 1).all() and w.message.str.len().gt(0).all()
    assert res.warning_counts().to_dict() == {"kodepos_mismatch": 1, "nik_kecamatan_mismatch": 1}
    with pytest.raises(ConfigError):
        ValidationRules(kodepos_mismatch="ignore")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="nik_region"):
        ValidationRules(nik_region="maybe")  # type: ignore[arg-type]


def _write_csv(
    path: Path, rows: list[list[str]], *, sep: str = ",", encoding: str = "utf-8", header: list[str] = HEADER
) -> Path:
    text = "\n".join(sep.join(f'"{c}"' if sep in c else c for c in r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def test_rt_rw_combined_and_coordinates(tmp_path: Path) -> None:
    header = ["NIK", "NAMA", "ALAMAT", "RT/RW", "DESA", "KECAMATAN", "LAT", "LON"]
    rows = [
        [
            "3216101201900001",
            "A",
            "Kp. Pulo",
            "003/005",
            "Karangbahagia",
            "Karang Bahagia",
            "-6.1964",
            "107.2011",
        ],
        [
            "3216101201900002",
            "B",
            "Kp. Pulo",
            "3 5",
            "Karangbahagia",
            "Karang Bahagia",
            "107.2011",
            "-6.1964",
        ],
        ["3216101201900003", "C", "Kp. Pulo", "", "Karangbahagia", "Karang Bahagia", "abc", ""],
    ]
    res = read_cards(_write_csv(tmp_path / "c.csv", rows, header=header))
    c = res.cards
    assert c.rt.tolist()[:2] == ["003", "003"] and c.rw.tolist()[:2] == ["005", "005"]
    assert c.lon.iloc[0] == pytest.approx(107.2011) and c.lat.iloc[0] == pytest.approx(-6.1964)
    assert c.lon.iloc[1] == pytest.approx(107.2011)  # swapped back
    assert pd.isna(c.lon.iloc[2])
    w = res.warnings
    assert list(zip(w.row, w.code, strict=True)) == [(2, "coordinates_swapped"), (3, "coordinates_invalid")]


def test_missing_column_error_says_what_to_pass(tmp_path: Path) -> None:
    header = ["NIK", "NAMA", "Alamat Domisili", "RT", "RW", "KEL/DESA", "KECAMATAN", "KODE POS"]
    path = _write_csv(tmp_path / "c.csv", GOOD, header=header)
    with pytest.raises(MissingColumnError) as err:
        read_cards(path)
    msg = str(err.value)
    assert "'alamat'" in msg and "Alamat Domisili" in msg and "columns=" in msg
    assert len(read_cards(path, columns={"Alamat Domisili": "alamat"}).cards) == 3


def test_unrecognised_desa_column_is_named_and_the_address_searched(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    header = ["NIK", "NAMA", "ALAMAT", "RT", "RW", "Wilayah Desa", "KECAMATAN", "KODE POS"]
    rows = [list(r) for r in GOOD]
    rows[0][2] = "Kp. Pulo RT 001/RW 002, Karangbahagia"  # the address names its desa
    path = _write_csv(tmp_path / "c.csv", rows, header=header)
    res = read_cards(path)
    assert "Wilayah Desa" in caplog.text and "columns=" in caplog.text
    assert res.cards.row.tolist() == [1] and res.cards.desa_match.tolist() == ["address"]
    assert res.rejects.reason.tolist() == ["desa_empty", "desa_empty"]
    assert (res.rejects.message == "desa/kelurahan is empty and the address names none").all()
    assert len(read_cards(path, columns={"Wilayah Desa": "desa"}).cards) == 3


def test_xlsx_with_numeric_nik(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([3216101201900001, *GOOD[0][1:]])  # exact number, last digit not 0: recoverable
    ws.append([3216105505850000, *GOOD[1][1:]])  # Excel-truncated (15 significant digits): rejected
    ws.append([GOOD[2][0], *GOOD[2][1:]])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    res = read_cards(path)
    assert res.cards.nik.tolist() == ["3216101201900001", "3216061201900003"]
    assert res.rejects.reason.tolist() == ["nik_scientific"]


def test_broken_rows_are_rejected_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    lines = [
        ",".join(HEADER),
        ",".join(GOOD[0]),
        ",".join(GOOD[1][:5]),
        ",".join(GOOD[2]) + ",extra,x",
        ",".join(GOOD[2][:2]) + "," + "x" * 5000 + "," + ",".join(GOOD[2][3:]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = read_cards(path)
    assert res.n_rows == 4
    assert res.rejects.set_index("row").reason.to_dict() == {
        2: "row_fields",
        3: "row_fields",
        4: "cell_too_long",
    }


@pytest.mark.parametrize(
    ("content", "match"),
    [(b"", "empty"), (b"\x00\x01\x02\x03garbage" * 10, "binary"), (b"NIK,NAMA\n", "required column")],
)
def test_unreadable_files_give_one_clear_error(tmp_path: Path, content: bytes, match: str) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=match):
        read_cards(p)


def test_csv_with_semicolons_and_header_variants(tmp_path: Path) -> None:
    header = ["No NIK", "Nama Lengkap", "Alamat", "RT", "RW", "Desa/Kelurahan", "Kec", "KD POS"]
    res = read_cards(_write_csv(tmp_path / "c.csv", GOOD, sep=";", encoding="cp1252", header=header))
    assert len(res.cards) == 3 and res.column_map["desa"] == "Desa/Kelurahan"
    assert res.cards.columns.tolist() == list(CARD_COLUMNS)


def test_header_only_gives_empty_result(tmp_path: Path) -> None:
    res = read_cards(_write_csv(tmp_path / "c.csv", []))
    assert res.n_rows == 0 and res.cards.empty and res.rejects.empty


def test_names_and_niks_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rows = [*GOOD, ["3216101201900001", "Siti Rahayu", "", "", "", "Antah", "Setu", ""]]
    res = read_cards(_frame(rows))
    assert caplog.records  # the reader does log its counts
    text = caplog.text
    for r in rows:
        assert r[0] not in text and r[1] not in text
    assert not res.rejects.astype(str).apply(lambda c: c.str.contains("Siti")).any().any()
    assert not res.rejects.astype(str).apply(lambda c: c.str.contains("3216101201900001")).any().any()


def test_dataframe_with_float_coordinates() -> None:
    df = _frame(GOOD).assign(lon=[107.2011, 107.2012, 107.05], lat=[-6.1964, -6.1965, -6.25])
    c = read_cards(df).cards
    assert c.lon.tolist() == [107.2011, 107.2012, 107.05]
    assert c.lat.tolist() == [-6.1964, -6.1965, -6.25]
    assert read_cards(df).warnings.empty


def _rows(rows: list[list[str]], gaz: Gazetteer, rules: ValidationRules | None = None):  # type: ignore[no-untyped-def]
    raw = table_from_frame(_frame(rows))
    return prepare(raw, map_columns(list(raw.frame.columns)), gaz, rules or ValidationRules())


def test_a_check_alone_says_which_rows_fail_and_why(gaz: Gazetteer) -> None:
    rows = [GOOD[0], GOOD[1], GOOD[0], GOOD[2], GOOD[0]]
    (dup,) = check_nik_duplicates(_rows(rows, gaz))
    assert dup.rows.tolist() == [False, False, True, False, True]
    assert (dup.field, dup.reason, dup.rejects) == ("nik", RejectReason.NIK_DUPLICATE, True)
    assert dup.messages().tolist() == ["same NIK as row 1", "same NIK as row 1"]


def test_consistency_check_returns_reasons_and_follows_the_rules(gaz: Gazetteer) -> None:
    row = list(GOOD[0])
    row[0], row[6], row[7] = "3216061201900001", "Kecamatan Antah", "17510"
    strict = {f.reason: f for f in check_consistency(_rows([row], gaz, ValidationRules.strict()))}
    assert set(strict) == {
        RejectReason.KODEPOS_MISMATCH,
        RejectReason.NIK_KECAMATAN_MISMATCH,
        CardWarning.KECAMATAN_UNKNOWN,
    }
    assert strict[RejectReason.KODEPOS_MISMATCH].rejects and not strict[CardWarning.KECAMATAN_UNKNOWN].rejects
    assert not {f.reason: f for f in check_consistency(_rows([row], gaz))}[
        RejectReason.KODEPOS_MISMATCH
    ].rejects


def test_structure_findings_from_a_broken_file(tmp_path: Path, gaz: Gazetteer) -> None:
    path = tmp_path / "c.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(GOOD[0][:3]) + "\n", encoding="utf-8")
    raw = read_table(path)
    rows = prepare(raw, map_columns(list(raw.frame.columns)), gaz, ValidationRules())
    fields, long = check_row_structure(rows)
    assert fields.rows.tolist() == [True] and fields.messages().tolist() == ["row has 3 fields, header has 8"]
    assert not long.rows.any()


def test_fold_without_a_check_accepts_what_only_it_rejects(gaz: Gazetteer) -> None:
    rows = _rows([GOOD[0], GOOD[0]], gaz)
    assert validate(rows).rejects.reason.tolist() == ["nik_duplicate"]
    fewer = tuple(c for c in CHECKS if c is not check_nik_duplicates)
    assert len(validate(rows, fewer).cards) == 2


def test_out_of_region_niks_are_accepted_with_a_warning_and_counted() -> None:
    rows = [list(r) for r in GOOD]
    rows[0][0] = "3175041201900001"  # issued in Jakarta Timur: moved to Bekasi, kept the NIK
    rows[1][0] = "3275015505850002"  # Kota Bekasi
    res = read_cards(_frame(rows))
    assert len(res.cards) == 3 and res.rejects.empty
    w = res.warnings.set_index("row")
    assert w.code.to_dict() == {1: "nik_out_of_region", 2: "nik_out_of_region"}
    assert (
        w.message[1] == "NIK issued in Kota Administrasi Jakarta Timur, Daerah Khusus Ibukota Jakarta (31.75)"
    )
    assert res.warning_counts().to_dict() == {"nik_out_of_region": 2}
    assert "warning nik_out_of_region: 2" in res.summary()
    # A code missing from today's list under a known province (retired by a split) is only a warning;
    # a province that exists nowhere is rejected.
    rows[2][0] = "3299061201900003"
    assert (
        read_cards(_frame(rows))
        .warnings.set_index("row")
        .message[3]
        .endswith("not in the current national list)")
    )
    rows[2][0] = "9906061201900003"
    assert read_cards(_frame(rows)).rejects.message.tolist() == [
        "NIK province code 99 exists nowhere in Indonesia"
    ]


def test_desa_from_the_address_when_the_column_is_empty_or_holds_a_kecamatan() -> None:
    rows = [list(r) for r in GOOD]
    rows[0][2], rows[0][5] = "Kp. Pulo RT 001/RW 002, Karangsatu", ""  # empty desa, desa in the address
    rows[1][2:7] = ["Kp. Pulo, Jatireja", "", "", "Cikarang Timur", "Cikarang Timur"]  # the kecamatan twice
    rows[2][2], rows[2][5] = "Jl. Mawar No. 3", "Tambun Selatan"  # a kecamatan, and no desa in the address
    res = read_cards(_frame(rows))
    c = res.cards.set_index("row")
    assert c.desa.to_dict() == {1: "Karangsatu", 2: "Jatireja"}
    assert (c.desa_match == "address").all() and (c.desa_confidence < 1).all()
    assert res.warnings.query("code == 'desa_from_address'").row.tolist() == [1, 2]
    rej = res.rejects.iloc[0]
    assert (rej.row, rej.reason) == (3, "desa_unknown")
    assert (
        rej.message
        == "'Tambun Selatan' is a kecamatan, not a desa/kelurahan, and the address names no desa in it"
    )
    assert "Mawar" not in res.rejects.to_string()  # addresses are personal data


def test_export_without_desa_column_refuses_ambiguity() -> None:
    df = _frame(GOOD).drop(columns=["KEL/DESA", "RT", "RW"])
    df["ALAMAT"] = ["Kp. Pulo, Karangsatu", "Kp. Pulo, Karangsatu, Karangsetia", "Jl. Mawar No. 3, Mekarsari"]
    res = read_cards(df)
    assert res.cards.row.tolist() == [1, 3] and res.cards.desa.tolist() == ["Karangsatu", "Mekarsari"]
    assert res.rejects.reason.tolist() == ["desa_ambiguous"]
    assert "Karangsatu" in res.rejects.message.iloc[0] and "Karangsetia" in res.rejects.message.iloc[0]


def test_hint_preferred_candidate_is_accepted_with_a_warning() -> None:
    row = list(GOOD[0])
    row[0], row[5], row[6], row[7] = "3216221201900001", "Sirnajaya", "Cibarusah", ""
    res = read_cards(_frame([row]))
    assert res.cards.desa.tolist() == ["Sirnajati"] and res.cards.desa_matched.tolist() == ["Sirnajati"]
    assert res.warnings.code.tolist() == ["desa_hint_preferred"]
    assert "Sirnajaya (Serang Baru" in res.warnings.message.iloc[0]


def test_a_name_in_the_nik_column_never_reaches_the_rejects() -> None:
    row = list(GOOD[0])
    row[0] = "Siti Rahayu"
    res = read_cards(_frame([row]))
    assert set(res.rejects.nik_masked.iloc[0]) == {"*"}
    assert "Siti" not in res.rejects.to_string() and "Rahayu" not in res.rejects.to_string()


def test_a_nik_pasted_into_another_column_is_masked_wherever_it_is_repeated() -> None:
    """A NIK pasted one column off (into desa, kecamatan or kode pos, the row still of full width):
    the rejects and warnings quote what was written, with the NIK masked as in ``nik_masked``."""
    rows = [list(GOOD[0]) for _ in range(3)]
    nik = ["3216101201900001", "3216101201900002", "3216101201900003"]
    for r, n in zip(rows, nik, strict=True):
        r[0] = n
    rows[0][5] = nik[0]  # desa
    rows[1][7] = nik[1]  # kode pos
    rows[2][6] = f"Kec. {nik[2]}"  # kecamatan: accepted with a warning
    res = read_cards(_frame(rows))
    assert res.rejects.reason.tolist() == ["desa_unknown", "kodepos_invalid"]
    assert len(res.cards) == 1 and len(res.warnings) > 0
    text = res.rejects.to_csv() + res.warnings.to_csv()
    assert not any(n in text for n in nik), text
    assert "'321610******0001' matches no known name" in res.rejects.message.iloc[0]
    assert res.rejects.desa_input.iloc[0] == "321610******0001"


def test_a_name_typed_into_the_desa_or_kecamatan_column_is_masked_wherever_it_is_repeated() -> None:
    """A row of full width whose name was typed (or pasted) into its desa or kecamatan column: the
    rejects and warnings quote what was written, with the row's name masked."""
    rows = [list(r) for r in GOOD]
    rows[0][1] = rows[0][5] = "Wulandari Kusumastuti"  # desa: rejected as unknown
    rows[1][1], rows[1][5] = "Yohanes Sihombing", "YOHANES SIHOMBING Karangbahagia"  # desa: rejected
    rows[2][1] = rows[2][6] = "Bonifasius Tarigan"  # kecamatan: accepted with a warning
    res = read_cards(_frame(rows))
    assert res.rejects.reason.tolist() == ["desa_unknown", "desa_unknown"]
    assert len(res.cards) == 1 and "kecamatan_unknown" in res.warnings.code.tolist()
    text = (res.rejects.to_csv() + res.warnings.to_csv()).lower()
    for word in ("wulandari", "kusumastuti", "yohanes", "sihombing", "bonifasius", "tarigan"):
        assert word not in text, text
    assert res.rejects.desa_input.tolist() == ["********* ***********", "******* ********* Karangbahagia"]
    assert res.rejects.message.iloc[0].startswith("'********* ***********' matches no known name")


def test_another_card_holders_name_in_the_desa_or_kecamatan_column_is_masked_but_place_names_are_not() -> (
    None
):
    """A family member's name typed into the desa column, or a row whose name and desa are swapped: the
    words of any card holder's name in the list are masked where the cell is quoted, except words of a
    known desa or kecamatan name, which stay readable."""
    rows = [list(GOOD[i % 3]) for i in range(6)]
    for i, r in enumerate(rows):
        r[0] = r[0][:-1] + str(i + 1)
    rows[0][1] = "Wulandari Kusumastuti"
    rows[1][5] = "Wulandari Kusumastuti"  # row 2: a family member's name as its desa; rejected
    rows[2][1], rows[2][5] = "Karang Bahagia", "Maria Tarigan"  # row 3: name and desa swapped; rejected
    rows[3][1], rows[3][6] = "Yosef Tarigan", "Wulandari Sihombing"  # row 4: kecamatan; a warning
    rows[4][1] = "Maria Sihombing"
    rows[5][5], rows[5][6] = "Karang Bahagia", "Tambun Selatan"  # row 6: a real desa, wrong kecamatan
    res = read_cards(_frame(rows))
    rej = res.rejects.set_index("row")
    assert rej.reason.to_dict() == {2: "desa_unknown", 3: "desa_unknown", 6: "kecamatan_mismatch"}
    assert rej.desa_input.to_dict() == {2: "********* ***********", 3: "***** *******", 6: "Karang Bahagia"}
    assert rej.message[2].startswith("'********* ***********' matches no known name; closest: ")
    assert rej.message[3].startswith("'***** *******' matches no known name; closest: ")
    assert "Karang Bahagia, not Tambun Selatan" in rej.message[6]
    assert rej.kecamatan_input[6] == "Tambun Selatan"
    assert 4 in res.cards.row.tolist() and "kecamatan_unknown" in res.warnings.code.tolist()
    text = (res.rejects.to_csv() + res.warnings.to_csv()).lower()
    for word in ("wulandari", "kusumastuti", "maria", "tarigan", "sihombing"):
        assert word not in text, text


def test_a_shifted_row_never_repeats_its_cells(tmp_path: Path) -> None:
    # One extra leading field moves the name under NIK and the address under KEL/DESA's neighbours.
    path = tmp_path / "c.csv"
    shifted = ["17", *GOOD[0]]
    path.write_text(
        ",".join(HEADER) + "\n" + ",".join(GOOD[1]) + "\n" + ",".join(shifted) + "\n", encoding="utf-8"
    )
    res = read_cards(path)
    rej = res.rejects.iloc[0]
    assert (rej.row, rej.reason) == (2, "row_fields")
    assert rej.desa_input == "" and rej.kecamatan_input == ""
    text = res.rejects.to_string()
    for cell in ("Siti", "Rahayu", "Pulo", "3216101201900001"):
        assert cell not in text


def test_a_name_of_digits_is_rejected_without_quoting_them() -> None:
    bad = list(GOOD[0])
    bad[0], bad[1] = "3216101201900009", "3216101201907777"
    good_name = list(GOOD[1])
    good_name[1] = "Budi 2"  # digits beside letters are still a name
    res = read_cards(_frame([good_name, bad]))
    assert res.cards.row.tolist() == [1]
    rej = res.rejects.iloc[0]
    assert (rej.reason, rej.field) == ("nama_not_a_name", "nama")
    assert "7777" not in " ".join(str(v) for v in rej.to_numpy())


def test_an_overlong_cell_of_a_dataframe_is_rejected_like_one_of_a_file() -> None:
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[1][1] = "A" * 100_000
    res = read_cards(_frame(rows))
    assert res.cards.row.tolist() == [1]
    assert res.rejects[["row", "reason"]].values.tolist() == [[2, "cell_too_long"]]


def test_two_name_columns_with_other_cells_are_refused_not_half_read(tmp_path: Path) -> None:
    p = tmp_path / "dup.csv"
    p.write_text("NIK,NAMA,NAMA,ALAMAT,KEL/DESA\n3216101201900001,,Siti Rahayu,Kp. Pulo,Karang Bahagia\n")
    with pytest.raises(InputFileError, match="'NAMA' appears 2 times") as err:
        read_cards(p)
    assert "Siti" not in str(err.value)
    chosen = read_cards(p, columns={"NAMA.1": "nama"})
    assert chosen.cards.nama.tolist() == ["Siti Rahayu"]


def test_a_file_without_a_desa_column_is_said_in_the_console_language(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from ektp_routes.i18n import ConsoleFormatter, messages

    p = tmp_path / "kartu.csv"
    p.write_text("NIK,NAMA,ALAMAT,KETERANGAN\n3216061201900001,Siti Aminah,Kp. Pulo RT 001/002 Sukawangi,-\n")
    with caplog.at_level(logging.WARNING, logger="ektp_routes.cards"):
        read_cards(p)
    (record,) = [r for r in caplog.records if r.name == "ektp_routes.cards"]
    said = ConsoleFormatter(messages("id")).format(record)
    assert said.startswith(
        "PERINGATAN ektp_routes.cards: kartu.csv: tidak ada kolom desa/kelurahan yang dikenali "
        "(kolom tak terpakai: ['KETERANGAN']); desa dicari di teks alamat."
    ), said
    assert "Siti" not in said and "3216061201900001" not in said
    assert record.getMessage().startswith("kartu.csv: no desa/kelurahan column recognised")


# Words of the English messages that no Bahasa Indonesia message holds.
_ENGLISH = re.compile(r"\b(is|are|not|the|must|found|same|empty|matches|lies|has|holds|row|address|used)\b")


def test_why_each_row_is_rejected_or_warned_is_told_in_the_language_asked_for_codes_unchanged() -> None:
    bad = [list(GOOD[0]) for _ in range(10)]
    bad[1][0] = bad[0][0]  # nik_duplicate
    bad[2][0] = "321610120190001x"  # nik_format, with another character
    bad[3][1] = ""  # nama_empty
    bad[4][2] = ""  # alamat_empty
    bad[5][5] = "Kotabaru Permai"  # desa_unknown (with the closest names)
    bad[6][6] = "Cikarang Pusat"  # kecamatan_mismatch
    bad[7][7] = "13532"  # kodepos_invalid
    bad[8][0] = "9916101201900009"  # a province that exists nowhere: nik_region
    bad[9][0] = "3275101201900010"  # issued in Kota Bekasi: a warning
    for i, row in enumerate(bad[1:9], start=2):
        row[0] = row[0][:-2] + f"{i:02d}" if i not in (2, 3) else row[0]
    en, id_ = read_cards(_frame(bad)), read_cards(_frame(bad), lang="id")
    same = ["row", "field", "reason", "problems", "nik_masked"]
    pd.testing.assert_frame_equal(en.rejects[same], id_.rejects[same])
    wanted = (
        "nik_duplicate nik_format nama_empty alamat_empty desa_unknown kecamatan_mismatch kodepos_invalid"
    )
    assert sorted(en.rejects["reason"]) == sorted([*wanted.split(), "nik_region"])
    said = dict(zip(id_.rejects["reason"], id_.rejects["message"], strict=True))
    assert said["nik_duplicate"] == "NIK sama dengan baris 1"
    assert said["nik_format"] == "NIK harus tepat 16 digit, ditemukan 15 digit dan karakter lain"
    assert said["kecamatan_mismatch"].startswith("desa Karangbahagia terletak di kecamatan Karang Bahagia")
    assert "yang paling mirip" in said["desa_unknown"]
    assert [m for m in id_.rejects["message"] if _ENGLISH.search(m)] == []
    assert dict(zip(en.rejects["reason"], en.rejects["message"], strict=True))["nik_duplicate"] == (
        "same NIK as row 1"  # the library's default stays English
    )
    warned = id_.warnings.set_index("code")["message"]
    assert warned["nik_out_of_region"].startswith("NIK diterbitkan di ")
    pd.testing.assert_frame_equal(en.warnings[["row", "code"]], id_.warnings[["row", "code"]])
    with pytest.raises(ConfigError, match="choose one of id, en"):
        read_cards(_frame(GOOD), lang="fr")


def test_subtotal_rows_between_the_desa_are_left_out_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A registry office's export with a JUMLAH row under each desa: those rows are no card (before, each
    # was counted in and rejected). A card with a strange name, and a card without its NIK, stay cards.
    header = "NIK,NAMA,ALAMAT,RT,RW,KEL/DESA,KECAMATAN,KODE POS"
    lines = [
        header,
        "3216101201900001,Siti Rahayu,Kp. Pulo,001,002,Karang Bahagia,Karang Bahagia,17535",
        "JUMLAH DESA KARANG BAHAGIA,,,,,,,1",
        "3216101201900002,Ani Lestari,Kp. Pulo,001,002,Karang Bahagia,Karang Bahagia,17535",
        ",,,,,,,1",  # a count alone
        ",Sub Total,,,,,,2",
        "3216101201900003,TOTAL,Kp. Pulo,001,002,Karang Bahagia,Karang Bahagia,17535",  # a strange name
        ",Total Sari,Kp. Pulo,001,002,Karang Bahagia,Karang Bahagia,17535",  # a card without its NIK
        ",,,,,Karang Bahagia Total,,2",  # as Excel's Subtotal command writes it
        "JUMLAH,,,,,,,4",  # the totals row ending the list (left out as before)
    ]
    path = tmp_path / "kartu.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        res = read_cards(path)
    assert res.cards["row"].tolist() == [1, 3, 6] and res.rejects["row"].tolist() == [7]
    assert res.rejects["reason"].tolist() == ["nik_missing"]
    assert res.subtotal_rows == (2, 4, 5, 8) and res.n_rows == 4
    said = [r.getMessage() for r in caplog.records if "subtotal" in r.getMessage()]
    assert said == [
        "kartu.csv: 4 subtotal row(s) between the cards (JUMLAH, SUB TOTAL, a count alone; no NIK), "
        "not cards: left out (rows 2, 4, 5, 8 below the header)"
    ]
    assert res.cards.loc[res.cards["row"] == 6, "nama"].tolist() == ["TOTAL"]


def test_a_kecamatan_of_another_kabupaten_that_is_the_niks_own_rejects_the_row() -> None:
    # Sukadami is a desa of Cikarang Selatan; Cibinong a kecamatan of Kabupaten Bogor (32.01.01).
    base = ["", "Siti Rahayu", "Perum. Citra Lestari Blok E6 No. 52", "1", "1", "Sukadami", "", ""]
    rows = []
    for nik, kec in (
        ("3201015303860001", "Kec. CIBINONG"),  # the NIK's own kecamatan, outside: rejected
        ("3216195303860002", "Cibinong"),  # a Bekasi NIK: an unknown kecamatan, a warning only
        ("3201015303860003", "Cikarang Selatan"),  # moved in: the kecamatan is the desa's
        ("3201025303860004", "Cibinong"),  # a NIK of another Bogor kecamatan: not judged here
    ):
        row = list(base)
        row[0], row[6] = nik, kec
        rows.append(row)
    for lang, said in (
        ("en", "the address lies outside the kabupaten"),
        ("id", "alamat berada di luar kabupaten"),
    ):
        res = read_cards(_frame(rows), lang=lang)
        assert res.rejects["row"].tolist() == [1] and res.cards["row"].tolist() == [2, 3, 4]
        reject = res.rejects.iloc[0]
        assert reject["reason"] == RejectReason.KECAMATAN_MISMATCH and said in reject["message"]
        assert "Kabupaten Bogor" in reject["message"] and "Siti" not in reject["message"]
    warned = res.warnings.groupby("row")["code"].apply(set)
    assert CardWarning.KECAMATAN_UNKNOWN in warned[2] and CardWarning.KECAMATAN_UNKNOWN in warned[4]
