"""Shared visual vocabulary: disposition colours and labels for every output.

Colours are the Okabe–Ito colour-blind-safe palette; fills are light tints so
black labels stay readable on screen and in a printed manual, while the strong
colour is kept for borders, legends and chart bubbles.

Colours the modeler put into a file (``bioc:fill``, ``color:border-color`` …)
come through :func:`file_colour`, which lets only real colours into the SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

import tinycss2.color4

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
    Disposition.CONTRACTED: DispositionStyle("#56B4E9", "#DDF0FB", "委託済み（受託者）", "Already contracted",
                                             "disp-contracted"),
}
"""Legend order.  要確認 (legal status unknown) is vermillion, the palette's alarm colour: the step stays with
staff until someone writes down whether it exercises public authority."""

FINDING_COLOURS = {"error": "#D55E00", "warning": "#E69F00", "info": "#56B4E9"}
"""Lint finding markers (Okabe–Ito vermillion / orange / sky blue)."""

INK = "#1f2328"
"""Body text colour of the site."""


@dataclass(frozen=True, slots=True)
class ChipColours:
    """Background and text colour of a small label chip (severity of a finding)."""

    background: str
    """Chip fill; keeps the hue of the marker it stands for."""
    text: str
    """Text on the chip; chosen so the pair reaches WCAG 2.1 AA (4.5:1) at any size."""


FINDING_CHIPS: dict[str, ChipColours] = {
    "error": ChipColours("#B04500", "#ffffff"),
    "warning": ChipColours("#E69F00", INK),
    "info": ChipColours("#56B4E9", INK),
}
"""Severity chips in tables.  White on the marker vermillion (3.9:1) and on sky blue (2.3:1) failed AA:
the error chip is a darker vermillion (5.7:1 with white), info and warning carry dark text (6.9:1, 7.3:1)."""


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21).

    >>> round(contrast_ratio("#ffffff", "#000000"), 1)
    21.0
    >>> round(contrast_ratio("#ffffff", "#56B4E9"), 1)
    2.3
    """
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.1 definition)."""
    value = colour.strip().lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def style_of(disposition: Disposition) -> DispositionStyle:
    """Style for a disposition."""
    return DISPOSITION_STYLES[disposition]


def file_colour(value: str | None) -> str | None:
    """A colour written in a BPMN file, as ``#rrggbb`` or ``rgba(…)``; None when it is not a colour.

    File values are hostile text that ends up in a ``style`` attribute, so
    they are parsed as CSS colours (tinycss2) and written back in the two
    notations every consumer understands: browsers and CairoSVG, which has no
    ``hsl()``, no space-separated ``rgb()`` and no alpha in ``#rrggbbaa``.
    Keywords that are not a colour of their own (``currentColor``) are refused.

    >>> file_colour("#FFE0B2")
    '#ffe0b2'
    >>> file_colour("hsl(0, 100%, 50%)")
    '#ff0000'
    >>> file_colour("#f008")
    'rgba(255,0,0,0.53)'
    >>> file_colour("red; stroke: url(javascript:x)") is None
    True
    """
    if value is None or len(value) > 64:
        return None
    parsed = tinycss2.color4.parse_color(value.strip())
    if not isinstance(parsed, tinycss2.color4.Color):
        return None
    try:
        srgb = parsed.to("srgb")
        red, green, blue = (round(min(max(float(c), 0.0), 1.0) * 255) for c in srgb.coordinates)
        alpha = min(max(float(srgb.alpha), 0.0), 1.0)
    except (NotImplementedError, TypeError, ValueError):  # lab() and lch() cannot convert; "none" components
        return None
    if alpha >= 1.0:
        return f"#{red:02x}{green:02x}{blue:02x}"
    return f"rgba({red},{green},{blue},{alpha:.2f})"
