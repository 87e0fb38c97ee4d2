"""Command line for delivery blocks: ``ektp-routes blocks``, ``--blocks FILE``, what a plan is built on.

``blocks CARDS --out FILE`` writes the distinct delivery blocks of a card list with a suggested point
for a GIS analyst to move; ``--blocks FILE`` on ``plan`` and ``geocode`` reads the edited pins back.
``plan`` and ``demo`` print the precision mix of their cards and warn loudly when most cards are known
only to their desa (or, on a road network, lie beyond its roads); ``demo`` also replays its plan on the
synthetic truth next to the oracle.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ektp_routes._files import require_parent
from ektp_routes.cli_help import add_cards_argument, add_command

if TYPE_CHECKING:
    from ektp_routes.evaluate import Replay
    from ektp_routes.geocode import Geocoder
    from ektp_routes.i18n import Messages
    from ektp_routes.network import TravelNetwork
    from ektp_routes.regions import Gazetteer

_COARSE = ("desa", "kecamatan", "kodepos", "none")

#: Refused pins listed one per line; the rest are counted by reason.
_LISTED = 20


def pin_geocoder(path: str, gaz: Gazetteer, t: Messages) -> Geocoder:
    """The pins of an edited blocks file as a geocoder; refused pins are printed with their reason."""
    from ektp_routes.pins import PinGeocoder, block_label, read_pins

    pins = read_pins(path, gaz)
    print(t("cli.pins_read", path=path, n=len(pins.pins), unmoved=pins.unmoved, refused=len(pins.rejects)))
    for r in pins.rejects.head(_LISTED).itertuples(index=False):
        block = block_label(r.desa_kode, r.rw, r.rt)
        print(t("cli.pin_refused", line=r.line, block=block, reason=r.reason, message=_refusal(r, t)))
    rest = pins.rejects["reason"].iloc[_LISTED:].value_counts()
    if len(rest):
        reasons = ", ".join(f"{reason} {k}" for reason, k in rest.items())
        print(t("cli.pins_more_refused", n=int(rest.sum()), reasons=reasons))
    if len(pins.rejects):
        _write_refusals(Path(path), pins.rejects, t)
    else:
        _drop_refusals(Path(path), t)
    return PinGeocoder(pins)


def _refusal(r: Any, t: Messages) -> str:
    """A refused pin's reason in the user's language."""
    from ektp_routes.pins import PIN_TOLERANCE_M, reason_message

    metres = r.outside_m if r.reason == "pin_outside_desa" else r.apart_m
    return reason_message(r.reason, float(metres), PIN_TOLERANCE_M, t=t)


def _write_refusals(blocks_file: Path, rejects: pd.DataFrame, t: Messages) -> None:
    """Every refused pin, with its row and reason, beside the blocks file the analyst edits
    (``NAME_refused.csv``; block fields only, as masked in the refusals)."""
    from ektp_routes.export import write_csv

    target = _refusals_file(blocks_file)
    try:
        write_csv(rejects, target)
    except OSError as e:
        print(t("cli.pins_refused_unwritten", path=target, why=e.strerror or type(e).__name__))
    else:
        print(t("cli.pins_refused_file", n=len(rejects), path=target))


def _drop_refusals(blocks_file: Path, t: Messages) -> None:
    """Remove the refused pins an earlier run listed beside the blocks file when none is refused now:
    a list of refusals that no longer hold must not sit beside the pins the analyst mended."""
    target = _refusals_file(blocks_file)
    if target.is_file():
        try:
            target.unlink()
        except OSError as e:
            print(t("cli.pins_refused_unremoved", path=target, why=e.strerror or type(e).__name__))
        else:
            print(t("cli.pins_refused_removed", path=target))


def _refusals_file(blocks_file: Path) -> Path:
    return blocks_file.with_name(f"{blocks_file.stem}_refused.csv")


def print_precision(counts: pd.Series, t: Messages) -> None:
    """The precision mix of a run's cards (cards per precision), with a loud warning when most are
    desa-level."""
    counts = counts.sort_values(ascending=False)
    total = int(counts.sum())
    if not total:
        return
    mix = ", ".join(f"{t(f'precision.{k}')}: {v} ({100 * v / total:.0f}%)" for k, v in counts.items())
    print(t("cli.precision_mix", mix=mix))
    coarse = int(counts[counts.index.isin(_COARSE)].sum())
    if coarse > total / 2:
        print(t("cli.warn_desa_level", pct=f"{100 * coarse / total:.0f}"))


def print_network_cover(network: TravelNetwork, stops: pd.DataFrame, t: Messages) -> None:
    """Say in one line how many planned stops lie beyond the snap limit of a road network (the stops
    the plan flagged ``off_network``: their legs are straight lines), as a warning when most cards do:
    a network built for another area plans nothing on its roads."""
    from ektp_routes.network import RoadNetwork

    if not isinstance(network, RoadNetwork) or "off_network" not in stops or not len(stops):
        return
    off = stops["off_network"].to_numpy(dtype=bool)
    if not off.any():
        return
    cards, total = int(stops["cards"][off].sum()), int(stops["cards"].sum())
    counts = {
        "stops": int(off.sum()),
        "total": len(stops),
        "cards": cards,
        "snap_m": f"{network.max_snap_m:.0f}",
    }
    if cards > total / 2:
        print(t("cli.warn_off_network", pct=f"{100 * cards / total:.0f}", **counts))
    else:
        print(t("cli.off_network", **counts))


def print_replay(registry: Replay, oracle: Replay, t: Messages) -> None:
    """Two lines: the registry plan driven through the true houses, against the oracle plan."""
    r, o = registry.total, oracle.total
    print(
        t(
            "cli.replay_registry",
            days=r.courier_days,
            hours=f"{r.realised_travel_s / 3600:.1f}",
            expected=f"{r.expected_travel_s / 3600:.1f}",
            over=r.days_over_shift,
        )
    )
    print(
        t(
            "cli.replay_oracle",
            days=o.courier_days,
            hours=f"{o.realised_travel_s / 3600:.1f}",
            ratio=f"{r.realised_travel_s / o.realised_travel_s:.2f}",
            days_ratio=f"{r.courier_days / o.courier_days:.2f}",
        )
    )


def _cmd_blocks(args: argparse.Namespace) -> int:
    from ektp_routes.cards import read_cards
    from ektp_routes.geocode import GazetteerGeocoder, GeocoderChain, InputCoordinates, geocode_cards
    from ektp_routes.i18n import messages
    from ektp_routes.pins import block_table, refuse_overwriting_pins, write_blocks
    from ektp_routes.regions import Gazetteer

    require_parent(args.out, "--out", inputs=[args.cards, args.osm])
    gaz = Gazetteer.bekasi()
    refuse_overwriting_pins(args.out, gaz)
    result = read_cards(args.cards, gazetteer=gaz, sheet=args.sheet)
    chain: list[Geocoder] = [InputCoordinates(gaz)]
    if args.osm:
        from ektp_routes.network.pbf import planning_area, street_geocoder

        areas = gaz.desa_table[["kode", "geometry"]]
        chain.append(street_geocoder(args.osm, areas=areas, area=planning_area(gaz.outline())))
    chain.append(GazetteerGeocoder(gaz))
    geo = geocode_cards(result.cards, gaz, geocoder=GeocoderChain(chain))
    table = block_table(geo)
    write_blocks(table, Path(args.out))
    n_set = table.drop_duplicates(["desa_kode", "settlement_kind", "settlement"]).shape[0]
    t = messages(args.lang)
    desa = table["desa_kode"].nunique()
    print(t("cli.blocks_written", n=len(table), settlements=n_set, desa=desa, cards=len(geo), path=args.out))
    if len(result.rejects):
        reasons = ", ".join(f"{k} {reason}" for reason, k in result.reason_counts().items())
        n, rows = len(result.rejects), result.n_rows
        print(t("cli.blocks_rejected", n=n, rows=rows, reasons=reasons, cards=shlex.quote(args.cards)))
    print(t("cli.blocks_next", path=shlex.quote(args.out)))  # a command pasted as it is printed
    return 0


def add_blocks_option(p: argparse.ArgumentParser, t: Messages) -> None:
    """Give a command the ``--blocks`` option (the pins of an edited blocks file), its help worded
    by ``t``."""
    p.add_argument("--blocks", help=t("help.blocks_option"))


def add_commands(sub: argparse._SubParsersAction, t: Messages) -> None:  # type: ignore[type-arg]
    """Add the ``blocks`` command to the command line's subcommands, its help worded by ``t``."""
    bl = add_command(sub, "blocks", t)
    add_cards_argument(bl, t)
    bl.add_argument("--out", required=True, help=t("help.blocks.out"))
    bl.add_argument("--osm", help=t("help.blocks.osm"))
    bl.set_defaults(func=_cmd_blocks)
