from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from ektp_routes.fieldform import (
    MANIFEST_COLUMNS,
    MANIFEST_MARKER,
    Form,
    read_form_xlsx,
    write_form_csv,
    write_form_pdf,
    write_form_xlsx,
)
from ektp_routes.outcomes import read_outcomes


def _form(n: int = 70) -> Form:
    rows = pd.DataFrame(
        {
            "no": range(1, n + 1),
            "urutan": [i // 2 + 1 for i in range(n)],
            "card_ref": [f"K{i:08d}" for i in range(n)],
            "nama": ['=HYPERLINK("x")'] + [f"Nama {i}" for i in range(1, n)],
            "nik": [f"3216{i:012d}" for i in range(n)],
            "alamat": "Kp. Gabus Kidul",
            "tanggal": "2026-08-14",
        }
    )
    header = ("Kantor pos: PH (PH-1)   Kurir: K01   Tanggal: Jumat, 2026-08-14", f"Total: {n} kartu", "Kode")
    choices = {"hasil": ("DITERIMA", "PINDAH")}
    return Form("DAFTAR PENGANTARAN KTP-el", header, MANIFEST_COLUMNS, rows, choices, hidden=("tanggal",))


def test_xlsx_is_a_print_ready_form(tmp_path: Path) -> None:
    path = write_form_xlsx(_form(), tmp_path / "m.xlsx")
    ws = load_workbook(path).active
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$5:$5"
    assert "&P" in ws.oddHeader.right.text and "&N" in ws.oddHeader.right.text
    header = [c.value for c in ws[5]]
    hasil = header.index("Hasil (kode)") + 1
    dv = ws.data_validations.dataValidation[0]
    assert (
        dv.type == "list"
        and "DITERIMA" in dv.formula1
        and str(dv.sqref).startswith(ws.cell(6, hasil).coordinate)
    )
    assert ws.cell(6, 1).border.left.style == "thin"
    assert ws.cell(6, header.index("Nama") + 1).value.startswith("'=")  # shown, never run
    assert ws.column_dimensions["E"].width == 20


def test_pdf_has_pages_with_x_of_y(tmp_path: Path) -> None:
    path = write_form_pdf(_form(70), tmp_path / "m.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 2


def test_clerk_round_trip_reads_back_what_was_typed(tmp_path: Path) -> None:
    path = write_form_xlsx(_form(5), tmp_path / "m.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    ws.insert_rows(1)  # a clerk adds a line above the table
    header = [c.value for c in ws[6]]
    ws.cell(7, header.index("Hasil (kode)") + 1, "DITERIMA")
    ws.cell(7, header.index("Jam") + 1, "09:30")
    ws.cell(8, header.index("Hasil (kode)") + 1, "PINDAH")
    wb.save(path)
    back = read_form_xlsx(path, MANIFEST_COLUMNS, marker=MANIFEST_MARKER)
    assert list(back["hasil"][:3]) == ["DITERIMA", "PINDAH", ""]
    assert (
        list(back["row"][:2]) == [7, 8] and back["jam"][0] == "09:30" and back["tanggal"][0] == "2026-08-14"
    )
    assert back["card_ref"][1] == "K00000001"


def test_note_under_the_table_is_printed_and_not_read_back(tmp_path: Path) -> None:
    form = replace(_form(5), note="Kurir mengantar ke pintu terdekat lebih dulu.")
    path = write_form_xlsx(form, tmp_path / "m.xlsx")
    ws = load_workbook(path).active
    assert ws.cell(5 + 5 + 2, 1).value == form.note and ws.print_title_rows == "$5:$5"
    back = read_outcomes(path)
    assert list(back["card_ref"]) == [f"K{i:08d}" for i in range(5)]  # five cards, no note row
    assert write_form_pdf(form, tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")


def test_csv_form_escapes_formulas(tmp_path: Path) -> None:
    path = write_form_csv(_form(3), tmp_path / "m.csv")
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("no,urutan,card_ref") and "'=HYPERLINK" in text


def test_pdf_header_prints_ampersands_and_brackets_as_typed(tmp_path: Path) -> None:
    # Outside review: the title and header lines were drawn with the markup-escaped text a table cell
    # needs, so an office 'Pos A & B <Pusat>' was printed as 'Pos A &amp; B &lt;Pusat&gt;'.
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    form = replace(_form(3), header=("Kantor pos: Pos A & B <Pusat> (PH-1)", "Total: 3 kartu"))
    path = write_form_pdf(form, tmp_path / "m.pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kantor pos: Pos A & B <Pusat> (PH-1)" in text and "&amp;" not in text
