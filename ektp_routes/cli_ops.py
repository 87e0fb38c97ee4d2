"""Command line of the delivery operation: ``ektp-routes ops start|dispatch|record|returns|status``
and ``ektp-routes fleet``; registered by :mod:`ektp_routes.cli`, a thin shell over the library."""

from __future__ import annotations

import argparse
import json
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from ektp_routes._errors import ConfigError, InputFileError
from ektp_routes._files import require_folder, require_parent
from ektp_routes.cli_help import add_cards_argument, add_command
from ektp_routes.i18n import DEFAULT_LANG, Messages, cli_messages, error, messages
from ektp_routes.nik import mask_nik_in

FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def iso_date(text: str, *, lang: str = DEFAULT_LANG) -> date:
    """A date option: YYYY-MM-DD from 2000 to 2100 (no typo'd year), or argparse's one-line error in
    ``lang`` (register ``partial(iso_date, lang=...)`` as the option's type)."""
    t = messages(lang)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.opt_not_a_date", text=mask_nik_in(text))) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise argparse.ArgumentTypeError(t("cli.opt_date_range", text=text, first=FIRST_DATE, last=LAST_DATE))
    return day


def _count(text: str, *, lang: str = DEFAULT_LANG) -> int:
    """A count option (0 or more); the error in ``lang``."""
    t = messages(lang)
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.opt_not_a_number", text=mask_nik_in(text))) from None
    if n < 0:
        raise argparse.ArgumentTypeError(t("cli.opt_negative", n=mask_nik_in(str(n))))
    return n


def _states(counts: Any, t: Messages) -> str:
    """The line of cards per ledger state, the states named in the chosen language."""
    return t("cli.ops_states", states=", ".join(f"{t(f'state.{k}')} {v}" for k, v in counts.items()))


def _open(args: argparse.Namespace, *, create: bool = False) -> Any:
    from ektp_routes.ledger import Ledger

    return Ledger.open(args.ledger, create=create)


def _config_text(path: str | None) -> str:
    from ektp_routes.config import read_toml_text

    return read_toml_text(path) if path else ""


def _cmd_start(args: argparse.Namespace) -> int:
    from ektp_routes.offices import read_offices
    from ektp_routes.operation import start_operation
    from ektp_routes.operation_config import OperationConfig

    if args.rejects:
        require_parent(args.rejects, "--rejects", inputs=[args.cards, args.offices, args.config, args.ledger])
    text = _config_text(args.config)
    config = OperationConfig.from_toml_text(text, source=Path(args.config or "plan.toml").name)
    offices = read_offices(args.offices, config.plan.fleet) if args.offices else None
    led = _open(args, create=True)
    try:
        rep = start_operation(
            args.cards,
            ledger=led,
            config_text=text,
            start_date=args.start_date,
            offices=offices,
            sheet=args.sheet,
            lang=cli_messages(args).lang,
        )
        counts = led.counts()
    finally:
        led.close()
    t = cli_messages(args)
    print(t("cli.ops_loaded", n=rep.added, offices=rep.offices, run_id=rep.run_id))
    if rep.already_present:
        rows = ", ".join(str(r) for r in rep.already_present[:20])
        more = " ..." if len(rep.already_present) > 20 else ""
        print(t("cli.ops_already_present", n=len(rep.already_present), rows=f"{rows}{more}"))
    print(t("cli.rejected", n=len(rep.rejects)))
    for reason, n in rep.rejects["reason"].value_counts().items():
        label = t.catalogue.get(f"reject.{reason}", str(reason))
        print(t("cli.reason_count", reason=f"{reason} ({label})" if label != reason else reason, n=n))
    if args.rejects:
        from ektp_routes.export import write_csv

        write_csv(rep.rejects, Path(args.rejects))
        print(t("cli.ops_rejects_written", path=args.rejects))
    print(_states(counts, t))
    return 0


