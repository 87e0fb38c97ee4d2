"""A card list's cells mapped to fields and cleaned, with what several checks share.

:func:`prepare` turns a :class:`~ektp_routes.reader.RawTable` and its column mapping into
:class:`CardRows`: cleaned NIK, name and address text, RT/RW, usable coordinates, each NIK's place
of issue and each row's desa, resolved once per distinct way of writing it (from the desa column,
or from the address text when the column is missing, empty or holds a kecamatan name). The checks
of :mod:`ektp_routes.cards` read these values; nothing here rejects a row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ektp_routes._errors import ConfigError
from ektp_routes._text import MONTHS, parse_rt_rw
from ektp_routes.address import find_desa
from ektp_routes.i18n import Messages, messages
from ektp_routes.nik import RegionCodes, clean_nik, nik_origins, nik_reasons
from ektp_routes.reader import RawTable
from ektp_routes.regions import Gazetteer, Resolution
from ektp_routes.schema import CardWarning, RejectReason

Policy = Literal["reject", "warn"]


@dataclass(frozen=True, slots=True)
class ValidationRules:
    """How strict the reader is about what does not stop a delivery.

    Parameters
    ----------
    nik_region
        "warn" (default): a NIK issued elsewhere in Indonesia (people keep their NIK when they move)
        is accepted with a ``nik_out_of_region`` warning, and a kecamatan code this kabupaten no
        longer has with a ``nik_kecamatan_unknown`` warning; only a province code that exists nowhere
        is rejected. "reject": every NIK not issued in this kabupaten is rejected (``nik_region``).
    kodepos_mismatch
        "warn" (default) or "reject" when the kode pos is another desa's of this kabupaten (the desa
        name is the stronger signal). A kode pos this kabupaten does not use is always rejected.
    nik_kecamatan_mismatch
        "warn" (default) or "reject" when the NIK's kecamatan code differs from the desa's kecamatan
        (people who moved keep their NIK).
    min_desa_score
        Minimum similarity (0-100) for a misspelt desa name to be accepted.
    """

    nik_region: Policy = "warn"
    kodepos_mismatch: Policy = "warn"
    nik_kecamatan_mismatch: Policy = "warn"
    min_desa_score: float = 85.0

    def __post_init__(self) -> None:
        for name in ("nik_region", "kodepos_mismatch", "nik_kecamatan_mismatch"):
            if getattr(self, name) not in ("reject", "warn"):
                raise ConfigError(
                    f"ValidationRules.{name} must be 'reject' or 'warn', not {getattr(self, name)!r}"
                )
        if not 0 < self.min_desa_score <= 100:
            raise ConfigError("ValidationRules.min_desa_score must be in (0, 100]")

    def rejects(self, reason: RejectReason) -> bool:
        """Whether ``reason`` rejects a row under these rules (else it is a warning)."""
        policy = {
            RejectReason.KODEPOS_MISMATCH: self.kodepos_mismatch,
            RejectReason.NIK_KECAMATAN_MISMATCH: self.nik_kecamatan_mismatch,
            RejectReason.NIK_KECAMATAN_UNKNOWN: self.nik_region,
            RejectReason.NIK_REGION: self.nik_region,
        }
        return policy.get(reason, "reject") == "reject"

    @classmethod
    def strict(cls) -> ValidationRules:
        """Every inconsistency rejects (the reader's behaviour before out-of-region NIKs were accepted)."""
        return cls(nik_region="reject", kodepos_mismatch="reject", nik_kecamatan_mismatch="reject")


@dataclass(frozen=True)
class DesaMatches:
    """The desa of each row: status, description, code, confidence, the name matched, and a note
    (warning code and message, "" when none) when the desa came from the address text or a hint."""

    status: npt.NDArray[np.object_]
    description: npt.NDArray[np.object_]
    kode: npt.NDArray[np.object_]
    confidence: npt.NDArray[np.float64]
    matched: npt.NDArray[np.object_]
    note_code: npt.NDArray[np.object_]
    note: npt.NDArray[np.object_]


@dataclass(frozen=True)
class Coordinates:
    """Card coordinates made usable: swapped pairs swapped back, unusable values NaN."""

    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    swapped: npt.NDArray[np.bool_]
    invalid: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CardRows:
    """A card list's cells mapped to fields and cleaned, with what the checks share (read-only).

    ``nik_reason`` holds the NIK's structural reason code ("" when sound), ``nik_origin`` its
    :class:`~ektp_routes.nik.NikOrigin` against the national code list; ``rt_rw_unreadable`` marks,
    per RT/RW field of the file ("rt", "rw", "rt_rw"), the cells that hold no RT/RW number (read as
    blank: the RT/RW comes from the address text or is unknown), and ``rt_rw_date`` those of them that
    hold a date Excel made of an RT/RW (:func:`excel_date_rt_rw`); ``address_rt`` and ``address_rw``
    are the RT and RW the address text gives ("" when none; ``rt`` and ``rw`` take them only where the
    columns are blank and do not say otherwise); ``column_map`` maps fields to the file's headers.
    """

    raw: RawTable
    nik: pd.Series
    nama: pd.Series
    alamat: pd.Series
    desa_input: pd.Series
    kecamatan_input: pd.Series
    kodepos_input: pd.Series
    rt: pd.Series
    rw: pd.Series
    rt_rw_unreadable: Mapping[str, npt.NDArray[np.bool_]]
    rt_rw_date: Mapping[str, npt.NDArray[np.bool_]]
    address_rt: pd.Series
    address_rw: pd.Series
    column_map: Mapping[str, str]
    nik_reason: pd.Series
    nik_origin: pd.Series
    desa: DesaMatches
    coordinates: Coordinates
    gazetteer: Gazetteer
    rules: ValidationRules
    codes: RegionCodes
    t: Messages = dataclass_field(default_factory=lambda: messages("en"))  # the language of the messages

    @property
    def n(self) -> int:
        return len(self.nik)

    @property
    def region4(self) -> str:
        """The kabupaten's 4-digit NIK prefix ("3216")."""
        return self.gazetteer.region_code.replace(".", "")[:4]


# Control characters (BEL, a stray line end ...) read as a space; NUL and invisible format characters
# (zero-width space/joiners, word joiner, BOM, soft hyphen, and the bidi marks and overrides that make
# "Ani" + U+202E + "adiS" display as "AniSida") are dropped: they are no part of what a courier reads.
_INVISIBLE = [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x206A), 0xFEFF, 0x061C, 0x00AD]
_UNCLEAN = re.compile("[" + "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0), *_INVISIBLE])) + "]")
_CLEAN = str.maketrans(
    {**{c: " " for c in [*range(1, 0x20), *range(0x7F, 0xA0)]}, **dict.fromkeys([0, *_INVISIBLE])}
)


