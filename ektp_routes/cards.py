"""Validating the card lists exported by the civil registry (Disdukcapil).

:func:`read_cards` reads a CSV/XLSX/Parquet export (or a DataFrame) with :mod:`ektp_routes.reader`
and validates it into a :class:`CardList`: the accepted cards with their resolved desa/kelurahan, a
rejects table that names, for every bad row, the field, a stable reason code and a message, and the
warnings of accepted cards. Every input row ends up in exactly one of cards and rejects.

Validation is a list of small checks (:data:`CHECKS`). Each looks at the prepared rows
(:class:`CardRows`) and returns :class:`Finding` values: which rows fail, the field, the reason and the
message, and whether it rejects the row or only warns. One fold (:func:`validate`) collects them: the
first rejecting finding of a row is its primary reason, all are listed in ``problems``.

Card lists are personal data (UU 27/2022): this module never logs names or NIKs.

Example
-------
>>> import pandas as pd
>>> from ektp_routes import read_cards
>>> df = pd.DataFrame({
...     "NIK": ["3216101201900001", "3216101201900001", "12345"],
...     "NAMA": ["Siti", "Siti", "Budi"],
...     "ALAMAT": ["Kp. Pulo RT 001/RW 002", "Kp. Pulo RT 001/RW 002", "Jl. Mawar 3"],
...     "KEL/DESA": ["Ds. Karang Bahagia", "Karangbahagia", "Karangsatu"],
...     "KECAMATAN": ["KARANG BAHAGIA", "Karang Bahagia", "Karang Bahagia"],
... })
>>> result = read_cards(df)
>>> len(result.cards), result.rejects.reason.tolist()
(1, ['nik_duplicate', 'nik_format'])
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from ektp_routes import schema
from ektp_routes.card_rows import CardRows, ValidationRules, prepare, rt_rw_differ
from ektp_routes.headers import subtotal_rows
from ektp_routes.i18n import log, messages
from ektp_routes.nik import NIK_REASONS, NikOrigin, mask_nik, mask_nik_in_text
from ektp_routes.reader import (
    MAX_CELL_CHARS,
    check_twin_columns,
    map_columns,
    read_table,
    table_from_frame,
    unused_columns,
)
from ektp_routes.regions import Gazetteer
from ektp_routes.regions.checks import elsewhere_kecamatan
from ektp_routes.schema import CardWarning, RejectReason

__all__ = [
    "CARD_COLUMNS",
    "CHECKS",
    "REASONS",
    "REJECT_COLUMNS",
    "WARNING_COLUMNS",
    "CardList",
    "Finding",
    "ValidationRules",
    "read_cards",
    "validate",
]

logger = logging.getLogger(__name__)

#: Every reason code a row can be rejected with, and its meaning.
REASONS: dict[RejectReason, str] = {
    **{RejectReason(code): text for code, text in NIK_REASONS.items()},
    RejectReason.NIK_KECAMATAN_MISMATCH: "NIK kecamatan code differs from the kecamatan of the stated desa",
    RejectReason.NIK_DUPLICATE: "the same NIK appears on an earlier row",
    RejectReason.NAMA_EMPTY: "name is empty",
    RejectReason.NAMA_NOT_A_NAME: "name has no letter (a NIK or number in the name column?)",
    RejectReason.ALAMAT_EMPTY: "address is empty",
    RejectReason.DESA_EMPTY: "desa/kelurahan is empty",
    RejectReason.DESA_UNKNOWN: "desa/kelurahan name matches no desa of this kabupaten",
    RejectReason.DESA_AMBIGUOUS: "desa/kelurahan name fits several desa; kecamatan or kode pos needed",
    RejectReason.KECAMATAN_MISMATCH: "the desa does not lie in the stated kecamatan",
    RejectReason.KODEPOS_INVALID: "kode pos is not a kode pos of this kabupaten",
    RejectReason.KODEPOS_MISMATCH: "kode pos differs from that of the stated desa",
    RejectReason.ROW_FIELDS: "the row has a different number of fields than the header",
    RejectReason.CELL_TOO_LONG: "a cell is longer than the reader accepts",
}

# The tables' columns are defined once, in ektp_routes.schema.
CARD_COLUMNS = schema.CARDS
REJECT_COLUMNS = schema.REJECTS
WARNING_COLUMNS = schema.WARNINGS


_NAME_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of a name: two or more letters
_WORD = re.compile(r"\w+")  # a whole word of a cell, compared with name words


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass(frozen=True)
class CardList:
    """Accepted cards, rejected rows and warnings of one card list.

    ``cards`` columns (:data:`CARD_COLUMNS`): row (1 = first card after the header), nik, nama,
    alamat, rt, rw, desa_kode, desa, kecamatan_kode, kecamatan, kodepos, lon, lat (NaN when the file
    has none), desa_input, kecamatan_input (as written), desa_match (exact/alias/fuzzy, or address
    when the desa was found in the address text), desa_confidence, desa_matched (the name or alias
    the input matched).
    ``rejects`` columns (:data:`REJECT_COLUMNS`): row, field, reason, message, problems (every reason
    code of the row, ";"-joined), nik_masked, desa_input, kecamatan_input. No names, no full NIKs.
    ``warnings`` (:data:`WARNING_COLUMNS`): one row per warning on an accepted card: row, field,
    code, message.
    ``subtotal_rows``: the row numbers (same count) of subtotal rows between the cards ("JUMLAH DESA
    X", a count alone; see :func:`~ektp_routes.headers.subtotal_rows`), which are no card and in
    neither table; ``n_rows`` counts the cards and rejected rows only.
    """

    cards: pd.DataFrame
    rejects: pd.DataFrame
    n_rows: int
    source: str = "<DataFrame>"
    column_map: Mapping[str, str] = field(default_factory=dict)
    warnings: pd.DataFrame = field(default_factory=lambda: _empty(WARNING_COLUMNS))
    subtotal_rows: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if len(self.cards) + len(self.rejects) != self.n_rows:
            raise AssertionError("card list lost rows")  # a bug, never bad input

    def reason_counts(self) -> pd.Series:
        """Number of rejected rows per (primary) reason code, most frequent first."""
        return self.rejects["reason"].value_counts()

    def warning_counts(self) -> pd.Series:
        """Number of accepted cards per warning code, most frequent first."""
        return self.warnings.drop_duplicates(["row", "code"])["code"].value_counts()

    def summary(self) -> str:
        lines = [
            f"{self.source}: {self.n_rows} rows, {len(self.cards)} accepted, {len(self.rejects)} rejected"
        ]
        lines += [f"  {reason}: {n}" for reason, n in self.reason_counts().items()]
        lines += [f"  warning {code}: {n}" for code, n in self.warning_counts().items()]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class Finding:
    """What one check found: the rows that fail, the field, the reason and the message.

    ``message`` is one text for all rows or one per row (an array as long as the card list);
    ``rejects`` is False for a warning that leaves the card accepted.
    """

    rows: npt.NDArray[np.bool_]
    field: str
    reason: RejectReason | CardWarning
    message: str | npt.NDArray[np.object_]
    rejects: bool = True

    def messages(self) -> npt.NDArray[np.object_]:
        """The message of each failing row, in row order."""
        if isinstance(self.message, str):
            return np.full(int(self.rows.sum()), self.message, dtype=object)
        return np.asarray(self.message, dtype=object)[self.rows]


Check = Callable[[CardRows], Iterator[Finding]]


def check_row_structure(rows: CardRows) -> Iterator[Finding]:
    """Rows broken as rows: a wrong number of fields, an overlong cell."""
    raw, t = rows.raw, rows.t
    message = _per_row(raw.wrong_width, lambda i: t("card.row_fields", fields=raw.fields[i], width=raw.width))
    yield Finding(raw.wrong_width, "row", RejectReason.ROW_FIELDS, message)
    too_long = t("card.cell_too_long", max=MAX_CELL_CHARS)
    yield Finding(raw.long_cell & ~raw.wrong_width, "row", RejectReason.CELL_TOO_LONG, too_long)


def _per_row(rows: npt.NDArray[np.bool_], text: Callable[[int], str]) -> npt.NDArray[np.object_]:
    """One message per row of a card list: ``text(i)`` for each failing row ``i``, "" elsewhere."""
    message = np.full(len(rows), "", dtype=object)
    for i in np.flatnonzero(rows):
        message[i] = text(int(i))
    return message


def check_nik_structure(rows: CardRows) -> Iterator[Finding]:
    """NIK missing, in scientific notation, not 16 ASCII digits, of no province, impossible date ..."""
    t = rows.t
    for code in NIK_REASONS:
        failing = rows.nik_reason.eq(code).to_numpy()
        message: str | npt.NDArray[np.object_] = t(f"card.{code}") if code != RejectReason.NIK_REGION else ""
        if code == RejectReason.NIK_FORMAT:
            message = _nik_format_message(rows, failing)
        elif code == RejectReason.NIK_REGION:
            message = _region_message(rows, failing)
        yield Finding(failing, "nik", RejectReason(code), message)


def _nik_format_message(rows: CardRows, failing: npt.NDArray[np.bool_]) -> npt.NDArray[np.object_]:
    digits = rows.nik.str.count(r"[0-9]").to_numpy()
    other = rows.nik.str.contains(r"[^0-9]").to_numpy(dtype=bool)
    key = np.where(other, "card.nik_format_other", "card.nik_format")
    return _per_row(failing, lambda i: rows.t(str(key[i]), digits=digits[i]))


def _region_message(rows: CardRows, failing: npt.NDArray[np.bool_]) -> str | npt.NDArray[np.object_]:
    t = rows.t
    if rows.rules.nik_region == "reject":
        return t("card.nik_region_strict", region=rows.gazetteer.region_code)
    return _per_row(failing, lambda i: t("card.nik_province", code=rows.nik.iat[i][:2]))


def check_nik_origin(rows: CardRows) -> Iterator[Finding]:
    """A NIK issued elsewhere, or under a code retired since, is a warning (unless the rules are strict)."""
    if rows.rules.nik_region == "reject":
        return  # such NIKs are already rejected as nik_region / nik_kecamatan_unknown
    origin, kab = rows.nik_origin, rows.gazetteer.region_code
    elsewhere = origin.isin([NikOrigin.ELSEWHERE, NikOrigin.UNLISTED]).to_numpy()
    if elsewhere.any():
        labels = {c: rows.codes.regency_label(c) for c in rows.nik[elsewhere].str[:4].unique()}
        code4, gone = rows.nik.str[:4].to_numpy(), origin.eq(NikOrigin.UNLISTED).to_numpy(dtype=bool)
        key = np.where(gone, "card.nik_issued_unlisted", "card.nik_issued")
        message = _per_row(elsewhere, lambda i: rows.t(str(key[i]), where=labels[code4[i]]))
        yield Finding(elsewhere, "nik", CardWarning.NIK_OUT_OF_REGION, message, rejects=False)
    unlisted = origin.eq(NikOrigin.HOME_UNLISTED).to_numpy()
    retired = rows.t("card.nik_kecamatan_retired", region=kab)
    yield Finding(unlisted, "nik", RejectReason.NIK_KECAMATAN_UNKNOWN, retired, rejects=False)


def check_nik_duplicates(rows: CardRows) -> Iterator[Finding]:
    """The same NIK on a later row: the later row is rejected, pointing at the first one."""
    nik = rows.nik
    dup = (rows.nik_origin.ne(NikOrigin.NOT_A_NIK) & nik.duplicated(keep="first")).to_numpy()
    if not dup.any():
        return
    first_row = pd.Series(np.arange(1, rows.n + 1), index=nik.to_numpy())
    first_row = first_row[~first_row.index.duplicated(keep="first")]
    first = nik.map(first_row).to_numpy()
    message = _per_row(dup, lambda i: rows.t("card.nik_duplicate", row=first[i]))
    yield Finding(dup, "nik", RejectReason.NIK_DUPLICATE, message)


def check_required_text(rows: CardRows) -> Iterator[Finding]:
    """Name and address must not be empty; a name must have a letter (a name of digits only is a NIK
    or a number pasted in the wrong column: the card cannot be handed to its holder)."""
    for reason, fld, values in (
        (RejectReason.NAMA_EMPTY, "nama", rows.nama),
        (RejectReason.ALAMAT_EMPTY, "alamat", rows.alamat),
    ):
        yield Finding(values.eq("").to_numpy(), fld, reason, rows.t(f"card.{reason}"))
    no_letter = rows.nama.ne("") & ~rows.nama.str.contains(r"[^\W\d_]", regex=True)
    reason = RejectReason.NAMA_NOT_A_NAME
    yield Finding(no_letter.to_numpy(), "nama", reason, rows.t(f"card.{reason}"))


def check_rt_rw_cells(rows: CardRows) -> Iterator[Finding]:
    """An RT/RW cell holding no RT/RW number ("6a", "1/2/3", markup) is read as blank, never as the
    digits picked out of it: the card is planned by what else its address says (a warning). A date
    Excel made of an RT/RW ("03/05/2026" of "003/005") says so: its day and month are not guessed."""
    for fld, unreadable in rows.rt_rw_unreadable.items():
        header, date = repr(rows.column_map.get(fld, fld)), rows.rt_rw_date[fld]
        message = rows.t("card.rt_rw_unreadable", header=header)
        yield Finding(unreadable & ~date, fld, CardWarning.RT_RW_UNREADABLE, message, rejects=False)
        message = rows.t("card.rt_rw_excel_date", header=header)
        yield Finding(date, fld, CardWarning.RT_RW_EXCEL_DATE, message, rejects=False)


def check_rt_rw_address(rows: CardRows) -> Iterator[Finding]:
    """An address that gives another RT or RW than the RT/RW columns ("Griya Asri 2 001 003" with RW
    002): the columns are used (a warning; the numbers are quoted, never the address)."""
    differ = rt_rw_differ(rows.rt, rows.rw, rows.address_rt, rows.address_rw).to_numpy(dtype=bool)
    message = np.full(rows.n, "", dtype=object)
    for i in np.flatnonzero(differ):
        given = f"{rows.rt.iat[i] or '-'}/{rows.rw.iat[i] or '-'}"
        said = f"{rows.address_rt.iat[i] or '-'}/{rows.address_rw.iat[i] or '-'}"
        message[i] = rows.t("card.rt_rw_address_differs", said=said, given=given)
    yield Finding(differ, "alamat", CardWarning.RT_RW_ADDRESS_DIFFERS, message, rejects=False)


def check_desa_resolved(rows: CardRows) -> Iterator[Finding]:
    """The desa must be given and name exactly one desa of the kabupaten."""
    status, description = rows.desa.status, rows.desa.description
    yield Finding(status == "empty", "desa", RejectReason.DESA_EMPTY, description)
    yield Finding(status == "unknown", "desa", RejectReason.DESA_UNKNOWN, description)
    yield Finding(status == "ambiguous", "desa", RejectReason.DESA_AMBIGUOUS, description)


def check_desa_notes(rows: CardRows) -> Iterator[Finding]:
    """A desa found in the address text, or chosen inside the stated kecamatan over an exact name
    elsewhere, is accepted with a warning that names what was matched."""
    for code in (CardWarning.DESA_FROM_ADDRESS, CardWarning.DESA_HINT_PREFERRED):
        yield Finding(rows.desa.note_code == code, "desa", code, rows.desa.note, rejects=False)


_SEP = "\x1f"

#: Order in which the consistency findings are reported (the first rejecting one is primary).
_CONSISTENCY = (
    RejectReason.KECAMATAN_MISMATCH,
    RejectReason.KODEPOS_INVALID,
    RejectReason.KODEPOS_MISMATCH,
    RejectReason.NIK_KECAMATAN_MISMATCH,
    CardWarning.KECAMATAN_UNKNOWN,
)


def check_consistency(rows: CardRows) -> Iterator[Finding]:
    """Kecamatan, kode pos and NIK kecamatan must agree with the resolved desa (once per combination)."""
    nik_ok = rows.nik_reason.isin(["", RejectReason.NIK_DATE, RejectReason.NIK_SERIAL])
    home = rows.nik_origin.eq(NikOrigin.HOME)  # NIKs issued elsewhere are check_nik_origin's
    nik6 = rows.nik.str[:6].where(nik_ok & home, "").astype(object)
    combos, uniq = pd.factorize(
        rows.desa.kode + _SEP + rows.kecamatan_input + _SEP + rows.kodepos_input + _SEP + nik6
    )
    per_reason = {r: np.full(len(uniq) + 1, "", dtype=object) for r in _CONSISTENCY}
    fields: dict[RejectReason | CardWarning, str] = {}
    for j, u in enumerate(uniq):
        d, kc, z, n6 = str(u).split(_SEP)
        if d:
            for issue in rows.gazetteer.check(desa=d, kecamatan=kc, kodepos=z, nik=n6 or None, t=rows.t):
                per_reason[issue.reason][j] = issue.message
                fields[issue.reason] = issue.field
    for reason in _CONSISTENCY:
        message = per_reason[reason][combos]
        failing = message != ""
        if failing.any():
            rejects = isinstance(reason, RejectReason) and rows.rules.rejects(reason)
            yield Finding(failing, fields[reason], reason, message, rejects=rejects)


def check_kecamatan_elsewhere(rows: CardRows) -> Iterator[Finding]:
    """A kecamatan named as the one elsewhere where the row's NIK was issued, and as none here
    ("Sukadami, Cibinong" with a NIK of Kabupaten Bogor's Cibinong): the address lies outside the
    kabupaten, whatever desa name it shares with one here. Rejected as a kecamatan mismatch."""
    origin = rows.nik_origin.eq(NikOrigin.ELSEWHERE).to_numpy(dtype=bool)
    idx = np.flatnonzero(origin & (rows.desa.kode != ""))
    said = np.full(rows.n, "", dtype=object)
    verdict: dict[tuple[str, str], str] = {}
    for i, written, nik in zip(
        idx, rows.kecamatan_input.to_numpy()[idx], rows.nik.to_numpy()[idx], strict=True
    ):
        key = (str(written), str(nik)[:6])
        if key not in verdict:
            name = elsewhere_kecamatan(*key, codes=rows.codes)
            here = bool(name) and rows.gazetteer.resolve_kecamatan(key[0]).ok  # also one here: not judged
            where, kab = rows.codes.regency_label(key[1][:4]), rows.gazetteer.region_code
            said_once = rows.t("card.kecamatan_elsewhere", kecamatan=name, where=where, region=kab)
            verdict[key] = said_once if name and not here else ""
        said[i] = verdict[key]
    reason = RejectReason.KECAMATAN_MISMATCH
    yield Finding(said != "", "kecamatan", reason, said, rejects=rows.rules.rejects(reason))


def check_coordinates(rows: CardRows) -> Iterator[Finding]:
    """Coordinates given in (lat, lon) order are swapped back; unusable ones are dropped (warnings)."""
    c = rows.coordinates
    for found, code in (
        (c.swapped, CardWarning.COORDINATES_SWAPPED),
        (c.invalid, CardWarning.COORDINATES_INVALID),
    ):
        yield Finding(found, "lon/lat", code, rows.t(f"card.{code}"), rejects=False)


#: The checks, in the order their reasons rank (the first rejecting finding is a row's primary reason).
CHECKS: tuple[Check, ...] = (
    check_row_structure,
    check_nik_structure,
    check_nik_origin,
    check_nik_duplicates,
    check_required_text,
    check_rt_rw_cells,
    check_rt_rw_address,
    check_desa_resolved,
    check_desa_notes,
    check_consistency,
    check_kecamatan_elsewhere,
    check_coordinates,
)


# ---------------------------------------------------------------------------------------------- the fold
class _Verdicts:
    """The one accumulator: primary reason per row, every problem, every warning."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, "", dtype=object)
        self.field = np.full(n, "", dtype=object)
        self.message = np.full(n, "", dtype=object)
        self.problems: list[list[str]] = [[] for _ in range(n)]
        self.warnings: list[tuple[npt.NDArray[np.int64], str, str, npt.NDArray[np.object_]]] = []

    def add(self, f: Finding) -> None:
        if not f.rows.any():
            return
        idx = np.flatnonzero(f.rows)
        if not f.rejects:
            self.warnings.append((idx, f.field, str(f.reason), f.messages()))
            return
        first = f.rows & (self.reason == "")
        self.reason[first] = str(f.reason)
        self.field[first] = f.field
        self.message[first] = f.messages()[first[idx]]
        for i in idx:
            self.problems[i].append(str(f.reason))


def validate(rows: CardRows, checks: tuple[Check, ...] = CHECKS) -> CardList:
    """Run every check over the prepared rows and fold the findings into a :class:`CardList`."""
    verdicts = _Verdicts(rows.n)
    for check in checks:
        for finding in check(rows):
            verdicts.add(finding)
    rejected = verdicts.reason != ""
    # A subtotal row between the cards is no card. Only a row rejected anyway (no NIK) can be one, and
    # never one giving a name and an address (a card without its NIK stays a reject).
    named = (rows.nama.ne("") & rows.alamat.ne("")).to_numpy(dtype=bool)
    subtotal = subtotal_rows(rows.raw.frame, among=rejected & ~named)
    rejected &= ~subtotal
    hide = _name_words(rows)
    return CardList(
        _cards_table(rows, ~rejected & ~subtotal),
        _rejects_table(rows, verdicts, rejected, hide=hide),
        n_rows=rows.n - int(subtotal.sum()),
        warnings=_warnings_table(rows, verdicts, ~rejected & ~subtotal, hide=hide),
        subtotal_rows=tuple(int(i) + 1 for i in np.flatnonzero(subtotal)),
    )


def _cards_table(rows: CardRows, accepted: npt.NDArray[np.bool_]) -> pd.DataFrame:
    kode = pd.Series(rows.desa.kode[accepted], dtype=object)
    table = rows.gazetteer.desa_table.set_index("kode")
    values = {
        "row": np.flatnonzero(accepted) + 1,
        "nik": rows.nik[accepted].to_numpy(),
        "nama": rows.nama[accepted].to_numpy(),
        "alamat": rows.alamat[accepted].to_numpy(),
        "rt": rows.rt[accepted].to_numpy(),
        "rw": rows.rw[accepted].to_numpy(),
        "desa_kode": kode.to_numpy(),
        "desa": table["nama"].reindex(kode).to_numpy(),
        "kecamatan_kode": table["kode_kec"].reindex(kode).to_numpy(),
        "kecamatan": table["nama_kec"].reindex(kode).to_numpy(),
        "kodepos": table["kodepos"].reindex(kode).to_numpy(),
        "lon": rows.coordinates.lon[accepted],
        "lat": rows.coordinates.lat[accepted],
        "desa_input": rows.desa_input[accepted].to_numpy(),
        "kecamatan_input": rows.kecamatan_input[accepted].to_numpy(),
        "desa_match": rows.desa.status[accepted],
        "desa_confidence": rows.desa.confidence[accepted],
        "desa_matched": rows.desa.matched[accepted],
    }
    out = pd.DataFrame(values, columns=list(CARD_COLUMNS))
    out["row"] = out["row"].astype("int64")
    return out


def _rejects_table(
    rows: CardRows, v: _Verdicts, rejected: npt.NDArray[np.bool_], *, hide: frozenset[str]
) -> pd.DataFrame:
    # A row with the wrong number of fields has its cells under the wrong headers: a name may sit in
    # the desa column. Its desa/kecamatan "as written" are not repeated.
    shifted = rows.raw.wrong_width[rejected]
    written = (rows.desa_input, rows.kecamatan_input)
    cells = tuple(np.where(shifted, "", c[rejected].to_numpy()) for c in written)
    values = {
        "row": np.flatnonzero(rejected) + 1,
        "field": v.field[rejected],
        "reason": v.reason[rejected],
        "message": _quoted(v.message[rejected], cells=cells, hide=hide),
        "problems": [";".join(dict.fromkeys(v.problems[i])) for i in np.flatnonzero(rejected)],
        "nik_masked": mask_nik(rows.nik[rejected]).to_numpy(),
        "desa_input": _quoted(cells[0], cells=cells, hide=hide),
        "kecamatan_input": _quoted(cells[1], cells=cells, hide=hide),
    }
    out = pd.DataFrame(values, columns=list(REJECT_COLUMNS))
    out["row"] = out["row"].astype("int64")
    return out


def _warnings_table(
    rows: CardRows, v: _Verdicts, accepted: npt.NDArray[np.bool_], *, hide: frozenset[str]
) -> pd.DataFrame:
    parts = []
    for idx, fld, code, said_rows in v.warnings:
        i = idx[accepted[idx]]
        cells = (rows.desa_input.to_numpy()[i], rows.kecamatan_input.to_numpy()[i])
        said = _quoted(said_rows[accepted[idx]], cells=cells, hide=hide)
        parts.append(pd.DataFrame({"row": i + 1, "field": fld, "code": code, "message": said}))
    if not parts:
        return _empty(WARNING_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("row", kind="stable").reset_index(drop=True)[list(WARNING_COLUMNS)]


def _name_words(rows: CardRows) -> frozenset[str]:
    """Words (2+ letters, lower case) of any card holder's name in the list that are no word of a known
    desa or kecamatan name: a name (the row's own, a family member's, a swapped cell's) may sit in a
    desa or kecamatan column, while the gazetteer's names must stay readable."""
    names = frozenset(_NAME_WORD.findall(" ".join(rows.nama.astype(str)).lower()))
    gaz = rows.gazetteer
    places = " ".join([*(d.nama for d in gaz.all_desa), *(k.nama for k in gaz.all_kecamatan)])
    return names - frozenset(_NAME_WORD.findall(places.lower()))


def _quoted(
    texts: npt.NDArray[np.object_],
    *,
    cells: tuple[npt.NDArray[np.object_], ...] = (),
    hide: frozenset[str] = frozenset(),
) -> npt.NDArray[np.object_]:
    """Cells and messages that quote what a row holds, with any NIK in them masked; where a row's desa
    or kecamatan as written (``cells``) holds words in ``hide`` (words of card holders' names), those
    words are masked wherever the cell is quoted."""
    texts = np.array(texts, dtype=object)
    if hide:
        for i in range(len(texts)):
            for raw in {str(c[i]) for c in cells} - {""}:
                hidden = _WORD.sub(
                    lambda m: "*" * len(m.group()) if m.group().lower() in hide else m.group(), raw
                )
                if hidden != raw:
                    texts[i] = str(texts[i]).replace(raw, hidden)
    return mask_nik_in_text(pd.Series(texts, dtype=object)).to_numpy(dtype=object)


def _say_subtotal_rows(name: str, rows: tuple[int, ...]) -> None:
    """Warn of the subtotal rows left out between the cards: how many and their rows (never a cell)."""
    shown = ", ".join(map(str, rows[:20])) + (", ..." if len(rows) > 20 else "")
    log(logger, logging.WARNING, "log.cards_subtotal_rows", name=name, n=len(rows), rows=shown)


# ---------------------------------------------------------------------------------------------- entry point
def read_cards(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    gazetteer: Gazetteer | None = None,
    rules: ValidationRules | None = None,
    sheet: str | int | None = None,
    lang: str = "en",
) -> CardList:
    """Read and validate a card list.

    Parameters
    ----------
    source
        A CSV (comma/semicolon/tab; UTF-8, UTF-8 with BOM, cp1252 or Latin-1), XLSX or Parquet file,
        or a DataFrame with the same columns.
    columns
        Explicit mapping from the file's headers to fields (nik, nama, alamat, rt, rw, rt_rw, desa,
        kecamatan, kodepos, lon, lat) for headers the reader does not recognise.
    gazetteer
        Regions to validate against; default: the embedded Kabupaten Bekasi gazetteer.
    rules
        Strictness; see :class:`ValidationRules`.
    sheet
        Sheet name or index of an XLSX workbook (default: every visible sheet with a card header
        row, read one after the other, rows numbered on; the first visible sheet when none has one).
    lang
        Language of the rejects' and warnings' messages, for the person who reads why a row was
        rejected: "en" (the library's default) or "id" (Bahasa Indonesia). Reason codes are the same
        in every language.

    Returns
    -------
    CardList
        Accepted cards, a rejects table and warnings; every input row is in exactly one of
        cards and rejects.
    """
    gaz = gazetteer or Gazetteer.bekasi()
    rules = rules or ValidationRules()
    t = messages(lang)  # an unknown language is refused before the file is read
    if isinstance(source, pd.DataFrame):
        raw, name = table_from_frame(source), "<DataFrame>"
    else:
        raw, name = read_table(source, sheet=sheet), Path(source).name
    mapping = map_columns(list(raw.frame.columns), columns)
    check_twin_columns(raw.frame, mapping, columns=columns, name=name)
    if "desa" not in mapping:
        unused = unused_columns(list(raw.frame.columns), mapping)
        log(logger, logging.WARNING, "log.no_desa_column", name=name, unused=unused)
    result = validate(prepare(raw, mapping, gaz, rules, t=t))
    result = replace(result, source=name, column_map=dict(mapping))
    if result.subtotal_rows:
        _say_subtotal_rows(name, result.subtotal_rows)
    logger.info(
        "%s: %d rows, %d accepted, %d rejected", name, result.n_rows, len(result.cards), len(result.rejects)
    )
    return result
