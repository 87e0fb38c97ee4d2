"""Printable A4 field forms: the courier's manifest and the returns list, as XLSX and PDF.

A :class:`Form` is a titled table with header lines (office, courier, date, totals) and columns,
some of which the courier fills by hand (outcome code, receiver, relation, time, signature). The
XLSX is set up for printing as it is: A4 landscape, fit to the page width, the table header repeated
on every page, column widths, borders, "Halaman x dari y" in the page header, and the outcome codes
offered as a drop-down (data validation). The PDF is drawn with reportlab: its platypus tables
break across pages and repeat their header rows, and it is pure Python (no office suite or browser
needed to print), BSD-licensed.

Only these forms (and the private ledger) carry names and NIKs; text cells are escaped so a name
such as ``=HYPERLINK(...)`` is shown, never run, by a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ektp_routes._files import escape_spreadsheet, write_atomic
from ektp_routes.i18n import messages


@dataclass(frozen=True)
class Column:
    """One column of a form: its key (CSV header), printed label, width (characters) and whether
    the courier fills it by hand."""

    key: str
    label: str
    width: float
    filled_by_hand: bool = False


@dataclass(frozen=True)
class Form:
    """A printable table with a title and header lines; ``note`` (optional) is printed under the table
    of the XLSX and at the foot of every PDF page, where reading the filled form back never sees it."""

    title: str
    header: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: pd.DataFrame
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()
    row_height: float = 30.0
    note: str = ""


_HEADER_ROW = 5  # the table's header row in the XLSX (rows 1-3 carry the title and header lines)


def _cells(form: Form) -> list[list[Any]]:
    keys = [c.key for c in form.columns]
    frame = form.rows.reindex(columns=keys)
    out = []
    for rec in frame.itertuples(index=False):
        out.append([escape_spreadsheet("" if pd.isna(v) else v) for v in rec])
    return out


def write_form_xlsx(form: Form, path: Path) -> Path:
    """Write ``form`` as a print-ready XLSX sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Daftar"
    ws.append([form.title])
    ws["A1"].font = Font(bold=True, size=13)
    for i, line in enumerate(form.header[:3], start=2):
        ws.cell(row=i, column=1, value=escape_spreadsheet(line)).font = Font(size=10)
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    hand = PatternFill("solid", fgColor="F2F2F2")
    for j, col in enumerate(form.columns, start=1):
        cell = ws.cell(row=_HEADER_ROW, column=j, value=col.label)
        cell.font, cell.border = Font(bold=True), box
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = col.width
        ws.column_dimensions[get_column_letter(j)].hidden = col.key in form.hidden
    for i, values in enumerate(_cells(form), start=_HEADER_ROW + 1):
        ws.row_dimensions[i].height = form.row_height
        for j, (col, v) in enumerate(zip(form.columns, values, strict=True), start=1):
            cell = ws.cell(row=i, column=j, value=v)
            cell.border, cell.alignment = box, Alignment(wrap_text=True, vertical="top")
            if col.filled_by_hand:
                cell.fill = hand
    if form.note:  # a row with no card reference and no outcome: outcomes.read_outcomes skips it
        note = ws.cell(row=_HEADER_ROW + len(form.rows) + 2, column=1, value=escape_spreadsheet(form.note))
        note.font = Font(italic=True, size=10)
    _add_choices(ws, form)
    _page_setup(ws, form)
    return write_atomic(path, wb.save)


def _add_choices(ws: Any, form: Form) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    last = _HEADER_ROW + max(len(form.rows), 1)
    for j, col in enumerate(form.columns, start=1):
        if col.key not in form.choices:
            continue
        dv = DataValidation(
            type="list", formula1='"' + ",".join(form.choices[col.key]) + '"', allow_blank=True
        )
        dv.error, dv.errorTitle = "Pilih salah satu kode dari daftar", "Kode tidak dikenal"
        dv.prompt, dv.promptTitle = "Pilih kode hasil pengantaran", col.label
        ws.add_data_validation(dv)
        letter = get_column_letter(j)
        dv.add(f"{letter}{_HEADER_ROW + 1}:{letter}{last}")


def _page_setup(ws: Any, form: Form) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.left.text = form.title[:60]
    ws.oddHeader.right.text = "Halaman &P dari &N"
    ws.oddFooter.left.text = (form.header[0] if form.header else "")[:100].replace("&", "&&")
    ws.freeze_panes = ws.cell(row=_HEADER_ROW + 1, column=1)