def column(raw: pd.DataFrame, mapping: Mapping[str, str], canon: str) -> pd.Series:
    """The stripped text of one field ("" for every row when the file has no such column), with
    control characters read as spaces and invisible format characters dropped."""
    if canon not in mapping:
        return pd.Series([""] * len(raw), index=raw.index, dtype=object)
    text = raw[mapping[canon]].astype(object).fillna("").astype(str)
    if _UNCLEAN.search("".join(text.tolist())):  # one scan of the column; most lists hold none
        dirty = text.str.contains(_UNCLEAN).to_numpy(dtype=bool)
        text = text.copy()
        text[dirty] = text[dirty].str.translate(_CLEAN)
    return text.str.strip()


def prepare(
    raw: RawTable,
    mapping: Mapping[str, str],
    gaz: Gazetteer,
    rules: ValidationRules,
    *,
    codes: RegionCodes | None = None,
    t: Messages | None = None,
) -> CardRows:
    """Map a raw table's cells to fields, clean them and resolve what several checks share; ``t`` is
    the language of the findings' messages (English when None)."""
    t = t or messages("en")
    codes = codes or RegionCodes.national()
    frame = raw.frame.reset_index(drop=True)
    nik = clean_nik(column(frame, mapping, "nik"))
    alamat = column(frame, mapping, "alamat").str.replace(r"\s+", " ", regex=True)
    written = _Written(
        column(frame, mapping, "desa"),
        column(frame, mapping, "kecamatan"),
        column(frame, mapping, "kodepos").str.replace(r"\.0$", "", regex=True),
        alamat,
    )
    address_rt, address_rw = _address_rt_rw(alamat)
    rt, rw, rt_rw_unreadable = _rt_rw(frame, mapping, (address_rt, address_rw))
    region4 = gaz.region_code.replace(".", "")[:4]
    strict = rules.nik_region == "reject"
    kec_codes = [k.kode.split(".")[-1] for k in gaz.all_kecamatan] if strict else None
    return CardRows(
        raw=raw,
        nik=nik,
        nama=column(frame, mapping, "nama").str.replace(r"\s+", " ", regex=True),
        alamat=alamat,
        desa_input=written.desa,
        kecamatan_input=written.kecamatan,
        kodepos_input=written.kodepos,
        rt=rt,
        rw=rw,
        rt_rw_unreadable=rt_rw_unreadable,
        address_rt=address_rt,
        address_rw=address_rw,
        rt_rw_date={
            f: excel_date_rt_rw(column(frame, mapping, f)).to_numpy(dtype=bool) & rt_rw_unreadable[f]
            for f in rt_rw_unreadable
        },
        column_map=dict(mapping),
        nik_reason=nik_reasons(
            nik, region=region4, kecamatan_codes=kec_codes, provinces=None if strict else codes.provinces
        ),
        nik_origin=nik_origins(nik, region=region4, codes=codes),
        desa=_resolve_desa(written, gaz, rules, t),
        coordinates=_coordinates(frame, mapping),
        gazetteer=gaz,
        rules=rules,
        codes=codes,
        t=t,
    )


