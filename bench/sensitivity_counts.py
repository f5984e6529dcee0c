"""How many full pricings (``cashflow.evaluate``) the sensitivity and break-evens make on a capture (branch sens5).

    cd / && PYTHONPATH=/tmp/base-sens5 /work/wt-sens5/.venv/bin/python /work/wt-sens5/bench/sensitivity_counts.py \
        /tmp/steps300.pkl 100

``PYTHONPATH`` names the tree counted (see :mod:`bench.money_stage`); a tree with ``cashflow._reposted`` also
reports its posts-only re-pricings.
"""

from __future__ import annotations

import pickle
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> None:
    import scoring.breakeven as breakeven
    import scoring.cashflow as cashflow
    import scoring.money as money

    source, flows = Path(sys.argv[1]), int(sys.argv[2])
    with source.open("rb") as handle:
        steps, profile = pickle.load(handle)  # a capture bench.money_stage wrote
    keep = set(sorted({s.key.file for s in steps})[:flows])
    steps = [s for s in steps if s.key.file in keep]
    counts: Counter[str] = Counter()
    where: list[str] = ["other"]

    def counted(original: Callable[..., Any], label: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[f"{where[0]} {label}"] += 1
            return original(*args, **kwargs)
        return wrapper

    def inside(original: Callable[..., Any], name: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            where[0] = name
            try:
                return original(*args, **kwargs)
            finally:
                where[0] = "other"
        return wrapper

    full = counted(cashflow.evaluate, "evaluate")
    setattr(cashflow, "evaluate", full)  # noqa: B010 — varied looks it up here
    setattr(breakeven, "evaluate", full)  # noqa: B010
    if hasattr(cashflow, "_reposted"):
        cashflow._reposted = counted(cashflow._reposted, "posts-only")
    for name in ("sensitivity", "break_evens"):
        setattr(money, name, inside(getattr(money, name), name))
    money.money_stage(steps, profile)
    print(f"flows {len(keep)}: " + ", ".join(f"{key} {value}" for key, value in sorted(counts.items())))


if __name__ == "__main__":
    main()
