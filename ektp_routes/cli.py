"""Command line: ``ektp-routes <command>``; a thin shell over the library."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from ektp_routes._errors import EktpRoutesError


def _cmd_demo_cards(args: argparse.Namespace) -> int:
    from ektp_routes.synthetic import synthetic_cards, write_cards

    df = synthetic_cards(
        args.n, seed=args.seed, kecamatan=args.kecamatan or None, defect_rate=args.defect_rate
    )
    if not args.with_truth:
        df = df.drop(columns=["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"])
    path = write_cards(df, args.out)
    print(f"wrote {len(df)} synthetic cards (no real person) to {path}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from ektp_routes.cards import ValidationRules, read_cards

    rules = ValidationRules(
        kodepos_mismatch=args.kodepos_mismatch, nik_kecamatan_mismatch=args.nik_kecamatan_mismatch
    )
    result = read_cards(args.cards, rules=rules, sheet=args.sheet)
    print(f"{result.source}: {result.n_rows} rows")
    print(f"  accepted: {len(result.cards)}")
    print(f"  rejected: {len(result.rejects)}")
    for reason, n in result.reason_counts().items():
        print(f"    {reason}: {n}")
    if args.rejects:
        from ektp_routes.export import write_csv

        write_csv(result.rejects, Path(args.rejects))
        print(f"rejects written to {args.rejects} (row numbers count cards after the header; no names)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ektp-routes",
        description="Plan door-to-door delivery of e-KTP cards by post-office couriers.",
    )
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = p.add_subparsers(dest="command", required=True)

    dc = sub.add_parser("demo-cards", help="write a synthetic card list (no real person) for demos and tests")
    dc.add_argument("--n", type=int, default=191_000, help="cards in the whole kabupaten (default 191000)")
    dc.add_argument("--seed", type=int, default=0)
    dc.add_argument("--kecamatan", action="append", help="only this kecamatan (repeatable)")
    dc.add_argument("--defect-rate", type=float, default=0.0, help="fraction of defective rows (0-0.5)")
    dc.add_argument(
        "--with-truth", action="store_true", help="keep ground-truth columns (true_lon/true_lat ...)"
    )
    dc.add_argument("--out", required=True, help="output file: .csv, .xlsx or .parquet")
    dc.set_defaults(func=_cmd_demo_cards)

    va = sub.add_parser("validate", help="read and validate a card list; print counts per reason")
    va.add_argument("cards", help="card list: CSV, XLSX or Parquet")
    va.add_argument("--rejects", help="write the rejects table to this CSV")
    va.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    va.add_argument("--kodepos-mismatch", choices=["reject", "warn"], default="reject")
    va.add_argument("--nik-kecamatan-mismatch", choices=["reject", "warn"], default="reject")
    va.set_defaults(func=_cmd_validate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except EktpRoutesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
