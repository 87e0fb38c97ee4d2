"""Shared test data for the delivery-operation tests: a small synthetic card list and a started ledger."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

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


def started(tmp_path: Path, *, n: int = 120, config: str = CONFIG) -> Ledger:
    led = Ledger.open(tmp_path / "ledger.db", create=True)
    start_operation(registry_cards().head(n), ledger=led, config_text=config, start_date=START,
                    source_name="batch1.csv")  # fmt: skip
    return led
