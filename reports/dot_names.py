"""Graphviz ids for a picture's nodes, boxes and flows, and what each stands for.

Why our own ids: DOT reads ``:`` in an edge end as a port, and a BPMN id may
hold anything, so every Graphviz name is a DOM-safe slug of the element id
(:func:`reports.svg.dom_id`), numbered when two slugs meet.  The registry
also remembers, per Graphviz id, the BPMN element and the hover text, which
the SVG post-processing of :mod:`reports.dot` writes back into the picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bpm.model import ElementId
from reports.svg import dom_id


@dataclass(slots=True)
class DotNames:
    """One picture's Graphviz ids, in the order they were handed out."""

    names: dict[str, str] = field(default_factory=dict)
    """Graph node id → its Graphviz node name."""
    used: dict[str, int] = field(default_factory=dict)
    """Slug → how many times it was handed out."""
    element_ids: dict[str, ElementId] = field(default_factory=dict)
    """Graphviz id → BPMN element id, for ``data-element-id``."""
    tooltips: dict[str, str] = field(default_factory=dict)
    """Graphviz id → hover text for the ``<title>`` element."""

    def unique(self, base: str) -> str:
        """``base``, or ``base-N`` when it was handed out N − 1 times before."""
        count = self.used.get(base, 0) + 1
        self.used[base] = count
        return base if count == 1 else f"{base}-{count}"

    def node(self, node_id: str) -> str:
        """The Graphviz name of a graph node (the same name every time it is asked)."""
        name = self.names.get(node_id)
        if name is None:
            name = self.unique(dom_id(node_id))
            self.names[node_id] = name
        return name

    def record(self, gv_id: str, element_id: ElementId, tooltip: str) -> None:
        """What the drawn element ``gv_id`` stands for, for the SVG post-processing."""
        self.element_ids[gv_id] = element_id
        self.tooltips[gv_id] = tooltip
