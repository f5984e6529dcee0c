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

import hashlib
import itertools
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import graphviz
import networkx as nx
from lxml import etree

from bpm.errors import RenderError, say
from bpm.model import Definitions, ElementId, FlowNode, Lane, LoopKind
from reports.overlay import Overlay
from reports.style import FINDING_COLOURS
from reports.svg import FONT_FAMILY, dom_id
from reports.text import wrap_text

__all__ = [
    "FONT",
    "LABEL_CHARS",
    "Format",
    "build_dot",
    "dot_available",
    "render",
    "render_dot_svg",
]

FONT = "Noto Sans CJK JP"
"""Font for every label: has the Japanese glyphs (Debian/Ubuntu package ``fonts-noto-cjk``)."""

Format = Literal["svg", "png", "pdf"]

_INSTALL_HINT = say("render.install_graphviz")
_INK = "#1f1f1f"
_EDGE_INK = "#444444"
_LANE_FILL = "#FAFAFA"
_POOL_FILL = "#FFFFFF"
_BLACK_BOX_FILL = "#F0F0F0"
_NODE_FONT = 11.0
_EDGE_FONT = 9.0
_TASK_TEXT_WIDTH = 120.0
_XLABEL_WIDTH = 110.0
_EDGE_TEXT_WIDTH = 100.0
_PNG_DPI = 144.0
LABEL_CHARS = 120
"""Longest name drawn in a Graphviz picture; longer ones end in "…" (the tooltip and the page keep them whole).

Graphviz refuses a quoted string over 16,384 bytes and then closes its input
early (BrokenPipeError on our side); 120 characters is also about the most a
task box can show legibly."""
_CAPTION_CHARS = 200
_TOOLTIP_CHARS = 1000
"""Tooltips given to Graphviz only: the SVG post-processing puts the full text back."""
_SVG_NS = "http://www.w3.org/2000/svg"

_TASK_TAGS = {
    "userTask": "user",
    "manualTask": "manual",
    "serviceTask": "service",
    "scriptTask": "script",
    "businessRuleTask": "rule",
    "sendTask": "send",
    "receiveTask": "receive",
    "callActivity": "call",
    "subProcess": "sub-process",
    "transaction": "transaction",
    "adHocSubProcess": "ad hoc",
}
"""Type tag printed under a task name; plain ``task`` has none."""

_LOOP_TAGS = {
    LoopKind.STANDARD: "loop",
    LoopKind.MULTI_INSTANCE_PARALLEL: "parallel ×n",
    LoopKind.MULTI_INSTANCE_SEQUENTIAL: "sequential ×n",
}

_GATEWAY_SYMBOLS = {
    "exclusiveGateway": "×",
    "parallelGateway": "+",
    "inclusiveGateway": "○",
    "complexGateway": "＊",
    "eventBasedGateway": "◎",
}
"""Symbols present in Noto Sans CJK JP, so PNG/PDF need no fallback font."""

_TRIGGER_TAGS = {
    "messageEventDefinition": "message",
    "timerEventDefinition": "timer",
    "errorEventDefinition": "error",
    "escalationEventDefinition": "escalation",
    "cancelEventDefinition": "cancel",
    "compensateEventDefinition": "compensation",
    "conditionalEventDefinition": "conditional",
    "linkEventDefinition": "link",
    "signalEventDefinition": "signal",
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


# --------------------------------------------------------------------------- builder internals


@dataclass(slots=True)
class _Cluster:
    """A pool or lane box: its own nodes and nested boxes, in first-seen order."""

    element_id: ElementId
    label: str
    kind: Literal["pool", "lane"]
    nodes: list[str] = field(default_factory=list)
    children: dict[tuple[str, str], _Cluster] = field(default_factory=dict)
    name: str = ""


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


def _slug(text: str, salt: str) -> str:
    """ASCII slug plus a short hash: readable when possible, always unique and DOT-safe."""
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:30] or "x"
    digest = hashlib.sha1(salt.encode("utf-8")).hexdigest()[:8]
    return f"{slug}_{digest}"


