from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ektp_routes import ConfigError, InputFileError, MissingColumnError
from ektp_routes.reader import (
    MAX_CELL_CHARS,
    check_twin_columns,
    header_field,
    map_columns,
    read_table,
    read_text_table,
    table_from_frame,
)

HEADER = ["NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA", "KECAMATAN", "KODE POS"]
ROWS = [
    ["3216101201900001", "Siti Rahayu", "Kp. Pulo RT 001/RW 002", "1", "2", "Ds. Karang Bahagia",
     "KARANG BAHAGIA", "17535"],
    ["3216105505850002", "Dewi Lestari", "Kp. Pulo", "003", "002", "Karangbahagia",
     "Kec. Karang Bahagia", ""],
    ["3216061201900003", "Budi Santoso", "Jl. Mawar No. 3 RT.4 RW.7", "", "", "Mekarsari",
     "Tambun Selatan", "17510"],
]  # fmt: skip


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    sep: str = ",",
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> Path:
    lines = [header or HEADER, *rows] if header != [] else rows
    text = "\n".join(sep.join(f'"{c}"' if sep in c else c for c in r) for r in lines) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(",", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), ("\t", "latin-1"), (",", "utf-16"), ("|", "utf-8")],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, sep: str, encoding: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][1] = "Siti Ré Rahayu"  # a non-ASCII letter, as in imported names
    raw = read_table(write_csv(tmp_path / "c.csv", rows, sep=sep, encoding=encoding))
    assert raw.frame.columns.tolist() == HEADER
    assert raw.n_rows == 3 and raw.frame["NAMA"].iloc[0] == "Siti Ré Rahayu"
    assert raw.frame["ALAMAT"].iloc[2] == "Jl. Mawar No. 3 RT.4 RW.7"
    assert not raw.wrong_width.any() and not raw.long_cell.any()


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_old_mac_and_windows_line_endings_read_like_unix_ones(tmp_path: Path, newline: str) -> None:
    # Excel's "CSV (Macintosh)" ends lines with a bare CR; a quoted cell keeps its line break.
    rows = [list(r) for r in ROWS]
    rows[1][2] = '"Kp. Pulo\nBlok A"'
    unix = write_csv(tmp_path / "unix.csv", rows)
    other = tmp_path / "other.csv"
    other.write_bytes(unix.read_bytes().replace(b"\n", newline.encode()))
    raw = read_table(other)
    assert raw.frame.values.tolist() == read_table(unix).frame.values.tolist()
    assert raw.n_rows == 3 and not raw.wrong_width.any()


def test_a_bare_cr_inside_a_cell_of_a_unix_file_does_not_cut_its_card_in_two(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][2] = "Kp.\rPulo"  # unquoted, as a careless export writes it
    raw = read_table(write_csv(tmp_path / "c.csv", rows))
    assert raw.n_rows == 3 and not raw.wrong_width.any()
    assert raw.frame["ALAMAT"].iloc[1] == "Kp. Pulo"


@pytest.mark.parametrize(
    "header",
    [
        ["No NIK", "Nama Lengkap", "Alamat", "RT", "RW", "Kelurahan", "Kecamatan", "Kodepos"],
        ["nik", "nama", "alamat lengkap", "no rt", "no rw", "Desa/Kelurahan", "Kec", "Kode Pos"],
        ["NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA", "KEC", "KD POS"],
    ],
)
def test_header_variants_map_to_fields(header: list[str]) -> None:
    mapping = map_columns(header)
    assert mapping == dict(zip(["nik", "nama", "alamat", "rt", "rw", "desa", "kecamatan", "kodepos"], header,
                               strict=True))  # fmt: skip
    assert header_field("Catatan") is None


def test_first_matching_header_wins_and_columns_argument_overrides() -> None:
    headers = ["NIK", "Desa", "Kelurahan", "NAMA", "ALAMAT", "KECAMATAN"]
    assert map_columns(headers)["desa"] == "Desa"
    assert map_columns(headers, {"Kelurahan": "desa"})["desa"] == "Kelurahan"
    with pytest.raises(ConfigError, match="unknown fields"):
        map_columns(headers, {"Kelurahan": "village_name"})
    with pytest.raises(MissingColumnError, match="does not have"):
        map_columns(headers, {"Wilayah": "desa"})


