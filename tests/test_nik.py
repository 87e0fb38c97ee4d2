from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ektp_routes import read_cards
from ektp_routes.nik import (
    NikOrigin,
    RegionCodes,
    check_nik,
    clean_nik,
    is_nik,
    mask_nik,
    nik_origins,
    nik_reasons,
    nik_sex,
)


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("3216061201900001", ""),
        ("3216065201900001", ""),  # woman: day 12 + 40
        ("3216062902000001", ""),  # 29 Feb 2000
        ("3216062902010001", "nik_date"),  # 29 Feb of a non-leap year
        ("3216063102900001", "nik_date"),  # 31 February
        ("3216061213900001", "nik_date"),  # month 13
        ("3216060012900001", "nik_date"),  # day 0
        ("3216067201900001", "nik_date"),  # day 72 - 40 = 32
        ("3216061201900000", "nik_serial"),
        ("3275061201900001", "nik_region"),  # Kota Bekasi
        ("3216991201900001", "nik_kecamatan_unknown"),
        ("321606120190001", "nik_format"),
        ("32160612019000011", "nik_format"),
        ("32160612O1900001", "nik_format"),
        ("", "nik_missing"),
        ("3.21606E+15", "nik_scientific"),
        ("3,21606E+15", "nik_scientific"),
    ],
)
def test_check_nik(nik: str, reason: str) -> None:
    kec = [f"{i:02d}" for i in range(1, 24)]
    assert check_nik([nik], region="3216", kecamatan_codes=kec) == [reason]


def test_clean_nik_strips_spreadsheet_residue() -> None:
    s = pd.Series(["'3216061201900001", " 3216 0612 0190 0001 ", "3216061201900001.0", "3216.0612.0190.0001"])
    assert clean_nik(s).tolist() == ["3216061201900001"] * 4


def test_a_nik_kept_as_text_by_an_excel_formula_or_quotes_is_read(tmp_path: Path) -> None:
    # ="3216..." is how exports keep a NIK from becoming 3.21606E+15 in Excel; some quote it whole.
    s = pd.Series(['="3216061201900001"', '= "3216061201900001"', "'3216061201900001'", '"3216061201900001"'])
    assert clean_nik(s).tolist() == ["3216061201900001"] * 4
    csv = tmp_path / "kartu.csv"
    csv.write_text(
        "NIK,NAMA,ALAMAT,KEL/DESA,KECAMATAN\n"
        '"=""3216101201900001""",Siti Rahayu,Kp. Pulo RT 001/RW 002,Karang Bahagia,Karang Bahagia\n',
        encoding="utf-8",
    )
    cards = read_cards(csv)
    assert cards.cards["nik"].tolist() == ["3216101201900001"] and not len(cards.rejects)


def test_mask_and_sex() -> None:
    assert mask_nik(pd.Series(["3216061201900001", "123"])).tolist() == ["321606******0001", "***"]
    assert nik_sex("3216065201900001") == "P"
    assert nik_sex("3216061201900001") == "L"


@pytest.mark.parametrize(
    "nik",
    [
        "３２１６０６１２０１９００００１",  # full-width digits
        "٣٢١٦٠٦١٢٠١٩٠٠٠٠١",  # Arabic-Indic digits
        "३२१६०६१२०१९०००० १",  # Devanagari digits
        "3216061201９00001",  # one full-width digit among ASCII ones
    ],
)
def test_only_ascii_digits_are_digits(nik: str) -> None:
    kec = [f"{i:02d}" for i in range(1, 24)]
    assert check_nik([nik], region="3216", kecamatan_codes=kec) == ["nik_format"]
    assert not is_nik(pd.Series([nik])).iloc[0]


def test_a_name_in_the_nik_column_is_masked_whole() -> None:
    masked = mask_nik(
        pd.Series(["Siti Rahayu Binti Ahmad", "32160612019000O1", "３２１６０６１２０１９００００１"])
    )
    assert masked.tolist() == ["*" * 23, "*" * 16, "*" * 16]
    assert mask_nik(pd.Series(["3216061201900001"])).iloc[0] == "321606******0001"


def test_national_code_list() -> None:
    codes = RegionCodes.national()
    assert len(codes.provinces) == 38 and len(codes.regencies) == 514 and len(codes.districts) == 7265
    assert (
        codes.provinces["31"] == "Daerah Khusus Ibukota Jakarta"
        and codes.regencies["3216"] == "Kabupaten Bekasi"
    )
    assert codes.regency_label("3275") == "Kota Bekasi, Jawa Barat (32.75)"
    assert {f"3216{i:02d}" for i in range(1, 24)} <= codes.districts
    assert "99" not in codes.provinces


def test_origins_against_the_national_list() -> None:
    niks = {
        "3216061201900001": NikOrigin.HOME,
        "3216991201900001": NikOrigin.HOME_UNLISTED,  # a kecamatan code Bekasi does not have (today)
        "3175041201900001": NikOrigin.ELSEWHERE,  # Jakarta Timur
        "3275011201900001": NikOrigin.ELSEWHERE,  # Kota Bekasi
        "3299011201900001": NikOrigin.UNLISTED,  # unknown kabupaten under a known province (Jawa Barat)
        "9116011201900001": NikOrigin.UNLISTED,  # a Papua code no longer listed (the 2022 split)
        "9901011201900001": NikOrigin.NOWHERE,
        "32160612019": NikOrigin.NOT_A_NIK,
    }
    got = nik_origins(pd.Series(list(niks)), region="3216", codes=RegionCodes.national())
    assert got.tolist() == list(niks.values())
    # With the national provinces, only a province that exists nowhere is a nik_region reason.
    reasons = nik_reasons(pd.Series(list(niks)), region="3216", provinces=RegionCodes.national().provinces)
    assert reasons.tolist() == ["", "", "", "", "", "", "nik_region", "nik_format"]


def test_the_same_person_in_two_digit_alphabets_is_planned_once() -> None:
    import io

    from ektp_routes import read_cards

    header = "NIK,NAMA,ALAMAT,RT,RW,KEL/DESA,KECAMATAN,KODE POS\n"
    row = ",Siti,Kp. Pulo,1,2,Karangbahagia,Karang Bahagia,17535\n"
    text = header + "3216101201900001" + row + "３２１６１０１２０１９００００１" + row
    res = read_cards(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    assert len(res.cards) == 1 and res.rejects["reason"].tolist() == ["nik_format"]
