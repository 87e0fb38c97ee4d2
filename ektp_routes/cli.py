"""Command line: ``ektp-routes <command>``; a thin shell over the library."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ektp_routes._errors import EktpRoutesError, OutputError
from ektp_routes._files import require_parent
from ektp_routes.cli_blocks import (
    add_blocks_option,
    pin_geocoder,
    print_network_cover,
    print_precision,
    print_replay,
)
from ektp_routes.cli_blocks import add_commands as add_block_commands
from ektp_routes.cli_help import add_cards_argument, add_command, parser_class
from ektp_routes.cli_network import add_network_parser
from ektp_routes.cli_ops import iso_date
from ektp_routes.i18n import DEFAULT_LANG, LANGUAGES, ConsoleFormatter, Messages, error, error_text, messages
from ektp_routes.i18n import cli_messages as _t

if TYPE_CHECKING:
    from ektp_routes.config import PlanConfig
    from ektp_routes.network import TravelNetwork
    from ektp_routes.report import PlanResult

logger = logging.getLogger(__name__)


def _require_parent(path: str | Path, option: str, *, inputs: Sequence[str | Path | None] = ()) -> Path:
    """``path`` whose directory exists and that is none of ``inputs``; otherwise one clear line (never a
    silently created folder, never an input overwritten)."""
    p = require_parent(path, option, inputs=inputs)
    if p.is_dir():
        raise error(OutputError, "error.file_is_folder", option=option, path=p)
    return p


def _cmd_demo_cards(args: argparse.Namespace) -> int:
    from ektp_routes.config import Option
    from ektp_routes.synthetic import synthetic_cards, write_cards

    Option("n", "cli", "n", int, "int", 1, 10_000_000).check("--n", args.n)
    Option("seed", "cli", "seed", int, "int", 0, 2**31 - 1).check("--seed", args.seed)
    Option("defect", "cli", "defect", float, "number", 0, 0.5).check("--defect-rate", args.defect_rate)
    _require_parent(args.out, "--out")

    df = synthetic_cards(
        args.n, seed=args.seed, kecamatan=args.kecamatan or None, defect_rate=args.defect_rate
    )
    if not args.with_truth:
        df = df.drop(columns=["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"])
    path = write_cards(df, args.out)
    print(_t(args)("cli.demo_cards_written", n=len(df), path=path))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from ektp_routes.cards import ValidationRules, read_cards

    policies = ("nik_region", "kodepos_mismatch", "nik_kecamatan_mismatch")
    rules = ValidationRules(**{k: getattr(args, k) for k in policies if getattr(args, k) is not None})
    if args.rejects:  # before any work: a missing folder or the card list itself as --rejects
        _require_parent(args.rejects, "--rejects", inputs=[args.cards])
    t = _t(args)
    result = read_cards(args.cards, rules=rules, sheet=args.sheet, lang=t.lang)
    print(t("cli.validate_rows", source=result.source, n=result.n_rows))
    print(t("cli.accepted", n=len(result.cards)))
    for code, n in result.warning_counts().items():
        label = t.catalogue.get(f"warning.{code}", str(code))
        share = f"{n / max(result.n_rows, 1):.1%}"
        print(t("cli.warning_count", code=f"{code} ({label})" if label != code else code, n=n, share=share))
    print(t("cli.rejected", n=len(result.rejects)))
    for reason, n in result.reason_counts().items():
        label = t.catalogue.get(f"reject.{reason}", str(reason))
        print(t("cli.reason_count", reason=f"{reason} ({label})" if label != reason else reason, n=n))
    if args.rejects:
        from ektp_routes.export import write_csv

        write_csv(result.rejects, Path(args.rejects))
        print(t("cli.rejects_written", path=args.rejects))
    return 0


#: Files ``--network`` reads whose street and place names also feed street matching.
OSM_FILE_SUFFIXES = (".osm", ".bz2", ".pbf")


def _geocoder_chain(args: argparse.Namespace, gaz: object) -> object:
    from ektp_routes.geocode import GazetteerGeocoder, GeocoderChain, InputCoordinates
    from ektp_routes.geocode_online import OnlineGeocoder
    from ektp_routes.network.pbf import planning_area, street_geocoder

    chain: list[object] = [InputCoordinates(gaz)]  # type: ignore[arg-type]
    network = str(getattr(args, "network", "") or "")
    osm = getattr(args, "osm", None) or (network if network.lower().endswith(OSM_FILE_SUFFIXES) else None)
    if osm:
        areas = gaz.desa_table[["kode", "geometry"]]  # type: ignore[attr-defined]
        chain.append(street_geocoder(osm, areas=areas, area=planning_area(gaz.outline())))  # type: ignore[attr-defined]
    if getattr(args, "blocks", None):
        chain.append(pin_geocoder(args.blocks, gaz, _t(args)))  # type: ignore[arg-type]
    if getattr(args, "online", None):
        online = OnlineGeocoder(gaz, provider=args.online, cache_path=args.cache)  # type: ignore[arg-type]
        t = _t(args)
        online.progress = _progress_bar(t("cli.progress_online"), unit=t("cli.unit_address"))
        chain.append(online)
    chain.append(GazetteerGeocoder(gaz))  # type: ignore[arg-type]
    return GeocoderChain(chain)  # type: ignore[arg-type]


def _cmd_geocode(args: argparse.Namespace) -> int:
    from ektp_routes.cards import read_cards
    from ektp_routes.export import write_csv
    from ektp_routes.geocode import geocode_cards
    from ektp_routes.regions import Gazetteer

    inputs = [args.cards, args.osm, args.blocks]
    if Path(args.out).suffix.lower() != ".csv":  # a CSV named .gpkg or .xlsx opens in nothing
        raise error(OutputError, "error.geocode_out_suffix", name=Path(args.out).name)
    _require_parent(args.out, "--out", inputs=[*inputs, args.cache])
    if args.online:
        _require_parent(args.cache, "--cache", inputs=inputs)
    gaz = Gazetteer.bekasi()
    result = read_cards(args.cards, sheet=args.sheet)
    geo = geocode_cards(result.cards, gaz, geocoder=_geocoder_chain(args, gaz))  # type: ignore[arg-type]
    cols = ["row", "desa_kode", "desa", "kecamatan", "lon", "lat", "precision", "geocoder", "geocode_flag"]
    write_csv(geo[cols], Path(args.out))
    t = _t(args)
    print(t("cli.geocoded", n=len(geo), rejected=len(result.rejects)))
    print_precision(geo["precision"].value_counts(), t)
    print(t("cli.geocode_written", path=args.out))
    return 0


def _progress_bar(total_label: str, unit: str):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "b" not in bar:
            bar["b"] = tqdm(total=total, desc=total_label, unit=unit)
        bar["b"].n = done
        bar["b"].refresh()
        if done >= total:
            bar["b"].close()

    return update


_FLAGS = {
    "time_limit_s": "--time-limit",
    "workers": "--workers",
    "seed": "--seed",
    "kecamatan": "--kecamatan",
    "consolidation": "--consolidation",
}


def _config(args: argparse.Namespace) -> PlanConfig:
    """The run's configuration: plan.toml (if given), then the command-line options over it."""
    from ektp_routes.config import PlanConfig

    cfg, path = PlanConfig(), getattr(args, "config", None)
    if path:  # one plan.toml serves plan and the operation: its [operation] table is checked, not used
        from ektp_routes.config import read_toml_text
        from ektp_routes.operation_config import OperationConfig

        cfg = OperationConfig.from_toml_text(read_toml_text(path), source=Path(path).name).plan
    given = {name: getattr(args, flag[2:].replace("-", "_")) for name, flag in _FLAGS.items()}
    cfg = cfg.with_options(label=_FLAGS.__getitem__, **{k: v for k, v in given.items() if v is not None})
    if cfg.scope.kecamatan:  # a misspelt --kecamatan stops the run at once, before any card is read
        from ektp_routes.regions import Gazetteer

        cfg.scope.kecamatan_codes(Gazetteer.bekasi())
    return cfg


