"""What the comparison site is made from, what its pages are called, and the small views its templates show.

Apart from :mod:`reports.compare_site` (rendering and publishing) and
:mod:`reports.compare_views` (each page's view) so that both can name pages
and build cells without importing each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bpm.reader import DEFAULT_MAX_BYTES
from reports.compare_anon import Scrubber
from reports.i18n import Bilingual
from reports.views import slug
from scoring.compare import Comparison

Diagrams = Literal["all", "leaders", "none"]


@dataclass(frozen=True, slots=True)
class CompareInput:
    """Everything the comparison site shows, computed by the caller."""

    comparison: Comparison
    """Measures, groups, potentials, unmatched flows."""
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """City key → file key → BPMN path, for drawing diagrams."""
    anonymised: bool = False
    """City names replaced by codes, notes removed, exact population hidden."""
    scrubber: Scrubber | None = None
    """Replaces names in model texts (anonymised runs)."""
    names: tuple[str, ...] = ()
    """Every name that must not appear in an anonymised site."""
    notes: tuple[str, ...] = ()
    """Every free-text note that must not appear in an anonymised site."""
    diagrams: Diagrams = "all"
    """Draw every city's flows, only the leading cities', or none."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest BPMN file read again for drawing (the reader's default, the one --max-size starts from)."""


# --------------------------------------------------------------------------- names and small views


def short_hash(text: str) -> str:
    """A short stable digest for file names (keys may be any text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def procedure_page(key: str) -> str:
    """Page file name of a procedure (keys may be any text: slug plus hash)."""
    return f"p-{slug(key, 24) or 'procedure'}-{short_hash(key)}.html"


SPLIT_CITIES = 200
"""A procedure compared across more cities than this gets one page per 類似団体 group for its tables, evidence
and diagrams; its own page keeps the dot plot, each group's statistics and leader, and links.  At 1,741 cities
one page held every city's ten measures with their evidence in two languages (17 MB), more than a phone or an
intranet browser opens comfortably; below this size nothing changes."""


def group_page(key: str, group: str) -> str:
    """Page file name of one 類似団体 group of a procedure compared across many cities."""
    return f"p-{slug(key, 24) or 'procedure'}-{short_hash(key)}-g{short_hash(group)}.html"


def city_page(key: str) -> str:
    """Page file name of a city."""
    return f"c-{slug(key, 24) or 'city'}-{short_hash(key)}.html"


def num(value: float, digits: int = 1) -> str:
    """A figure as the pages print it: thousands separators, ``digits`` decimals."""
    return f"{value:,.{digits}f}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One heat-map cell."""

    text: str
    """The value."""
    delta: str
    """Signed deviation from the group median with ▲/▼ (or a dash)."""
    css: str
    """Bin class."""
    href: str
    """Link to the city page."""
    title: str
    """Hover text (group, median, n)."""


@dataclass(frozen=True, slots=True)
class HeatRow:
    """One procedure of the heat map."""

    name: Bilingual
    href: str
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True, slots=True)
class CityView:
    """A city as the overview lists it."""

    key: str
    label: str
    href: str
    group: str
    band: Bilingual
    population: str
    fiscal_year: int
    flows: int
    illustrative: bool


@dataclass(frozen=True, slots=True)
class Figure:
    """A diagram file and its caption."""

    src: str
    caption: str


@dataclass(frozen=True, slots=True)
class MeasureCell:
    """A measure value with evidence."""

    text: str
    sort: float
    evidence: Bilingual