def _cmd_dispatch(args: argparse.Namespace) -> int:
    from ektp_routes.operation import dispatch_day
    from ektp_routes.opsreport import check_dispatch_folder, write_dispatch

    require_folder(args.out, "--out")
    t = cli_messages(args)
    check_dispatch_folder(Path(args.out), args.date)  # before the ledger changes
    led = _open(args)
    try:
        rep = dispatch_day(led, args.date, workers=args.workers)
        if rep.closed:
            print(t("cli.ops_closed", date=args.date, why=rep.closed.words(t=t)))
            return 0
        out = write_dispatch(led, args.date, Path(args.out), workers=args.workers)
    finally:
        led.close()
    if rep.already:
        print(t("cli.ops_already_dispatched", date=args.date, out=args.out))
        if rep.sent_again:
            print(t("cli.ops_sent_again", date=args.date, n=rep.sent_again))
        return 0
    sent = {"cards": rep.cards, "stops": rep.stops, "courier_days": rep.courier_days}
    print(t("cli.ops_dispatched", date=args.date, **sent))
    if not rep.cards:  # the day is not closed: said with what to do when cards are still out
        print(t("cli.ops_nothing_sent_out" if rep.unreported else "cli.ops_nothing_sent", date=args.date))
    if rep.stability is None:
        print(t("cli.ops_stability_none"))
    else:
        print(t("cli.ops_stability", pct=f"{rep.stability:.1%}"))
    print(t("cli.ops_left", pending=rep.left_pending, unreported=rep.unreported))
    files = (out["dispatch"], out["routes"].name, out["stops"].name, out["manifests"])
    print(t("cli.ops_outputs", dispatch=files[0], routes=files[1], stops=files[2], manifests=files[3]))
    return 0


def _cmd_record(args: argparse.Namespace) -> int:
    from ektp_routes.outcomes import outcome_files, problem_message, record_outcomes

    for p in map(Path, args.outcomes):
        if not p.exists():
            raise error(InputFileError, "cli.ops_outcome_missing", path=p)
    paths = outcome_files([Path(p) for p in args.outcomes])  # a folder: the outcome files inside
    if args.problems:  # the report of an earlier run into the same folder is not an outcome file
        paths = [p for p in paths if p.resolve() != Path(args.problems).resolve()] or paths
    if args.problems:
        require_parent(args.problems, "--problems", inputs=[*paths, args.ledger])
    led = _open(args)
    try:
        rep = record_outcomes(led, paths)
        counts = led.counts()
    finally:
        led.close()
    t = cli_messages(args)
    for name in rep.files_seen_before:
        print(t("cli.ops_file_seen", name=name))
    for name in rep.files_without_rows:
        print(t("cli.ops_file_no_rows", name=name))
    print(t("cli.ops_recorded", n=rep.applied, unchanged=rep.unchanged))
    for code, n in sorted(rep.by_outcome.items()):
        print(t("cli.reason_count", reason=code, n=n))
    if rep.field_locations:
        print(t("cli.ops_field_locations", n=rep.field_locations))
    problems = rep.problems.assign(message=[problem_message(r, t=t) for r in rep.problems["reason"]])
    print(t("cli.ops_problems", n=len(problems)))
    for row in problems.head(args.show).to_dict("records"):  # file, row, card_ref, reason, message
        print(t("cli.ops_problem_row", **row))
    if args.problems:  # the reason stays the code; the message is in the user's language
        from ektp_routes.export import write_csv

        write_csv(problems, Path(args.problems))
        print(t("cli.ops_problems_written", path=args.problems))
    print(_states(counts, t))
    return 0