@dataclass(frozen=True)
class _Written:
    desa: pd.Series
    kecamatan: pd.Series
    kodepos: pd.Series
    alamat: pd.Series


_SEP = "\x1f"


@dataclass(frozen=True)
class _Found:
    """A resolution and, when it failed after looking in the address, why (in place names only)."""

    resolution: Resolution
    why: str = ""


def _resolve_desa(w: _Written, gaz: Gazetteer, rules: ValidationRules, t: Messages) -> DesaMatches:
    """Resolve each distinct (desa, kecamatan, kode pos); fall back to the address text per row."""
    codes, uniq = pd.factorize(w.desa + _SEP + w.kecamatan + _SEP + w.kodepos)
    found: list[_Found] = []
    for u in uniq:
        d, kc, z = str(u).split(_SEP)
        r = gaz.resolve_desa(d, kecamatan=kc or None, kodepos=z or None, min_score=rules.min_desa_score)
        found.append(_Found(r))
    # Rows whose desa column is empty, or holds a kecamatan name rather than a desa, look in the address.
    to_text = np.array([_look_in_address(f.resolution, gaz) for f in found] + [False])
    rows = np.flatnonzero(to_text[codes])
    if len(rows):
        key = w.alamat[rows] + _SEP + w.kecamatan[rows] + _SEP + w.kodepos[rows] + _SEP + w.desa[rows]
        tcodes, tuniq = pd.factorize(key)
        codes = codes.copy()
        codes[rows] = len(found) + tcodes
        found += [_from_address(str(u), gaz, t) for u in tuniq]
    return _matches(found, codes, t)


def _look_in_address(r: Resolution, gaz: Gazetteer) -> bool:
    return r.status == "empty" or (r.status not in ("exact", "alias") and bool(gaz.kecamatan_named(r.query)))


