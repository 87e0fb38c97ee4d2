"""NIK (Nomor Induk Kependudukan) checks, vectorised over a whole card list.

A NIK has 16 digits: ``PP KK CC DDMMYY SSSS`` - province, kabupaten/kota, kecamatan, the birth date
(day + 40 for women) and a serial number. Only the structure can be checked offline; whether a NIK
was really issued is known to Dukcapil alone.

A NIK keeps the region code of where it was first issued, so a resident of one kabupaten often holds
a NIK of another: :func:`nik_origins` places each NIK against the national code list
(:meth:`RegionCodes.national`) without judging it. Only ASCII digits count as digits.

Example
-------
>>> check_nik(["3216061201900001", "3216065212900002", "32160612019", "3.21606E+15"], region="3216")
['', '', 'nik_format', 'nik_scientific']
>>> nik_origins(pd.Series(["3216061201900001", "3175041201900002", "9916041201900003"]),
...             region="3216", codes=RegionCodes.national()).tolist()
['home', 'elsewhere', 'nowhere']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

_SCIENTIFIC = re.compile(r"^\s*[0-9](?:[.,][0-9]+)?[eE][+]?[0-9]+\s*$")
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

#: Reason codes produced here, with a human message for each.
NIK_REASONS = {
    "nik_missing": "NIK is empty",
    "nik_scientific": (
        "NIK was stored as a number in scientific notation by a spreadsheet and has lost its last digits; "
        "re-export the NIK column formatted as text"
    ),
    "nik_format": "NIK must be exactly 16 digits",
    "nik_region": "NIK province code exists nowhere in Indonesia (strict mode: NIK is not of this kabupaten)",
    "nik_kecamatan_unknown": "NIK kecamatan code is not a kecamatan of this kabupaten",
    "nik_date": "NIK date part is not a real date (DDMMYY, day + 40 for women)",
    "nik_serial": "NIK serial number (last 4 digits) is 0000",
}


def clean_nik(values: pd.Series) -> pd.Series:
    """Strip what spreadsheets add around a NIK: spaces, dots, a leading apostrophe, quotes around it,
    a trailing ".0", the text formula ="..." that exports use to keep it from becoming a number."""
    s = values.fillna("").astype(str).str.strip()
    s = s.str.replace(r'^=\s*"(.*)"$', r"\1", regex=True).str.strip()
    s = s.str.lstrip("'`").str.strip("\"'")
    s = s.str.replace(r"^([0-9]{16})\.0+$", r"\1", regex=True)
    return s.str.replace(r"[\s.\-]", "", regex=True).where(~s.str.match(_SCIENTIFIC), s)


def check_nik(
    values: Sequence[str] | pd.Series, *, region: str, kecamatan_codes: Sequence[str] | None = None
) -> list[str]:
    """Reason code per NIK ("" when structurally valid). ``region`` is the 4-digit PPKK prefix.

    Strict: a NIK from another region is ``nik_region``. :func:`nik_reasons` with ``provinces``
    rejects only a province that exists nowhere.
    """
    s = clean_nik(pd.Series(list(values), dtype=object) if not isinstance(values, pd.Series) else values)
    return nik_reasons(s, region=region, kecamatan_codes=kecamatan_codes).tolist()


def is_nik(nik: pd.Series) -> pd.Series:
    """Whether each value is 16 ASCII digits (full-width or Arabic-Indic digits are not digits here)."""
    return nik.astype(object).fillna("").astype(str).str.fullmatch(r"[0-9]{16}")


def nik_reasons(
    nik: pd.Series,
    *,
    region: str,
    kecamatan_codes: Sequence[str] | None = None,
    provinces: Mapping[str, str] | None = None,
) -> pd.Series:
    """Vectorised :func:`check_nik` on cleaned NIK strings; returns a Series of reason codes.

    Without ``provinces`` a NIK whose first four digits are not ``region`` is ``nik_region``; with
    them, only a NIK whose province code is none of ``provinces`` is.
    """
    nik = nik.astype(object).fillna("").astype(str)
    out = pd.Series("", index=nik.index, dtype=object)
    empty = nik.eq("")
    sci = nik.str.match(_SCIENTIFIC) & ~empty
    well = is_nik(nik)
    out[empty] = "nik_missing"
    out[sci & out.eq("")] = "nik_scientific"
    out[~well & out.eq("")] = "nik_format"
    digits = nik.where(well, "0000000000000000")
    foreign = ~digits.str[:2].isin(list(provinces)) if provinces is not None else digits.str[:4].ne(region)
    out[well & foreign & out.eq("")] = "nik_region"
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

    Only a value made of ASCII digits keeps any character; anything else in a NIK column (a name
    typed in the wrong column, letters, other scripts) is masked whole.

    >>> mask_nik(pd.Series(["3216061201900001", "Siti Rahayu", "32160612019"])).tolist()
    ['321606******0001', '***********', '321606*2019']
    """
    s = values.astype(object).fillna("").astype(str)
    digits = s.str.fullmatch(r"[0-9]{10,}")
    masked = s.str[:6] + s.str[6:-4].str.replace(r".", "*", regex=True) + s.str[-4:]
    return masked.where(digits, s.str.replace(r".", "*", regex=True))


