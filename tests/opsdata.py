"""Shared test data for the delivery-operation tests: a small synthetic card list and a started ledger."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from ektp_routes import synthetic_cards
from ektp_routes.ledger import Ledger
from ektp_routes.operation import start_operation

START = date(2026, 8, 14)  # a Friday; 2026-08-16 is a Sunday and 2026-08-17 Independence Day
CONFIG = """
[plan]
couriers = 2
capacity = 40
[operation]
route_time_limit_s = 0.1
attempt_limit = 2
"""


@lru_cache(maxsize=1)
def registry_cards() -> pd.DataFrame:
    """120 synthetic cards of Bojongmangu, registry columns only (no coordinates)."""
    cards = synthetic_cards(191_000, seed=5, kecamatan=["Bojongmangu"]).head(120)
    return cards.drop(columns=["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"])


def started(tmp_path: Path, *, n: int = 120, config: str = CONFIG, target: str | None = None) -> Ledger:
    led = Ledger.open(target or tmp_path / "ledger.db", create=True)
    start_operation(registry_cards().head(n), ledger=led, config_text=config, start_date=START,
                    source_name="batch1.csv")  # fmt: skip
    return led


PG_URL = os.environ.get("EKTP_TEST_PG_URL", "")


def _pg_reachable() -> str:
    """'' when the PostgreSQL server named by EKTP_TEST_PG_URL answers, else why not."""
    if not PG_URL:
        return "EKTP_TEST_PG_URL is not set (.ci/run starts a server and sets it)"
    import sqlalchemy as sa

    try:
        eng = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
        with eng.connect():
            pass
        eng.dispose()
    except Exception as exc:
        return f"no PostgreSQL server reachable at EKTP_TEST_PG_URL ({type(exc).__name__})"
    return ""


def pg_schema_url() -> Iterator[str]:
    """A ledger URL in a fresh schema on the real PostgreSQL server (dropped afterwards); skips the
    test with the reason when no server is reachable."""
    why = _pg_reachable()
    if why:
        pytest.skip(why)
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:10]}"
    eng = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with eng.begin() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with eng.begin() as c:
        c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    eng.dispose()
