from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ektp_routes.cli import main


def test_demo_cards_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cards.csv"
    assert (
        main(
            [
                "demo-cards",
                "--n",
                "20000",
                "--kecamatan",
                "Sukawangi",
                "--defect-rate",
                "0.1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    df = pd.read_csv(out, dtype=str)
    assert "true_lon" not in df.columns and len(df) > 100
    rej = tmp_path / "rejects.csv"
    assert main(["validate", str(out), "--rejects", str(rej)]) == 0
    text = capsys.readouterr().out
    assert "accepted:" in text and "rejected:" in text
    r = pd.read_csv(rej, dtype=str, encoding="utf-8-sig")
    assert len(r) > 0 and f"rejected: {len(r)}" in text
    assert not r.astype(str).apply(lambda c: c.isin(df.NAMA)).any().any()


def test_cli_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: required column") and "Traceback" not in err