def write_form_csv(form: Form, path: Path, *, extra: Sequence[str] = ()) -> Path:
    """Write ``form`` as CSV (UTF-8 with BOM so spreadsheets show the letters), one column per key."""
    keys = [c.key for c in form.columns] + [k for k in extra if k not in {c.key for c in form.columns}]
    frame = form.rows.reindex(columns=keys).astype(object).fillna("")
    frame = frame.map(escape_spreadsheet)
    return write_atomic(path, lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig"))


def write_form_pdf(form: Form, path: Path) -> Path:
    """Write ``form`` as an A4 landscape PDF with the header and "Halaman x dari y" on every page."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    shown = [c for c in form.columns if c.key not in form.hidden]
    page_w, page_h = landscape(A4)
    margin = 10 * mm
    table = _pdf_table(form, shown, page_w - 2 * margin)

    def build(p: Path) -> None:
        doc = SimpleDocTemplate(
            str(p),
            pagesize=(page_w, page_h),
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin + 16 * mm,
            bottomMargin=margin,
            title=form.title,
        )
        doc.build([table], canvasmaker=_numbered_canvas(form, page_w, page_h, margin))

    return write_atomic(path, build)


def _pdf_table(form: Form, shown: list[Column], width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=7, leading=8.5)
    head = ParagraphStyle("head", parent=style, fontName="Helvetica-Bold")
    keys = [c.key for c in form.columns]
    idx = [keys.index(c.key) for c in shown]
    # Only text longer than its column is wrapped in a Paragraph (slow to lay out); the rest is drawn as
    # plain strings, which keeps a 150-card manifest well under a second.
    fits = [c.width * 0.9 for c in shown]
    body = [
        [_pdf_plain(row[i]) if len(str(row[i])) <= w else Paragraph(_pdf_text(row[i]), style)
         for i, w in zip(idx, fits, strict=True)]
        for row in _cells(form)
    ]  # fmt: skip
    total = sum(c.width for c in shown)
    widths = [width * c.width / total for c in shown]
    data = [[Paragraph(_pdf_text(c.label), head) for c in shown], *body]
    t = Table(data, colWidths=widths, repeatRows=1, rowHeights=[None] + [form.row_height * 0.75] * len(body))
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
            + [
                ("BACKGROUND", (j, 1), (j, -1), colors.whitesmoke)
                for j, c in enumerate(shown)
                if c.filled_by_hand
            ]
        )
    )
    return t


def _pdf_plain(value: object) -> str:
    """Text drawn as it is (drawString, a plain table cell): no markup is read, so none is escaped."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _pdf_text(value: object) -> str:
    """Text for a Paragraph, which reads markup: ``&``, ``<`` and ``>`` escaped."""
    from xml.sax.saxutils import escape

    # The standard PDF fonts cover Latin-1; other characters are shown as '?', never dropped silently.
    return escape(str(value)).encode("latin-1", "replace").decode("latin-1")


def _numbered_canvas(form: Form, page_w: float, page_h: float, margin: float) -> Any:
    """A canvas class that draws the form header and "Halaman x dari y" once the page count is known."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab calls it so
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for n, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._draw_header(n, len(self._pages))
                super().showPage()
            super().save()

        def _draw_header(self, page: int, pages: int) -> None:
            top = page_h - margin
            self.setFont("Helvetica-Bold", 11)
            self.drawString(margin, top - 4, _pdf_plain(form.title))
            self.setFont("Helvetica", 8)
            for i, line in enumerate(form.header[:3]):
                self.drawString(margin, top - 15 - 9 * i, _pdf_plain(line))
            self.drawRightString(page_w - margin, top - 4, f"Halaman {page} dari {pages}")
            if form.note:
                self.setFont("Helvetica-Oblique", 7)
                self.drawString(margin, margin / 2, _pdf_plain(form.note))

    return NumberedCanvas


def read_form_xlsx(path: Path, columns: Sequence[Column], *, marker: str) -> pd.DataFrame:
    """Read a filled form back: the table under the header row, one column per key, as text.

    The header row is the first one holding the label ``marker``; labels of ``columns`` become their
    keys, so a clerk may add rows above the table or type into the sheet freely; the result has a
    ``row`` column with the spreadsheet row number.
    """
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    for i, r in enumerate(rows[:20]):
        texts = [str(v).strip() if v is not None else "" for v in r]
        if marker in texts:
            label_keys = {c.label: c.key for c in columns}
            keys = [label_keys.get(t, t) for t in texts]
            body = [[_cell_text(v) for v in row] for row in rows[i + 1 :]]
            frame = pd.DataFrame(body, columns=keys) if body else pd.DataFrame(columns=keys)
            frame.insert(0, "row", range(i + 2, i + 2 + len(frame)))
            return frame
    return pd.DataFrame(columns=["row"])


def _cell_text(v: object) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="minutes")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# ------------------------------------------------------------------------------------- the two forms
MANIFEST_MARKER = "Ref. Kartu"
MANIFEST_COLUMNS = (
    Column("no", "No", 5),
    Column("urutan", "Titik", 5),
    Column("card_ref", MANIFEST_MARKER, 13),
    Column("nama", "Nama", 22),
    Column("nik", "NIK", 20),
    Column("alamat", "Alamat", 24),
    Column("blok", messages("id")("manifest.settlement"), 14),  # the plan's settlement column
    Column("rt_rw", "RT/RW", 8),
    Column("desa", "Desa/Kel.", 12),
    Column("percobaan", "Ke-", 4),
    Column("jendela", "Waktu antar", 9),
    Column("hasil", "Hasil (kode)", 20, filled_by_hand=True),
    Column("penerima", "Nama penerima", 18, filled_by_hand=True),
    Column("hubungan", "Hubungan", 11, filled_by_hand=True),
    Column("jam", "Jam", 7, filled_by_hand=True),
    Column("ttd", "Tanda tangan", 16, filled_by_hand=True),
    Column("tanggal", "Tanggal", 10),
    Column("operation_id", "Operasi", 10),  # hidden: ops record refuses the manifest of another operation
    Column("route_id", "Rute", 18),
)
RETURN_COLUMNS = (
    Column("no", "No", 5),
    Column("card_ref", MANIFEST_MARKER, 13),
    Column("nama", "Nama", 22),
    Column("nik", "NIK", 20),
    Column("alamat", "Alamat", 30),
    Column("rt_rw", "RT/RW", 8),
    Column("desa", "Desa/Kel.", 14),
    Column("office_id", "Kantor pos", 12),
    Column("attempts", "Percobaan", 8),
    Column("outcome", "Alasan (kode)", 20),
    Column("tanggal", "Tanggal terakhir", 11),
    Column("diterima", "Diterima oleh (Disdukcapil)", 18, filled_by_hand=True),
)
