from __future__ import annotations

from pathlib import Path

import pytest

from ektp_routes import _cpus


@pytest.mark.parametrize(
    ("text", "want"),
    [("max 100000\n", None), ("150000 100000\n", 1.5), ("50000 100000", 0.5), ("garbage", None), ("", None)],
)
def test_cpu_quota_reads_cgroup_v2(tmp_path: Path, text: str, want: float | None) -> None:
    f = tmp_path / "cpu.max"
    f.write_text(text)
    assert _cpus.cpu_quota(f) == want
    assert _cpus.cpu_quota(tmp_path / "missing") is None


def test_usable_cpus_is_the_affinity_set_capped_by_the_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cpus, "affinity_cpus", lambda: [0, 1, 2, 3])
    f = tmp_path / "cpu.max"
    f.write_text("max 100000")
    assert _cpus.usable_cpus(f) == 4
    f.write_text("150000 100000")
    assert _cpus.usable_cpus(f) == 2
    f.write_text("10000 100000")
    assert _cpus.usable_cpus(f) == 1
