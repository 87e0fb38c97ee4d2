"""The layout of a card file's rows: which row is the header, what each header means, and which rows
around the cards are no card.

Exports put more than a table on a sheet: title rows above the header, a header over two rows (ALAMAT
merged over JALAN | RT | RW), a row numbering the columns under it ("(1) (2) (3) ..."), a totals row
("JUMLAH") below the last card. They are told apart here by their shape (field names, column numbers,
a totals word and no NIK), never by quoting a card.

Example
-------
>>> header_field("Kel/Desa"), header_field("KD POS"), header_field("Catatan")
('desa', 'kodepos', None)
>>> header_rows([["DAFTAR PENERIMA KTP-EL"], ["NIK", "NAMA", "ALAMAT"], ["(1)", "(2)", "(3)"]])
(['NIK', 'NAMA', 'ALAMAT'], 3)
>>> totals_row_at([["3216101201900001", "Siti", "Kp. Pulo"], ["JUMLAH", "", "1"]])
1
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from ektp_routes._text import fold
from ektp_routes.i18n import Messages

#: Canonical fields of a card and the header spellings (folded, spaces removed) that mean them.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "nonik", "nomornik", "noinduk", "nomorindukkependudukan", "noktp", "nomorktp", "niknomor"),
    "nama": ("nama", "namalengkap", "name", "namapenduduk", "fullname", "namalengkappenduduk"),
    "alamat": ("alamat", "address", "alamatlengkap", "alamatrumah", "jalan", "alamattinggal"),
    "rt": ("rt", "nort", "nomorrt"),
    "rw": ("rw", "norw", "nomorrw"),
    "rt_rw": ("rtrw", "rtdanrw", "rtrwno"),
    "desa": (
        "desa",
        "kelurahan",
        "keldesa",
        "desakel",
        "desakelurahan",
        "kelurahandesa",
        "kel",
        "kelds",
        "namadesa",
        "namakelurahan",
        "namakel",
        "village",
    ),
    "kecamatan": ("kecamatan", "kec", "namakecamatan", "namakec", "district", "kecamatannya"),
    "kodepos": ("kodepos", "kdpos", "kodepost", "postcode", "postalcode", "zip", "zipcode", "kodeposs"),
    "lon": ("lon", "lng", "long", "longitude", "bujur", "x"),
    "lat": ("lat", "latitude", "lintang", "y"),
}
#: Without these a card cannot be judged. Desa and kecamatan are usually columns of their own, but an
#: export may carry them only in the address text, where :mod:`ektp_routes.card_rows` looks for them.
REQUIRED_FIELDS = ("nik", "nama", "alamat")

#: Rows at the top of a file searched for its header row: an export's title block above it (a logo's
#: rows, several title lines, a period, a signature block, blank rows) runs to a dozen or two rows; a
#: card row never names two of NIK, NAMA and ALAMAT, so searching further cannot take a card for it.
HEADER_SEARCH_ROWS = 50
#: The header an export's card list is expected to have, as the messages name it.
EXPECTED_HEADER = "NIK, NAMA, ALAMAT, RT, RW, KEL/DESA, KECAMATAN, KODE POS"

#: What a data cell has and a header cell has not: a long number, or "RT 3", "Jl. 5", "No 12" ...
DATA_LIKE = re.compile(r"[0-9]{4,}|\b(?:rt|rw|jl|jln|no|kp|gg)\b\.?\s*[0-9]", re.I)
_COLUMN_NUMBER = re.compile(r"\(?\s*([0-9]{1,3})\s*\)?\.?")
_TOTALS_WORD = re.compile(r"(?:jumlah|total|jml|grand total|sub ?total)\b")
_NIK_DIGITS = re.compile(r"[0-9]{16}")
#: A cell only a card has: a long number (a NIK, or one Excel wrote as 3.21606E+15).
_CARD_NUMBER = re.compile(r"[0-9]{8,}|[0-9][.,][0-9]+e\+?1[0-9]", re.I)
#: A subtotal's label: "JUMLAH DESA X", "SUB TOTAL", "Jml", or "Sukaraya Total"/"Count" as Excel's
#: Subtotal command writes it under the grouped column.
_SUBTOTAL_LABEL = r"^(?:jumlah|total|jml|sub ?total|grand total)\b|\b(?:total|count|jumlah)$"
#: A count: 45, 1.234, 1,234.
_COUNT = r"[0-9]{1,7}|[0-9]{1,3}(?:[.,][0-9]{3})+"


def header_field(header: str) -> str | None:
    """The canonical field a header spelling means ("Kel/Desa" -> "desa"), or None."""
    key = fold(header).replace(" ", "")
    return next((canon for canon, aliases in HEADER_ALIASES.items() if key in aliases), None)


def looks_like_header(headers: list[str]) -> bool:
    """A header row names fields; a data row (a file without header) holds NIKs, numbers, addresses."""
    known = sum(header_field(h) is not None for h in headers)
    return known >= 2 and not any(DATA_LIKE.search(h) or len(h) > 60 for h in headers)


def is_header(cells: list[str]) -> bool:
    """Whether a row is a header row: it names two of NIK, name and address and holds no data."""
    names = [c.strip() for c in cells if c.strip()]
    named = {header_field(c) for c in names} & set(REQUIRED_FIELDS)
    return len(named) >= 2 and looks_like_header(names)


def looks_like_card(cells: list[str]) -> bool:
    """Whether a row holds what only a card has (a NIK-like long number): the first row of a file with
    no header row is a card; a title row ("DAFTAR PENERIMA KTP-EL 2026") is not.

    >>> looks_like_card(["3216101201900001", "Siti", "Kp. Pulo"]), looks_like_card(["DAFTAR KTP-EL 2026"])
    (True, False)
    """
    return any(_CARD_NUMBER.search(c) for c in cells)


def subtotal_rows(
    frame: pd.DataFrame, *, among: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.bool_]:
    """Which rows of a card table are subtotals between its groups (a registry office's export with a
    JUMLAH row under each desa), by their shape: a cell labelled as a sum (JUMLAH, TOTAL, SUB TOTAL,
    JML, "... Total") or nothing but counts, and no long number anywhere (a row with a NIK is a card
    whatever its other cells say). Only the rows ``among`` are looked at (default: all):
    :func:`~ektp_routes.cards.validate` passes those rejected anyway that give no name and address, so
    no card is ever taken for a subtotal.

    >>> frame = pd.DataFrame({"NIK": ["3216101201900001", "JUMLAH DESA X", "", "3216101201900002"],
    ...                       "NAMA": ["Siti", "", "", "Jumlah"], "JML": ["", "12", "40", ""]})
    >>> subtotal_rows(frame).tolist()
    [False, True, True, False]
    """
    out = np.zeros(len(frame), dtype=bool)
    idx = np.flatnonzero(among) if among is not None else np.arange(len(frame))
    if not len(idx) or not len(frame.columns):
        return out
    cells = frame.iloc[idx].astype(str).apply(lambda c: c.str.strip())
    filled = cells.ne("")
    label = cells.apply(lambda c: c.str.contains(_SUBTOTAL_LABEL, case=False, regex=True)).any(axis=1)
    count = cells.apply(lambda c: c.str.fullmatch(_COUNT)) | ~filled
    long_number = cells.apply(lambda c: c.str.contains(_CARD_NUMBER, regex=True)).any(axis=1)
    only_counts = count.all(axis=1) & filled.any(axis=1)
    out[idx] = ((label | only_counts) & ~long_number).to_numpy(dtype=bool)
    return out


def has_content(cells: list[str]) -> bool:
    """Whether a row has a cell that is not blank."""
    return bool("".join(cells).strip())


def header_rows(rows: list[list[str]]) -> tuple[list[str], int]:
    """The header of a file's top rows and the index of its first row of data.

    The header row is the first naming at least two of NIK, name and address and holding no data
    (title rows above it are skipped; the first row when none does: no header row). A second header
    row below it (ALAMAT merged over JALAN | RT | RW) completes it: its cells that name a field, or
    stand under a blank header cell, win, when one of them names a field under a blank cell and none
    holds data. A row numbering the columns below the header ("1 2 3 ...", "(1) (2) (3) ...") is part
    of the header, no card."""
    at = next((i for i, cells in enumerate(rows) if is_header(cells)), 0)
    header, sub = list(rows[at]), rows[at + 1] if at + 1 < len(rows) else []
    blank = [j >= len(header) or not header[j].strip() for j in range(len(sub))]
    named = [header_field(c) is not None for c in sub]
    start = at + 1
    if any(b and n for b, n in zip(blank, named, strict=True)) and not any(map(DATA_LIKE.search, sub)):
        header += [""] * (len(sub) - len(header))
        for j, cell in enumerate(sub):
            if cell.strip() and (named[j] or blank[j]):
                header[j] = cell
        start += 1
    if start < len(rows) and is_header(header) and _numbers_the_columns(rows[start]):
        start += 1
    return header, start


def _numbers_the_columns(cells: list[str]) -> bool:
    """Whether a row numbers the columns: 1, 2, 3, ... (or "(1)", "1."), at least three, in order."""
    numbers = [_COLUMN_NUMBER.fullmatch(c.strip()) for c in cells if c.strip()]
    if len(numbers) < 3 or not all(numbers):
        return False
    values = [int(m.group(1)) for m in numbers if m]
    return values == list(range(values[0], values[0] + len(values))) and values[0] in (0, 1)


def without_trailing_blanks(body: list[list[str]]) -> list[list[str]]:
    """Blank rows at the end are dropped; blank rows between cards are kept (and rejected as empty), so
    every row keeps its number in the file and a join back to the card list by row stays exact."""
    end = len(body)
    while end and not has_content(body[end - 1]):
        end -= 1
    return body[:end]


def totals_row_at(body: list[list[str]]) -> int | None:
    """The index of a totals row ending the rows (blank rows at the end ignored), or None: its first
    cell that is not blank starts with JUMLAH, TOTAL or JML and no cell holds a NIK's 16 digits."""
    rows = without_trailing_blanks(body)
    if not rows:
        return None
    last = rows[-1]
    first = next(c for c in last if c.strip())
    if _TOTALS_WORD.match(fold(first)) and not any(_NIK_DIGITS.search(c) for c in last):
        return len(rows) - 1
    return None


def _cell_kind(cell: str, t: Messages) -> str:
    s = cell.strip()
    if not s:
        return t("cell.empty")
    if s.isascii() and s.isdigit():
        return t("cell.digits", n=len(s))
    if re.fullmatch(r"[0-9.,+\-eE ]+", s):
        return t("cell.number")
    return t("cell.text_with_digits") if any(c.isdigit() for c in s) else t("cell.text")


def cell_kinds(cells: list[str]) -> Callable[[Messages], str]:
    """What the first cells are (a 16-digit number, text, ...), never what they say, worded by a catalogue."""
    return lambda t: ", ".join(
        t("cell.column", i=i + 1, kind=_cell_kind(c, t)) for i, c in enumerate(cells[:12])
    )
