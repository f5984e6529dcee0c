"""CPU of a pipeline's stages, measured in process by wrapping the stage functions (``bench.score_parts``,
``bench.page_cpu``).

Stages nest (a page's view model calls the evidence formatting another stage times): CPU spent inside a nested
timed stage counts only there, so the stages add up to the time they cover and nothing is counted twice.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any


class StageClock:
    """CPU seconds and calls per stage, for the functions wrapped by :meth:`timed`."""

    def __init__(self) -> None:
        self.spent: defaultdict[str, float] = defaultdict(float)
        self.calls: defaultdict[str, int] = defaultdict(int)
        self._active: list[str] = []

    def timed(self, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` with its CPU added to ``stage`` (time inside a nested timed stage counts only there)."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            self._active.append(stage)
            try:
                return func(*args, **kwargs)
            finally:
                self._active.pop()
                spent = time.process_time() - start
                self.spent[stage] += spent
                self.calls[stage] += 1
                if self._active:
                    self.spent[self._active[-1]] -= spent

        return wrapper
