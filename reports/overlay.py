"""What the analysis wants painted on top of a diagram, per element.

The SVG renderer knows shapes, the scoring knows dispositions; this small value
type is the only thing they share.  Values are checked here, once, because
they end up inside SVG attributes and CSS: a colour must look like a colour and
a class like a class, whatever a survey sheet or profile put into them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\)|var\(--[\w-]+\))$")
_CSS_CLASS = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class Overlay:
    """Decoration for one element: fill, badge, tooltip, class and lint finding."""

    fill: str | None = None
    """CSS colour for the shape body (``#cde``, ``rgb(…)``, a name or ``var(--x)``)."""
    badge: str | None = None
    """Short text in a rounded badge at the shape's top-right, e.g. ``RPA 0.82 · 410h``."""
    title: str | None = None
    """Hover tooltip (becomes the element's ``<title>``), e.g. the reasons for a disposition."""
    css_class: str | None = None
    """Extra CSS class(es), space separated, e.g. ``disp-rpa``."""
    finding: str | None = None
    """Lint finding text: draws a warning marker (!) at the top-left and joins the tooltip."""

    def __post_init__(self) -> None:
        if self.fill is not None and not _COLOUR.match(self.fill.strip()):
            raise ValueError(f"overlay fill is not a CSS colour: {self.fill!r}")
        if self.css_class is not None:
            for name in self.css_class.split():
                if not _CSS_CLASS.match(name):
                    raise ValueError(f"overlay css_class is not a CSS class name: {name!r}")

    @property
    def classes(self) -> tuple[str, ...]:
        """The extra CSS classes as a tuple (empty when none)."""
        return tuple(self.css_class.split()) if self.css_class else ()

    @property
    def tooltip(self) -> str | None:
        """Title text with the finding appended, or None when there is nothing to say."""
        parts = [p for p in (self.title, f"⚠ {self.finding}" if self.finding else None) if p]
        return "\n".join(parts) if parts else None