def _from_address(key: str, gaz: Gazetteer, t: Messages) -> _Found:
    alamat, kec, zip_code, desa_field = key.split(_SEP)
    is_kec = bool(desa_field) and bool(gaz.kecamatan_named(desa_field))
    r = find_desa(alamat, gaz, kecamatan=kec or (desa_field if is_kec else None), kodepos=zip_code or None)
    if r.ok or r.status == "ambiguous":
        return _Found(r)
    if is_kec:
        why = t("card.desa_is_kecamatan", name=repr(desa_field))
        return _Found(Resolution(desa_field, "unknown", 0.0), why)
    return _Found(Resolution("", "empty", 0.0), t("card.desa_empty_no_address"))


def _matches(found: list[_Found], codes: npt.NDArray[np.intp], t: Messages) -> DesaMatches:
    res = [f.resolution for f in found]
    notes = [_note(r, t) for r in res]
    return DesaMatches(
        status=np.array([r.status for r in res], dtype=object)[codes],
        description=np.array([f.why or f.resolution.describe(t) for f in found], dtype=object)[codes],
        kode=np.array([r.desa.kode if r.ok else "" for r in res], dtype=object)[codes],
        confidence=np.array([r.confidence for r in res], dtype=float)[codes],
        matched=np.array([r.matched if r.ok else "" for r in res], dtype=object)[codes],
        note_code=np.array([c for c, _ in notes], dtype=object)[codes],
        note=np.array([m for _, m in notes], dtype=object)[codes],
    )


def _note(r: Resolution, t: Messages) -> tuple[str, str]:
    if not r.ok:
        return "", ""
    if r.status == "address":
        return str(CardWarning.DESA_FROM_ADDRESS), t("card.desa_from_address", how=r.describe(t))
    if r.passed_over:
        return str(CardWarning.DESA_HINT_PREFERRED), r.describe(t)
    return "", ""


def _to_float(s: pd.Series) -> npt.NDArray[np.float64]:
    return pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)


def _coordinates(frame: pd.DataFrame, mapping: Mapping[str, str]) -> Coordinates:
    n = len(frame)
    if "lon" not in mapping and "lat" not in mapping:
        nan = np.full(n, np.nan)
        return Coordinates(nan, nan.copy(), np.zeros(n, bool), np.zeros(n, bool))
    lon_text, lat_text = column(frame, mapping, "lon"), column(frame, mapping, "lat")
    lon, lat = _to_float(lon_text), _to_float(lat_text)
    with np.errstate(invalid="ignore"):
        swapped = (lat >= 90.0) & (lat <= 180.0) & (lon >= -15.0) & (lon <= 10.0)
        lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
        valid = (np.abs(lon) <= 180) & (np.abs(lat) <= 90) & ~((lon == 0) & (lat == 0))
    given = (lon_text.ne("") | lat_text.ne("")).to_numpy()
    return Coordinates(np.where(valid, lon, np.nan), np.where(valid, lat, np.nan), swapped, given & ~valid)


def _rt_number(s: pd.Series) -> pd.Series:
    """ "RT.3", "03", "3", "003" -> "003"; "" when no number, or only a longer one (a NIK pasted in)."""
    num = s.str.extract(r"(?<![0-9])([0-9]{1,3})(?![0-9])", expand=False)
    return num.fillna("").astype(object).str.zfill(3).where(num.notna(), "")


#: Fields whose cells hold an RT or RW number (or both).
RT_RW_FIELDS = ("rt", "rw", "rt_rw")