def test_missing_column_error_says_what_to_pass() -> None:
    header = ["NIK", "NAMA", "Tempat Tinggal", "RT", "RW", "Wilayah Desa", "KECAMATAN", "KODE POS"]
    with pytest.raises(MissingColumnError) as err:
        map_columns(header)
    msg = str(err.value)
    assert "'alamat'" in msg and "Tempat Tinggal" in msg and "columns=" in msg
    assert "desa" not in map_columns(header, {"Tempat Tinggal": "alamat"})  # optional: found in the address
    assert map_columns(header, {"Wilayah Desa": "desa", "Tempat Tinggal": "alamat"})["desa"] == "Wilayah Desa"


def test_file_without_header_row_is_described_by_position_and_kind(tmp_path: Path) -> None:
    # The first card becomes the "header": the error must not quote its NIK, name or address.
    raw = read_table(write_csv(tmp_path / "c.csv", ROWS, header=[]))
    with pytest.raises(MissingColumnError) as err:
        map_columns(list(raw.frame.columns))
    msg = str(err.value)
    assert "column 1: 16-digit number" in msg and "header row" in msg
    for cell in ROWS[0]:
        if len(cell) > 2:
            assert cell not in msg
    assert "Siti" not in msg and "Pulo" not in msg and "3216101201900001" not in msg


def test_xlsx_cells_become_text_and_excel_truncated_niks_show(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*HEADER, None, None])  # trailing empty header cells are formatting residue
    ws.append([3216101201900001, *ROWS[0][1:]])  # exact number, last digit not 0: recoverable
    ws.append([3216105505850000, *ROWS[1][1:]])  # Excel keeps 15 significant digits: the 16th is lost
    ws.append([None] * len(HEADER))  # a blank row between cards keeps its place (rows keep their numbers)
    ws.append([ROWS[2][0], *ROWS[2][1:4], 7.0, *ROWS[2][5:]])
    ws.append([None] * len(HEADER))  # blank rows at the end are formatting residue: dropped
    path = tmp_path / "c.xlsx"
    wb.save(path)
    raw = read_table(path)
    assert raw.frame.columns.tolist() == HEADER
    assert raw.frame["NIK"].tolist() == ["3216101201900001", "3.21611E+15", "", "3216061201900003"]
    assert raw.frame["RW"].iloc[3] == "7"
    assert not raw.wrong_width.any()


