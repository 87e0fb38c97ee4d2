from __future__ import annotations

from pathlib import Path

import pytest
from _plans import small_plan

from ektp_routes.views import write_views


def test_every_view_written_in_the_chosen_language(tmp_path: Path) -> None:
    res = small_plan()
    written = write_views(res, res.assignments, tmp_path, lang="en")
    names = {p.name for p in written.values()}
    assert names == {
        "plan.gpkg",
        "plan.qgz",
        "map.html",
        "report.html",
        "report.pdf",
        "chart_workload.png",
        "chart_desa.png",
        "chart_day_length.png",
    }
    assert all(p.stat().st_size > 1000 for p in written.values())
    assert (tmp_path / "leaflet-LICENSE.txt").is_file()
    assert "e-KTP delivery plan report" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.part"))  # every file went through a temporary name


def test_without_map(tmp_path: Path) -> None:
    res = small_plan()
    written = write_views(res, res.assignments, tmp_path, with_map=False)
    assert "map" not in written and not (tmp_path / "map.html").exists()


@pytest.mark.parametrize("lang", ["fr"])
def test_unknown_language_refused_before_writing(tmp_path: Path, lang: str) -> None:
    from ektp_routes import ConfigError

    with pytest.raises(ConfigError):
        write_views(small_plan(), small_plan().assignments, tmp_path, lang=lang)
    assert not list(tmp_path.iterdir())