def _network(args: argparse.Namespace, cfg: PlanConfig) -> TravelNetwork:
    from ektp_routes.network import RoadNetwork, StraightLineNetwork

    strict = bool(getattr(args, "strict_roads", False))
    if getattr(args, "network", None):
        return RoadNetwork.from_file(args.network, strict=strict)
    if getattr(args, "download", False):
        from ektp_routes.regions import Gazetteer

        gaz = Gazetteer.bekasi()
        outline = gaz.kecamatan_outlines()
        codes = cfg.scope.kecamatan_codes(gaz)
        if codes:
            outline = outline[outline["kode"].isin(codes)]
        return RoadNetwork.download(outline.union_all(), cache_dir=Path(args.out) / "cache", strict=strict)
    return StraightLineNetwork()


def _inputs(args: argparse.Namespace, cards: object) -> list[Path]:
    names = [cards if isinstance(cards, (str, Path)) else None]
    names += [
        getattr(args, k, None) for k in ("offices", "config", "pseudonym_key_file", "network", "blocks")
    ]
    return [Path(n) for n in names if n]


def _run_plan(args: argparse.Namespace, cards: object) -> PlanResult:
    from ektp_routes.export import write_plan
    from ektp_routes.outdir import claim
    from ektp_routes.plan import plan_file, read_offices
    from ektp_routes.pseudonyms import read_pseudonym_key
    from ektp_routes.regions import Gazetteer
    from ektp_routes.runner import connect

    cfg = _config(args)
    key = (
        read_pseudonym_key(args.pseudonym_key_file, option="--pseudonym-key-file")
        if args.pseudonym_key_file
        else None
    )
    t = _t(args)
    # Pins and street names are read before the folder is claimed and the network loaded: a mistyped
    # --blocks or --osm file stops the run at once and creates nothing.
    geocoder = _geocoder_chain(args, Gazetteer.bekasi())
    with claim(args.out, inputs=_inputs(args, cards)) as out:
        offices = read_offices(args.offices, cfg.fleet) if getattr(args, "offices", None) else None
        network = _network(args, cfg)
        if offices is None:
            print(t("cli.note_placeholder"))
        if network.is_straight_line:
            print(t("cli.note_straight"))
        client = connect(args.scheduler, option="--scheduler") if getattr(args, "scheduler", None) else None
        res = plan_file(
            cards,  # type: ignore[arg-type]
            config=cfg,
            offices=offices,
            network=network,
            work_dir=out.work,
            client=client,
            progress=_progress_bar(t("cli.progress_planning"), unit=t("cli.unit_office")),
            geocoder=geocoder,  # type: ignore[arg-type]
            pseudonym_key=key,
            sheet=getattr(args, "sheet", None),  # demo plans a table, no workbook
            lang=t.lang,
        )
        written = write_plan(res, out.path, lang=t.lang, dates=_dates(args, res))
        out.finish([*written.values(), out.work])
    if len(res.stops):
        print_precision(res.stops.groupby("precision")["cards"].sum(), t)
        print_network_cover(network, res.stops, t)
    _print_plan(res, written, out.path, t)
    return res


