"""Atomic writes and safe file names (ektp_routes._files)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from ektp_routes import OutputError
from ektp_routes._files import output_error, require_parent, safe_filename, write_atomic, write_text


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