def _rt_rw(
    frame: pd.DataFrame, mapping: Mapping[str, str], address: tuple[pd.Series, pd.Series]
) -> tuple[pd.Series, pd.Series, dict[str, npt.NDArray[np.bool_]]]:
    """RT/RW from their columns, a combined column, or the address text, and the cells of each RT/RW
    field that hold no RT/RW number (see :func:`unreadable_rt_rw`: read as blank).

    A cell of the RT or RW column that holds both ("003/005", "RT 3 RW 5") gives its own field and
    fills the other where that is empty: RT first, RW second unless labelled ("RW 5 / RT 3").
    An RT or RW of 0 is unknown ("").
    """
    cells = {f: column(frame, mapping, f) for f in RT_RW_FIELDS if f in mapping}
    junk = {f: unreadable_rt_rw(c) for f, c in cells.items()}
    cells = {f: c.where(~junk[f], "") for f, c in cells.items()}
    blank = pd.Series("", index=frame.index, dtype=object)
    rt, rw = _rt_number(cells.get("rt", blank)), _rt_number(cells.get("rw", blank))
    for field, text in cells.items():
        pair_rt, pair_rw = _rt_rw_pair(text)
        if field == "rt":
            rt = pair_rt.where(pair_rt.ne(""), rt)
        if field == "rw":
            rw = pair_rw.where(pair_rw.ne(""), rw)
        rt = rt.where(rt.ne(""), pair_rt)
        rw = rw.where(rw.ne(""), pair_rw)
    rt, rw = _rt_rw_from_address(_known(rt), _known(rw), *address)
    return _known(rt), _known(rw), {f: j.to_numpy(dtype=bool) for f, j in junk.items()}


