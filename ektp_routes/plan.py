"""End-to-end planning: cards -> stops -> post offices -> routes -> one checked plan.

:func:`plan_routes` is the pipeline read top to bottom: it takes an already-read
:class:`~ektp_routes.cards.CardList`, geocodes the cards in scope, groups them into stops
(:mod:`~ektp_routes.stops`), gives each desa a post office (:mod:`~ektp_routes.offices`), solves the
offices side by side with resume (:mod:`~ektp_routes.runner`) and assembles the tables
(:mod:`~ektp_routes.report`) that :mod:`ektp_routes.export` writes. :func:`plan_file` reads a card
list first.

Example
-------
>>> from ektp_routes import read_cards, synthetic_cards
>>> from ektp_routes.plan import PlanConfig, plan_routes
>>> cards = synthetic_cards(191_000, seed=0, kecamatan=["Bojongmangu"]).head(40)
>>> cards = read_cards(cards.rename(columns={"true_lon": "lon", "true_lat": "lat"}))
>>> res = plan_routes(cards, config=PlanConfig(workers=1).with_options(time_limit_s=2))
>>> int(res.assignments.status.eq("planned").sum()), len(res.assignments)
(40, 40)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ektp_routes.cards import CardList, ValidationRules, read_cards
from ektp_routes.config import Consolidation, PlanConfig, Scope, ServiceTimes
from ektp_routes.estimate import PlaceEstimates, plan_estimates
from ektp_routes.geocode import Geocoder, geocode_cards
from ektp_routes.network import NetworkRecord, StraightLineNetwork, TravelNetwork
from ektp_routes.offices import PostOffice, assign_offices, placeholder_offices, read_offices
from ektp_routes.pseudonyms import check_pseudonym_key
from ektp_routes.regions import Gazetteer
from ektp_routes.report import PlanResult, Scoped, assemble
from ektp_routes.runner import OfficeJob, Progress, run_jobs
from ektp_routes.stops import make_stops, outside_desa

__all__ = [
    "Consolidation",
    "PlanConfig",
    "PlanResult",
    "PostOffice",
    "Scope",
    "ServiceTimes",
    "plan_file",
    "plan_routes",
    "read_offices",
]


def plan_routes(
    cards: CardList,
    *,
    config: PlanConfig | None = None,
    offices: Sequence[PostOffice] | None = None,
    network: TravelNetwork | None = None,
    gazetteer: Gazetteer | None = None,
    geocoder: Geocoder | None = None,
    work_dir: str | Path | None = None,
    client: Any = None,
    progress: Progress | None = None,
    pseudonym_key: bytes | None = None,
) -> PlanResult:
    """Plan the delivery of a read card list.

    Parameters
    ----------
    cards
        The card list, as :func:`~ektp_routes.cards.read_cards` returned it.
    config
        Fleet, solver parameters, service times, scope and workers.
    offices
        Post offices; default: one labelled placeholder per kecamatan in scope.
    network
        Travel network; default: straight-line (no road data of Kabupaten Bekasi exists here).
    gazetteer, geocoder
        Regions (default: embedded Kabupaten Bekasi) and the geocoder (chain) for cards without
        coordinates (default: card coordinates, then the desa point).
    work_dir, client, progress
        Resume folder (``OUTDIR/.work`` from the CLI), a ``dask.distributed.Client`` to solve offices
        on, and a callback with (offices done, offices total); see :func:`~ektp_routes.runner.run_jobs`.
    pseudonym_key
        A secret key held by the user: assignments get ``card_ref`` = HMAC-SHA256(key, NIK).
    """
    if pseudonym_key is not None:
        check_pseudonym_key(pseudonym_key)  # before any work
    cfg = config or PlanConfig()
    gaz = gazetteer or Gazetteer.bekasi()
    net = network or StraightLineNetwork()
    kec_codes = cfg.scope.kecamatan_codes(gaz)
    in_scope = cards.cards["kecamatan_kode"].isin(kec_codes) if kec_codes else cards.cards["row"].notna()
    geo = geocode_cards(cards.cards[in_scope].reset_index(drop=True), gaz, geocoder=geocoder)
    offices = offices if offices is not None else _placeholders(geo, gaz, cfg, kec_codes)
    stops, stop_of_card, estimates = _office_stops(geo, offices, gaz, cfg)
    jobs = _office_jobs(stops, offices, net, cfg, estimates)
    folder = Path(work_dir) if work_dir else None
    results = run_jobs(jobs, workers=cfg.workers, work_dir=folder, client=client, progress=progress)
    scoped = Scoped(in_scope.to_numpy(dtype=bool), stop_of_card, outside_desa(geo).to_numpy(dtype=bool))
    return assemble(
        cards,
        stops,
        scoped,
        offices,
        results,
        network_is_straight=net.is_straight_line,
        pseudonym_key=pseudonym_key,
        service=cfg.service,
        network=NetworkRecord.of(net),
    )


def _placeholders(
    geo: pd.DataFrame, gaz: Gazetteer, cfg: PlanConfig, kec_codes: Sequence[str]
) -> list[PostOffice]:
    """One labelled placeholder office per kecamatan in scope (no real office coordinates exist here)."""
    per_kec = geo["kecamatan_kode"].value_counts().to_dict() if len(geo) else {}
    return placeholder_offices(gaz, cfg.fleet, kec_codes or None, per_kec)


def _office_stops(
    geo: pd.DataFrame, offices: Sequence[PostOffice], gaz: Gazetteer, cfg: PlanConfig
) -> tuple[pd.DataFrame, npt.NDArray[np.intp], PlaceEstimates | None]:
    """The delivery stops (no bigger than the smallest bag), each with its office, the stop of every
    geocoded card, and the estimates block stops need."""
    bag = min(o.smallest_bag for o in offices)
    stops, stop_of_card = make_stops(geo, cfg.scope.consolidation, max_cards=bag)
    stops["office_id"] = stops["desa_kode"].map(assign_offices(gaz, sorted(set(stops["desa_kode"])), offices))
    stops, estimates = plan_estimates(gaz, stops)
    return stops, stop_of_card, estimates


def _office_jobs(
    stops: pd.DataFrame,
    offices: Sequence[PostOffice],
    net: TravelNetwork,
    cfg: PlanConfig,
    estimates: PlaceEstimates | None,
) -> list[OfficeJob]:
    """One job per office that serves at least one stop, in the offices' order."""
    return [
        OfficeJob(o, _in_block_order(part, estimates), net, cfg.solve, cfg.service, estimates)
        for o in offices
        if len(part := stops[stops["office_id"] == o.office_id])
    ]


def _in_block_order(stops: pd.DataFrame, estimates: PlaceEstimates | None) -> pd.DataFrame:
    """An office's stops; with block stops, each settlement's blocks side by side in RT order."""
    if estimates is not None:
        stops = stops.sort_values(["desa_kode", "settlement", "rt_number", "stop_id"], kind="stable")
    return stops.reset_index(drop=True)


def plan_file(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    rules: ValidationRules | None = None,
    sheet: str | int | None = None,
    gazetteer: Gazetteer | None = None,
    lang: str = "en",
    **options: Any,
) -> PlanResult:
    """Read and validate a card list (file or DataFrame), then :func:`plan_routes` it.

    ``columns``, ``rules``, ``sheet`` and ``lang`` (the language of why a row was rejected) go to
    :func:`~ektp_routes.cards.read_cards`; ``options`` to :func:`plan_routes`.
    """
    gaz = gazetteer or Gazetteer.bekasi()
    (options.get("config") or PlanConfig()).scope.kecamatan_codes(gaz)  # an unknown name: before reading
    cards = read_cards(source, columns=columns, rules=rules, sheet=sheet, gazetteer=gaz, lang=lang)
    return plan_routes(cards, gazetteer=gaz, **options)