def _cmd_returns(args: argparse.Namespace) -> int:
    from ektp_routes.opsreport import write_returns

    require_folder(args.out, "--out")
    led = _open(args)
    try:
        paths = write_returns(led, Path(args.out))
        n = led.counts()["returned"]
    finally:
        led.close()
    print(cli_messages(args)("cli.ops_returns", n=n, lists=len(paths) // 3, out=args.out))
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from ektp_routes.opsreport import area_table, status, write_burndown

    if args.charts:
        require_folder(args.charts, "--charts")
    led = _open(args)
    try:
        st = status(led)
    finally:
        led.close()
    charts = write_burndown(st, Path(args.charts), lang=cli_messages(args).lang) if args.charts else []
    if args.json:
        print(json.dumps(st.to_json(), default=str, indent=1))
        return 0
    t = cli_messages(args)
    print(_states(st.states, t))
    headings = {**{s: t(f"state.{s}") for s in st.states}, "date": t("cli.ops_date")}
    table = area_table(st, args.by).rename(index={"TOTAL": t("cli.ops_total")}, columns=headings)
    table = table.rename_axis(index=t.columns([str(table.index.name)])[str(table.index.name)], columns=None)
    print(table.to_string())
    if len(st.per_day):
        print(st.per_day.tail(10).rename(columns=headings).to_string(index=False))
    finish = t("cli.ops_finish_unknown") if st.days_to_finish is None else str(st.days_to_finish)
    print(t("cli.ops_pace", pace=f"{st.pace_per_day:.0f}", finish=finish))
    if charts:
        print(t("cli.ops_charts", n=len(charts), path=args.charts))
    return 0


def _cmd_fleet(args: argparse.Namespace) -> int:
    from ektp_routes.fleet import fleet_report, size_fleet

    t = cli_messages(args)
    if not 0 <= args.first_attempt_failure < 1:
        raise error(ConfigError, "cli.fleet_failure_range")
    if args.couriers is not None and not 1 <= args.couriers <= 500:
        raise error(ConfigError, "cli.fleet_couriers_range", low=1, high=500)
    if args.chart:
        require_parent(args.chart, "--chart", inputs=[args.cards, args.offices, args.config])
    result = size_fleet(
        args.cards,
        offices_path=args.offices,
        config_text=_config_text(args.config),
        start=args.start_date,
        finish_by=args.finish_by,
        couriers=args.couriers,
        failure=args.first_attempt_failure,
        chart=Path(args.chart) if args.chart else None,
        sheet=args.sheet,
        lang=t.lang,
    )
    print(fleet_report(result, lang=t.lang))
    return 0


def add_commands(sub: Any, *, lang: str = DEFAULT_LANG) -> None:
    """Register ``ops`` and ``fleet`` on the main parser's subcommands; ``lang``: the language of the
    options' help and errors (a bad date or count)."""
    _add_ops(sub, messages(lang))
    _add_fleet(sub, messages(lang))


def _add_ops(sub: Any, t: Messages) -> None:
    day, count = partial(iso_date, lang=t.lang), partial(_count, lang=t.lang)
    ops = add_command(sub, "ops", t)
    osub = ops.add_subparsers(dest="ops_command", required=True)

    st = add_command(osub, "ops.start", t)
    add_cards_argument(st, t)
    st.add_argument("--ledger", required=True, help=t("help.ledger"))
    st.add_argument("--offices", help=t("help.ops.start.offices"))
    st.add_argument("--config", help=t("help.ops.start.config"))
    st.add_argument("--start-date", type=day, help=t("help.ops.start.start_date"))
    st.add_argument("--rejects", help=t("help.ops.start.rejects"))
    st.set_defaults(func=_cmd_start)

    di = add_command(osub, "ops.dispatch", t)
    di.add_argument("--ledger", required=True, help=t("help.ledger"))
    di.add_argument("--date", required=True, type=day, help=t("help.ops.dispatch.date"))
    di.add_argument("--out", required=True, help=t("help.ops.dispatch.out"))
    workers = t("help.ops.dispatch.workers")
    di.add_argument("--workers", type=int, default=2, choices=range(1, 65), metavar="N", help=workers)
    di.set_defaults(func=_cmd_dispatch)

    re = add_command(osub, "ops.record", t)
    re.add_argument("outcomes", nargs="+", help=t("help.ops.record.outcomes"))
    re.add_argument("--ledger", required=True, help=t("help.ledger"))
    re.add_argument("--problems", help=t("help.ops.record.problems"))
    re.add_argument("--show", type=count, default=20, help=t("help.ops.record.show"))
    re.set_defaults(func=_cmd_record)

    rt = add_command(osub, "ops.returns", t)
    rt.add_argument("--ledger", required=True, help=t("help.ledger"))
    rt.add_argument("--out", required=True, help=t("help.ops.returns.out"))
    rt.set_defaults(func=_cmd_returns)

    sa = add_command(osub, "ops.status", t)
    sa.add_argument("--ledger", required=True, help=t("help.ledger"))
    sa.add_argument("--json", action="store_true", help=t("help.ops.status.json"))
    by = t("help.ops.status.by")
    sa.add_argument("--by", choices=["office", "kecamatan", "desa"], default="office", help=by)
    sa.add_argument("--charts", help=t("help.ops.status.charts"))
    sa.set_defaults(func=_cmd_status)


def _add_fleet(sub: Any, t: Messages) -> None:
    day = partial(iso_date, lang=t.lang)
    fl = add_command(sub, "fleet", t)
    add_cards_argument(fl, t)
    fl.add_argument("--offices", help=t("help.fleet.offices"))
    fl.add_argument("--config", help=t("help.fleet.config"))
    goal = fl.add_mutually_exclusive_group(required=True)
    goal.add_argument("--finish-by", type=day, help=t("help.fleet.finish_by"))
    goal.add_argument("--couriers", type=int, help=t("help.fleet.couriers"))
    fl.add_argument("--start-date", type=day, default=date.today(), help=t("help.fleet.start_date"))
    failure = t("help.fleet.first_attempt_failure")
    fl.add_argument("--first-attempt-failure", type=float, default=0.2, help=failure)
    fl.add_argument("--chart", help=t("help.fleet.chart"))
    fl.set_defaults(func=_cmd_fleet)