#: A run of eleven or more digits in free text: a NIK (or most of one) typed where it does not belong
#: (a desa code written without its dots has ten, a kode pos five: both stay).
_NIK_RUN = re.compile(r"(?<![0-9])([0-9]{6})([0-9]+)([0-9]{4})(?![0-9])")


def _masked_run(m: re.Match[str]) -> str:
    return m[1] + "*" * len(m[2]) + m[3]


def mask_nik_in(text: str) -> str:
    """One text quoted back to a user with every NIK in it masked (see :func:`mask_nik_in_text`)."""
    return _NIK_RUN.sub(_masked_run, str(text))


def mask_nik_in_text(values: pd.Series) -> pd.Series:
    """Texts quoted back to the planner (a cell as written, a message) with every NIK in them masked.

    A NIK pasted into the desa, kecamatan or kode pos column would otherwise be repeated whole;
    each run of eleven or more digits keeps its first 6 and last 4, as :func:`mask_nik` does.

    >>> mask_nik_in_text(pd.Series(["kode pos 3216061201900001 unknown", "Kp. Pulo 17530"])).tolist()
    ['kode pos 321606******0001 unknown', 'Kp. Pulo 17530']
    """
    s = values.astype(object).fillna("").astype(str)
    return s.str.replace(_NIK_RUN, _masked_run, regex=True)


class NikOrigin(StrEnum):
    """Where a well-formed NIK was first issued, relative to the kabupaten being planned."""

    HOME = "home"  # this kabupaten, a kecamatan code it has today
    HOME_UNLISTED = "home_unlisted"  # this kabupaten, a kecamatan code it no longer has
    ELSEWHERE = "elsewhere"  # another kabupaten/kota of the national list
    UNLISTED = "unlisted"  # a known province, a kabupaten/kota or kecamatan code not (or no longer) listed
    NOWHERE = "nowhere"  # a province code that exists nowhere
    NOT_A_NIK = ""  # not 16 ASCII digits


@dataclass(frozen=True)
class RegionCodes:
    """The national province, kabupaten/kota and kecamatan codes (undotted: "32", "3216", "321610")."""

    provinces: Mapping[str, str]
    regencies: Mapping[str, str]
    districts: frozenset[str]
    district_names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def national(cls) -> RegionCodes:
        """The embedded national list (Kepmendagri 300.2.2-2138/2025; see data/INDONESIA_CODES.md)."""
        return _national()

    def regency_label(self, code4: str) -> str:
        """ "Kota Bekasi, Jawa Barat (32.75)" for a listed code, else the dotted code and province."""
        prov = self.provinces.get(code4[:2], "?")
        name = self.regencies.get(code4)
        return f"{name}, {prov} ({code4[:2]}.{code4[2:]})" if name else f"{code4[:2]}.{code4[2:]} in {prov}"


@cache
def _national() -> RegionCodes:
    provinces: dict[str, str] = {}
    regencies: dict[str, str] = {}
    districts: dict[str, str] = {}
    path = resources.files("ektp_routes") / "data" / "indonesia_region_codes.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["kode"].replace(".", "")
            table = {"provinsi": provinces, "kabupaten_kota": regencies}.get(row["level"], districts)
            table[code] = row["nama"].strip()
    return RegionCodes(provinces, regencies, frozenset(districts), districts)


def nik_origins(nik: pd.Series, *, region: str, codes: RegionCodes) -> pd.Series:
    """:class:`NikOrigin` code of each cleaned NIK against the national list; ``region`` is PPKK."""
    nik = nik.astype(object).fillna("").astype(str)
    well = is_nik(nik).to_numpy()
    prov, reg, kec = nik.str[:2], nik.str[:4], nik.str[:6]
    listed = (reg.isin(list(codes.regencies)) & kec.isin(list(codes.districts))).to_numpy()
    home = (reg == region).to_numpy()
    known_prov = prov.isin(list(codes.provinces)).to_numpy()
    out = np.select(
        [~well, home & listed, home, listed, known_prov],
        [
            NikOrigin.NOT_A_NIK,
            NikOrigin.HOME,
            NikOrigin.HOME_UNLISTED,
            NikOrigin.ELSEWHERE,
            NikOrigin.UNLISTED,
        ],
        default=NikOrigin.NOWHERE,
    )
    return pd.Series(out, index=nik.index, dtype=object)
