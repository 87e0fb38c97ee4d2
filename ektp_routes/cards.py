"""Reading and validating the card lists exported by the civil registry (Disdukcapil).

:func:`read_cards` turns a CSV/XLSX/Parquet export (or a DataFrame) into a :class:`CardList`: the
accepted cards with their resolved desa/kelurahan, and a rejects table that names, for every bad row,
the field, a stable reason code and a message. Every input row ends up in exactly one of the two.

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

import csv
import io
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ektp_routes._errors import ConfigError, InputFileError, MissingColumnError
from ektp_routes._text import fold, parse_rt_rw
from ektp_routes.nik import NIK_REASONS, clean_nik, mask_nik, nik_reasons
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)

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
        "desakelurahan",
    ),
    "kecamatan": ("kecamatan", "kec", "namakecamatan", "namakec", "district", "kecamatannya"),
    "kodepos": ("kodepos", "kdpos", "kodepost", "postcode", "postalcode", "zip", "zipcode", "kodeposs"),
    "lon": ("lon", "lng", "long", "longitude", "bujur", "x"),
    "lat": ("lat", "latitude", "lintang", "y"),
}
REQUIRED_FIELDS = ("nik", "nama", "alamat", "desa", "kecamatan")
FIELD_LABELS = {
    "nik": "NIK",
    "nama": "name",
    "alamat": "address",
    "desa": "desa/kelurahan",
    "kecamatan": "kecamatan",
}

#: Every reason code a row can be rejected with, and its meaning.
REASONS: dict[str, str] = {
    **NIK_REASONS,
    "nik_kecamatan_mismatch": "NIK kecamatan code differs from the kecamatan of the stated desa",
    "nik_duplicate": "the same NIK appears on an earlier row",
    "nama_empty": "name is empty",
    "alamat_empty": "address is empty",
    "desa_empty": "desa/kelurahan is empty",
    "desa_unknown": "desa/kelurahan name matches no desa of this kabupaten",
    "desa_ambiguous": "desa/kelurahan name fits several desa; kecamatan or kode pos needed",
    "kecamatan_mismatch": "the desa does not lie in the stated kecamatan",
    "kodepos_invalid": "kode pos is not a kode pos of this kabupaten",
    "kodepos_mismatch": "kode pos differs from that of the stated desa",
    "row_fields": "the row has a different number of fields than the header",
    "cell_too_long": "a cell is longer than the reader accepts",
}

MAX_CELL_CHARS = 2000
_MAX_FILE_CELL = 64 * 1024 * 1024
_CARD_COLUMNS = [
    "row",
    "nik",
    "nama",
    "alamat",
    "rt",
    "rw",
    "desa_kode",
    "desa",
    "kecamatan_kode",
    "kecamatan",
    "kodepos",
    "lon",
    "lat",
    "desa_input",
    "kecamatan_input",
    "desa_match",
    "desa_confidence",
    "warnings",
]
_REJECT_COLUMNS = [
    "row",
    "field",
    "reason",
    "message",
    "problems",
    "nik_masked",
    "desa_input",
    "kecamatan_input",
]

Policy = Literal["reject", "warn"]


@dataclass(frozen=True, slots=True)
class ValidationRules:
    """How strict the reader is about inconsistencies that do not stop delivery.

    Parameters
    ----------
    kodepos_mismatch
        "reject" (default) or "warn" when the kode pos differs from the desa's.
    nik_kecamatan_mismatch
        "reject" (default) or "warn" when the NIK's kecamatan code differs from the desa's kecamatan
        (people who moved keep their NIK).
    min_desa_score
        Minimum similarity (0-100) for a misspelt desa name to be accepted.
    """

    kodepos_mismatch: Policy = "reject"
    nik_kecamatan_mismatch: Policy = "reject"
    min_desa_score: float = 85.0

    def __post_init__(self) -> None:
        for name in ("kodepos_mismatch", "nik_kecamatan_mismatch"):
            if getattr(self, name) not in ("reject", "warn"):
                raise ConfigError(
                    f"ValidationRules.{name} must be 'reject' or 'warn', not {getattr(self, name)!r}"
                )
        if not 0 < self.min_desa_score <= 100:
            raise ConfigError("ValidationRules.min_desa_score must be in (0, 100]")


@dataclass(frozen=True)
class CardList:
    """Accepted cards and rejected rows of one card list.

    ``cards`` columns: row (1 = first card after the header), nik, nama, alamat, rt, rw, desa_kode,
    desa, kecamatan_kode, kecamatan, kodepos, lon, lat (NaN when the file has none), desa_input,
    kecamatan_input (as written), desa_match (exact/alias/fuzzy), desa_confidence, warnings.
    ``rejects`` columns: row, field, reason, message, problems (all reason codes, ";"-joined),
    nik_masked, desa_input, kecamatan_input. It carries no names and no full NIKs.
    """

    cards: pd.DataFrame
    rejects: pd.DataFrame
    n_rows: int
    source: str = "<DataFrame>"
    column_map: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.cards) + len(self.rejects) != self.n_rows:
            raise AssertionError("card list lost rows")  # a bug, never bad input

    def reason_counts(self) -> pd.Series:
        """Number of rejected rows per (primary) reason code, most frequent first."""
        return self.rejects["reason"].value_counts()

    def summary(self) -> str:
        lines = [
            f"{self.source}: {self.n_rows} rows, {len(self.cards)} accepted, {len(self.rejects)} rejected"
        ]
        lines += [f"  {reason}: {n}" for reason, n in self.reason_counts().items()]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- reading
def read_table(
    path: str | os.PathLike[str], *, sheet: str | int | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Read a card file as all-text columns; returns (table, structural problem per row or "").

    CSV encoding (UTF-8, UTF-8 with BOM, cp1252, Latin-1) and delimiter (comma, semicolon, tab) are
    detected. Rows with a wrong number of fields or overlong cells are kept and marked, not dropped.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"card list {p} does not exist")
    if p.is_dir():
        raise InputFileError(f"card list {p} is a directory, not a file")
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(p, sheet)
        if suffix in (".parquet", ".pq"):
            return _read_parquet(p)
        if suffix in (".xls",):
            raise InputFileError(f"{p.name}: old .xls workbooks are not supported; save it as .xlsx or CSV")
        return _read_csv(p.read_bytes(), p.name)
    except InputFileError:
        raise
    except MemoryError:
        raise InputFileError(f"{p.name}: file too large to read into memory") from None
    except Exception as exc:  # corrupt or truncated files: one clear error, never a traceback
        raise InputFileError(f"{p.name} cannot be read as a {suffix or 'CSV'} card list: {exc}") from exc


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise InputFileError(f"{name} is a binary file, not a CSV card list")
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


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(data: bytes, name: str) -> tuple[pd.DataFrame, pd.Series]:
    text = _decode(data, name)
    if not text.strip():
        raise InputFileError(f"{name} is empty: expected a header row and card rows")
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delim = _sniff_delimiter(first)
    csv.field_size_limit(_MAX_FILE_CELL)
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delim))
    except csv.Error as exc:
        raise InputFileError(f"{name}: malformed CSV ({exc})") from exc
    rows = [r for r in rows if "".join(r).strip()]
    if not rows:
        raise InputFileError(f"{name} has no header row")
    return _rows_to_frame(rows[0], rows[1:], name)


def _rows_to_frame(header: list[str], body: list[list[str]], name: str) -> tuple[pd.DataFrame, pd.Series]:
    width = len(header)
    if width > 1000:
        raise InputFileError(f"{name}: header has {width} columns; a card list has about 10")
    problems = [""] * len(body)
    for i, r in enumerate(body):
        if len(r) != width:
            # Trailing empty cells (a common export artefact) are harmless.
            if len(r) < width or "".join(r[width:]).strip():
                problems[i] = f"row_fields:{len(r)}"
            body[i] = (r + [""] * width)[:width]
    cols = _unique_headers(header)
    frame = (
        pd.DataFrame(body, columns=cols, dtype=object) if body else pd.DataFrame(columns=cols, dtype=object)
    )
    problem = pd.Series(problems, dtype=object)
    for c in frame.columns:
        long = frame[c].str.len().to_numpy() > MAX_CELL_CHARS
        if long.any():
            frame.loc[long, c] = frame.loc[long, c].str[:MAX_CELL_CHARS]
            problem[long & problem.eq("").to_numpy()] = "cell_too_long"
    return frame, problem


def _unique_headers(header: list[str]) -> list[str]:
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


def _cell_text(v: object) -> str:
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
        return _cell_text(float(v)) if abs(v) < 2**53 else str(v)
    return str(v)


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, pd.Series]:
    import zipfile

    import openpyxl

    if not zipfile.is_zipfile(path):
        raise InputFileError(f"{path.name} is not an XLSX workbook (not a zip archive); is it truncated?")
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[sheet] if isinstance(sheet, int) else (wb[sheet] if sheet else wb.worksheets[0])
        rows_iter = ws.iter_rows(values_only=True)
        header = next(rows_iter, None)
        if header is None:
            raise InputFileError(f"{path.name}: the first sheet is empty")
        # Trailing empty header cells (formatting residue) are dropped.
        hdr = [_cell_text(h) for h in header]
        while hdr and not hdr[-1].strip():
            hdr.pop()
        body = []
        for raw in rows_iter:
            cells = [_cell_text(v) for v in raw]
            if any(c.strip() for c in cells):
                body.append(cells)
    finally:
        wb.close()
    return _rows_to_frame(hdr, body, path.name)


def _read_parquet(path: Path) -> tuple[pd.DataFrame, pd.Series]:
    df = pd.read_parquet(path)
    return _frame_to_text(df), pd.Series([""] * len(df), dtype=object)


def _frame_to_text(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_float_dtype(s):
            out[str(col)] = [_cell_text(v) for v in s.to_numpy()]
        elif pd.api.types.is_integer_dtype(s):
            out[str(col)] = s.astype("Int64").astype(str).replace("<NA>", "").tolist()
        else:
            out[str(col)] = s.astype(object).where(s.notna(), "").astype(str).tolist()
    return pd.DataFrame(out, columns=_unique_headers([str(c) for c in df.columns]), dtype=object)


# ---------------------------------------------------------------------------------------------- columns
def _header_key(h: str) -> str:
    return fold(h).replace(" ", "")


def map_columns(headers: list[str], columns: Mapping[str, str] | None = None) -> dict[str, str]:
    """Canonical field -> header of the file. ``columns`` maps file headers to canonical fields.

    Raises :class:`MissingColumnError` naming every missing required field, what was found and the
    ``columns=`` argument that would fix it.
    """
    columns = dict(columns or {})
    unknown = [v for v in columns.values() if v not in HEADER_ALIASES]
    if unknown:
        raise ConfigError(f"columns= maps to unknown fields {unknown}; fields are {sorted(HEADER_ALIASES)}")
    bad = [k for k in columns if k not in headers]
    if bad:
        raise MissingColumnError(f"columns= names {bad}, which the file does not have; it has {headers}")
    mapping: dict[str, str] = {canon: hdr for hdr, canon in columns.items()}
    used = set(columns)
    for canon, aliases in HEADER_ALIASES.items():
        if canon in mapping:
            continue
        for h in headers:
            if h not in used and _header_key(h) in aliases:
                mapping[canon] = h
                used.add(h)
                break
    missing = [f for f in REQUIRED_FIELDS if f not in mapping]
    if missing:
        free = [h for h in headers if h not in used]
        hints = []
        for f in missing:
            best = process.extractOne(f, free, scorer=fuzz.partial_ratio) if free else None
            guess = best[0] if best and best[1] >= 60 else "<your column>"
            hints.append(f"{guess!r}: {f!r}")
        names = ", ".join(f"{f!r} ({FIELD_LABELS[f]})" for f in missing)
        raise MissingColumnError(
            f"required column(s) {names} not found; the file has columns {headers}. "
            f"Pass columns={{{', '.join(hints)}}} to say which column holds them."
        )
    return mapping


# ---------------------------------------------------------------------------------------------- validation
def read_cards(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    gazetteer: Gazetteer | None = None,
    rules: ValidationRules | None = None,
    sheet: str | int | None = None,
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
        Sheet name or index of an XLSX workbook (default: the first).

    Returns
    -------
    CardList
        Accepted cards and a rejects table; every input row is in exactly one of them.
    """
    gaz = gazetteer or Gazetteer.bekasi()
    rules = rules or ValidationRules()
    if isinstance(source, pd.DataFrame):
        headers = _unique_headers([str(c) for c in source.columns])
        mapping = map_columns(headers, columns)
        frame = source.set_axis(headers, axis=1)[list(mapping.values())]
        raw, structural = _frame_to_text(frame), pd.Series([""] * len(source), dtype=object)
        name = "<DataFrame>"
    else:
        raw, structural = read_table(source, sheet=sheet)
        name = Path(source).name
        mapping = map_columns(list(raw.columns), columns)
    cards, rejects = validate(raw, mapping, structural, gaz, rules)
    result = CardList(cards, rejects, n_rows=len(raw), source=name, column_map=mapping)
    logger.info("%s: %d rows, %d accepted, %d rejected", name, len(raw), len(cards), len(rejects))
    return result


