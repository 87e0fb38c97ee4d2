"""Reading card-list files: formats, encodings, delimiters, headers and the column mapping.

:func:`read_table` turns a CSV, XLSX or Parquet file into a :class:`RawTable` of text cells, and
:func:`map_columns` says which header holds which field. Nothing here judges a card; that is
:mod:`ektp_routes.cards`. Rows that are broken as rows (a wrong number of fields, an overlong cell)
are kept and marked, never dropped, so validation can reject them with a reason.

Card lists are personal data (UU 27/2022): errors raised here describe a problem by file, column
position and kind, never by a cell's content.

Example
-------
>>> import pandas as pd
>>> raw = table_from_frame(pd.DataFrame({"No NIK": ["3216101201900001"], "Nama Lengkap": ["Siti"]}))
>>> raw.frame.columns.tolist(), raw.n_rows
(['No NIK', 'Nama Lengkap'], 1)
>>> header_field("Kel/Desa"), header_field("KD POS"), header_field("Catatan")
('desa', 'kodepos', None)
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz import fuzz, process

from ektp_routes._errors import ConfigError, InputFileError, MissingColumnError
from ektp_routes._text import fold
from ektp_routes.headers import (
    EXPECTED_HEADER,
    HEADER_ALIASES,
    HEADER_SEARCH_ROWS,
    REQUIRED_FIELDS,
    cell_kinds,
    has_content,
    header_field,
    header_rows,
    is_header,
    looks_like_card,
    looks_like_header,
    totals_row_at,
    without_trailing_blanks,
)
from ektp_routes.i18n import Messages, error, log

logger = logging.getLogger(__name__)

#: Longer cells are cut to this length and their row is rejected as ``cell_too_long``.
MAX_CELL_CHARS = 2000
_MAX_FILE_CELL = 64 * 1024 * 1024
_MAX_COLUMNS = 1000


@dataclass(frozen=True)
class RawTable:
    """A card file as text cells, before any judgement.

    Attributes
    ----------
    frame
        One all-text (object) column per header, header names made unique.
    fields
        Number of fields each row had in the file.
    wrong_width
        Rows whose number of fields differs from the header's (trailing empty cells are harmless).
    long_cell
        Rows with a cell longer than :data:`MAX_CELL_CHARS` (cut to that length).
    """

    frame: pd.DataFrame
    fields: npt.NDArray[np.int64]
    wrong_width: npt.NDArray[np.bool_]
    long_cell: npt.NDArray[np.bool_]

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    @property
    def width(self) -> int:
        return int(self.frame.shape[1])


def read_table(path: str | os.PathLike[str], *, sheet: str | int | None = None) -> RawTable:
    """Read a card file as text cells.

    CSV encoding (UTF-8, UTF-8 with BOM, UTF-16, cp1252, Latin-1) and delimiter (comma, semicolon,
    tab, pipe) are detected. Rows with a wrong number of fields or overlong cells are kept and marked.

    Raises
    ------
    InputFileError
        The file is missing, empty, binary, truncated or otherwise not a card list (one line).
    """
    p = Path(path)
    if not p.exists():
        raise error(InputFileError, "error.cards_missing", path=p)
    if p.is_dir():
        raise error(InputFileError, "error.cards_is_folder", path=p)
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(p, sheet)
        if suffix in (".parquet", ".pq"):
            return table_from_frame(pd.read_parquet(p))
        if suffix == ".xls":
            raise error(InputFileError, "error.cards_xls", name=p.name)
        return _read_csv(p.read_bytes(), p.name)
    except InputFileError:
        raise
    except MemoryError:
        raise error(InputFileError, "error.cards_too_large", name=p.name) from None
    except Exception as exc:  # corrupt or truncated files: one clear error, never a traceback
        why = _describe_error(exc)
        raise error(
            InputFileError, "error.cards_unreadable", name=p.name, kind=suffix or "CSV", why=why
        ) from None


def _describe_error(exc: Exception) -> str:
    """The kind of a reader failure without its text, which may quote a cell (personal data)."""
    text = str(exc)
    if re.search(r"[\"']|\d{5,}", text) or len(text) > 200:
        return type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def table_from_frame(df: pd.DataFrame) -> RawTable:
    """A DataFrame (or a Parquet table) as text cells; integral floats lose their ".0"."""
    out: dict[str, list[str]] = {}
    headers = unique_headers([str(c) for c in df.columns])
    for i, header in enumerate(headers):
        s = df.iloc[:, i]
        if pd.api.types.is_float_dtype(s):
            out[header] = [cell_text(v) for v in s.to_numpy()]
        elif pd.api.types.is_integer_dtype(s):
            out[header] = s.astype("Int64").astype(str).replace("<NA>", "").tolist()
        else:
            out[header] = s.astype(object).where(s.notna(), "").astype(str).tolist()
    frame = pd.DataFrame(out, columns=headers, dtype=object)
    n = len(frame)
    return RawTable(
        frame, np.full(n, len(headers), dtype=np.int64), np.zeros(n, bool), _cut_long_cells(frame)
    )


def _decode(data: bytes, name: str) -> str:
    """:func:`decode_text`, refusing a binary file (NULs that are neither UTF-16 nor a stray few)."""
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if not utf16 and b"\x00" in data[:4096] and not _stray_nul(data):
        raise error(InputFileError, "error.cards_binary", name=name)
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """The text of a file in whichever encoding a spreadsheet saved it: UTF-16 with its byte order
    mark, UTF-8 with or without one, else cp1252 (Excel's "CSV" on Windows), else Latin-1."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_text_table(path: Path) -> pd.DataFrame:
    """A small CSV file that is not a card list (an offices file, an outcome file) as text cells: its
    encoding found as a card list's (:func:`decode_text`), its delimiter the comma, or the semicolon or
    tab a spreadsheet saving in an Indonesian locale writes, whichever its first line uses most."""
    text = _line_ends(decode_text(path.read_bytes()).lstrip("\ufeff"))
    sep = max((",", ";", "\t"), key=text.split("\n", 1)[0].count)
    text = _without_trailing_cells(text, sep)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)


