"""Python's cyclic garbage collector kept out of the hot paths: paused while objects are built, or walking only
what is new.

Why one module: the reader, the graph builder, the process pool, the per-flow passes and the money stage all
make many objects without reference cycles, and each burst of them set off collections that walked everything
alive.  Two remedies, each undone on the way out (also on an error) and each leaving a caller's own setting
alone: :func:`collector_paused` switches the search for cycles off while a model or a worker's result is built;
:func:`collector_frozen` keeps every object alive now out of the walks while a long pass runs (and out of a
forked worker's copied pages).  Reference counts free everything as usual either way.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_frozen", "collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a model is built, as it was before otherwise.

    Reading makes one object per element and no reference cycles, yet each
    burst of new objects set off collections that walked every object alive:
    a sixth of a 2,000-task import and a quarter of a 20,000-task one.  The
    reference counts still free everything as usual; only the search for cycles
    waits.  Safe with threads: only the caller that switched it off switches it on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def collector_frozen() -> Iterator[None]:
    """Every object alive now kept out of the cyclic collector's walks until the block ends.

    Two costs this removes.  A forked worker shares the parent's memory page by page until either writes to a
    page, and the collector writes to the header of every object it walks: each full collection in a worker
    copied the pages of the whole inherited portfolio (models, inputs, earlier results) and walked it again.
    And in one process, each full collection during a long per-flow run walked the models read before it.
    Objects made inside the block are collected as usual; at its end :func:`gc.unfreeze` gives the frozen ones
    back to the oldest generation.  Nothing is done when the collector is off or objects are already frozen
    (an enclosing block, or the caller's own freeze: theirs to undo).
    """
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
