"""Reading delivery blocks from the addresses of a kabupaten-sized list: CPU time of assign_blocks.

    python benchmarks/blocks.py [--n 191000] [--seed 1] [--repeat 3]

``assign_blocks`` runs on every card of the whole-kabupaten plan (191,000 cards). The figures are CPU
seconds of this process (load-independent enough on a shared machine), medians of ``--repeat`` runs,
and the counts of what was read (settlements, blocks, cards whose RT or RW is unknown), which do not
depend on the machine at all.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=191_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from ektp_routes.blocks import assign_blocks
    from ektp_routes.cards import read_cards
    from ektp_routes.synthetic import synthetic_cards

    truth = synthetic_cards(args.n, seed=args.seed)
    t0 = time.process_time()
    cards = read_cards(truth.drop(columns=["true_lon", "true_lat"])).cards
    read_s = time.process_time() - t0
    times = []
    for _ in range(args.repeat):
        t0 = time.process_time()
        b = assign_blocks(cards)
        times.append(time.process_time() - t0)
    settlements = b.drop_duplicates(["desa_kode", "settlement_kind", "settlement", "rw"])
    print(f"read_cards: {len(cards)} cards in {read_s:.2f} CPU-s")
    print(
        f"assign_blocks: median {statistics.median(times):.2f} CPU-s of {args.repeat} "
        f"({', '.join(f'{t:.2f}' for t in times)}); {b['block_key'].nunique()} blocks, "
        f"{len(settlements)} settlement-RWs, kinds {b['settlement_kind'].value_counts().to_dict()}; "
        f"rt unknown {int(cards['rt'].eq('').sum())}, rw unknown {int(cards['rw'].eq('').sum())}"
    )


if __name__ == "__main__":
    main()