def _dates(args: argparse.Namespace, res: PlanResult) -> dict[int, date] | None:
    """Planning day -> date from --start-date (working days Monday-Saturday, national holidays off)."""
    if getattr(args, "start_date", None) is None or not len(res.routes):
        return None
    from ektp_routes.workcalendar import day_dates

    return day_dates(args.start_date, int(res.routes["day"].max()))


def _print_plan(res: PlanResult, written: dict[str, Path], out: Path, t: Messages) -> None:
    a = res.assignments["status"].value_counts()
    tot = res.summary.iloc[-1]
    counts = ", ".join(t("cli.status_count", status=t(f"status.{k}"), n=v) for k, v in a.items())
    cards_in = t("cli.cards_in", n=len(res.assignments))
    print(f"{cards_in}; {counts}" if counts else cards_in)
    print(t("cli.totals", courier_days=int(tot.courier_days), km=f"{tot.km:.1f}", hours=f"{tot.hours:.1f}"))
    _print_missing_courier_days(res, t)
    busy = set(res.stops["office_id"]) if len(res.stops) else set()
    for o in res.offices:
        if o.office_id not in busy and not o.placeholder:
            print(t("cli.idle_office", office=f"{o.name} ({o.office_id})"))
    files = sorted(p.name + ("/" if p.is_dir() else "") for p in written.values())
    print(t("cli.outputs", out=out, files=" ".join(files)))


def _print_missing_courier_days(res: PlanResult, t: Messages) -> None:
    from ektp_routes.fleet import missing_courier_days

    capacity = max((o.fleet.capacity for o in res.offices), default=1)
    short = missing_courier_days(res.stops, res.routes, capacity=capacity)
    if len(short):
        per_office = ", ".join(f"{r.office_id} {r.courier_days_missing}" for r in short.itertuples())
        cards, days = int(short["cards_no_capacity"].sum()), int(short["courier_days_missing"].sum())
        print(t("cli.fleet_too_small", cards=cards, days=days, offices=per_office))


