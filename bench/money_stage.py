"""CPU of the money stage alone, by part, on the steps of a synthetic portfolio (issue 13, ``bpm score`` < 10 s).

Two steps, so that base and new trees price the very same steps:

    .venv/bin/python -m bench.money_stage capture bench/work/p1000 1000 /tmp/steps.pkl   # reads and assesses
    cd /tmp && PYTHONPATH=/tmp/base .venv/bin/python /work/wt-money/bench/money_stage.py run /tmp/steps.pkl 100

``run`` prices the steps of the first N flows of the capture with :func:`scoring.money.money_stage` and prints
its CPU (``time.process_time``), the CPU of the cost gate, sensitivity and break-even, peak memory and a digest of
the whole outcome (equal digests: identical results).  Run it with ``PYTHONPATH`` naming the tree measured, from a
directory that holds no other copy, and the script by its path (``python -m`` and the working directory come
before ``PYTHONPATH`` on ``sys.path``; a script's own folder does too, but ``bench/`` holds no ``scoring``).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import resource
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any


class _Captured(Exception):
    """Raised by the stand-in money stage once the steps are saved: nothing after it is needed."""


def capture(folder: Path, flows: int, out: Path) -> None:
    """Read and assess the first ``flows`` flows of ``folder``; save the money stage's input (steps, profile)."""
    import scoring.assess as assess_module
    from bpm.reader import read_bpmn
    from scoring.profile import load_profile
    from scoring.survey import load_survey

    files = sorted(folder.glob("*.bpmn"))[:flows]

    def grab(steps: Any, profile: Any) -> Any:
        with out.open("wb") as handle:
            pickle.dump((list(steps), profile), handle)
        raise _Captured

    setattr(assess_module, "money_stage", grab)  # noqa: B010 — the stand-in is put where assess looks it up
    try:
        assess_module.assess([read_bpmn(f) for f in files], survey=load_survey(folder / "survey.csv"),
                             profile=load_profile(None))
    except _Captured:
        print(f"captured {len(files)} flows into {out}")


def load_capture(source: Path, flows: int) -> tuple[list[Any], Any]:
    """The scored steps of the first ``flows`` flows of a capture :func:`capture` wrote, and its profile."""
    with source.open("rb") as handle:
        steps, profile = pickle.load(handle)  # a capture this script wrote
    keep = set(sorted({s.key.file for s in steps})[:flows])
    return [s for s in steps if s.key.file in keep], profile


def timed(owner: Any, name: str, spent: dict[str, float], calls: dict[str, int] | None = None) -> None:
    """Replace ``owner.name`` by a wrapper adding its CPU seconds to ``spent[name]`` (and its calls to ``calls``)."""
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start
            if calls is not None:
                calls[name] += 1

    setattr(owner, name, wrapper)


def outcome_digest(outcome: Any) -> str:
    """A short digest of the whole money outcome at full precision (summary, steps and flows), to compare runs."""
    text = (repr(outcome.summary) + repr(sorted(outcome.steps.items(), key=lambda kv: str(kv[0])))
            + repr(sorted(outcome.flows.items(), key=lambda kv: str(kv[0]))))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run(source: Path, flows: int) -> None:
    """Price the first ``flows`` flows of a capture and print the CPU of each part and a digest of the outcome."""
    import scoring.gate as gate_module
    import scoring.money as money_module

    steps, profile = load_capture(source, flows)
    spent: dict[str, float] = defaultdict(float)
    timed(gate_module, "choose_wait", spent)
    for name in ("cost_gate", "sensitivity", "break_evens"):
        timed(money_module, name, spent)
    start = time.process_time()
    outcome = money_module.money_stage(steps, profile)
    total = time.process_time() - start
    parts = ", ".join(f"{name} {seconds:.2f}" for name, seconds in spent.items())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    flow_count = len({s.key.file for s in steps})
    print(f"flows {flow_count} steps {len(steps)} money_stage {total:.2f} CPU-s ({parts}; cost_gate includes "
          f"choose_wait) peak {peak} MiB digest {outcome_digest(outcome)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    grab = commands.add_parser("capture")
    grab.add_argument("folder", type=Path)
    grab.add_argument("flows", type=int)
    grab.add_argument("out", type=Path)
    price = commands.add_parser("run")
    price.add_argument("source", type=Path)
    price.add_argument("flows", type=int)
    args = parser.parse_args()
    if args.command == "capture":
        capture(args.folder, args.flows, args.out)
    else:
        run(args.source, args.flows)


if __name__ == "__main__":
    main()
