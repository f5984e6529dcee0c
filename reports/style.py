"""Shared visual vocabulary: disposition colours and labels for every output.

Colours are the Okabe–Ito colour-blind-safe palette; fills are light tints so
black labels stay readable on screen and in a printed manual, while the strong
colour is kept for borders, legends and chart bubbles.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.result import Disposition


@dataclass(frozen=True, slots=True)
class DispositionStyle:
    """How one disposition looks and is called."""

    strong: str
    """Okabe–Ito colour: borders, legend swatches, chart bubbles."""
    fill: str
    """Light tint of ``strong`` for shape fills behind black text."""
    ja: str
    """Japanese label."""
    en: str
    """English label."""
    css_class: str
    """CSS class used in SVG and HTML."""


DISPOSITION_STYLES: dict[Disposition, DispositionStyle] = {
    Disposition.RPA: DispositionStyle("#0072B2", "#CCE3F0", "RPA化", "RPA", "disp-rpa"),
    Disposition.OUTSOURCE: DispositionStyle("#E69F00", "#FAECCC", "民間委託", "Outsource", "disp-outsource"),
    Disposition.RETAIN: DispositionStyle("#CC79A7", "#F5E4ED", "職員が担当", "Retain (staff)", "disp-retain"),
    Disposition.REVIEW: DispositionStyle("#D55E00", "#F7DFCC", "要確認（職員が担当）", "To be confirmed (staff)",
                                         "disp-review"),
    Disposition.AUTOMATED: DispositionStyle("#009E73", "#CCECE3", "自動化済み", "Already automated", "disp-automated"),
}
"""Legend order.  要確認 (legal status unknown) is vermillion, the palette's alarm colour: the step stays with
staff until someone writes down whether it exercises public authority."""

FINDING_COLOURS = {"error": "#D55E00", "warning": "#E69F00", "info": "#56B4E9"}
"""Lint finding markers (Okabe–Ito vermillion / orange / sky blue)."""


def style_of(disposition: Disposition) -> DispositionStyle:
    """Style for a disposition."""
    return DISPOSITION_STYLES[disposition]