def _cmd_plan(args: argparse.Namespace) -> int:
    _run_plan(args, args.cards)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from ektp_routes.config import kecamatan_codes
    from ektp_routes.evaluate import replay
    from ektp_routes.plan import plan_file
    from ektp_routes.regions import Gazetteer
    from ektp_routes.synthetic import TRUTH_COLUMNS, synthetic_cards

    _config(args)  # options refused before the cards are made, as `plan` refuses them
    kec = None if args.all else (args.kecamatan or ["Karang Bahagia"])
    gaz = Gazetteer.bekasi()
    # Named as the gazetteer spells them ("tambun sel" -> Tambun Selatan); a misspelt name stops here.
    kec_names = [gaz.kecamatan(code).nama for code in kecamatan_codes(gaz, kec or ())]
    truth = synthetic_cards(191_000, seed=args.seed or 0, kecamatan=kec, defect_rate=0.01)
    # What a post office really gets from Disdukcapil: the registry columns, no coordinates.
    registry = truth.drop(columns=TRUTH_COLUMNS)
    t = _t(args)
    print(t("cli.demo", n=len(truth), where=t("cli.demo_all") if args.all else ", ".join(kec_names)))
    print(t("cli.demo_registry"))
    args.kecamatan = None
    res = _run_plan(args, registry)
    # The synthetic truth is known here: drive the plan through the true houses, next to the oracle.
    oracle_in = registry.assign(lon=truth["true_lon"], lat=truth["true_lat"])
    cfg = _config(args)
    network = _network(args, cfg)  # loaded once for the oracle and both replays
    oracle = plan_file(oracle_in, config=cfg, network=network)
    print_replay(replay(res, truth, network=network), replay(oracle, truth, network=network), t)
    return 0


def _add_plan_options(p: argparse.ArgumentParser, t: Messages) -> None:
    p.add_argument("--out", default="out", help=t("help.plan.out"))
    p.add_argument("--start-date", type=partial(iso_date, lang=t.lang), help=t("help.plan.start_date"))
    p.add_argument("--time-limit", type=float, help=t("help.plan.time_limit"))
    p.add_argument("--workers", type=int, help=t("help.plan.workers"))
    p.add_argument("--seed", type=int, help=t("help.plan.seed"))
    p.add_argument(
        "--consolidation",
        choices=["auto", "household", "rt", "rw", "desa"],
        help=t("help.plan.consolidation"),
    )
    p.add_argument("--scheduler", help=t("help.plan.scheduler"))
    p.add_argument("--pseudonym-key-file", help=t("help.plan.pseudonym_key_file"))


def _add_lang(p: argparse.ArgumentParser, default: object, t: Messages) -> None:
    # On the main parser and on each command, so that "--lang en" works before or after the command.
    p.add_argument("--lang", choices=LANGUAGES, default=default, help=t("cli.lang_help"))


def _add_card_list_parsers(sub: argparse._SubParsersAction, t: Messages) -> None:  # type: ignore[type-arg]
    """The commands that make or check a card list: demo-cards, validate."""
    dc = add_command(sub, "demo_cards", t)
    dc.add_argument("--n", type=int, default=191_000, help=t("help.demo_cards.n"))
    dc.add_argument("--seed", type=int, default=0, help=t("help.demo_cards.seed"))
    dc.add_argument("--kecamatan", action="append", help=t("help.kecamatan"))
    dc.add_argument("--defect-rate", type=float, default=0.0, help=t("help.demo_cards.defect_rate"))
    dc.add_argument("--with-truth", action="store_true", help=t("help.demo_cards.with_truth"))
    dc.add_argument("--out", required=True, help=t("help.demo_cards.out"))
    dc.set_defaults(func=_cmd_demo_cards)

    va = add_command(sub, "validate", t)
    add_cards_argument(va, t)
    va.add_argument("--rejects", help=t("help.validate.rejects"))
    for policy in ("nik_region", "kodepos_mismatch", "nik_kecamatan_mismatch"):
        flag = "--" + policy.replace("_", "-")
        va.add_argument(flag, choices=["reject", "warn"], help=t(f"help.validate.{policy}"))
    va.set_defaults(func=_cmd_validate)


def _add_geocode_parser(sub: argparse._SubParsersAction, t: Messages) -> None:  # type: ignore[type-arg]
    ge = add_command(sub, "geocode", t)
    add_cards_argument(ge, t)
    ge.add_argument("--out", required=True, help=t("help.geocode.out"))
    ge.add_argument("--osm", help=t("help.geocode.osm"))
    ge.add_argument("--online", help=t("help.geocode.online"))
    ge.add_argument("--cache", default="cache/geocode.sqlite", help=t("help.geocode.cache"))
    add_blocks_option(ge, t)
    ge.set_defaults(func=_cmd_geocode)


