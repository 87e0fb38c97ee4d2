"""A small real plan shared by the output tests: two kecamatan, three post offices.

One office has a hostile name (script, template literal, HTML comment, quotes) and one office lies far
from every card, so it receives no desa. The tight fleet leaves some stops unserved (no courier-day).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from ektp_routes.offices import PostOffice
from ektp_routes.plan import PlanConfig, plan_file
from ektp_routes.solve import Fleet
from ektp_routes.synthetic import synthetic_cards

HOSTILE = "KP ${alert(1)}`</script><script>window.pwned=1</script><!-- <img src=x onerror=window.pwned=2> '\""


@lru_cache(maxsize=1)
def cards() -> pd.DataFrame:
    df = synthetic_cards(191_000, seed=11, kecamatan=["Bojongmangu", "Cibarusah"], defect_rate=0.02)
    df = df.groupby("true_desa_kode").head(40).reset_index(drop=True)
    return df.drop(columns=["defect"]).rename(columns={"true_lon": "lon", "true_lat": "lat"})


def offices() -> list[PostOffice]:
    fleet = Fleet(couriers=2, capacity=60, shift_s=5 * 3600, days=2)
    return [
        PostOffice("KP-BJM", HOSTILE, 107.2042, -6.4087, fleet=fleet),
        PostOffice("KP-CBR", "Kantor Pos Cibarusah", 107.0850, -6.4320, fleet=fleet),
        PostOffice("KP-TRJ", "Kantor Pos Tarumajaya", 107.0001, -6.1575, fleet=fleet),  # far: no desa
    ]


@lru_cache(maxsize=1)
def small_plan() -> Any:
    """The PlanResult (cached: planning takes a few seconds)."""
    return plan_file(cards(), config=PlanConfig(workers=1).with_options(time_limit_s=1), offices=offices())


@lru_cache(maxsize=1)
def registry_plan() -> Any:
    """A plan from registry columns only (no coordinates): the cards are grouped into delivery blocks."""
    df = synthetic_cards(191_000, seed=4, kecamatan=["Bojongmangu"]).head(300)
    df = df.drop(columns=["defect", "true_lon", "true_lat", "household_id", "true_desa_kode"])
    return plan_file(df, config=PlanConfig(workers=1).with_options(time_limit_s=1), offices=offices()[:1])


@lru_cache(maxsize=1)
def one_place_plan() -> Any:
    """A plan from registry columns only whose office sits at the point of the one desa it serves (as a
    placeholder office does): no courier-day ever leaves that point."""
    from ektp_routes.regions import Gazetteer

    df = synthetic_cards(191_000, seed=4, kecamatan=["Bojongmangu"])
    df = df[df["true_desa_kode"] == df["true_desa_kode"].iloc[0]].head(80)
    d = Gazetteer.bekasi().get(str(df["true_desa_kode"].iloc[0]))
    df = df.drop(columns=["defect", "true_lon", "true_lat", "household_id", "true_desa_kode"])
    fleet = Fleet(couriers=2, capacity=60, shift_s=5 * 3600, days=2)
    office = PostOffice("KP-DESA", "Kantor Pos Desa", d.rep_lon, d.rep_lat, fleet=fleet)
    return plan_file(df, config=PlanConfig(workers=1).with_options(time_limit_s=1), offices=[office])
