"""CPU of the money stage by part, with the cyclic collector's share, as ``bpm score`` runs it (issue 13).

Reads a capture of :mod:`bench.money_stage` (``capture``), keeps the first N flows, freezes everything alive
(as :func:`scoring.assess.assess` does around the money stage) and prices them with
:func:`scoring.money.money_stage`, timing the parts by wrappers put around them in this process (a part called
from another part counts in both; ``_rpa_cash`` calls itself once per memo miss, so its figure counts those
twice).  It prints the total, each part's CPU and calls, the collector's CPU per generation (from
``gc.callbacks``), peak memory and a digest of the whole outcome (equal digests: identical results).

    cd /tmp && PYTHONPATH=/work/wt-score6 /work/wt-score6/.venv/bin/python /work/wt-score6/bench/money_parts.py \
        /tmp/steps.pkl 300 [--plain]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from collections import defaultdict
from pathlib import Path

from bench.money_stage import load_capture, outcome_digest, timed

_CASHFLOW = ("_post_plan", "_unit_values", "_rpa_cash", "_priced_lots", "_drafted")
_EVALUATION = ("unit_npvs", "step_npvs", "npv", "portfolio")
_MONEY = ("cost_gate", "sensitivity", "break_evens", "_step_outcomes", "_scenarios", "_flows", "_lots")
_GATE = ("choose_wait",)


def run(source: Path, flows: int, plain: bool = False) -> None:
    """Price the first ``flows`` flows of a capture; print the parts, the collector's share and a digest.

    ``plain``: no wrappers around the parts (the total as ``bpm score`` spends it, for base/new comparisons).
    """
    import scoring.cashflow as cashflow
    import scoring.gate as gate
    import scoring.money as money

    steps, profile = load_capture(source, flows)  # a capture bench.money_stage wrote
    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    if not plain:
        for name in _CASHFLOW:
            timed(cashflow, name, spent, calls)
        for name in _EVALUATION:
            timed(cashflow.Evaluation, name, spent, calls)
        for name in _MONEY:
            timed(money, name, spent, calls)
        for name in _GATE:
            timed(gate, name, spent, calls)
    collector = [0.0, 0.0, 0.0]
    collections = [0, 0, 0]
    started: list[float] = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            collector[info["generation"]] += time.process_time() - started[0]
            collections[info["generation"]] += 1

    gc.collect()
    gc.freeze()
    gc.callbacks.append(watch)
    start = time.process_time()
    outcome = money.money_stage(steps, profile)
    total = time.process_time() - start
    gc.callbacks.remove(watch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    flow_count = len({s.key.file for s in steps})
    print(f"flows {flow_count} steps {len(steps)} money_stage {total:.2f} CPU-s peak {peak} MiB "
          f"digest {outcome_digest(outcome)}")
    print("collector CPU-s by generation " + ", ".join(f"{s:.2f} ({n})" for s, n in zip(collector, collections,
                                                                                        strict=True)))
    for name in sorted(spent, key=lambda n: -spent[n]):
        print(f"{spent[name]:8.2f} {calls[name]:6d} {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("flows", type=int)
    parser.add_argument("--plain", action="store_true", help="total only, no wrappers around the parts")
    args = parser.parse_args()
    run(args.source, args.flows, args.plain)


if __name__ == "__main__":
    main()