def _address_rt_rw(alamat: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The RT and RW each address gives (:func:`~ektp_routes._text.parse_rt_rw`, once per distinct
    address; "" when none or 0)."""
    codes, uniq = pd.factorize(alamat)
    parsed = [parse_rt_rw(str(u)) for u in uniq] + [("", "")]
    rt = pd.Series(np.array([p[0] for p in parsed], dtype=object)[codes], index=alamat.index, dtype=object)
    rw = pd.Series(np.array([p[1] for p in parsed], dtype=object)[codes], index=alamat.index, dtype=object)
    return _known(rt), _known(rw)


def _rt_rw_from_address(
    rt: pd.Series, rw: pd.Series, a_rt: pd.Series, a_rw: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """``rt`` and ``rw`` with their blanks filled from the RT/RW the address text gives (``a_rt``,
    ``a_rw``), where it does not contradict what the columns give (RW column 005, address "...
    003/006": the RT is not taken from an address whose RW is another; the columns win)."""
    agree = ~rt_rw_differ(rt, rw, a_rt, a_rw)
    return rt.where(rt.ne("") | ~agree, a_rt), rw.where(rw.ne("") | ~agree, a_rw)


def rt_rw_differ(rt: pd.Series, rw: pd.Series, a_rt: pd.Series, a_rw: pd.Series) -> pd.Series:
    """Rows where the RT or the RW of the columns (``rt``, ``rw``) and of the address (``a_rt``,
    ``a_rw``) are both given and differ."""
    return (rt.ne("") & a_rt.ne("") & rt.ne(a_rt)) | (rw.ne("") & a_rw.ne("") & rw.ne(a_rw))


# An "RT"/"RW" label ("RT", "rw", "R.T", "RT/RW"), not a word that contains the letters.
_RT_RW_LABEL = r"(?i)(?<![a-z])r\.?\s?[tw](?![a-z])"


def unreadable_rt_rw(cells: pd.Series) -> pd.Series:
    """Cells of an RT/RW column that hold something other than one or two RT/RW numbers of up to 3
    digits with their labels and separators ("3", "03", "RT.03", "RT 3 RW 5", "003/005", "5.0", "-"):
    a letter or sign besides the labels ("6a", "abc6", markup), a third number ("1/2/3"), a number
    of 4 digits or more (a NIK or year pasted in). Digits are never picked out of such a cell."""
    codes, uniq = pd.factorize(cells)  # a column of few distinct cells: each judged once
    text = pd.Series(uniq, dtype=object).str.replace(r"^\s*([0-9]+)[.,]0+\s*$", r"\1", regex=True)
    rest = text.str.replace(_RT_RW_LABEL, " ", regex=True)
    other = rest.str.contains(r"[^0-9\s./\\:,;-]", regex=True)
    numbers = rest.str.count(r"[0-9]+")
    junk = (other | (numbers > 2) | rest.str.contains(r"[0-9]{4,}", regex=True)).to_numpy(dtype=bool)
    return pd.Series(junk[codes] if len(uniq) else np.zeros(len(cells), bool), index=cells.index)


_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_SEP_D = r"[-\s/.,]+"
_TIME = r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
#: The ways a date reaches a card list from Excel: ISO (an XLSX date cell, "2026-05-03 00:00:00"),
#: day and month with a 4-digit year ("03/05/2026", "5/3/2026"), a month name ("03-May-26", "3-Mei",
#: "May 3, 2026").
_EXCEL_DATE = re.compile(
    rf"""(?ix)^(?:
    (?P<y1>\d{{4}})[-/.](?P<m1>\d{{1,2}})[-/.](?P<d1>\d{{1,2}}){_TIME}
    |(?P<a2>\d{{1,2}})(?P<s>[-/.])(?P<b2>\d{{1,2}})(?P=s)(?P<y2>\d{{4}}){_TIME}
    |\d{{1,2}}{_SEP_D}{_MONTH}(?:{_SEP_D}(?:\d{{2}}|\d{{4}}))?
    |{_MONTH}{_SEP_D}\d{{1,2}}(?:{_SEP_D}(?:\d{{2}}|\d{{4}}))?
    )$"""
)
#: Excel's serial day numbers of 2000-01-01 and 2099-12-31: a date cell saved as its number (46145).
_SERIAL_DAYS = (36526, 73050)


def excel_date_rt_rw(cells: pd.Series) -> pd.Series:
    """Cells of an RT/RW column that hold a date: what Excel makes of an RT/RW such as "003/005" or
    "3-5" typed into a cell ("03/05/2026", "2026-05-03", "03-May-26", or the serial day 46145). Which
    number was the RT cannot be told (Excel reads day and month in the order of its own locale)."""
    codes, uniq = pd.factorize(cells)
    found = np.array([_is_excel_date(str(u).strip()) for u in uniq] + [False], dtype=bool)
    return pd.Series(found[codes], index=cells.index)


def _is_excel_date(text: str) -> bool:
    serial = re.fullmatch(r"(\d{5})(?:[.,]0+)?", text)
    if serial:
        return _SERIAL_DAYS[0] <= int(serial.group(1)) <= _SERIAL_DAYS[1]
    m = _EXCEL_DATE.match(text)
    if m is None:
        return False
    if m.group("y1"):
        return 1 <= int(m.group("m1")) <= 12 and 1 <= int(m.group("d1")) <= 31
    if m.group("y2"):
        a, b = int(m.group("a2")), int(m.group("b2"))
        return 1 <= min(a, b) <= 12 and max(a, b) <= 31
    return True


def _known(number: pd.Series) -> pd.Series:
    """An RT or RW number, "" where it is 0: none exists, "000" is how an export writes one unknown."""
    return number.where(number.ne("000"), "")


def _rt_rw_pair(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """RT and RW of the cells that hold two numbers, as :func:`parse_rt_rw` reads them ("" elsewhere).

    Two numbers with no label and no "/" between them ("3-5", "3 5") are RT and RW in that order.
    """
    rt = pd.Series("", index=cells.index, dtype=object)
    rw = rt.copy()
    # One number a spreadsheet wrote as a float ("5.0", "5,00") is one number, not two.
    cells = cells.str.replace(r"^\s*([0-9]+)[.,]0+\s*$", r"\1", regex=True)
    two = cells.str.contains(r"[0-9][^0-9]+[0-9]", regex=True).to_numpy(dtype=bool)
    if not two.any():
        return rt, rw
    both = cells[two]
    read = pd.DataFrame(both.map(parse_rt_rw).tolist(), index=both.index, columns=["rt", "rw"])
    plain = both.str.extract(r"([0-9]{1,3})[^0-9]+([0-9]{1,3})").fillna("")
    rt[two] = read["rt"].where(read["rt"].ne(""), _rt_number(plain[0]))
    rw[two] = read["rw"].where(read["rw"].ne(""), _rt_number(plain[1]))
    return rt, rw
