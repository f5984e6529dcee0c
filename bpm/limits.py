"""The documented input limits, in one place.

Why limits at all: every input of the scanner comes from a file share or a
modeller's export and must be treated as hostile, and a municipal intranet
server has no memory or minutes to spare.  A limit is only useful when it is
far above anything a real 窓口 flow or 業務量調査 needs, enforced with a
message that names the file, line and element, and listed in the README's
limit table (each value below appears there, and each has a test).

Numbers are limited for a second reason: hours × cases × yen multiply.  With
every input number capped as below, no product the scanner forms can
overflow to ``inf`` (the largest is far below 1e308), so a report never says
「inf億円」.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_MAX_FILE_MB",
    "MAX_ANNUAL_COUNT",
    "MAX_CALLED_NODES",
    "MAX_CALL_DEPTH",
    "MAX_ELEMENTS",
    "MAX_FILE_MB",
    "MAX_MINUTES",
    "MAX_NUMBER",
    "MAX_PROFILE_BYTES",
    "MAX_PROFILE_NESTING",
    "MAX_SURVEY_BYTES",
    "MAX_SURVEY_COLUMNS",
    "MAX_SURVEY_ROWS",
    "MAX_VISITS_PER_CASE",
    "MAX_XLSX_UNPACKED_BYTES",
    "MAX_YEN",
    "MAX_YEN_PER_HOUR",
]

DEFAULT_MAX_FILE_MB = 50.0
"""Largest BPMN file read by default (``--max-size``); any hand-drawn model is far smaller."""
MAX_FILE_MB = 1024.0
"""Highest value ``--max-size`` accepts: above 1 GB the XML tree alone would not fit in memory."""
MAX_ELEMENTS = 256_000
"""BPMN elements with an id (tasks, events, gateways, flows …) in one file at the default ``--max-size``.

A large real model has a few thousand.  The limit guards memory, not time: a
hostile file of tiny elements (``<task id="t1"/>``, 17 bytes each) costs far
more memory once modelled than its bytes suggest.  It grows with
``--max-size`` (see :func:`max_elements`), so a genuine 100,000-task flow
(358,905 elements in 126 MB) is read once its size is allowed.
"""
MODEL_BYTES_PER_ELEMENT = 2048
"""Memory one element with an id takes in the model and its process graph, rounded up.

Measured with ``ru_maxrss`` before and after reading: 1.5 KiB for each of
200,000 minimal ``<task id=…/>`` modelled and graphed, 2.0 KiB for minimal tasks
joined by sequence flows (each flow also an edge).  Real exports cost less per
element than these because names, DI and text are shared or small next to it.
"""
MODEL_MEMORY_PER_FILE_BYTE = 10
"""The memory budget of one file's model: 10 bytes per byte of the size limit (500 MiB at 50 MB).

The XML tree itself is bounded by the size limit already; this budget bounds
what the reader builds from it.  256,000 elements × 2 KiB ≈ 500 MiB.
"""


def max_elements(max_bytes: int) -> int:
    """Elements with an id one file may have when files up to ``max_bytes`` are read.

    The memory budget (:data:`MODEL_MEMORY_PER_FILE_BYTE` per byte of the size
    limit) divided by the memory of one element; never below
    :data:`MAX_ELEMENTS`, so lowering ``--max-size`` for speed does not refuse
    a model the default reads.  5,120 more elements per MB above 50 MB.

    >>> max_elements(50 * 1024 * 1024), max_elements(1024), max_elements(140 * 1024 * 1024)
    (256000, 256000, 716800)
    """
    return max(MAX_ELEMENTS, max_bytes * MODEL_MEMORY_PER_FILE_BYTE // MODEL_BYTES_PER_ELEMENT)


def max_bytes_for_elements(elements: int) -> int:
    """The smallest size limit (bytes, rounded up to whole MB) under which ``elements`` are read.

    >>> max_bytes_for_elements(256_001) // (1024 * 1024), max_bytes_for_elements(716_800) // (1024 * 1024)
    (51, 140)
    """
    mib = 1024 * 1024
    needed = -(-elements * MODEL_BYTES_PER_ELEMENT // MODEL_MEMORY_PER_FILE_BYTE)
    return -(-needed // mib) * mib

MAX_VISITS_PER_CASE = 1_000_000.0
"""Expected executions of one element per case; a loop that goes round more often is an endless loop in practice."""
MAX_CALL_DEPTH = 32
"""Call activities calling processes that call processes …, counted from the scored process."""
MAX_CALLED_NODES = 1_000_000
"""Elements of called processes inlined while solving one process (each call is solved in its caller)."""

MAX_ANNUAL_COUNT = 100_000_000.0
"""Cases (or executions) per year of one process or step: Japan has about 125 million residents."""
MAX_MINUTES = 525_600.0
"""Minutes of one execution of a step: one calendar year."""
MAX_NUMBER = 1e12
"""Any other number read from a survey cell, a BPMN property or a profile."""
MAX_YEN_PER_HOUR = 1_000_000.0
"""An hourly price or cost in a profile (real figures are a few thousand yen)."""
MAX_YEN = 1e12
"""Any other yen amount in a profile (1兆円)."""

MAX_SURVEY_BYTES = 20 * 1024 * 1024
"""Size of a survey sheet file (CSV or XLSX); a real 業務量調査 is well under 1 MB."""
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
"""Unpacked size of all parts of a survey workbook: a small XLSX must not unpack into gigabytes."""
MAX_SURVEY_ROWS = 100_000
"""Rows below the header of a survey sheet."""
MAX_SURVEY_COLUMNS = 256
"""Columns of a survey sheet's header row (the sheet has 20 known columns)."""

MAX_PROFILE_BYTES = 1024 * 1024
"""Size of a profile TOML file (the bundled default is about 30 KB)."""
MAX_PROFILE_NESTING = 32
"""Nested tables and arrays in a profile (the schema needs 4)."""
