from __future__ import annotations

import pytest

from ektp_routes.headers import header_rows, is_header, totals_row_at

HEADER = ["NO", "NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA"]
CARD = ["1", "3216101201900001", "Siti Rahayu", "Kp. Pulo", "001", "002", "Karang Bahagia"]


@pytest.mark.parametrize(
    "numbers",
    [
        ["1", "2", "3", "4", "5", "6", "7"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        ["1.", "2.", "3."],
    ],
)
def test_a_row_numbering_the_columns_under_the_header_is_part_of_the_header(numbers: list[str]) -> None:
    # Indonesian government tables number their columns in a row under the header.
    assert header_rows([["DAFTAR PENERIMA KTP-EL"], HEADER, numbers, CARD]) == (HEADER, 3)


@pytest.mark.parametrize(
    "row",
    [CARD, ["1", "2", "4", "5", "6", "7", "8"], ["2", "3"], ["", "", "", "", "", "", ""]],
    ids=["a card", "not in order", "two numbers", "blank"],
)
def test_only_a_row_of_column_numbers_is_taken_for_one(row: list[str]) -> None:
    assert header_rows([HEADER, row, CARD]) == (HEADER, 1)


def test_a_two_row_header_with_merged_cells_is_completed_by_its_second_row() -> None:
    top = ["NIK", "NAMA", "ALAMAT", "", "", "KEL/DESA"]
    sub = ["", "", "JALAN", "RT", "RW", ""]
    header, start = header_rows([top, sub, ["1", "2", "3", "4", "5", "6"], CARD[1:]])
    assert header == ["NIK", "NAMA", "JALAN", "RT", "RW", "KEL/DESA"] and start == 3
    assert is_header(header)


@pytest.mark.parametrize(
    "totals",
    [
        ["JUMLAH", "", "", "", "", "", "120"],
        ["", "Jumlah Penerima", "", "", "", "", "120"],
        ["TOTAL :", "120"],
        ["Jml.", "", "120"],
    ],
)
def test_a_totals_row_ending_the_list_is_found_by_its_shape(totals: list[str]) -> None:
    assert totals_row_at([CARD, CARD, totals]) == 2
    assert totals_row_at([CARD, totals, ["", ""], []]) == 1  # blank rows after it


@pytest.mark.parametrize(
    "body",
    [
        [CARD, ["JUMLAH", "3216101201900002", "Jumlah Wijaya"]],  # a NIK: a card, judged as one
        [["JUMLAH", "", "120"], CARD],  # not at the end
        [CARD, ["Kp. Total", "", ""]],
        [],
    ],
    ids=["holds a NIK", "in the middle", "another word first", "no rows"],
)
def test_a_row_that_is_not_a_trailing_totals_row_is_kept(body: list[list[str]]) -> None:
    assert totals_row_at(body) is None


def test_subtotal_rows_by_their_shape() -> None:
    import pandas as pd

    from ektp_routes.headers import subtotal_rows

    frame = pd.DataFrame(
        [
            ["1", "3216101201900001", "Siti", "Kp. Pulo", "Sukaraya"],
            ["", "JUMLAH DESA SUKARAYA", "", "", "12"],
            ["", "", "", "", "1.234"],  # a count alone
            ["", "", "Sub Total", "", ""],
            ["", "", "", "Sukaraya Count", "40"],  # Excel's Subtotal command
            ["2", "3216101201900002", "Jumlah", "Kp. Pulo", "Sukaraya"],  # a NIK: a card, whatever its name
            ["3", "3.21610E+15", "Total", "", ""],  # a NIK Excel wrote as a number
            ["4", "", "Siti", "Kp. Pulo", "Sukaraya"],
            ["", "", "", "", ""],
        ],
        columns=["NO", "NIK", "NAMA", "ALAMAT", "DESA"],
    )
    assert subtotal_rows(frame).tolist() == [False, True, True, True, True, False, False, False, False]
    assert subtotal_rows(frame.iloc[:0]).tolist() == []
    among = frame.index.isin([1, 5]).astype(bool)  # only these rows are looked at
    assert subtotal_rows(frame, among=among).tolist() == [False, True] + [False] * 7
