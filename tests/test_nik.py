from __future__ import annotations

import pandas as pd
import pytest

from ektp_routes.nik import check_nik, clean_nik, mask_nik, nik_sex


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


def test_mask_and_sex() -> None:
    assert mask_nik(pd.Series(["3216061201900001", "123"])).tolist() == ["321606******0001", "***"]
    assert nik_sex("3216065201900001") == "P"
    assert nik_sex("3216061201900001") == "L"