def _line_of(attrs: Mapping[str, Any]) -> int:
    node = attrs.get("node") or attrs.get("flow")
    source = getattr(node, "source", None)
    line = getattr(source, "line", None)
    if isinstance(line, int):
        return line
    text = str(attrs.get("source") or "")
    tail = text.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 1 << 30


def _colour(value: str | None) -> str | None:
    """A Graphviz colour for an overlay's CSS colour, or None when it has no DOT form (``var(--x)``)."""
    if value is None:
        return None
    text = value.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{3,4}", text):
        return "#" + "".join(ch * 2 for ch in text[1:])
    if re.fullmatch(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?", text) or re.fullmatch(r"[a-zA-Z]{3,30}", text):
        return text
    match = re.fullmatch(r"rgba?\(\s*([0-9.]+)\s*,\s*([0-9.]+)\s*,\s*([0-9.]+)\s*(?:,\s*([0-9.]+%?)\s*)?\)", text)
    if match:
        red, green, blue = (max(0, min(255, round(float(v)))) for v in match.groups()[:3])
        alpha = match.group(4)
        suffix = ""
        if alpha is not None:
            fraction = float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
            suffix = f"{max(0, min(255, round(fraction * 255))):02x}"
        return f"#{red:02x}{green:02x}{blue:02x}{suffix}"
    return None


def _below(symbol: str, lines: list[str]) -> str:
    """Label for a small fixed-size shape: ``symbol`` centred in it, ``lines`` underneath.

    With ``fixedsize=shape`` edges touch only the circle or diamond while the
    label still takes room in the layout, so, unlike ``xlabel``, names stay
    inside their lane's cluster.  Blank lines above balance those below, which
    keeps the symbol line at the shape's centre.
    """
    if not lines:
        return symbol
    below = ["", *lines]
    return "\n".join([*([""] * len(below)), symbol, *below])


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was longer (whitespace collapsed).

    >>> clip("申請書受領"), clip("a" * 10, 4)
    ('申請書受領', 'aaa…')
    """
    plain = " ".join(text.split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def is_clipped(text: str, limit: int = LABEL_CHARS) -> bool:
    """Whether :func:`clip` shortens ``text``."""
    return len(" ".join(text.split())) > limit


def _wrap(text: str, width: float, font_size: float) -> list[str]:
    return wrap_text(text, width, font_size) or ([text] if text else [])


class _Builder:
    """Turns one bpm.graph graph into a graphviz.Digraph; one instance per build."""

    def __init__(
        self, graph: nx.MultiDiGraph, overlays: Mapping[ElementId, Overlay], definitions: Definitions | None
    ) -> None:
        self.graph = graph
        self.overlays = overlays
        self.definitions = definitions
        self.names: dict[str, str] = {}
        self.used: dict[str, int] = {}
        self.element_ids: dict[str, ElementId] = {}
        self.tooltips: dict[str, str] = {}
        self.lanes: dict[ElementId, Lane] = {}
        if definitions is not None:
            for process in definitions.processes.values():
                for lane in process.all_lanes():
                    self.lanes.setdefault(lane.id, lane)
        self.show_pools = "process" not in graph.graph and any(
            data.get("pool") is not None for _, data in graph.nodes(data=True)
        )
        self.pool_clusters: dict[str, str] = {}
        self.bands: list[tuple[_Cluster, str, str]] = []

    # ------------------------------------------------------------------ ids

    def _unique(self, base: str) -> str:
        count = self.used.get(base, 0) + 1
        self.used[base] = count
        return base if count == 1 else f"{base}-{count}"

    def _node_name(self, node_id: str) -> str:
        name = self.names.get(node_id)
        if name is None:
            name = self._unique(dom_id(node_id))
            self.names[node_id] = name
        return name

    # ------------------------------------------------------------------ build

    def build(self, caption: str) -> graphviz.Digraph:
        digraph = graphviz.Digraph(
            name="bpmn",
            graph_attr={
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
            },
            node_attr={"fontname": FONT, "fontsize": str(_NODE_FONT), "color": _INK, "penwidth": "1.2"},
            edge_attr={
                "fontname": FONT,
                "fontsize": str(_EDGE_FONT),
                "color": _EDGE_INK,
                "fontcolor": _INK,
                "arrowsize": "0.7",
                "penwidth": "1.1",
            },
        )
        if caption.strip():
            digraph.attr("graph", label=graphviz.escape(clip(caption, _CAPTION_CHARS)))
        nodes = sorted(self.graph.nodes(data=True), key=lambda item: (_line_of(item[1]), str(item[0])))
        root = _Cluster(ElementId(""), "", "pool")
        for node_id, _data in nodes:
            self._node_name(node_id)
        for node_id, data in nodes:
            self._place(root, node_id, data)
        self._emit_cluster_content(digraph, root, {node_id: data for node_id, data in nodes})
        self._edges(digraph)
        self._bands(digraph)
        _META[digraph] = _Meta(title=caption, element_ids=dict(self.element_ids), tooltips=dict(self.tooltips))
        return digraph

    # ------------------------------------------------------------------ clusters

    def _lane_chain(self, data: Mapping[str, Any]) -> list[tuple[ElementId, str]]:
        lane_id = data.get("lane")
        if not lane_id:
            return []
        chain: list[tuple[ElementId, str]] = []
        current = self.lanes.get(lane_id)
        if current is None:
            return [(ElementId(lane_id), str(data.get("lane_name") or ""))]
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            chain.append((current.id, current.name))
            current = self.lanes.get(current.parent_id) if current.parent_id else None
        return list(reversed(chain))

    def _place(self, root: _Cluster, node_id: str, data: Mapping[str, Any]) -> None:
        cluster = root
        path = ""
        pool = data.get("pool")
        if self.show_pools and pool is not None:
            is_black_box = data.get("category") == "participant" and not self._pool_has_content(pool)
            if not is_black_box:
                path = f"pool:{pool}"
                cluster = self._child(cluster, path, ElementId(pool), str(data.get("pool_name") or ""), "pool")
                self.pool_clusters[pool] = cluster.name
        if data.get("category") != "participant":
            for lane_id, lane_name in self._lane_chain(data):
                path = f"{path}/lane:{lane_id}"
                cluster = self._child(cluster, path, lane_id, lane_name, "lane")
        cluster.nodes.append(node_id)

    def _pool_has_content(self, pool: str) -> bool:
        return any(
            d.get("pool") == pool and d.get("category") != "participant" for _, d in self.graph.nodes(data=True)
        )

    @staticmethod
    def _child(
        parent: _Cluster, path: str, element_id: ElementId, label: str, kind: Literal["pool", "lane"]
    ) -> _Cluster:
        key = (kind, path)
        child = parent.children.get(key)
        if child is None:
            child = _Cluster(element_id, label, kind, name=f"cluster_{_slug(element_id, path)}")
            parent.children[key] = child
        return child

    def _emit_cluster_content(
        self, target: graphviz.Digraph, cluster: _Cluster, data: Mapping[str, Mapping[str, Any]]
    ) -> None:
        for node_id in cluster.nodes:
            self._node(target, node_id, data[node_id])
        for child in cluster.children.values():
            sub = graphviz.Digraph(name=child.name)
            gv_id = self._unique(dom_id(child.element_id))
            self.element_ids[gv_id] = child.element_id
            label = " ".join(child.label.split())
            self.tooltips[gv_id] = label or child.element_id
            label = clip(label, _CAPTION_CHARS)
            attrs = {
                "id": gv_id,
                "class": f"bpmn-element bpmn-{'participant' if child.kind == 'pool' else 'lane'}",
                "label": graphviz.escape(label),
                "tooltip": graphviz.escape(clip(label or child.element_id, _TOOLTIP_CHARS)),
                "fontsize": "13" if child.kind == "pool" else "12",
                "labeljust": "l",
                "labelloc": "t",
                "style": "filled",
                "fillcolor": _POOL_FILL if child.kind == "pool" else _LANE_FILL,
                "color": _INK if child.kind == "pool" else "#9E9E9E",
                "penwidth": "1.5" if child.kind == "pool" else "1",
                "margin": "10",
            }
            sub.attr("graph", **attrs)
            if child.nodes and not child.children:
                self._anchor(sub, child)
            self._emit_cluster_content(sub, child, data)
            target.subgraph(sub)

    # ------------------------------------------------------------------ lanes as bands

    def _bands(self, digraph: graphviz.Digraph) -> None:
        """Stretch every lane from the first column to the last, stacked in document order, like BPMN lanes.

        Graphviz sizes a cluster to its own nodes, so lanes came out as boxes of
        different widths scattered over the page.  Each innermost lane (or pool
        without lanes) holds two invisible anchors (:meth:`_anchor`): one before
        all of its nodes, one after them.  All first anchors share one rank, all
        last anchors another (``newrank`` lets rank constraints cross clusters),
        so every band spans the whole width; a chain between the first anchors
        keeps the bands in document order from top to bottom.
        """
        if len(self.bands) < 2 and not any(cluster.kind == "lane" for cluster, _h, _t in self.bands):
            return
        for cluster, head, tail in self.bands:
            for node_id in cluster.nodes:
                node = self._node_name(node_id)
                digraph.edge(head, node, style="invis", weight="0")
                digraph.edge(node, tail, style="invis", weight="0")
        for names in ([head for _c, head, _t in self.bands], [tail for _c, _h, tail in self.bands]):
            same = graphviz.Digraph()
            same.attr(rank="same")
            for name in names:
                same.node(name)
            for upper, lower in itertools.pairwise(names):
                same.edge(upper, lower, style="invis")
            digraph.subgraph(same)

    def _anchor(self, sub: graphviz.Digraph, cluster: _Cluster) -> None:
        """Invisible first and last anchors inside an innermost band (see :meth:`_bands`)."""
        index = len(self.bands)
        head, tail = f"band_head_{index}", f"band_tail_{index}"
        for name in (head, tail):
            sub.node(name, label="", shape="point", style="invis", width="0.01", height="0.01")
        self.bands.append((cluster, head, tail))

    # ------------------------------------------------------------------ nodes

    def _node(self, target: graphviz.Digraph, node_id: str, data: Mapping[str, Any]) -> None:
        name = self._node_name(node_id)
        overlay = self.overlays.get(ElementId(node_id))
        category = data.get("category")
        kind = str(data.get("kind") or "")
        # Unnamed elements stay unlabelled, as modelers draw them; the id is only the tooltip.
        full_text = str(data.get("name") or "").strip()
        label_text = clip(full_text) if is_clipped(full_text) else full_text
        attrs: dict[str, str] = {"id": name}
        classes = ["bpmn-element", f"bpmn-{kind}" if kind else "bpmn-node"]
        if category == "activity":
            attrs.update(self._activity(label_text, kind, data.get("node"), overlay))
        elif category == "event":
            attrs.update(self._event(label_text, kind, data, overlay))
        elif category == "gateway":
            attrs.update(self._gateway(label_text, kind, overlay))
        else:
            attrs.update(self._participant(str(data.get("pool") or node_id), label_text, overlay))
        if overlay is not None:
            classes.extend(overlay.classes)
            if overlay.finding:
                attrs["color"] = FINDING_COLOURS["error"]
                attrs["penwidth"] = "2.5"
        tooltip = (overlay.tooltip if overlay else None) or " ".join(full_text.split()) or node_id
        attrs["tooltip"] = graphviz.escape(clip(tooltip, _TOOLTIP_CHARS))
        attrs["class"] = " ".join(classes)
        self.element_ids[name] = ElementId(node_id)
        self.tooltips[name] = tooltip
        target.node(name, **attrs)

    @staticmethod
    def _extra_lines(overlay: Overlay | None) -> list[str]:
        return [overlay.badge.strip()] if overlay is not None and overlay.badge and overlay.badge.strip() else []

    @staticmethod
    def _finding_prefix(lines: list[str], overlay: Overlay | None) -> list[str]:
        if overlay is None or not overlay.finding:
            return lines
        if not lines:
            return ["⚠"]
        return [f"⚠ {lines[0]}", *lines[1:]]

    def _fill(self, overlay: Overlay | None, default: str = "white") -> str:
        return (_colour(overlay.fill) if overlay is not None else None) or default

    def _activity(self, text: str, kind: str, node: FlowNode | None, overlay: Overlay | None) -> dict[str, str]:
        lines = _wrap(text, _TASK_TEXT_WIDTH, _NODE_FONT)
        tags = [_TASK_TAGS[kind]] if kind in _TASK_TAGS else []
        if node is not None and node.loop in _LOOP_TAGS:
            tags.append(_LOOP_TAGS[node.loop])
        if node is not None and node.is_for_compensation:
            tags.append("compensation")
        lines = self._finding_prefix(lines, overlay)
        if tags:
            lines.append(" ".join(f"«{tag}»" for tag in tags))
        lines.extend(self._extra_lines(overlay))
        style = ["rounded", "filled"]
        if node is not None and node.triggered_by_event:
            style.append("dashed")
        attrs = {
            "shape": "box",
            "style": ",".join(style),
            "fillcolor": self._fill(overlay),
            "label": graphviz.escape("\n".join(lines)),
            "margin": "0.12,0.06",
            "height": "0.6",
        }
        if kind == "callActivity":
            attrs["penwidth"] = "3"
        if kind == "transaction":
            attrs["peripheries"] = "2"
        return attrs

    def _event(self, text: str, kind: str, data: Mapping[str, Any], overlay: Overlay | None) -> dict[str, str]:
        triggers = tuple(data.get("triggers") or ())
        lines = _wrap(text, _XLABEL_WIDTH, _NODE_FONT) if text else []
        lines = self._finding_prefix(lines, overlay)
        tags = [_TRIGGER_TAGS[t] for t in triggers if t in _TRIGGER_TAGS]
        if tags:
            lines.append(" ".join(f"«{tag}»" for tag in tags))
        lines.extend(self._extra_lines(overlay))
        attrs = {
            "shape": "circle",
            "fixedsize": "shape",
            "width": "0.4",
            "style": "filled",
            "fillcolor": self._fill(overlay),
            "label": graphviz.escape(_below("", lines)),
        }
        if kind == "endEvent":
            attrs["penwidth"] = "3.5"
            if "terminateEventDefinition" in triggers:
                attrs["label"] = graphviz.escape(_below("●", lines))
        elif kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "implicitThrowEvent"):
            attrs["shape"] = "doublecircle"
            attrs["width"] = "0.34"
            if kind == "boundaryEvent" and not data.get("cancel_activity", True):
                attrs["style"] = "filled,dashed"
        elif kind == "startEvent" and data.get("parent") is not None and not data.get("cancel_activity", True):
            attrs["style"] = "filled,dashed"
        return attrs

    def _gateway(self, text: str, kind: str, overlay: Overlay | None) -> dict[str, str]:
        lines = self._finding_prefix(_wrap(text, _XLABEL_WIDTH, _NODE_FONT) if text else [], overlay)
        lines.extend(self._extra_lines(overlay))
        return {
            "shape": "diamond",
            "fixedsize": "shape",
            "width": "0.55",
            "height": "0.55",
            "style": "filled",
            "fillcolor": self._fill(overlay),
            "label": graphviz.escape(_below(_GATEWAY_SYMBOLS.get(kind, ""), lines)),
        }

    def _participant(self, pool: str, text: str, overlay: Overlay | None) -> dict[str, str]:
        if self.show_pools and self._pool_has_content(pool):
            # A message flow ends at this pool's border: an invisible anchor inside
            # the pool cluster, the edge clipped at the cluster (lhead/ltail).
            return {"shape": "point", "style": "invis", "width": "0.01", "label": ""}
        lines = [*_wrap(text or pool, 160.0, 12.0), *self._extra_lines(overlay)]
        return {
            "shape": "box",
            "style": "filled",
            "fillcolor": self._fill(overlay, _BLACK_BOX_FILL),
            "penwidth": "1.5",
            "fontsize": "12",
            "height": "0.6",
            "margin": "0.3,0.1",
            "label": graphviz.escape("\n".join(self._finding_prefix(lines, overlay))),
        }

    # ------------------------------------------------------------------ edges

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
                    self._node_name(host),
                    self._node_name(node_id),
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
        gv_id = self._unique(dom_id(element_id))
        text = str(data.get("name") or "").strip() or str(data.get("condition") or "").strip()
        shown = clip(text) if is_clipped(text) else text
        lines = self._finding_prefix(_wrap(shown, _EDGE_TEXT_WIDTH, _EDGE_FONT) if shown else [], overlay)
        lines.extend(self._extra_lines(overlay))
        attrs: dict[str, str] = {"id": gv_id}
        if lines:
            attrs["label"] = graphviz.escape("\n".join(lines))
        classes = ["bpmn-connector"]
        if kind == "message":
            classes.append("bpmn-messageFlow")
            attrs.update(
                style="dashed", dir="both", arrowtail="odot", arrowhead="empty", constraint="false", color=_INK
            )
            for end, attr in ((source, "ltail"), (target, "lhead")):
                if self.graph.nodes[end].get("category") == "participant":
                    cluster = self.pool_clusters.get(str(self.graph.nodes[end].get("pool")))
                    if cluster is not None:
                        attrs[attr] = cluster
        elif kind == "enter":
            classes.append("bpmn-enter")
            attrs.update(style="dotted", arrowhead="vee")
        else:
            classes.append("bpmn-sequenceFlow")
            source_category = self.graph.nodes[source].get("category")
            # Events and gateways carry their name below the shape: flows leave
            # from the right tip and arrive at the left one, clear of the text.
            if source_category in ("event", "gateway"):
                attrs["tailport"] = "e"
            if self.graph.nodes[target].get("category") in ("event", "gateway"):
                attrs["headport"] = "w"
            if data.get("default"):
                classes.append("bpmn-default")
                attrs.update(dir="both", arrowtail="tee")
            elif data.get("condition") and source_category == "activity":
                classes.append("bpmn-conditional")
                attrs.update(dir="both", arrowtail="odiamond")
        if overlay is not None:
            classes.extend(overlay.classes)
            colour = _colour(overlay.fill)
            if colour:
                attrs["color"] = colour
                attrs["penwidth"] = "2"
            if overlay.finding:
                attrs["color"] = FINDING_COLOURS["error"]
                attrs["penwidth"] = "2"
        tooltip = (overlay.tooltip if overlay else None) or text or f"{self._plain(source)} → {self._plain(target)}"
        attrs["tooltip"] = graphviz.escape(clip(tooltip, _TOOLTIP_CHARS))
        attrs["class"] = " ".join(classes)
        self.element_ids[gv_id] = element_id
        self.tooltips[gv_id] = tooltip
        digraph.edge(self._node_name(source), self._node_name(target), **attrs)


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

