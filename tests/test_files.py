"""Atomic writes and safe file names (ektp_routes._files)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from ektp_routes import OutputError
from ektp_routes._files import (
    escape_spreadsheet,
    output_error,
    require_folder,
    require_parent,
    safe_filename,
    write_atomic,
    write_text,
)


def test_write_text_replaces_whole_files(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    write_text(p, "one")
    write_text(p, "two")
    assert p.read_text() == "two" and [x.name for x in tmp_path.iterdir()] == ["a.json"]


def test_a_failing_writer_leaves_the_old_file_and_no_part(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("old")

    def boom(tmp: Path) -> None:
        tmp.write_text("half")
        raise ValueError("writer failed")

    with pytest.raises(ValueError):
        write_atomic(p, boom)
    assert p.read_text() == "old" and [x.name for x in tmp_path.iterdir()] == ["a.csv"]


def test_output_errors_say_what_to_do(tmp_path: Path) -> None:
    assert "disk full" in str(output_error(tmp_path, OSError(errno.ENOSPC, "x")))
    assert "choose another --out" in str(output_error(tmp_path, OSError(errno.EACCES, "x")))
    assert isinstance(output_error(tmp_path, OSError(errno.EIO, "x")), OutputError)


def test_safe_filename_keeps_plain_names() -> None:
    assert safe_filename("manifest_PO1-K01-H02") == "manifest_PO1-K01-H02"
    assert safe_filename("../x") == "x" and safe_filename("") == "unnamed"


def test_an_output_file_that_is_an_input_of_the_command_is_refused(tmp_path: Path) -> None:
    cards = tmp_path / "kartu.csv"
    cards.write_text("NIK,NAMA\n")
    (tmp_path / "link.csv").symlink_to(cards)
    for same in (cards, tmp_path / "link.csv", tmp_path / "sub" / ".." / "kartu.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputError, match=r"--rejects .* is also a file this command reads"):
            require_parent(same, "--rejects", inputs=[None, cards])
    assert require_parent(tmp_path / "rejects.csv", "--rejects", inputs=[cards]) == tmp_path / "rejects.csv"


def test_output_errors_are_english_from_python_and_worded_in_the_users_language_on_the_command_line(
    tmp_path: Path,
) -> None:
    from ektp_routes.i18n import error_text, messages

    cases = [
        (lambda: require_parent(tmp_path / "no" / "x.csv", "--problems"), "buat dulu foldernya"),
        (lambda: require_folder(_a_file(tmp_path), "--out"), "adalah berkas, bukan folder"),
        (lambda: require_parent(_a_file(tmp_path), "--rejects", inputs=[_a_file(tmp_path)]), "juga berkas"),
    ]
    for call, indonesian in cases:
        with pytest.raises(OutputError) as info:
            call()
        exc = info.value
        assert exc.key.startswith("error.") and str(exc) == messages("en")(exc.key, **exc.values)
        assert indonesian in error_text(exc, messages("id")) and indonesian not in str(exc)
    full = output_error(tmp_path / "a.csv", OSError(errno.ENOSPC, "No space left on device"))
    assert "disk full" in str(full) and "disk penuh" in error_text(full, messages("id"))


def _a_file(folder: Path) -> Path:
    p = folder / "kartu.csv"
    p.write_text("NIK\n")
    return p


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "\n=1"]
)
def test_text_a_spreadsheet_would_run_is_escaped(text: str) -> None:
    assert escape_spreadsheet(text) == "'" + text


def test_text_and_numbers_a_spreadsheet_shows_as_they_are_are_kept() -> None:
    kept = ["Siti", "Kp. Pulo", "'=1", -6.2, 3]
    assert [escape_spreadsheet(v) for v in kept] == kept
