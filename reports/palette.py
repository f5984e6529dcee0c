"""The modeler's colours (``bioc:*``, ``color:*``) applied to a drawn element, as bpmn-js applies them.

Each drawn part has a colour *role* given by its class: bodies take the fill
and stroke, dark marker parts the stroke, light ones the fill, lines the
stroke and text the label colour (else the stroke).  Colours go into inline
``style`` (it beats the stylesheet), never replacing a property already set,
so an overlay's disposition fill on a body wins.  Values are checked by
:func:`reports.style.file_colour` first: only real colours reach the SVG.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from bpm.model import DiColours
from reports.style import file_colour

__all__ = ["Palette", "apply_palette"]


@dataclass(frozen=True, slots=True)
class Palette:
    """One element's colours from the file, checked, in the roles bpmn-js gives them."""

    fill: str | None
    """Body fill (and the light parts of markers)."""
    stroke: str | None
    """Outline, lines and the dark parts of markers."""
    label: str | None
    """Text; bpmn-js falls back to the stroke colour."""

    @classmethod
    def of(cls, colours: DiColours | None, *, fills: bool) -> Palette | None:
        """The usable colours, or None when the file gives none (fills left out when ``fills`` is False)."""
        if colours is None:
            return None
        palette = cls(
            file_colour(colours.fill) if fills else None, file_colour(colours.stroke), file_colour(colours.label)
        )
        return palette if (palette.fill or palette.stroke or palette.label) else None

    def roles(self, classes: set[str]) -> dict[str, str | None]:
        """Style properties for one drawn part, chosen by its classes."""
        if classes & {"b-body", "b-pool", "b-hollow"}:
            return {"fill": self.fill, "stroke": self.stroke}
        if "b-lane" in classes:  # lanes are washed over the pool, as in bpmn-js
            return {"fill": self.fill, "fill-opacity": "0.25" if self.fill else None, "stroke": self.stroke}
        if "b-fill" in classes:
            return {"fill": self.stroke, "stroke": self.stroke}
        if "b-knock" in classes:
            return {"stroke": self.fill}
        if classes & {"b-line", "b-bold", "b-flow", "b-group"}:
            return {"stroke": self.stroke}
        return {}


_DECORATIONS = frozenset({"b-badge", "b-finding"})
"""Our own overlay marks: never recoloured by the file."""


def apply_palette(element: ET.Element, palette: Palette) -> None:
    """Colour every drawn part below ``element``; an overlay's fill already on a part wins."""
    for child in element:
        classes = set(child.get("class", "").split())
        if classes & _DECORATIONS or child.tag in ("title", "tspan"):
            continue
        if child.tag == "text":
            _add_style(child, {"fill": palette.label or palette.stroke})
            continue
        _add_style(child, palette.roles(classes))
        apply_palette(child, palette)


def _add_style(element: ET.Element, properties: Mapping[str, str | None]) -> None:
    """Add inline style properties (they beat the stylesheet) without replacing ones already set."""
    style = dict(
        (name.strip(), value.strip())
        for name, _, value in (part.partition(":") for part in element.get("style", "").split(";"))
        if name.strip()
    )
    added = {name: value for name, value in properties.items() if value and name not in style}
    if added:
        style.update(added)
        element.set("style", ";".join(f"{name}:{value}" for name, value in style.items()))
