"""Cells of a card list as the checks see them: RT/RW numbers, and text cleaned of invisible junk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from ektp_routes import read_cards
from ektp_routes.card_rows import excel_date_rt_rw, unreadable_rt_rw
from ektp_routes.schema import CardWarning

HEADER = ["NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA", "KECAMATAN"]


def _card(**cells: str) -> dict[str, str]:
    row = dict(
        zip(
            HEADER,
            ["3216101201900001", "Siti Rahayu", "Kp. Pulo", "3", "5", "Karang Bahagia", ""],
            strict=True,
        )
    )
    row.update(cells)
    return row


@pytest.mark.parametrize(
    ("rt", "rw", "alamat", "expected"),
    [
        ("<img src=x onerror=alert(6)>", "5", "Kp. Pulo", ("", "005")),  # not RT 006
        ("abc6", "5", "Kp. Pulo", ("", "005")),
        ("6a", "5", "Kp. Pulo", ("", "005")),
        ("1/2/3", "", "Kp. Pulo", ("", "")),  # three numbers: not RT 1 / RW 2
        ("3", "<b>7</b>", "Kp. Pulo", ("003", "")),
        ("6a", "5", "Kp. Pulo RT 004", ("004", "005")),  # the address still says it
        ("2024", "5", "Kp. Pulo", ("", "005")),  # a year (or a NIK) pasted in
    ],
)
def test_junk_in_an_rt_or_rw_cell_is_no_number_and_is_warned_about(
    rt: str, rw: str, alamat: str, expected: tuple[str, str]
) -> None:
    res = read_cards(pd.DataFrame([_card(), _card(NIK="3216101201900002", RT=rt, RW=rw, ALAMAT=alamat)]))
    assert len(res.cards) == 2  # the card can still be delivered: planned by what else is known
    card = res.cards.set_index("row").loc[2]
    assert (card.rt, card.rw) == expected
    w = res.warnings[res.warnings.code.eq(CardWarning.RT_RW_UNREADABLE)]
    assert w.row.tolist() == [2]
    assert w.field.iloc[0] in ("rt", "rw")
    assert f"column {w.field.iloc[0].upper()!r}" in w.message.iloc[0]
    assert "img" not in w.message.iloc[0] and "6" not in w.message.iloc[0]  # the cell is not quoted


@pytest.mark.parametrize(
    ("rt", "rw", "expected"),
    [
        ("3", "5", ("003", "005")),
        ("03", "05", ("003", "005")),
        ("003", "005", ("003", "005")),
        ("RT 003", "RW 005", ("003", "005")),
        ("RT.03", "RW.5", ("003", "005")),
        ("R.T 3", "rw:5", ("003", "005")),
        ("003/005", "", ("003", "005")),
        ("RT 3 RW 5", "", ("003", "005")),
        ("RT003RW005", "", ("003", "005")),
        ("3.0", "5,00", ("003", "005")),
        ("", "", ("", "")),
        ("-", "-", ("", "")),
        ("000", "5", ("", "005")),  # no RT 0 exists: unknown, and no warning (an export writes it so)
    ],
)
def test_rt_rw_as_real_exports_write_them_are_read_without_warning(
    rt: str, rw: str, expected: tuple[str, str]
) -> None:
    res = read_cards(pd.DataFrame([_card(RT=rt, RW=rw)]))
    assert (res.cards.rt.iloc[0], res.cards.rw.iloc[0]) == expected
    assert CardWarning.RT_RW_UNREADABLE not in set(res.warnings.code)


def test_unreadable_rt_rw_cells_alone() -> None:
    cells = pd.Series(["3", "RT 3 / RW 5", "12a", "1/2/3", "x", "1234", "", "5.0"])
    assert unreadable_rt_rw(cells).tolist() == [False, False, True, True, True, True, False, False]


@pytest.mark.parametrize(
    ("column", "cell", "alamat", "expected"),
    [
        ("RT/RW", "03/05/2026", "Kp. Pulo", ("", "")),  # "003/005" re-saved by Excel (Indonesian locale)
        ("RT/RW", "5/3/2026", "Kp. Pulo", ("", "")),  # ... or in an English one: which is RT is unknown
        ("RT/RW", "2026-05-03", "Kp. Pulo", ("", "")),
        ("RT/RW", "2026-05-03 00:00:00", "Kp. Pulo", ("", "")),  # a date cell of an XLSX
        ("RT/RW", "03-May-26", "Kp. Pulo", ("", "")),
        ("RT/RW", "3-Mei", "Kp. Pulo", ("", "")),
        ("RT/RW", "46145", "Kp. Pulo", ("", "")),  # the date saved as Excel's serial day number
        ("RT", "03/05/2026", "Kp. Pulo RT 003 RW 005", ("003", "005")),  # the address still says it
    ],
)
def test_a_date_excel_made_of_an_rt_rw_cell_is_blank_with_its_own_warning(
    column: str, cell: str, alamat: str, expected: tuple[str, str]
) -> None:
    card = {k: v for k, v in _card(ALAMAT=alamat).items() if k not in ("RT", "RW")} | {column: cell}
    res = read_cards(pd.DataFrame([card]))
    assert (res.cards.rt.iloc[0], res.cards.rw.iloc[0]) == expected  # day and month are not guessed
    assert res.warnings.code.tolist() == [CardWarning.RT_RW_EXCEL_DATE]
    message = res.warnings.message.iloc[0]
    assert f"column {column!r} holds a date, as Excel turns an RT/RW" in message and cell not in message


def test_an_xlsx_date_cell_in_the_rt_rw_column_is_warned_about_as_a_date(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NIK", "NAMA", "ALAMAT", "RT/RW", "KEL/DESA"])
    ws.append(["3216101201900001", "Siti Rahayu", "Kp. Pulo", datetime(2026, 5, 3), "Karang Bahagia"])
    ws.append(["3216101201900002", "Budi Santoso", "Kp. Pulo", "003/005", "Karang Bahagia"])
    wb.save(tmp_path / "kartu.xlsx")
    res = read_cards(tmp_path / "kartu.xlsx")
    assert res.cards[["rt", "rw"]].values.tolist() == [["", ""], ["003", "005"]]
    assert res.warnings[["row", "code"]].values.tolist() == [[1, CardWarning.RT_RW_EXCEL_DATE]]


def test_dates_excel_made_of_rt_rw_cells_alone() -> None:
    cells = pd.Series(
        ["03/05/2026", "Desember 3", "46145.0", "003/005", "1/2/3", "2024", "12345", "45/67/2026"]
    )
    assert excel_date_rt_rw(cells).tolist() == [True, True, True, False, False, False, False, False]


@pytest.mark.parametrize(
    ("rt", "rw", "alamat", "expected", "warned"),
    [
        ("", "", "Griya Asri 2 001 003", ("001", "003"), ""),  # blank columns: the address gives them
        ("001", "003", "Griya Asri 2 001 003", ("001", "003"), ""),  # they agree
        ("1", "", "Kp. Pulo RT 001 RW 003", ("001", "003"), ""),
        ("004", "002", "Griya Asri 2 001 002", ("004", "002"), "001/002, the RT/RW columns 004/002"),
        ("", "005", "Griya Asri 2 001 002", ("", "005"), "001/002, the RT/RW columns -/005"),
        ("4", "2", "Kp. Pulo RT 1 RW 2", ("004", "002"), "001/002, the RT/RW columns 004/002"),
    ],
)
def test_an_address_giving_another_rt_rw_than_the_columns_is_warned_about_and_the_columns_win(
    rt: str, rw: str, alamat: str, expected: tuple[str, str], warned: str
) -> None:
    res = read_cards(pd.DataFrame([_card(RT=rt, RW=rw, ALAMAT=alamat)]))
    assert (res.cards.rt.iloc[0], res.cards.rw.iloc[0]) == expected
    w = res.warnings[res.warnings.code.eq(CardWarning.RT_RW_ADDRESS_DIFFERS)]
    assert w.message.tolist() == (
        [f"the address gives RT/RW {warned}: the columns are used"] if warned else []
    )
    assert len(res.warnings) == len(w)  # no other warning


def test_control_and_invisible_characters_are_no_part_of_names_and_addresses() -> None:
    name = "A\x00ni\u200b\u202eadiS"  # a NUL, a zero-width space, a right-to-left override
    card = _card(NAMA=name, ALAMAT="Kp.\x07Pulo\u200d RT 3\u2066", RT="", RW="")
    c = read_cards(pd.DataFrame([card])).cards.iloc[0]
    assert c.nama == "AniadiS"
    assert c.alamat == "Kp. Pulo RT 3"
    assert c.rt == "003"


def test_a_nik_written_with_invisible_characters_is_the_nik() -> None:
    c = read_cards(pd.DataFrame([_card(NIK="\ufeff3216101201900001\u200b")])).cards
    assert c.nik.tolist() == ["3216101201900001"]
