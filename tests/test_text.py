"""The text helpers every name match builds on (ektp_routes._text)."""

from __future__ import annotations

import pytest

from ektp_routes._text import (
    compact,
    fold,
    modern_spelling,
    name_key,
    name_variants,
    normalise_rt,
    parse_rt_rw,
    strip_rt_rw,
)


def test_fold_lowercases_and_drops_punctuation() -> None:
    assert fold("Ds. Karang  Bahagia") == "ds karang bahagia"


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Ds. Karang Bahagia", "karang bahagia"),  # prefix dropped
        ("TJIKARANG", "cikarang"),  # pre-1972 spelling
        ("Kel. Soekadjaja", "sukajaya"),
    ],
)
def test_name_key_reads_names_as_people_write_them(written: str, key: str) -> None:
    assert name_key(written) == key


def test_compact_joins_split_words() -> None:
    assert compact(name_key("Karang Bahagia")) == compact(name_key("Karangbahagia"))


def test_modern_spelling_of_old_letters() -> None:
    assert modern_spelling("tjikarang") == "cikarang"


def test_name_variants_split_a_name_in_parentheses() -> None:
    assert name_variants("Karangbahagia (Kr. Bahagia)") == ["Karangbahagia", "Kr. Bahagia"]
    assert name_variants("Sukajaya") == ["Sukajaya"]


@pytest.mark.parametrize(
    ("text", "rt_rw"),
    [
        ("RT 003/RW 005", ("003", "005")),
        ("003/005", ("003", "005")),
        ("rt.3 rw.5", ("003", "005")),
        ("", ("", "")),
        # a bare N/M of 1-3 digits each, trailing or standalone, is RT/RW
        ("Kp.Babakan Kaler 3/5", ("003", "005")),
        ("Kp. Babakan Kaler 03/05", ("003", "005")),
        ("Kp. Babakan Kaler 3 / 5, Ds. Karang Bahagia", ("003", "005")),
        ("Gg. Mawar 2 12/4", ("012", "004")),
        # ... but not a house, blok or kavling number, a date or a fraction inside a code
        ("Jl. Mawar No. 12/3", ("", "")),
        ("Jl. Mawar No 12/3", ("", "")),
        ("Jl. Mawar Nomor 12 / 3", ("", "")),
        ("Perum. Griya Asri Blok C2/15", ("", "")),
        ("Perum. Griya Asri Blok C 2/15", ("", "")),
        ("Kav. 7/2", ("", "")),
        ("Kp. Sawah 12/3/2020", ("", "")),
        ("Jl. Mawar No. 12/3 RT 1 RW 2", ("001", "002")),
        # dashes, dots and colons between label and number; glued to each other or to the name
        ("Kp. Pulo RT-003 RW-005", ("003", "005")),
        ("Kp. Pulo R.T 003 R.W 005", ("003", "005")),
        ("R.T. 3 / R.W. 5", ("003", "005")),
        ("RT:3 RW:5", ("003", "005")),
        ("RT : 03 RW : 05", ("003", "005")),
        ("Kp. Pulo RT003RW005", ("003", "005")),
        ("KP. PULORT003RW005", ("003", "005")),
        ("RT.3.RW.5", ("003", "005")),
        ("RW 05 RT 03", ("003", "005")),
        # an RT or an RW alone
        ("Kp. Ciketing Udik RW 5", ("", "005")),
        ("Kp. Kobak RT 1", ("001", "")),
        ("Kp. Kobak RT 1 2020", ("001", "")),
        # two zero-padded numbers with no label ending the address (or before a comma or Ds./Kel.)
        ("Griya Asri 2 001 002", ("001", "002")),
        ("Perum Graha 01 02", ("001", "002")),
        ("Kp. Pulo 003-005", ("003", "005")),
        ("KP PULO 21 003 004 DS SUKAMAJU", ("003", "004")),
        ("Jl. Mawar No. 12, 001 002", ("001", "002")),
        # two unpadded numbers ending the address of a kampung or dusun named by words alone
        ("Kp. Pulo 3 5", ("003", "005")),
        ("KP PULO 12 4, DS SUKAMAJU", ("012", "004")),
        ("Dusun Krajan 3 5 Desa Sukamaju", ("003", "005")),
        # ... never a house, blok, gang, floor or phase number, nor after another number
        ("Perum Griya 2 Blok C 5", ("", "")),
        ("Perum Griya Blok C 3 5", ("", "")),
        ("Perum Griya Asri 3 5", ("", "")),  # phase 3 of Griya Asri, house 5?
        ("Griya Asri 3 5", ("", "")),
        ("Kp. Pulo 2 3 5", ("", "")),
        ("Kp. Pulo Gadung 2", ("", "")),
        ("Jl. Mawar 12 3", ("", "")),
        ("Jl. Mawar No 12 3", ("", "")),
        ("Gg. Mawar 3 5", ("", "")),
        ("Kp. Pulo Lt. 3 5", ("", "")),
        ("Kp. Pulo 3 5 6", ("", "")),
        ("Kp. Pulo 3 5 17530", ("", "")),
        ("3 5", ("", "")),  # an RT/RW cell of two numbers is read elsewhere, by its column
        # ... but not after a house or blok number, inside the text or after other numbers
        ("Jl. Mawar No. 12 01 02", ("", "")),
        ("Perum. Graha Blok A3 01 02", ("", "")),
        ("Perum Graha 01 02 Blok C", ("", "")),
        ("Kp. Pulo 01 02 03", ("", "")),
        ("Kp. Pulo 123 001 002", ("", "")),
        ("Kp. Pulo 0812 3456 012 034", ("", "")),  # the end of a phone number
        ("Kp. Pulo 3216172701723067 001 002", ("", "")),
        # letters R-T inside a word are no RT
        ("Kp. Surtani 3", ("", "")),
        ("Jl. Smart 3", ("", "")),
    ],
)
def test_parse_rt_rw(text: str, rt_rw: tuple[str, str]) -> None:
    assert parse_rt_rw(text) == rt_rw


def test_normalise_rt_pads_to_three_digits() -> None:
    assert normalise_rt("3") == normalise_rt("003") == "003"
    assert normalise_rt("") == ""


def test_strip_rt_rw_removes_only_what_is_read_as_rt_rw() -> None:
    assert strip_rt_rw("Kp. Babakan Kaler 3/5", " ").strip() == "Kp. Babakan Kaler"
    assert strip_rt_rw("Jl. Mawar No. 12/3 RT.1 RW.2", "|") == "Jl. Mawar No. 12/3 |"
    assert strip_rt_rw("Kp. Pulo RT003RW005", "|") == "Kp. Pulo |"
    assert strip_rt_rw("Kp. Ciketing Udik RW 5", "|") == "Kp. Ciketing Udik |"
    assert strip_rt_rw("Griya Asri 2 001 002", "|") == "Griya Asri 2 |"
    assert strip_rt_rw("Jl. Mawar No. 12 01 02", "|") == "Jl. Mawar No. 12 01 02"
    assert strip_rt_rw("Kp. Pulo 3 5", "|") == "Kp. Pulo |"
    assert strip_rt_rw("Perum Griya 2 Blok C 5", "|") == "Perum Griya 2 Blok C 5"
