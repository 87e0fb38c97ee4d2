"""NIK (Nomor Induk Kependudukan) checks, vectorised over a whole card list.

A NIK has 16 digits: ``PP KK CC DDMMYY SSSS`` - province, kabupaten/kota, kecamatan, the birth date
(day + 40 for women) and a serial number. Only the structure can be checked offline; whether a NIK
was really issued is known to Dukcapil alone.

Example
-------
>>> check_nik(["3216061201900001", "3216065212900002", "32160612019", "3.21606E+15"], region="3216")
['', '', 'nik_format', 'nik_scientific']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

_SCIENTIFIC = re.compile(r"^\s*\d(?:[.,]\d+)?[eE][+]?\d+\s*$")
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

#: Reason codes produced here, with a human message for each.
NIK_REASONS = {
    "nik_missing": "NIK is empty",
    "nik_scientific": (
        "NIK was stored as a number in scientific notation by a spreadsheet and has lost its last digits; "
        "re-export the NIK column formatted as text"
    ),
    "nik_format": "NIK must be exactly 16 digits",
    "nik_region": "NIK region code is not that of this kabupaten",
    "nik_kecamatan_unknown": "NIK kecamatan code is not a kecamatan of this kabupaten",
    "nik_date": "NIK date part is not a real date (DDMMYY, day + 40 for women)",
    "nik_serial": "NIK serial number (last 4 digits) is 0000",
}


def clean_nik(values: pd.Series) -> pd.Series:
    """Strip what spreadsheets add around a NIK: spaces, dots, a leading apostrophe, a trailing ".0"."""
    s = values.fillna("").astype(str).str.strip()
    s = s.str.lstrip("'`")
    s = s.str.replace(r"^(\d{16})\.0+$", r"\1", regex=True)
    return s.str.replace(r"[\s.\-]", "", regex=True).where(~s.str.match(_SCIENTIFIC), s)


def check_nik(
    values: Sequence[str] | pd.Series, *, region: str, kecamatan_codes: Sequence[str] | None = None
) -> list[str]:
    """Reason code per NIK ("" when structurally valid). ``region`` is the 4-digit PPKK prefix."""
    s = clean_nik(pd.Series(list(values), dtype=object) if not isinstance(values, pd.Series) else values)
    return nik_reasons(s, region=region, kecamatan_codes=kecamatan_codes).tolist()


def nik_reasons(nik: pd.Series, *, region: str, kecamatan_codes: Sequence[str] | None = None) -> pd.Series:
    """Vectorised :func:`check_nik` on cleaned NIK strings; returns a Series of reason codes."""
    nik = nik.astype(object).fillna("").astype(str)
    out = pd.Series("", index=nik.index, dtype=object)
    empty = nik.eq("")
    sci = nik.str.match(_SCIENTIFIC) & ~empty
    well = nik.str.fullmatch(r"\d{16}")
    out[empty] = "nik_missing"
    out[sci & out.eq("")] = "nik_scientific"
    out[~well & out.eq("")] = "nik_format"
    digits = nik.where(well, "0000000000000000")
    reg = digits.str[:4]
    out[well & reg.ne(region) & out.eq("")] = "nik_region"
    if kecamatan_codes is not None:
        kec_ok = digits.str[4:6].isin(list(kecamatan_codes))
        out[well & ~kec_ok & out.eq("")] = "nik_kecamatan_unknown"
    dd = digits.str[6:8].astype(int).to_numpy()
    mm = digits.str[8:10].astype(int).to_numpy()
    yy = digits.str[10:12].astype(int).to_numpy()
    day = np.where(dd > 40, dd - 40, dd)
    month_ok = (mm >= 1) & (mm <= 12)
    max_day = _DAYS[np.clip(mm, 0, 12)]
    # 29 February exists when the two-digit year is a multiple of 4 (2000 was a leap year, so 00 counts).
    max_day = np.where((mm == 2) & (yy % 4 != 0), 28, max_day)
    date_ok = month_ok & (day >= 1) & (day <= max_day)
    out[well & ~date_ok & out.eq("")] = "nik_date"
    out[well & digits.str[12:].eq("0000") & out.eq("")] = "nik_serial"
    return out


def nik_sex(nik: str) -> str:
    """ "P" (perempuan) when the day field carries +40, else "L" (laki-laki)."""
    return "P" if int(nik[6:8]) > 40 else "L"


def mask_nik(values: pd.Series) -> pd.Series:
    """Mask NIKs for outputs that leave the planner's hands: first 6 and last 4 digits kept.

    >>> mask_nik(pd.Series(["3216061201900001"])).tolist()
    ['321606******0001']
    """
    s = values.astype(object).fillna("").astype(str)
    long = s.str.len() >= 10
    masked = s.str[:6] + s.str[6:-4].str.replace(r".", "*", regex=True) + s.str[-4:]
    return masked.where(long, s.str.replace(r".", "*", regex=True))
