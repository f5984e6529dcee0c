"""CPU of the cost gate alone (:func:`scoring.gate.cost_gate`) on captured steps, with a digest of everything it
returns (withdrawals in order, every figure, every snapshot's arrays), so base and new trees can be compared.

    .venv/bin/python -m bench.money_stage capture /tmp/p300 300 /tmp/steps300.pkl
    cd /tmp && PYTHONPATH=/tmp/base /work/wt-gate5/.venv/bin/python /work/wt-gate5/bench/gate_cpu.py \
        /tmp/steps300.pkl 100

Run it with ``PYTHONPATH`` naming the tree measured (see :mod:`bench.money_stage` for why by path).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import resource
import time
from pathlib import Path
from typing import Any


def digest(gate: Any) -> str:
    """A hash of the gate's whole result: plan, withdrawals in their order, and each snapshot's figures."""
    made = hashlib.sha256()
    made.update(repr(sorted(map(str, gate.plan.active))).encode())
    made.update(repr(sorted(gate.plan.wait)).encode())
    made.update(repr([(str(k), w) for k, w in gate.withdrawn.items()]).encode())
    for unit_id, snap in gate.snapshots.items():
        made.update(unit_id.encode())
        unit = snap.units[unit_id]
        made.update(unit.value.tobytes())
        for key, amounts in unit.lines.items():
            made.update(key.encode() + amounts.tobytes())
        made.update(repr(sorted((str(k), v) for k, v in unit.weights.items())).encode())
        made.update(repr((snap.lots, snap.scenarios, snap.deployments)).encode())
        made.update(repr((snap.posts, snap.hours_freed, snap.lot_start, snap.costs, snap.step_net, snap.step_unit,
                          snap.go_live, snap.contributions, snap.money)).encode())
    return made.hexdigest()[:16]


def run(source: Path, flows: int) -> None:
    """Run the gate on the first ``flows`` flows of a capture; print CPU seconds, rounds, peak and digest."""
    import scoring.cashflow as cashflow
    from scoring.gate import cost_gate

    with source.open("rb") as handle:
        steps, profile = pickle.load(handle)  # a capture bench.money_stage wrote
    keep = set(sorted({s.key.file for s in steps})[:flows])
    steps = [s for s in steps if s.key.file in keep]
    calls = [0]
    original = cashflow.evaluate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    cashflow.evaluate = counted
    import scoring.gate as gate_module
    if hasattr(gate_module, "evaluate"):
        gate_module.evaluate = counted
    start = time.process_time()
    gate = cost_gate(steps, profile.money, {})
    spent = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"flows {len(keep)} steps {len(steps)} cost_gate {spent:.2f} CPU-s withdrawn {len(gate.withdrawn)} "
          f"full-evaluations {calls[0]} peak {peak} MiB digest {digest(gate)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("flows", type=int)
    args = parser.parse_args()
    run(args.source, args.flows)


if __name__ == "__main__":
    main()