def test_blank_rows_between_cards_keep_every_row_number(tmp_path: Path) -> None:
    lines = [",".join(HEADER), ",".join(ROWS[0]), "", ",".join(ROWS[1]), "", ""]
    (tmp_path / "c.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_table(tmp_path / "c.csv")
    assert raw.frame["NIK"].tolist() == [ROWS[0][0], "", ROWS[1][0]]
    assert not raw.wrong_width.any()


def test_parquet_and_dataframe_as_text(tmp_path: Path) -> None:
    df = pd.DataFrame(ROWS, columns=HEADER).assign(lat=[-6.1964, np.nan, -6.25], n=[1, 2, 3])
    df.to_parquet(tmp_path / "c.parquet")
    for raw in (read_table(tmp_path / "c.parquet"), table_from_frame(df)):
        assert raw.frame["lat"].tolist() == ["-6.1964", "", "-6.25"]
        assert raw.frame["n"].tolist() == ["1", "2", "3"]
        assert raw.frame["NIK"].tolist() == [r[0] for r in ROWS]


def test_broken_rows_are_marked_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    lines = [
        ",".join(HEADER),
        ",".join(ROWS[0]),
        ",".join(ROWS[1][:5]),
        ",".join(ROWS[2]) + ",extra,x",
        ",".join(ROWS[2][:2]) + "," + "x" * 5000 + "," + ",".join(ROWS[2][3:]),
        ",".join(ROWS[2]) + ",,",  # trailing empty cells: harmless
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_table(path)
    assert raw.n_rows == 5 and raw.width == len(HEADER)
    assert raw.wrong_width.tolist() == [False, True, True, False, False]
    assert raw.fields.tolist() == [8, 5, 10, 8, 10]
    assert raw.long_cell.tolist() == [False, False, False, True, False]
    assert raw.frame["ALAMAT"].str.len().max() == MAX_CELL_CHARS


@pytest.mark.parametrize(
    ("content", "match"),
    [(b"", "empty"), (b"\x00\x01\x02\x03garbage" * 10, "binary"), (b"\n\n \n", "empty")],
)
def test_unreadable_files_give_one_clear_error(tmp_path: Path, content: bytes, match: str) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=match):
        read_table(p)


def test_truncated_files_missing_file_and_old_xls(tmp_path: Path) -> None:
    (tmp_path / "c.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (tmp_path / "c.parquet").write_bytes(b"PAR1 truncated")
    (tmp_path / "c.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match="truncated"):
        read_table(tmp_path / "c.xlsx")
    with pytest.raises(InputFileError, match=r"cannot be read as a \.parquet card list"):
        read_table(tmp_path / "c.parquet")
    with pytest.raises(InputFileError, match=r"save it as \.xlsx"):
        read_table(tmp_path / "c.xls")
    with pytest.raises(InputFileError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputFileError, match="directory"):
        read_table(tmp_path)


def test_a_workbook_with_a_password_is_told_apart_from_a_truncated_one(tmp_path: Path) -> None:
    # Excel stores an .xlsx with a password inside an OLE compound file (the .xls container), not a zip:
    # before, it was refused as 'not a zip archive; is it truncated?', which sends the clerk the wrong way.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptedPackage".ljust(512, b"\0")
    (tmp_path / "kartu.xlsx").write_bytes(ole)
    with pytest.raises(InputFileError) as err:
        read_table(tmp_path / "kartu.xlsx")
    assert str(err.value).startswith("kartu.xlsx is a workbook with a password (or an old .xls renamed")
    assert "truncated" not in str(err.value)


def test_header_only_gives_an_empty_table(tmp_path: Path) -> None:
    raw = read_table(write_csv(tmp_path / "c.csv", []))
    assert raw.n_rows == 0 and raw.frame.columns.tolist() == HEADER


@pytest.mark.parametrize(("suffix", "sep"), [(".xlsx", ""), (".csv", ","), (".csv", ";")])
def test_title_rows_above_the_header_are_skipped(tmp_path: Path, suffix: str, sep: str) -> None:
    """An export with a title, a subtitle and a blank row above its header row reads from the header;
    row numbers still count cards after it. In a CSV the title lines are plain text (no delimiter, or
    a comma in a semicolon file): the delimiter is the header row's."""
    above = [["DAFTAR KTP-EL SIAP KIRIM"], ["Kabupaten Bekasi, Oktober 2026"], []]
    path = tmp_path / f"c{suffix}"
    if suffix == ".xlsx":
        wb = openpyxl.Workbook()
        for r in [*above, HEADER, *ROWS]:
            wb.active.append(r)
        wb.save(path)
    else:
        title = [r[0] if r else "" for r in above]
        path.write_text("\n".join(title + [sep.join(r) for r in [HEADER, *ROWS]]) + "\n", encoding="utf-8")
    raw = read_table(path)
    assert raw.frame.columns.tolist() == HEADER and raw.n_rows == len(ROWS)
    assert raw.frame["NIK"].tolist() == [r[0] for r in ROWS]


#: A registry office's title block: logo rows, several title lines, a signature block, blank rows.
TITLE_BLOCK = [
    [], [], [], ["PEMERINTAH KABUPATEN BEKASI"], ["DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"],
    ["Komplek Perkantoran Pemda, Cikarang Pusat"], [], ["DAFTAR KTP-EL SIAP KIRIM"], ["Periode Oktober 2026"],
    [], ["Mengetahui,"], ["Kepala Bidang Pelayanan"], [], [], ["NIP. 19700101 199003 1 001"], [],
    ["Dicetak: 2026-10-01 08:00"], ["Halaman 1 dari 1"], [],
]  # fmt: skip


def _with_title(path: Path, title: list[list[str]]) -> Path:
    if path.suffix == ".xlsx":
        wb = openpyxl.Workbook()
        for r in [*title, HEADER, *ROWS]:
            wb.active.append(r)
        wb.save(path)
    else:
        lines = [r[0] if r else "" for r in title] + [",".join(r) for r in [HEADER, *ROWS]]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_long_title_block_above_the_header_is_skipped(tmp_path: Path, suffix: str) -> None:
    # 19 rows of logo, titles and a signature above the header (only the top 10 were searched before).
    raw = read_table(_with_title(tmp_path / f"c{suffix}", TITLE_BLOCK))
    assert raw.frame.columns.tolist() == HEADER and raw.n_rows == len(ROWS)
    assert raw.frame["NIK"].tolist() == [r[0] for r in ROWS]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_no_header_in_the_rows_searched_names_the_columns_expected(tmp_path: Path, suffix: str) -> None:
    from ektp_routes.cards import read_cards
    from ektp_routes.i18n import error_text, messages

    title = [["DAFTAR KTP-EL SIAP KIRIM 2026"], *([["Catatan petugas"]] * 60)]
    with pytest.raises(MissingColumnError) as info:
        read_cards(_with_title(tmp_path / f"c{suffix}", title))
    said = str(info.value)
    assert "no header row in the first 50 rows" in said and "looks like data" not in said
    assert "Expected columns: NIK, NAMA, ALAMAT, RT, RW, KEL/DESA, KECAMATAN, KODE POS" in said
    assert "Kolom yang diharapkan: NIK, NAMA, ALAMAT, RT, RW" in error_text(info.value, messages("id"))
    assert not any(cell in said for row in ROWS for cell in row[:3])  # no NIK, name or address


def test_a_sheet_the_workbook_does_not_have_is_named_with_the_sheets_it_has(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Kartu"
    wb.create_sheet("Rekap")
    wb.save(tmp_path / "k.xlsx")
    with pytest.raises(InputFileError, match=r"k\.xlsx has no sheet 'Data'; its sheets: 'Kartu', 'Rekap'"):
        read_table(tmp_path / "k.xlsx", sheet="Data")
    with pytest.raises(InputFileError, match=r"has no sheet 3; its sheets: 'Kartu', 'Rekap'"):
        read_table(tmp_path / "k.xlsx", sheet=3)


def test_a_stray_nul_in_a_cell_is_junk_of_that_cell_not_a_binary_file(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "c.csv", [list(r) for r in ROWS])
    p.write_bytes(p.read_bytes().replace(b"Siti", b"Si\x00ti"))
    assert read_table(p).frame["NAMA"].tolist()[0] == "Si\x00ti Rahayu"  # the NUL is dropped by card_rows
    p.write_bytes(b"PK\x03\x04\x00\x00" * 200)  # NULs everywhere: a binary file (an .xlsx renamed)
    with pytest.raises(InputFileError, match="binary"):
        read_table(p)


def test_overlong_cells_of_a_dataframe_are_cut_and_marked_as_in_a_file() -> None:
    frame = pd.DataFrame([ROWS[0], ROWS[1]], columns=HEADER)
    frame.loc[1, "NAMA"] = "A" * (MAX_CELL_CHARS + 1)
    raw = table_from_frame(frame)
    assert raw.long_cell.tolist() == [False, True]
    assert raw.frame["NAMA"].str.len().max() == MAX_CELL_CHARS


def test_a_field_whose_header_appears_twice_with_other_cells_is_refused_in_one_line() -> None:
    header = ["NIK", "NAMA", "ALAMAT", "ALAMAT", "KEL/DESA"]
    rows = [["3216101201900001", "Siti", "Jl. Mawar", "Kp. Pulo RT 3/5", "Karang Bahagia"]]
    raw = table_from_frame(pd.DataFrame(rows, columns=header))
    mapping = map_columns(list(raw.frame.columns))
    with pytest.raises(InputFileError, match=r"'ALAMAT' appears 2 times.*columns=\{'ALAMAT.1': 'alamat'\}"):
        check_twin_columns(raw.frame, mapping, columns=None, name="c.csv")
    chosen = {"ALAMAT.1": "alamat"}
    check_twin_columns(raw.frame, map_columns(list(raw.frame.columns), chosen), columns=chosen, name="c.csv")
    same = table_from_frame(
        pd.DataFrame([["3216101201900001", "Siti", "Kp. Pulo", "Kp. Pulo "]], columns=header[:4])
    )
    check_twin_columns(same.frame, map_columns(list(same.frame.columns)), columns=None, name="c.csv")
    # An empty extra column (Excel exports carry them) is no second address.
    blank = table_from_frame(
        pd.DataFrame([["3216101201900001", "Siti", "Kp. Pulo", " "]], columns=header[:4])
    )
    check_twin_columns(blank.frame, map_columns(list(blank.frame.columns)), columns=None, name="c.csv")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, {"id": "daftar kartu {path} tidak ada", "en": "card list {path} does not exist"}),
        (
            "",
            {"id": "{name} kosong: diharapkan satu baris judul", "en": "{name} is empty: expected a header"},
        ),
        (
            b"\x00\x01\x02\x03garbage" * 10,
            {"id": "{name} adalah berkas biner", "en": "{name} is a binary file"},
        ),
        (
            "NIK,NAMA\n3216061201900001,Siti\n",
            {
                "id": "kolom wajib 'alamat' tidak ditemukan; kolom berkas: ['NIK', 'NAMA']. Ganti",
                "en": "required column(s) 'alamat' not found; the file has columns ['NIK', 'NAMA']. Pass",
            },
        ),
        (
            "3216061201900001,Siti Aminah,Kp. Pulo RT 001/002\n",
            {
                "id": "kolom wajib 'nik', 'nama', 'alamat' tidak ditemukan: baris pertama tampak",
                "en": "required column(s) 'nik', 'nama', 'alamat' not found: the first row looks like data",
            },
        ),
        (
            "NIK,NAMA,ALAMAT,NAMA\n3216061201900001,Siti,Kp. Pulo,Ani\n",
            {
                "id": "{name}: kolom 'NAMA' muncul 2 kali dengan isi berbeda",
                "en": "{name}: column 'NAMA' appears 2",
            },
        ),
    ],
    ids=["missing", "empty", "binary", "no_address_column", "no_header_row", "twin_column"],
)
def test_a_card_list_that_cannot_be_read_is_said_in_the_language(
    tmp_path: Path, content: str | bytes | None, words: dict[str, str]
) -> None:
    from ektp_routes.cards import read_cards
    from ektp_routes.i18n import error_text, messages

    path = tmp_path / "kartu.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_cards(path)
    for lang, text in (("id", error_text(info.value, messages("id"))), ("en", str(info.value))):
        assert text.startswith(words[lang].format(path=path, name=path.name)), text
        assert "3216061201900001" not in text and "Siti" not in text and "\n" not in text
    assert error_text(info.value, messages("en")) == str(info.value)


def test_a_file_without_header_row_is_described_in_the_language(tmp_path: Path) -> None:
    from ektp_routes.i18n import error_text, messages

    raw = read_table(write_csv(tmp_path / "c.csv", ROWS, header=[]))
    with pytest.raises(MissingColumnError) as err:
        map_columns(list(raw.frame.columns))
    said = error_text(err.value, messages("id"))
    assert "(kolom 1: angka 16 digit, kolom 2: teks, kolom 3: teks berangka," in said, said
    assert "column" not in said and "Siti" not in said and "3216101201900001" not in said
    assert "(column 1: 16-digit number, column 2: text, column 3: text with digits," in str(err.value)


def test_a_small_table_that_is_no_card_list_is_read_in_excels_encodings_and_delimiters(
    tmp_path: Path,
) -> None:
    # Offices and outcome files: cp1252 with ';' (Excel's "CSV" in an Indonesian locale), UTF-16 with
    # tabs ("Unicode Text"), UTF-8 with a byte order mark and CRLF.
    for encoding, sep in (("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ",")):
        p = tmp_path / f"t_{encoding}.csv"
        p.write_bytes(f"nama{sep}lon\r\nPos Ñ{sep}107\r\n".encode(encoding))
        frame = read_text_table(p)
        assert list(frame.columns) == ["nama", "lon"] and frame.iloc[0].tolist() == ["Pos Ñ", "107"]


def test_a_small_table_whose_rows_end_in_a_delimiter_keeps_its_columns(tmp_path: Path) -> None:
    # Rows ending in ',' (an app's empty last column, a hand-typed file): pandas took the first column
    # for an index and shifted every other one place, so a handheld file was refused as belonging to
    # "operation PH-...-K01" (its route id) and an offices file had "lat: not a number".
    p = tmp_path / "h.csv"
    p.write_text("operation_id,route_id,card_ref\nOP-ABC123,R-1,K00000018,\nOP-ABC123,R-2,K00000026,,\n")
    frame = read_text_table(p)
    assert list(frame.columns) == ["operation_id", "route_id", "card_ref"]
    assert frame["card_ref"].tolist() == ["K00000018", "K00000026"]
    assert frame["operation_id"].tolist() == ["OP-ABC123", "OP-ABC123"]
    p.write_text("name;lon;lat\nKP A;107,1;-6,1;\n")  # Excel's ';' alike
    assert read_text_table(p).iloc[0].tolist() == ["KP A", "107,1", "-6,1"]
    p.write_text("name,lon,lat\nKP A,107.1,-6.1,Pak Budi\n")  # a filled cell past the header: no guess
    with pytest.raises(pd.errors.ParserError, match="Expected 3 fields in line 2, saw 4"):
        read_text_table(p)


def test_a_missing_column_with_no_likely_header_is_a_placeholder_in_the_language(tmp_path: Path) -> None:
    from ektp_routes.i18n import error_text, messages

    with pytest.raises(MissingColumnError) as err:
        map_columns(["NIK", "NAMA", "KETERANGAN"])
    assert "columns={'<kolom anda>': 'alamat'}" in error_text(err.value, messages("id"))
    assert "Pass columns={'<your column>': 'alamat'} to say" in str(err.value)


def _workbook(
    path: Path, sheets: list[tuple[str, list[list[object]]]], *, hidden: tuple[str, ...] = ()
) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.active = next(i for i, (title, _) in enumerate(sheets) if title not in hidden)
    wb.save(path)
    return path


def test_a_hidden_first_sheet_is_passed_over_for_the_visible_card_sheet(tmp_path: Path) -> None:
    # Exports often carry a hidden lookup sheet first; the user sees (and means) the card sheet.
    lookup = [["kode", "nama desa"], ["32.16.10.2005", "Karang Bahagia"]]
    p = _workbook(tmp_path / "k.xlsx", [("ref", lookup), ("Data", [HEADER, *ROWS])], hidden=("ref",))
    raw = read_table(p)
    assert raw.frame.columns.tolist() == HEADER
    assert raw.frame["NIK"].tolist() == [r[0] for r in ROWS]
    assert read_table(p, sheet="ref").frame.columns.tolist() == ["kode", "nama desa"]  # asked for: read


def test_cards_on_several_sheets_are_all_read_once_and_a_sheet_without_cards_is_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # One sheet per desa is how a kecamatan's list is often split; reading the first alone lost the rest.
    rekap = [["REKAPITULASI"], ["Desa", "Jumlah"], ["Karang Bahagia", 2]]
    header_b = [h.lower() for h in HEADER]  # the same columns, written in another case
    desa_b = [["KECAMATAN X"], header_b, ROWS[2]]  # a title row above its header
    sheets = [("Desa A", [HEADER, *ROWS[:2]]), ("Rekap", rekap), ("Desa B", desa_b)]
    with caplog.at_level("WARNING", logger="ektp_routes.reader"):
        raw = read_table(_workbook(tmp_path / "k.xlsx", sheets))
    assert raw.frame.columns.tolist() == HEADER
    assert raw.frame["NIK"].tolist() == [r[0] for r in ROWS]
    assert not raw.wrong_width.any()
    (record,) = [r for r in caplog.records if "sheets" in r.getMessage()]
    assert "'Desa A' 1-2, 'Desa B' 3-3" in record.getMessage() and "'Rekap'" in record.getMessage()
    assert "Siti" not in record.getMessage() and ROWS[0][0] not in record.getMessage()
    # --sheet is on every command that reads a card list (05b705c), not on validate alone.
    assert "--sheet NAME (any command that reads cards) or sheet=" in record.getMessage()
    only_b = read_table(tmp_path / "k.xlsx", sheet="Desa B")
    assert only_b.frame["nik"].tolist() == [ROWS[2][0]]
    caplog.clear()
    with caplog.at_level("WARNING", logger="ektp_routes.reader"):
        read_table(_workbook(tmp_path / "k2.xlsx", [sheets[0], sheets[2]]))
    (record,) = [r for r in caplog.records if "sheets" in r.getMessage()]
    assert "left out" not in record.getMessage()  # no sheet left out: not said (before: 'left out: -')


def test_a_two_row_header_with_merged_cells_keeps_its_sub_headers(tmp_path: Path) -> None:
    # Dukcapil layouts: ALAMAT merged over JALAN | RT | RW, the other headers merged down two rows.
    top = ["NIK", "NAMA", "ALAMAT", None, None, "KEL/DESA", "KECAMATAN", "KODE POS"]
    sub = [None, None, "JALAN", "RT", "RW", None, None, None]
    p = tmp_path / "k.xlsx"
    wb = openpyxl.Workbook()
    for r in [["DAFTAR PENERIMA KTP-EL"], top, sub, *ROWS]:
        wb.active.append(r)
    for cells in ("C2:E2", "A2:A3", "B2:B3", "F2:F3"):
        wb.active.merge_cells(cells)
    wb.save(p)
    raw = read_table(p)
    assert raw.n_rows == len(ROWS)  # the sub-header row is no card
    assert map_columns(raw.frame.columns.tolist()) == {
        "nik": "NIK", "nama": "NAMA", "alamat": "JALAN", "rt": "RT", "rw": "RW",
        "desa": "KEL/DESA", "kecamatan": "KECAMATAN", "kodepos": "KODE POS",
    }  # fmt: skip
    assert raw.frame["RT"].tolist() == [r[3] for r in ROWS]
    p.unlink()
    write_csv(p.with_suffix(".csv"), [[c or "" for c in sub], *ROWS], header=[c or "" for c in top])
    assert read_table(p.with_suffix(".csv")).frame["RW"].tolist() == [r[4] for r in ROWS]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_column_number_row_and_a_totals_row_are_no_cards(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A Dukcapil layout: title, header, a row numbering the columns, the cards, a JUMLAH row.
    numbers = [f"({i})" for i in range(1, len(HEADER) + 1)]
    totals = ["JUMLAH", "", "", "", "", "", "", str(len(ROWS))]
    rows = [["DAFTAR PENERIMA KTP-EL"], HEADER, numbers, *ROWS, totals]
    if kind == "xlsx":
        p = _workbook(tmp_path / "k.xlsx", [("Data", list(rows))])
    else:
        p = write_csv(tmp_path / "k.csv", rows, header=[])
    with caplog.at_level("WARNING", logger="ektp_routes.reader"):
        raw = read_table(p)
    assert raw.frame.columns.tolist() == HEADER
    assert raw.frame["NIK"].tolist() == [r[0] for r in ROWS]  # neither extra row is a card
    (record,) = caplog.records
    message = record.getMessage()
    assert "totals row" in message and f"({len(ROWS) + 1} below the header)" in message


def test_a_desa_merged_down_over_its_cards_is_the_desa_of_each_card(tmp_path: Path) -> None:
    # Lists grouped by desa merge the KEL/DESA and KECAMATAN cells over the desa's cards: Excel shows
    # the name on every row, the file holds it in the first only (before: desa_empty for the others).
    from ektp_routes import read_cards

    third = [*ROWS[1][:1], "Rina Wati", *ROWS[1][2:]]
    third[0] = "3216105505850005"
    wb = openpyxl.Workbook()
    for r in [["DAFTAR PENERIMA KTP-EL"], HEADER, ROWS[0], ROWS[1], third, ROWS[2]]:
        wb.active.append(r)
    wb.active.merge_cells("A1:H1")  # the title, across the table: no card
    for cells in ("F3:F5", "G3:G5"):  # openpyxl clears the cells a merge covers, as Excel does
        wb.active.merge_cells(cells)
    wb.active.merge_cells("C6:E6")  # merged across one row only: the RT/RW cells stay blank
    wb.save(tmp_path / "k.xlsx")
    raw = read_table(tmp_path / "k.xlsx")
    assert raw.frame["KEL/DESA"].tolist() == [ROWS[0][5]] * 3 + [ROWS[2][5]]
    assert raw.frame["KECAMATAN"].tolist() == [ROWS[0][6]] * 3 + [ROWS[2][6]]
    assert raw.frame["NAMA"].tolist() == ["Siti Rahayu", "Dewi Lestari", "Rina Wati", "Budi Santoso"]
    assert raw.frame.loc[3, ["RT", "RW"]].tolist() == ["", ""]
    cards = read_cards(tmp_path / "k.xlsx")
    assert len(cards.cards) == 4 and not len(cards.rejects)


def test_a_desa_merged_down_past_the_last_card_makes_no_card_of_the_blank_rows(tmp_path: Path) -> None:
    # A desa merged down further than its cards (rows left free for cards to come): the blank rows
    # under the last card stay blank, as Excel shows them; before, each became a row holding only the
    # desa, rejected as a card with no NIK.
    from ektp_routes import read_cards

    wb = openpyxl.Workbook()
    for r in [HEADER, ROWS[0], ROWS[1]]:
        wb.active.append(r)
    wb.active.merge_cells("F2:F6")  # two cards, then three free rows under the same desa
    wb.active.merge_cells("G2:G6")
    wb.save(tmp_path / "k.xlsx")
    cards = read_cards(tmp_path / "k.xlsx")
    assert len(cards.cards) == 2 and not len(cards.rejects)
    assert cards.cards["row"].tolist() == [1, 2]
