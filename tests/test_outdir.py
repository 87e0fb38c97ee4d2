"""The output folder a run owns: checked before solving, locked, replaced as a whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from ektp_routes import OutputError
from ektp_routes.i18n import error_text, messages
from ektp_routes.outdir import RUN_RECORD, claim


def test_missing_parent_file_as_out_and_work_as_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist; create it first"), claim(tmp_path / "no" / "out"):
        pass
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="is a file, not a directory"), claim(tmp_path / "f"):
        pass
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / ".work").write_text("x")
    with pytest.raises(OutputError, match=r"\.work in it is a file"), claim(tmp_path / "o"):
        pass


def test_an_input_among_the_outputs_is_refused(tmp_path: Path) -> None:
    (tmp_path / "summary.csv").write_text("x")
    with (
        pytest.raises(OutputError, match="lies among the outputs"),
        claim(tmp_path, inputs=[tmp_path / "summary.csv"]),
    ):
        pass
    (tmp_path / "mine.csv").write_text("x")  # the user's own file in the folder is not ours
    with claim(tmp_path, inputs=[tmp_path / "mine.csv"]):
        pass


def test_second_run_into_a_locked_folder_stops(tmp_path: Path) -> None:
    with (
        claim(tmp_path),
        pytest.raises(OutputError, match="in use by another ektp-routes run"),
        claim(tmp_path),
    ):
        pass
    with claim(tmp_path):  # released when the first run ends
        pass


def test_a_run_failing_before_it_wrote_anything_leaves_no_folder_it_created(tmp_path: Path) -> None:
    """A late refusal (unknown kecamatan, unreachable scheduler) creates nothing: the folder the run
    made for itself goes with its lock file; a folder that was there before, or one the run wrote
    into, stays."""
    for out in (tmp_path / "new", tmp_path / "old"):
        if out.name == "old":
            out.mkdir()
        with pytest.raises(ValueError), claim(out):
            raise ValueError("bad option found late")
    assert [p.name for p in tmp_path.iterdir()] == ["old"]
    assert [p.name for p in (tmp_path / "old").iterdir()] == [".ektp-routes.lock"]
    with pytest.raises(ValueError), claim(tmp_path / "wrote") as folder:
        (folder.path / ".work").mkdir()  # a resume file's folder: kept for the next run
        raise ValueError("killed half-way")
    assert (tmp_path / "wrote" / ".work").is_dir()


def test_stale_part_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    (tmp_path / "manifests").mkdir()
    (tmp_path / ".work").mkdir()
    parts = [
        tmp_path / ".summary.csv.x1.part",
        tmp_path / "manifests" / ".m.csv.y.part",
        tmp_path / ".work" / "o.part",
        tmp_path / ".plan.gpkg.z2.part.gpkg",  # GDAL's work file: the format after .part
        tmp_path / ".plan.gpkg.z2.part.gpkg-journal",
    ]
    for p in parts:
        p.write_text("NIK 3216061201900001")
    (tmp_path / ".manifests.part-abc").mkdir()
    with claim(tmp_path):
        assert not any(p.exists() for p in parts) and not (tmp_path / ".manifests.part-abc").exists()


def test_finish_removes_what_only_the_previous_run_wrote(tmp_path: Path) -> None:
    with claim(tmp_path) as out:
        a, b = tmp_path / "a.csv", tmp_path / "b.csv"
        a.write_text("1")
        b.write_text("2")
        out.finish([a, b])
    with claim(tmp_path) as out:
        a.write_text("3")
        out.finish([a])
    assert a.exists() and not b.exists()
    assert (tmp_path / RUN_RECORD).read_text().count("a.csv") == 1


def test_a_delivery_day_of_ops_or_foreign_files_in_manifests_are_refused_untouched(tmp_path: Path) -> None:
    # Outside review: `plan --out` given the folder of an `ops dispatch` day swapped its manifests
    # (outcomes a clerk typed in) away and wrote its routes over the day's, leaving dispatch.csv.
    day = tmp_path / "day"
    (day / "manifests").mkdir(parents=True)
    kept = [day / "dispatch.csv", day / "manifests" / "manifest_KP-1_20261201_K01.xlsx"]
    for p in kept:
        p.write_text("DITERIMA")
    with pytest.raises(OutputError, match="delivery day of `ektp-routes ops`") as said, claim(day):
        pass
    assert "satu hari pengantaran" in error_text(said.value, messages("id"))  # Indonesian by default
    kept[0].unlink()  # the manifests alone say so too
    with pytest.raises(OutputError, match="delivery day"), claim(day):
        pass
    assert kept[1].read_text() == "DITERIMA"
    # Anything else in manifests/ a plan did not write (a ~$ lock, a person's file) is counted, not named.
    mine = tmp_path / "plan"
    (mine / "manifests").mkdir(parents=True)
    (mine / "manifests" / "manifest_KP-1-K01-H01.xlsx").write_text("x")
    (mine / "manifests" / "Siti Rahayu.xlsx").write_text("x")
    with pytest.raises(OutputError, match=r"holds 1 file\(s\) that are not") as err, claim(mine):
        pass
    assert "Siti" not in str(err.value)
    (mine / "manifests" / "Siti Rahayu.xlsx").unlink()
    with claim(mine):  # a plan's own manifests: the folder is the plan's to replace
        pass


@pytest.mark.parametrize("clutter", [".DS_Store", "._manifest_KP-1-K01-H01.xlsx", "Thumbs.db", "desktop.ini"])
def test_files_the_operating_system_drops_into_manifests_do_not_refuse_a_rerun(
    tmp_path: Path, clutter: str
) -> None:
    # Outside review: opening manifests/ in Finder writes .DS_Store, and `plan` again into the same
    # folder was refused for a file that was "not a plan's courier manifest".
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "manifest_KP-1-K01-H01.xlsx").write_text("x")
    (tmp_path / "manifests" / clutter).write_text("x")
    with claim(tmp_path):
        pass