def _without_trailing_cells(text: str, sep: str) -> str:
    """The text without empty cells past the header (rows ending in a delimiter shift pandas' columns)."""
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    width = len(rows[0]) if rows else 0
    if all(len(r) <= width for r in rows):
        return text
    for line, r in enumerate(rows, start=1):
        if any(c.strip() for c in r[width:]):
            raise pd.errors.ParserError(f"Expected {width} fields in line {line}, saw {len(r)}")
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(r[:width] for r in rows)
    return out.getvalue()


def _line_ends(text: str) -> str:
    """Windows (CRLF) and old Mac (a bare CR: Excel's "CSV (Macintosh)") line ends read as LF; a bare CR
    in a file whose lines end in LF is junk inside a cell (a space), not a line end that would cut its
    card in two rows."""
    text = text.replace("\r\n", "\n")
    return text.replace("\r", "\n" if text.count("\r") > text.count("\n") else " ")


def _stray_nul(data: bytes) -> bool:
    """A few NUL bytes (at most 1 %, or 3) in UTF-8 text, as a cell typed with one: the NULs are junk of
    their cells (dropped by :mod:`ektp_routes.card_rows`), the file is text. Binary files and UTF-16
    without a byte order mark hold NULs everywhere."""
    if data.count(b"\x00") > max(3, len(data) // 100):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(top: list[str]) -> str:
    """The delimiter of the header row: the one the first line uses most, unless another one splits
    a later line of the file's top into a header row (title lines above it hold no delimiter, or a
    comma in a semicolon file)."""
    counts = {d: top[0].count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    first = best if counts[best] > 0 else ","
    for d in (first, *counts):
        if any(is_header(next(csv.reader([line], delimiter=d), [])) for line in top):
            return d
    return first


def _read_csv(data: bytes, name: str) -> RawTable:
    text = _decode(data, name)
    if not text.strip():
        raise error(InputFileError, "error.cards_empty", name=name)
    text = _line_ends(text.lstrip("\ufeff"))
    delim = _sniff_delimiter(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    csv.field_size_limit(_MAX_FILE_CELL)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    except csv.Error as exc:
        raise error(InputFileError, "error.cards_malformed", name=name, why=_describe_error(exc)) from None
    while rows and not has_content(rows[0]):
        rows.pop(0)
    if not rows:
        raise error(InputFileError, "error.cards_no_header", name=name)
    header, start = header_rows(rows[:HEADER_SEARCH_ROWS])
    return _rows_to_table(header, _without_totals_row(rows[start:], name), name)


def _without_totals_row(body: list[list[str]], name: str) -> list[list[str]]:
    """The rows of cards: blank rows at the end and a totals row ending them ("JUMLAH") dropped, the
    latter with a warning giving its row (below the header, as rejects count them)."""
    at = totals_row_at(body)
    if at is None:
        return without_trailing_blanks(body)
    log(logger, logging.WARNING, "log.cards_totals_row", name=name, row=at + 1)
    return without_trailing_blanks(body[:at])


def _rows_to_table(header: list[str], body: list[list[str]], name: str) -> RawTable:
    width = len(header)
    if width > _MAX_COLUMNS:
        raise error(InputFileError, "error.cards_too_wide", name=name, n=width)
    fields = np.array([len(r) for r in body], dtype=np.int64)
    wrong = np.zeros(len(body), dtype=bool)
    for i, r in enumerate(body):
        if not has_content(r):
            body[i] = [""] * width  # a blank row between cards: kept with its number, rejected as empty
        elif len(r) != width:
            # Trailing empty cells (a common export artefact) are harmless.
            wrong[i] = len(r) < width or bool("".join(r[width:]).strip())
            body[i] = (r + [""] * width)[:width]
    cols = unique_headers(header)
    frame = (
        pd.DataFrame(body, columns=cols, dtype=object) if body else pd.DataFrame(columns=cols, dtype=object)
    )
    return RawTable(frame, fields, wrong, _cut_long_cells(frame))


def _cut_long_cells(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Cut cells longer than :data:`MAX_CELL_CHARS` (in place); the rows that had one."""
    long = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        over = frame[c].str.len().to_numpy() > MAX_CELL_CHARS
        if over.any():
            frame.loc[over, c] = frame.loc[over, c].str[:MAX_CELL_CHARS]
            long |= over
    return long


def unique_headers(header: list[str]) -> list[str]:
    """Header names stripped, blanks named "column", repeats suffixed ".1", ".2", ..."""
    seen: dict[str, int] = {}
    out = []
    for h in header:
        h = str(h).strip().lstrip("\ufeff") or "column"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        out.append(h)
    return out


def cell_text(v: object) -> str:
    """Spreadsheet cell -> text; integral floats lose their ".0" (a 16-digit NIK is exact in a double)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        if v.is_integer() and abs(v) < 2**53:
            s = str(int(v))
            # Excel keeps 15 significant digits: a 16-digit number typed in a cell ends in 0 and is wrong.
            return f"{v:.5E}" if len(s) == 16 and s.endswith("0") else s
        return repr(float(v))  # numpy 2 would print "np.float64(...)"
    if isinstance(v, int):
        return cell_text(float(v)) if abs(v) < 2**53 else str(v)
    return str(v)


def _read_xlsx(path: Path, sheet: str | int | None) -> RawTable:
    """The sheet asked for; else every visible sheet with a card header row, one after the other (a
    list split into one sheet per desa), or the first visible sheet when none has one."""
    import zipfile

    import openpyxl

    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:  # Excel saves a workbook with a password as an OLE file, as .xls is
            ole = fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        raise error(InputFileError, "error.cards_xlsx_ole" if ole else "error.cards_not_xlsx", name=path.name)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = wb.sheetnames
        if sheet not in (None, "") and sheet not in (names if isinstance(sheet, str) else range(len(names))):
            listed = ", ".join(repr(n) for n in names)
            raise error(
                InputFileError, "error.cards_no_sheet", name=path.name, sheet=repr(sheet), sheets=listed
            )
        if sheet not in (None, ""):
            chosen = [wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]]
        else:
            chosen = [ws for ws in wb.worksheets if ws.sheet_state == "visible"] or wb.worksheets[:1]
        parts = [
            (str(ws.title), *_sheet_rows(ws, name=f"{path.name} ({ws.title!r})", merged=_merged(path, ws)))
            for ws in chosen
        ]
    finally:
        wb.close()
    cards = [(title, header, body) for title, header, body, is_cards in parts if is_cards] or [parts[0][:3]]
    if len(cards) == 1:
        if not cards[0][1]:
            raise error(InputFileError, "error.cards_sheet_empty", name=path.name)
        return _rows_to_table(cards[0][1], cards[0][2], path.name)
    skipped = [repr(title) for title, *_, is_cards in parts if not is_cards]
    return _rows_to_table(*_stack_sheets(cards, name=path.name, skipped=skipped), path.name)


def _sheet_rows(
    ws: Any, *, name: str, merged: list[tuple[int, int, int, int]]
) -> tuple[list[str], list[list[str]], bool]:
    """A worksheet's header (trailing blank cells dropped), its rows of data (blank rows at the end
    and a totals row ending a card list dropped, those between cards kept) and whether the header is
    a card list's."""
    rows_iter = ws.iter_rows(values_only=True)
    top = [[cell_text(v) for v in r] for r in itertools.islice(rows_iter, HEADER_SEARCH_ROWS)]
    if not top:
        return [], [], False
    hdr, start = header_rows(top)
    while hdr and not hdr[-1].strip():  # formatting residue
        hdr.pop()
    body: list[list[str]] = []
    blanks = 0  # blank rows held back until a card follows: formatting residue at the end is dropped
    rows = itertools.chain(top[start:], ([cell_text(v) for v in r] for r in rows_iter))
    for cells in _fill_merged(rows, merged, first=start + 1):
        if has_content(cells):
            body += [[] for _ in range(blanks)] + [cells]
            blanks = 0
        else:
            blanks += 1
    cards = is_header(hdr)
    return hdr, _without_totals_row(body, name) if cards else body, cards


#: A merged range in a worksheet's XML: <mergeCell ref="F3:F20"/> (any namespace prefix).
_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"'
)


def _merged(path: Path, ws: Any) -> list[tuple[int, int, int, int]]:
    """A worksheet's merged ranges as (first row, first column, last row, last column), 1-based, read
    from its XML in pieces (a read-only workbook does not give them); none when it cannot be found."""
    import zipfile

    from openpyxl.utils import column_index_from_string as col

    member, found, tail = getattr(ws, "_worksheet_path", None), set(), b""
    if not isinstance(member, str):
        return []
    with zipfile.ZipFile(path) as z, z.open(member.lstrip("/")) as f:
        while chunk := f.read(1 << 20):
            found.update(_MERGE_REF.findall(tail + chunk))
            tail = (tail + chunk)[-200:]  # a reference cut between two pieces is whole in the next
    return sorted((int(r1), col(c1.decode()), int(r2), col(c2.decode())) for c1, r1, c2, r2 in found)


def _fill_merged(
    rows: Iterable[list[str]], merged: list[tuple[int, int, int, int]], *, first: int
) -> Iterator[list[str]]:
    """``rows`` (the first is row ``first`` of the sheet) with each range merged over several of them
    holding its value in every cell, as Excel shows it: a desa merged down over its cards is the
    desa of each. A range merged across one row only keeps its value in its first cell, and a row
    with nothing of its own outside the merged cells (a free row under the last card) stays blank."""
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for r1, c1, r2, c2 in merged:
        if r2 > r1 and r1 >= first:
            starts.setdefault(r1, []).append((c1, r2, c2))
    active: list[tuple[int, int, int, str]] = []
    for i, cells in enumerate(rows, start=first):
        active = [a for a in active if a[1] >= i]
        for c1, r2, c2 in starts.get(i, ()):
            active.append((c1, r2, c2, cells[c1 - 1] if c1 <= len(cells) else ""))
        merged_cols = {c for c1, _, c2, _ in active for c in range(c1, c2 + 1)}
        if not any(v.strip() for c, v in enumerate(cells, start=1) if c not in merged_cols):
            yield cells
            continue
        for c1, _, c2, value in active:
            cells = cells + [""] * (c2 - len(cells))
            cells[c1 - 1 : c2] = [value] * (c2 - c1 + 1)
        yield cells


def _stack_sheets(
    sheets: list[tuple[str, list[str], list[list[str]]]], *, name: str, skipped: list[str]
) -> tuple[list[str], list[list[str]]]:
    """The card sheets of a workbook as one table: columns matched by the field their header names
    (else by their header, case ignored; a column only a later sheet has is added), rows one sheet
    after the other, numbered on; says so in a warning with each sheet's rows."""
    header: list[str] = []
    keys: list[tuple[str, int]] = []
    places = []
    for _, hdr, _ in sheets:
        seen: dict[str, int] = {}
        place = []
        for h in hdr:
            base = header_field(h) or fold(h)
            seen[base] = seen.get(base, -1) + 1
            if (base, seen[base]) not in keys:
                keys.append((base, seen[base]))
                header.append(h)
            place.append(keys.index((base, seen[base])))
        places.append(place)
    body: list[list[str]] = []
    spans = []
    for (title, hdr, rows), place in zip(sheets, places, strict=True):
        spans.append(f"{title!r} {len(body) + 1}-{len(body) + len(rows)}")
        for r in rows:
            cells = [""] * len(header)
            for j, k in enumerate(place[: len(r)]):
                cells[k] = r[j]
            body.append(cells + r[len(hdr) :] if r and has_content(r[len(hdr) :]) else cells if r else [])
    key = "log.cards_several_sheets_skipped" if skipped else "log.cards_several_sheets"
    log(logger, logging.WARNING, key, name=name, n=len(sheets), sheets=", ".join(spans),
        skipped=", ".join(skipped))  # fmt: skip
    return header, body


# ---------------------------------------------------------------------------------------------- columns
def map_columns(headers: list[str], columns: Mapping[str, str] | None = None) -> dict[str, str]:
    """Canonical field -> header of the file. ``columns`` maps file headers to canonical fields.

    Raises
    ------
    MissingColumnError
        Naming every missing required field, what was found and the ``columns=`` argument that would
        fix it. When the first row looks like data (no header row), columns are described by
        position and kind only: the row's cells are personal data.
    """
    columns = dict(columns or {})
    unknown = [v for v in columns.values() if v not in HEADER_ALIASES]
    if unknown:
        raise ConfigError(f"columns= maps to unknown fields {unknown}; fields are {sorted(HEADER_ALIASES)}")
    bad = [k for k in columns if k not in headers]
    if bad:
        raise MissingColumnError(
            f"columns= names {_safe_list(bad)}, which the file does not have; it has {_safe_list(headers)}"
        )
    mapping: dict[str, str] = {canon: hdr for hdr, canon in columns.items()}
    used = set(columns)
    for h in headers:
        canon = header_field(h)
        if h not in used and canon is not None and canon not in mapping:
            mapping[canon] = h
            used.add(h)
    missing = [f for f in REQUIRED_FIELDS if f not in mapping]
    if missing:
        raise _missing_error(missing, headers, used)
    # Keep the canonical order of HEADER_ALIASES, whatever order the file has.
    return {canon: mapping[canon] for canon in HEADER_ALIASES if canon in mapping}


def check_twin_columns(
    frame: pd.DataFrame, mapping: Mapping[str, str], *, columns: Mapping[str, str] | None, name: str
) -> None:
    """Refuse a field whose header appears twice with different cells (two NAMA columns, an address
    split over two ALAMAT columns): reading the first and ignoring the other would be silently wrong.
    A column the caller chose with ``columns=``, an exact copy of a column and a blank copy are fine.

    Raises
    ------
    InputFileError
        Naming the header, how often it appears, and how to choose one (in the file, or with
        ``columns=``).
    """
    chosen = set(columns or {})
    for field, header in mapping.items():
        if header in chosen:
            continue
        base = header.casefold()
        twins = [c for c in frame.columns if c != header and _TWIN_SUFFIX.sub("", c).casefold() == base]
        # A blank copy (an empty extra column of an export) holds nothing to choose between.
        differ = [
            t
            for t in twins
            if frame[t].str.strip().ne("").any()
            and not frame[t].str.strip().equals(frame[header].str.strip())
        ]
        if differ:
            raise error(
                InputFileError, "error.cards_twin_column", name=name, header=repr(header), n=len(twins) + 1,
                second=repr(differ[0]), field=repr(field),
            )  # fmt: skip


_TWIN_SUFFIX = re.compile(r"\.[0-9]+$")  # how unique_headers names a repeated header


def unused_columns(headers: list[str], mapping: Mapping[str, str]) -> list[str] | str:
    """The headers no field was mapped to (described by count only when the header row looks like data)."""
    used = set(mapping.values())
    if not looks_like_header(headers):
        return _safe_list(headers)
    return [h for h in headers if h not in used]


def _missing_error(missing: list[str], headers: list[str], used: set[str]) -> MissingColumnError:
    names = ", ".join(repr(f) for f in missing)
    if not looks_like_header(headers) and looks_like_card(headers):
        return error(MissingColumnError, "error.cards_headerless", fields=names, kinds=cell_kinds(headers))
    if not looks_like_header(headers):  # a title block longer than the rows searched, or no header at all
        return error(
            MissingColumnError, "error.cards_header_not_found", fields=names, rows=HEADER_SEARCH_ROWS,
            expected=EXPECTED_HEADER,
        )  # fmt: skip
    free = [h for h in headers if h not in used]
    guesses: dict[str, str | None] = {}
    for f in missing:
        best = process.extractOne(f, free, scorer=fuzz.partial_ratio) if free else None
        guesses[f] = best[0] if best and best[1] >= 60 else None
    hints = partial(_column_hints, guesses=guesses)
    return error(
        MissingColumnError, "error.cards_columns_missing", fields=names, headers=headers, hints=hints
    )


def _column_hints(t: Messages, *, guesses: Mapping[str, str | None]) -> str:
    """``'<column>': 'field'`` for each missing field: the file's likeliest column, else a placeholder
    worded by ``t``."""
    return ", ".join(f"{guess or t('cell.your_column')!r}: {f!r}" for f, guess in guesses.items())


def _safe_list(headers: list[str]) -> list[str] | str:
    return headers if looks_like_header(headers) else f"{len(headers)} columns (first row looks like data)"
