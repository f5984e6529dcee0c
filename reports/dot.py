"""Lay out a process graph with Graphviz when the file has no diagram, and print it.

Many exports from office tools and hand-written BPMN carry no diagram
interchange (DI); :mod:`reports.svg` cannot draw those, so here the real
``dot`` program lays the NetworkX graph out left to right, with lanes (and, in
a collaboration, pools) as clusters.  The same layout is how printed manuals
get PNG and PDF: cairo renders Japanese through the Noto CJK font.

The picture speaks the SVG renderer's language: rounded tasks with a type tag,
circles for events (bold for ends), diamonds with the gateway symbol, dashed
message flows, and the same :class:`~reports.overlay.Overlay` per-element
annotations (disposition tint, badge line, tooltip, lint finding in red).

Everything taken from a user's file goes through :func:`graphviz.escape` and
DOT quoting; node and cluster names are our own slugs, never raw ids, because
DOT reads ``:`` in an edge end as a port.  Nodes and edges are emitted in
document order, so the same file always gives the same picture.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import graphviz
import networkx as nx
from lxml import etree

from bpm.errors import RenderError, say
from bpm.model import Definitions, ElementId
from reports.dot_clusters import Clusters
from reports.dot_names import DotNames
from reports.dot_shapes import (
    CAPTION_CHARS,
    EDGE_FONT,
    EDGE_INK,
    ENTER_STYLE,
    INK,
    LABEL_CHARS,
    MESSAGE_FLOW_STYLE,
    NODE_FONT,
    POOL_ANCHOR,
    TOOLTIP_CHARS,
    activity_attrs,
    black_box_attrs,
    clip,
    edge_label,
    edge_overlay,
    event_attrs,
    finding_outline,
    gateway_attrs,
    is_clipped,
    sequence_flow_style,
)
from reports.overlay import Overlay
from reports.svg import FONT_FAMILY, dom_id

__all__ = [
    "FONT",
    "LABEL_CHARS",
    "Format",
    "build_dot",
    "clip",
    "dot_available",
    "is_clipped",
    "render",
    "render_dot_svg",
]

FONT = "Noto Sans CJK JP"
"""Font for every label: has the Japanese glyphs (Debian/Ubuntu package ``fonts-noto-cjk``)."""

Format = Literal["svg", "png", "pdf"]

_INSTALL_HINT = say("render.install_graphviz")
_PNG_DPI = 144.0
_SVG_NS = "http://www.w3.org/2000/svg"
_GRAPH_ATTRS = {
    "rankdir": "LR",
    "fontname": FONT,
    "fontsize": "14",
    "bgcolor": "white",
    "pad": "0.2",
    "nodesep": "0.35",
    "ranksep": "0.45",
    "compound": "true",
    "newrank": "true",
    "outputorder": "edgesfirst",
    "labelloc": "t",
    "labeljust": "l",
}
_NODE_ATTRS = {"fontname": FONT, "fontsize": str(NODE_FONT), "color": INK, "penwidth": "1.2"}
_EDGE_ATTRS = {
    "fontname": FONT,
    "fontsize": str(EDGE_FONT),
    "color": EDGE_INK,
    "fontcolor": INK,
    "arrowsize": "0.7",
    "penwidth": "1.1",
}



# --------------------------------------------------------------------------- availability


def dot_available() -> bool:
    """Whether the Graphviz ``dot`` executable can be run.

    The graphviz Python package is only a front end; without the program every
    render raises :class:`~bpm.errors.RenderError` and callers fall back to the
    DI SVG.
    """
    try:
        graphviz.version()
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, RuntimeError, OSError):
        return False
    return True


# --------------------------------------------------------------------------- side table


@dataclass(frozen=True, slots=True)
class _Meta:
    """What SVG post-processing needs to know about a built digraph."""

    title: str
    """Document title."""
    element_ids: Mapping[str, ElementId] = field(default_factory=dict)
    """Graphviz ``id`` → BPMN element id, for ``data-element-id``."""
    tooltips: Mapping[str, str] = field(default_factory=dict)
    """Graphviz ``id`` → hover text for the ``<title>`` element."""


_META: weakref.WeakKeyDictionary[Any, _Meta] = weakref.WeakKeyDictionary()
"""Per-digraph metadata; a side table because graphviz objects have no slot for it."""


# --------------------------------------------------------------------------- building


def build_dot(
    graph: nx.MultiDiGraph,
    *,
    overlays: Mapping[ElementId, Overlay] | None = None,
    title: str | None = None,
    definitions: Definitions | None = None,
) -> graphviz.Digraph:
    """DOT description of a process or collaboration graph from :mod:`bpm.graph`.

    Parameters
    ----------
    graph
        ``process_graph`` or ``collaboration_graph`` output.
    overlays
        Per-element decoration (fill, badge, tooltip, finding), shared with
        :func:`reports.svg.render_svg`.
    title
        Caption above the diagram; defaults to the graph's ``name``.
    definitions
        The model the graph came from.  Optional: with it, nested lanes become
        nested clusters; without it, each node's innermost lane is a cluster.

    Examples
    --------
    >>> from bpm.reader import read_bpmn_bytes
    >>> from bpm.graph import process_graph
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><userTask id="t" name="入力"/>
    ...   <sequenceFlow id="f" sourceRef="s" targetRef="t"/></process></definitions>'''.encode()
    >>> dot = build_dot(process_graph(read_bpmn_bytes(xml, "x.bpmn"), "p"))
    >>> "rankdir=LR" in dot.source, "«user»" in dot.source
    (True, True)
    """
    if not isinstance(graph, nx.MultiDiGraph):
        raise TypeError(f"build_dot needs the nx.MultiDiGraph from bpm.graph, not {type(graph).__name__}")
    builder = _Builder(graph, overlays or {}, definitions)
    caption = title if title is not None else _default_caption(graph, definitions)
    return builder.build(caption)


def render(
    graph_or_digraph: nx.MultiDiGraph | graphviz.Digraph,
    fmt: Format,
    *,
    overlays: Mapping[ElementId, Overlay] | None = None,
    title: str | None = None,
    definitions: Definitions | None = None,
    dpi: float | None = None,
) -> bytes:
    """Run ``dot`` and return the image: SVG (UTF-8, no prolog), PNG or PDF.

    ``dpi`` sets the PNG's resolution (default 144, i.e. 2×); callers lower it
    to keep a large layout within the pixel caps of :mod:`reports.printable`.
    Raises :class:`~bpm.errors.RenderError` when Graphviz is missing or fails.
    """
    if fmt not in ("svg", "png", "pdf"):
        raise RenderError(say("render.unknown_format", format=repr(fmt)), hint=say("render.unknown_format_hint"))
    digraph = _as_digraph(graph_or_digraph, overlays, title, definitions)
    if fmt == "svg":
        return _postprocess_svg(_pipe(digraph, "svg", None), _META.get(digraph)).encode("utf-8")
    printable = digraph.copy()
    if fmt == "png":
        printable.attr("graph", dpi=f"{dpi or _PNG_DPI:.3f}")
    return _pipe(printable, fmt, "cairo")


def render_dot_svg(
    graph: nx.MultiDiGraph | graphviz.Digraph,
    *,
    overlays: Mapping[ElementId, Overlay] | None = None,
    title: str | None = None,
    definitions: Definitions | None = None,
) -> str:
    """SVG text ready to inline in HTML: no XML prolog, DOCTYPE or comments.

    Every drawn element is a ``<g>`` with ``data-element-id`` (nodes, flows,
    lanes, pools), the same hook the DI renderer provides, and its
    ``<title>`` holds the tooltip.
    """
    digraph = _as_digraph(graph, overlays, title, definitions)
    return _postprocess_svg(_pipe(digraph, "svg", None), _META.get(digraph))


def _as_digraph(
    graph_or_digraph: nx.MultiDiGraph | graphviz.Digraph,
    overlays: Mapping[ElementId, Overlay] | None,
    title: str | None,
    definitions: Definitions | None,
) -> graphviz.Digraph:
    if isinstance(graph_or_digraph, graphviz.Digraph | graphviz.Graph):
        return graph_or_digraph
    return build_dot(graph_or_digraph, overlays=overlays, title=title, definitions=definitions)


def _pipe(digraph: graphviz.Digraph, fmt: str, renderer: str | None) -> bytes:
    try:
        data: bytes = digraph.pipe(format=fmt, renderer=renderer, quiet=True)
    except (BrokenPipeError, ConnectionResetError) as exc:  # dot stopped reading: it rejected the input
        raise RenderError(say("dot.stopped", format=fmt, detail=exc), hint=say("dot.stopped_hint")) from None
    except graphviz.ExecutableNotFound:
        raise RenderError(
            say("dot.not_installed"),
            hint=_INSTALL_HINT,
        ) from None
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr)
        raise RenderError(
            say("dot.failed", format=fmt, detail=stderr.strip() or exc),
            hint=say("dot.failed_hint"),
        ) from None
    return data


# --------------------------------------------------------------------------- builder


_GENERATED_ID = re.compile(r"^(sid-|_|id_?|Collaboration_|Process_)?[0-9A-Fa-f]{6,}(-[0-9A-Fa-f]{2,})*$")


def _default_caption(graph: nx.MultiDiGraph, definitions: Definitions | None) -> str:
    """The graph's name unless it is only an id (bpm.graph falls back to ids for unnamed ones)."""
    name = " ".join(str(graph.graph.get("name") or "").split())
    ids: set[str] = set()
    if definitions is not None:
        ids.update(definitions.processes)
        ids.update(c.id for c in definitions.collaborations)
    if name in ids or _GENERATED_ID.match(name):
        return ""
    return name


def _line_of(attrs: Mapping[str, Any]) -> int:
    node = attrs.get("node") or attrs.get("flow")
    source = getattr(node, "source", None)
    line = getattr(source, "line", None)
    if isinstance(line, int):
        return line
    text = str(attrs.get("source") or "")
    tail = text.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 1 << 30


class _Builder:
    """Turns one bpm.graph graph into a graphviz.Digraph; one instance per build.

    Where things go is decided here and in :class:`~reports.dot_clusters.Clusters` (boxes, ids, order);
    how each element looks, in :mod:`reports.dot_shapes`.
    """

    def __init__(
        self, graph: nx.MultiDiGraph, overlays: Mapping[ElementId, Overlay], definitions: Definitions | None
    ) -> None:
        self.graph = graph
        self.overlays = overlays
        self.names = DotNames()
        self.clusters = Clusters(graph, definitions, self.names)

    def build(self, caption: str) -> graphviz.Digraph:
        digraph = graphviz.Digraph(name="bpmn", graph_attr=_GRAPH_ATTRS, node_attr=_NODE_ATTRS, edge_attr=_EDGE_ATTRS)
        if caption.strip():
            digraph.attr("graph", label=graphviz.escape(clip(caption, CAPTION_CHARS)))
        nodes = sorted(self.graph.nodes(data=True), key=lambda item: (_line_of(item[1]), str(item[0])))
        for node_id, _data in nodes:
            self.names.node(node_id)
        for node_id, data in nodes:
            self.clusters.place(node_id, data)
        self.clusters.emit(digraph, {node_id: data for node_id, data in nodes}, self._node)
        self._edges(digraph)
        self.clusters.stretch(digraph)
        _META[digraph] = _Meta(title=caption, element_ids=dict(self.names.element_ids),
                               tooltips=dict(self.names.tooltips))
        return digraph

    def _node(self, target: graphviz.Digraph, node_id: str, data: Mapping[str, Any]) -> None:
        name = self.names.node(node_id)
        overlay = self.overlays.get(ElementId(node_id))
        category = data.get("category")
        kind = str(data.get("kind") or "")
        # Unnamed elements stay unlabelled, as modelers draw them; the id is only the tooltip.
        full_text = str(data.get("name") or "").strip()
        label_text = clip(full_text) if is_clipped(full_text) else full_text
        attrs: dict[str, str] = {"id": name}
        classes = ["bpmn-element", f"bpmn-{kind}" if kind else "bpmn-node"]
        if category == "activity":
            attrs.update(activity_attrs(label_text, kind, data.get("node"), overlay))
        elif category == "event":
            attrs.update(event_attrs(label_text, kind, data, overlay))
        elif category == "gateway":
            attrs.update(gateway_attrs(label_text, kind, overlay))
        else:
            pool = str(data.get("pool") or node_id)
            in_box = self.clusters.show_pools and self.clusters.pool_has_content(pool)
            attrs.update(POOL_ANCHOR if in_box else black_box_attrs(pool, label_text, overlay))
        finding_outline(attrs, classes, overlay, penwidth="2.5")
        tooltip = (overlay.tooltip if overlay else None) or " ".join(full_text.split()) or node_id
        attrs["tooltip"] = graphviz.escape(clip(tooltip, TOOLTIP_CHARS))
        attrs["class"] = " ".join(classes)
        self.names.record(name, ElementId(node_id), tooltip)
        target.node(name, **attrs)

    def _edges(self, digraph: graphviz.Digraph) -> None:
        edges = sorted(
            self.graph.edges(keys=True, data=True),
            key=lambda item: (_line_of(item[3]), str(item[2]), str(item[0]), str(item[1])),
        )
        for source, target, key, data in edges:
            self._edge(digraph, source, target, str(key), data)
        for node_id, data in sorted(self.graph.nodes(data=True), key=lambda item: (_line_of(item[1]), str(item[0]))):
            host = data.get("attached_to")
            if host and host in self.graph:
                # Keep a boundary event beside its host; dotted, since it is not a flow.
                digraph.edge(
                    self.names.node(host),
                    self.names.node(node_id),
                    style="dotted",
                    arrowhead="none",
                    color="#9E9E9E",
                    **{"class": "bpmn-attachment"},
                )

    def _plain(self, node_id: str) -> str:
        data = self.graph.nodes[node_id]
        return " ".join(str(data.get("name") or "").split()) or str(data.get("label") or node_id)

    def _edge(self, digraph: graphviz.Digraph, source: str, target: str, key: str, data: Mapping[str, Any]) -> None:
        flow = data.get("flow")
        element_id = ElementId(str(getattr(flow, "id", key)))
        overlay = self.overlays.get(element_id)
        kind = data.get("kind")
        gv_id = self.names.unique(dom_id(element_id))
        text = str(data.get("name") or "").strip() or str(data.get("condition") or "").strip()
        lines = edge_label(text, overlay)
        attrs: dict[str, str] = {"id": gv_id}
        if lines:
            attrs["label"] = graphviz.escape("\n".join(lines))
        classes = ["bpmn-connector"]
        if kind == "message":
            classes.append("bpmn-messageFlow")
            attrs.update(MESSAGE_FLOW_STYLE)
            attrs.update(self._pool_borders(source, target))
        elif kind == "enter":
            classes.append("bpmn-enter")
            attrs.update(ENTER_STYLE)
        else:
            nodes = self.graph.nodes
            attrs.update(sequence_flow_style(data, nodes[source].get("category"), nodes[target].get("category"),
                                             classes))
        edge_overlay(attrs, classes, overlay)
        tooltip = (overlay.tooltip if overlay else None) or text or f"{self._plain(source)} → {self._plain(target)}"
        attrs["tooltip"] = graphviz.escape(clip(tooltip, TOOLTIP_CHARS))
        attrs["class"] = " ".join(classes)
        self.names.record(gv_id, element_id, tooltip)
        digraph.edge(self.names.node(source), self.names.node(target), **attrs)

    def _pool_borders(self, source: str, target: str) -> dict[str, str]:
        """A message flow from or to a pool drawn as a box ends at the box's border (ltail / lhead)."""
        attrs: dict[str, str] = {}
        for end, attr in ((source, "ltail"), (target, "lhead")):
            if self.graph.nodes[end].get("category") == "participant":
                cluster = self.clusters.pool_clusters.get(str(self.graph.nodes[end].get("pool")))
                if cluster is not None:
                    attrs[attr] = cluster
        return attrs

# --------------------------------------------------------------------------- SVG post-processing


_PROLOG = re.compile(rb"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)


def _postprocess_svg(data: bytes, meta: _Meta | None) -> str:
    """Inline-ready SVG: prolog, DOCTYPE and comments gone; element ids and tooltips attached."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, huge_tree=False
    )
    try:
        root = etree.fromstring(_PROLOG.sub(b"", data, count=1), parser)
    except etree.XMLSyntaxError as exc:
        raise RenderError(say("dot.bad_svg", detail=exc)) from None
    root.set("class", "bpmn-diagram bpmn-layout")
    root.set("role", "img")
    root.set("data-layout", "graphviz")
    ns = {"s": _SVG_NS}
    for text in root.iter(f"{{{_SVG_NS}}}text"):
        if text.get("font-family", "").startswith(FONT):
            text.set("font-family", FONT_FAMILY.replace('"', "'"))
    if meta is not None:
        graph_title = root.find("s:g/s:title", ns)
        if graph_title is not None:
            graph_title.text = meta.title or "BPMN"
        for group in root.iter(f"{{{_SVG_NS}}}g"):
            gv_id = group.get("id")
            if gv_id is None or gv_id not in meta.element_ids:
                continue
            group.set("data-element-id", meta.element_ids[gv_id])
            title = group.find("s:title", ns)
            if title is not None:
                title.text = meta.tooltips.get(gv_id, title.text)
    return etree.tostring(root, encoding="unicode") + "\n"