def _col(raw: pd.DataFrame, mapping: Mapping[str, str], canon: str) -> pd.Series:
    if canon not in mapping:
        return pd.Series([""] * len(raw), index=raw.index, dtype=object)
    return raw[mapping[canon]].astype(object).fillna("").astype(str).str.strip()


def _to_float(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce").astype(float)


def validate(
    raw: pd.DataFrame,
    mapping: Mapping[str, str],
    structural: pd.Series,
    gaz: Gazetteer,
    rules: ValidationRules,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate all-text rows already mapped to fields; returns (cards, rejects)."""
    n = len(raw)
    raw = raw.reset_index(drop=True)
    row = pd.Series(np.arange(1, n + 1), dtype="int64")
    nik = clean_nik(_col(raw, mapping, "nik"))
    nama = _col(raw, mapping, "nama").str.replace(r"\s+", " ", regex=True)
    alamat = _col(raw, mapping, "alamat").str.replace(r"\s+", " ", regex=True)
    desa_in = _col(raw, mapping, "desa")
    kec_in = _col(raw, mapping, "kecamatan")
    kodepos_in = _col(raw, mapping, "kodepos").str.replace(r"\.0$", "", regex=True)

    # Each check writes (field, reason, message) into the first free slot; later problems are listed too.
    reason = pd.Series([""] * n, dtype=object)
    fieldname = pd.Series([""] * n, dtype=object)
    message = pd.Series([""] * n, dtype=object)
    problems: list[list[str]] = [[] for _ in range(n)]
    warnings: list[list[str]] = [[] for _ in range(n)]

    def flag(mask: pd.Series | np.ndarray, fld: str, code: str, msg: pd.Series | str) -> None:
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        msgs = msg if isinstance(msg, pd.Series) else pd.Series([msg] * n, dtype=object)
        first = m & reason.eq("").to_numpy()
        reason[first] = code
        fieldname[first] = fld
        message[first] = msgs[first]
        for i in np.flatnonzero(m):
            problems[i].append(code)

    # Structure of the row itself.
    struct = structural.reset_index(drop=True).fillna("")
    rf = struct.str.startswith("row_fields")
    flag(
        rf,
        "row",
        "row_fields",
        "row has " + struct.str.split(":").str[-1] + f" fields, header has {raw.shape[1]}",
    )
    flag(
        struct.eq("cell_too_long"),
        "row",
        "cell_too_long",
        f"a cell is longer than {MAX_CELL_CHARS} characters",
    )

    # NIK structure.
    kec_codes = [k.kode.split(".")[-1] for k in gaz.all_kecamatan]
    region4 = gaz.region_code.replace(".", "")[:4]
    nr = nik_reasons(nik, region=region4, kecamatan_codes=kec_codes)
    for code, text in NIK_REASONS.items():
        m = nr.eq(code)
        if code == "nik_format":
            flag(
                m,
                "nik",
                code,
                text
                + ", found "
                + nik.str.count(r"\d").astype(str)
                + " digits"
                + np.where(nik.str.contains(r"\D"), " and other characters", ""),
            )
        else:
            flag(m, "nik", code, text)

    # Duplicate NIKs: the later row is rejected, pointing at the first one.
    well = nik.str.fullmatch(r"\d{16}")
    dup = well & nik.duplicated(keep="first")
    if dup.any():
        first_row = pd.Series(row.to_numpy(), index=nik.to_numpy())
        first_row = first_row[~first_row.index.duplicated(keep="first")]
        flag(
            dup,
            "nik",
            "nik_duplicate",
            "same NIK as row " + nik[dup].map(first_row).astype(str).reindex(range(n), fill_value=""),
        )

    flag(nama.eq(""), "nama", "nama_empty", REASONS["nama_empty"])
    flag(alamat.eq(""), "alamat", "alamat_empty", REASONS["alamat_empty"])

    # Desa resolution: once per distinct (desa, kecamatan, kode pos) as written.
    sep = "\x1f"
    codes, uniq = pd.factorize(desa_in + sep + kec_in + sep + kodepos_in)
    resolutions = []
    for u in uniq:
        d, kc, z = str(u).split(sep)
        resolutions.append(
            gaz.resolve_desa(d, kecamatan=kc or None, kodepos=z or None, min_score=rules.min_desa_score)
        )
    u_status = np.array([r.status for r in resolutions] + [""], dtype=object)
    u_desc = np.array([r.describe() for r in resolutions] + [""], dtype=object)
    u_kode = np.array([r.desa.kode if r.ok else "" for r in resolutions] + [""], dtype=object)
    u_conf = np.array([r.confidence for r in resolutions] + [0.0], dtype=float)
    status = pd.Series(u_status[codes], dtype=object)
    desc = pd.Series(u_desc[codes], dtype=object)
    desa_kode = pd.Series(u_kode[codes], dtype=object)
    flag(status.eq("empty"), "desa", "desa_empty", REASONS["desa_empty"])
    flag(status.eq("unknown"), "desa", "desa_unknown", desc)
    flag(status.eq("ambiguous"), "desa", "desa_ambiguous", desc)

    # Consistency of kecamatan / kode pos / NIK with the resolved desa, once per distinct combination.
    nik_ok = nr.eq("") | nr.eq("nik_date") | nr.eq("nik_serial")
    nik6 = nik.str[:6].where(nik_ok, "").astype(object)
    ccodes, cuniq = pd.factorize(desa_kode + sep + kec_in + sep + kodepos_in + sep + nik6)
    policy = {
        "kodepos_mismatch": rules.kodepos_mismatch,
        "nik_kecamatan_mismatch": rules.nik_kecamatan_mismatch,
    }
    fields = {
        "kecamatan_mismatch": "kecamatan",
        "kodepos_unknown": "kodepos",
        "kodepos_mismatch": "kodepos",
        "nik_kecamatan_mismatch": "nik",
        "kecamatan_unknown": "kecamatan",
    }
    per_code = {c: np.full(len(cuniq) + 1, "", dtype=object) for c in fields}
    for j, u in enumerate(cuniq):
        d, kc, z, n6 = str(u).split(sep)
        if not d:
            continue
        for issue in gaz.check(desa=d, kecamatan=kc, kodepos=z, nik=n6 or None):
            per_code[issue.reason][j] = issue.message
    for code, fld in fields.items():
        hit = pd.Series(per_code[code][ccodes], dtype=object)
        m = hit.ne("")
        if not m.any():
            continue
        if code == "kecamatan_unknown" or policy.get(code) == "warn":
            for i in np.flatnonzero(m.to_numpy()):
                warnings[i].append(f"{code}: {hit[i]}")
            continue
        flag(m, fld, "kodepos_invalid" if code == "kodepos_unknown" else code, hit)

    # Coordinates (optional): unusable values are dropped with a warning, swapped pairs are swapped back.
    lon = _to_float(_col(raw, mapping, "lon")) if "lon" in mapping else pd.Series(np.nan, index=range(n))
    lat = _to_float(_col(raw, mapping, "lat")) if "lat" in mapping else pd.Series(np.nan, index=range(n))
    if "lon" in mapping or "lat" in mapping:
        given = _col(raw, mapping, "lon").ne("") | _col(raw, mapping, "lat").ne("")
        lon, lat = _check_coordinates(lon, lat, given, warnings)

    # RT/RW from their columns, a combined column, or the address text.
    rt = _rt_number(_col(raw, mapping, "rt"))
    rw = _rt_number(_col(raw, mapping, "rw"))
    if "rt_rw" in mapping:
        both = _col(raw, mapping, "rt_rw").str.extract(r"(\d{1,3})\D+(\d{1,3})")
        rt = rt.where(rt.ne(""), _rt_number(both[0].fillna("")))
        rw = rw.where(rw.ne(""), _rt_number(both[1].fillna("")))
    need = rt.eq("") | rw.eq("")
    if need.any():
        from_addr = alamat[need].map(parse_rt_rw)
        rt[need] = rt[need].where(rt[need].ne(""), from_addr.str[0])
        rw[need] = rw[need].where(rw[need].ne(""), from_addr.str[1])

    rejected = reason.ne("").to_numpy()
    acc = ~rejected
    table = gaz.desa_table.set_index("kode")
    acc_kode = desa_kode[acc]
    cards = pd.DataFrame(
        {
            "row": row[acc].to_numpy(),
            "nik": nik[acc].to_numpy(),
            "nama": nama[acc].to_numpy(),
            "alamat": alamat[acc].to_numpy(),
            "rt": rt[acc].to_numpy(),
            "rw": rw[acc].to_numpy(),
            "desa_kode": acc_kode.to_numpy(),
            "desa": table["nama"].reindex(acc_kode).to_numpy(),
            "kecamatan_kode": table["kode_kec"].reindex(acc_kode).to_numpy(),
            "kecamatan": table["nama_kec"].reindex(acc_kode).to_numpy(),
            "kodepos": table["kodepos"].reindex(acc_kode).to_numpy(),
            "lon": lon[acc].to_numpy(),
            "lat": lat[acc].to_numpy(),
            "desa_input": desa_in[acc].to_numpy(),
            "kecamatan_input": kec_in[acc].to_numpy(),
            "desa_match": status[acc].to_numpy(),
            "desa_confidence": u_conf[codes][acc],
            "warnings": ["; ".join(warnings[i]) for i in np.flatnonzero(acc)],
        },
        columns=_CARD_COLUMNS,
    )
    rejects = pd.DataFrame(
        {
            "row": row[rejected].to_numpy(),
            "field": fieldname[rejected].to_numpy(),
            "reason": reason[rejected].to_numpy(),
            "message": message[rejected].to_numpy(),
            "problems": [";".join(dict.fromkeys(problems[i])) for i in np.flatnonzero(rejected)],
            "nik_masked": mask_nik(nik[rejected]).to_numpy(),
            "desa_input": desa_in[rejected].to_numpy(),
            "kecamatan_input": kec_in[rejected].to_numpy(),
        },
        columns=_REJECT_COLUMNS,
    )
    return cards, rejects


def _rt_number(s: pd.Series) -> pd.Series:
    """ "RT.3", "03", "3", "003" -> "003"; "" when no number (vectorised :func:`normalise_rt`)."""
    num = s.str.extract(r"(\d{1,3})", expand=False)
    return num.fillna("").astype(object).str.zfill(3).where(num.notna(), "")


def _check_coordinates(
    lon: pd.Series, lat: pd.Series, given: pd.Series, warnings: list[list[str]]
) -> tuple[pd.Series, pd.Series]:
    lon, lat = lon.copy(), lat.copy()
    swapped = lat.between(90.0, 180.0) & lon.between(-15.0, 10.0)
    for i in np.flatnonzero(swapped.to_numpy()):
        warnings[i].append("coordinates_swapped: lon/lat were given in (lat, lon) order and were swapped")
    lon_s = lon.where(~swapped, lat)
    lat_s = lat.where(~swapped, lon)
    valid = lon_s.between(-180, 180) & lat_s.between(-90, 90) & ~((lon_s == 0) & (lat_s == 0))
    bad = given & ~valid
    for i in np.flatnonzero(bad.to_numpy()):
        warnings[i].append("coordinates_invalid: lon/lat unusable, the address will be geocoded instead")
    return lon_s.where(valid), lat_s.where(valid)