def _add_plan_commands(sub: argparse._SubParsersAction, t: Messages) -> None:  # type: ignore[type-arg]
    pl = add_command(sub, "plan", t)
    add_cards_argument(pl, t)
    pl.add_argument("--offices", help=t("help.offices"))
    net = pl.add_mutually_exclusive_group()
    net.add_argument("--network", help=t("help.plan.network"))
    net.add_argument("--download", action="store_true", help=t("help.plan.download"))
    net.add_argument("--straight-line", action="store_true", help=t("help.plan.straight_line"))
    pl.add_argument("--strict-roads", action="store_true", help=t("help.plan.strict_roads"))
    pl.add_argument("--kecamatan", action="append", help=t("help.kecamatan"))
    pl.add_argument("--config", help=t("help.plan.config"))
    add_blocks_option(pl, t)
    _add_plan_options(pl, t)
    pl.set_defaults(func=_cmd_plan)

    de = add_command(sub, "demo", t)
    de.add_argument("--all", action="store_true", help=t("help.demo.all"))
    de.add_argument("--kecamatan", action="append", help=t("help.demo.kecamatan"))
    _add_plan_options(de, t)
    de.set_defaults(func=_cmd_demo)


def build_parser(*, lang: str = DEFAULT_LANG) -> argparse.ArgumentParser:
    """The command line; ``lang`` is the language of its --help and usage errors (every command's
    parser is of one class that carries it, as argparse builds subparsers of its parent's class)."""
    t = messages(lang)
    p = parser_class(lang)(prog="ektp-routes", description=t("help.description"))
    p.add_argument("-v", "--verbose", action="count", default=0, help=t("help.verbose"))
    _add_lang(p, DEFAULT_LANG, t)
    sub = p.add_subparsers(dest="command", required=True)
    _add_card_list_parsers(sub, t)
    _add_geocode_parser(sub, t)
    _add_plan_commands(sub, t)
    from ektp_routes.cli_ops import add_commands  # the delivery operation: ops ..., fleet

    add_commands(sub, lang=lang)
    add_block_commands(sub, t)
    add_network_parser(sub, t)
    for command in _commands(sub):
        _add_lang(command, argparse.SUPPRESS, t)
    return p


def _commands(sub: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:  # type: ignore[type-arg]
    """Every command's parser, nested ones (``ops dispatch``, ``network build``) included."""
    found = []
    for command in sub.choices.values():
        found.append(command)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                found += _commands(action)
    return found


def _argv_lang(argv: Sequence[str]) -> str:
    """The --lang an argument list asks for (the last one, before or after the command), read before
    parsing so that a usage error is already in that language; the default when none or unknown."""
    lang: str = DEFAULT_LANG
    for i, a in enumerate(argv):
        if a.startswith("--lang="):
            value = a.partition("=")[2]
        elif a == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        if value in LANGUAGES:
            lang = value
    return lang


def _refusal(exc: EktpRoutesError, t: Messages) -> str:
    """A refusal in the user's language. Every refusal a command can meet is worded by the catalogue;
    an error the library words in English only (a check of a value only Python code passes, such as
    a RoutingProblem's matrices) reaching a command is a bug: in another language than English it is
    named by its kind, never shown raw, and its English text is logged for ``-vv``."""
    if exc.key or t.lang == "en":
        return error_text(exc, t)
    logger.debug("the library's English message: %s", exc)
    return t("cli.unworded", kind=type(exc).__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``ektp-routes`` command; errors are one line on stderr, never a traceback.

    Parameters
    ----------
    argv
        The command line without the program name (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        The exit status: 0 done, 2 an error the user can act on (or a bug, said in one line), 130
        interrupted, 141 the reader of the output went away (``... | head``).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(lang=_argv_lang(argv))
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    t = _t(args)
    console = logging.StreamHandler()
    console.setFormatter(ConsoleFormatter(t))
    logging.basicConfig(level=level, handlers=[console])
    try:
        return int(args.func(args))
    except EktpRoutesError as exc:
        print(t("cli.error", message=_refusal(exc, t)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ektp-routes ... | head`: the reader has all it wanted; no bug to report
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the exit flush then fails no more
        return 141
    except Exception as exc:  # a bug: one line, and no message text (it could quote a card)
        logger.debug("unexpected error", exc_info=True)
        print(t("cli.error", message=t("cli.bug", kind=type(exc).__name__)), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
