"""What each BPMN element looks like in a Graphviz picture: pure functions from a node's data to DOT attributes.

Why apart from :mod:`reports.dot`: the builder there decides *where* things
go (clusters, ids, edge order); these functions decide only *how one element
looks* (shape, tags, symbol, label lines, colours), from the graph's node or
edge data and its :class:`~reports.overlay.Overlay`.  They read nothing else,
so each can be checked on its own and the builder stays short.

Every text from a user's file goes through :func:`graphviz.escape` here, and
names longer than :data:`LABEL_CHARS` are clipped (the tooltip and the page
keep them whole).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import graphviz

from bpm.model import FlowNode, LoopKind
from reports.overlay import Overlay
from reports.style import FINDING_COLOURS
from reports.text import wrap_text

INK = "#1f1f1f"
EDGE_INK = "#444444"
LANE_FILL = "#FAFAFA"
POOL_FILL = "#FFFFFF"
BLACK_BOX_FILL = "#F0F0F0"
NODE_FONT = 11.0
EDGE_FONT = 9.0
_TASK_TEXT_WIDTH = 120.0
_XLABEL_WIDTH = 110.0
_EDGE_TEXT_WIDTH = 100.0
LABEL_CHARS = 120
"""Longest name drawn in a Graphviz picture; longer ones end in "…" (the tooltip and the page keep them whole).

Graphviz refuses a quoted string over 16,384 bytes and then closes its input
early (BrokenPipeError on our side); 120 characters is also about the most a
task box can show legibly."""
CAPTION_CHARS = 200
TOOLTIP_CHARS = 1000
"""Tooltips given to Graphviz only: the SVG post-processing puts the full text back."""

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

_CATCHING = ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "implicitThrowEvent")


# --------------------------------------------------------------------------- text


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


def wrap(text: str, width: float, font_size: float) -> list[str]:
    """Label lines of ``text`` for a box ``width`` px wide (one line when the text cannot be wrapped)."""
    return wrap_text(text, width, font_size) or ([text] if text else [])


def below(symbol: str, lines: list[str]) -> str:
    """Label for a small fixed-size shape: ``symbol`` centred in it, ``lines`` underneath.

    With ``fixedsize=shape`` edges touch only the circle or diamond while the
    label still takes room in the layout, so, unlike ``xlabel``, names stay
    inside their lane's cluster.  Blank lines above balance those below, which
    keeps the symbol line at the shape's centre.
    """
    if not lines:
        return symbol
    under = ["", *lines]
    return "\n".join([*([""] * len(under)), symbol, *under])


def dot_colour(value: str | None) -> str | None:
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


def badge_lines(overlay: Overlay | None) -> list[str]:
    """The overlay's badge as a last label line (none when it has no visible text)."""
    return [overlay.badge.strip()] if overlay is not None and overlay.badge and overlay.badge.strip() else []


def finding_prefix(lines: list[str], overlay: Overlay | None) -> list[str]:
    """``lines`` with a ⚠ before the first when the overlay carries a lint finding."""
    if overlay is None or not overlay.finding:
        return lines
    if not lines:
        return ["⚠"]
    return [f"⚠ {lines[0]}", *lines[1:]]


def fill_of(overlay: Overlay | None, default: str = "white") -> str:
    """The body colour: the overlay's fill where DOT can say it, else ``default``."""
    return (dot_colour(overlay.fill) if overlay is not None else None) or default


# --------------------------------------------------------------------------- nodes


def activity_attrs(text: str, kind: str, node: FlowNode | None, overlay: Overlay | None) -> dict[str, str]:
    """A task or sub-process: rounded box, name, «type» and loop tags, badge."""
    lines = finding_prefix(wrap(text, _TASK_TEXT_WIDTH, NODE_FONT), overlay)
    tags = [_TASK_TAGS[kind]] if kind in _TASK_TAGS else []
    if node is not None and node.loop in _LOOP_TAGS:
        tags.append(_LOOP_TAGS[node.loop])
    if node is not None and node.is_for_compensation:
        tags.append("compensation")
    if tags:
        lines.append(" ".join(f"«{tag}»" for tag in tags))
    lines.extend(badge_lines(overlay))
    style = ["rounded", "filled"]
    if node is not None and node.triggered_by_event:
        style.append("dashed")
    attrs = {
        "shape": "box",
        "style": ",".join(style),
        "fillcolor": fill_of(overlay),
        "label": graphviz.escape("\n".join(lines)),
        "margin": "0.12,0.06",
        "height": "0.6",
    }
    if kind == "callActivity":
        attrs["penwidth"] = "3"
    if kind == "transaction":
        attrs["peripheries"] = "2"
    return attrs


def event_attrs(text: str, kind: str, data: Mapping[str, Any], overlay: Overlay | None) -> dict[str, str]:
    """An event: circle (bold for ends, double for intermediate and boundary), name and «trigger» below."""
    triggers = tuple(data.get("triggers") or ())
    lines = finding_prefix(wrap(text, _XLABEL_WIDTH, NODE_FONT) if text else [], overlay)
    tags = [_TRIGGER_TAGS[t] for t in triggers if t in _TRIGGER_TAGS]
    if tags:
        lines.append(" ".join(f"«{tag}»" for tag in tags))
    lines.extend(badge_lines(overlay))
    attrs = {
        "shape": "circle",
        "fixedsize": "shape",
        "width": "0.4",
        "style": "filled",
        "fillcolor": fill_of(overlay),
        "label": graphviz.escape(below("", lines)),
    }
    if kind == "endEvent":
        attrs["penwidth"] = "3.5"
        if "terminateEventDefinition" in triggers:
            attrs["label"] = graphviz.escape(below("●", lines))
    elif kind in _CATCHING:
        attrs["shape"] = "doublecircle"
        attrs["width"] = "0.34"
        if kind == "boundaryEvent" and not data.get("cancel_activity", True):
            attrs["style"] = "filled,dashed"
    elif kind == "startEvent" and data.get("parent") is not None and not data.get("cancel_activity", True):
        attrs["style"] = "filled,dashed"
    return attrs


def gateway_attrs(text: str, kind: str, overlay: Overlay | None) -> dict[str, str]:
    """A gateway: diamond with its symbol, name below."""
    lines = finding_prefix(wrap(text, _XLABEL_WIDTH, NODE_FONT) if text else [], overlay)
    lines.extend(badge_lines(overlay))
    return {
        "shape": "diamond",
        "fixedsize": "shape",
        "width": "0.55",
        "height": "0.55",
        "style": "filled",
        "fillcolor": fill_of(overlay),
        "label": graphviz.escape(below(_GATEWAY_SYMBOLS.get(kind, ""), lines)),
    }


POOL_ANCHOR = {"shape": "point", "style": "invis", "width": "0.01", "label": ""}
"""A pool drawn as a cluster: its node is an invisible anchor inside, where message flows end (lhead/ltail)."""


def black_box_attrs(pool: str, text: str, overlay: Overlay | None) -> dict[str, str]:
    """A pool with no content of its own (a resident, another office): a grey box with its name."""
    lines = [*wrap(text or pool, 160.0, 12.0), *badge_lines(overlay)]
    return {
        "shape": "box",
        "style": "filled",
        "fillcolor": fill_of(overlay, BLACK_BOX_FILL),
        "penwidth": "1.5",
        "fontsize": "12",
        "height": "0.6",
        "margin": "0.3,0.1",
        "label": graphviz.escape("\n".join(finding_prefix(lines, overlay))),
    }


def finding_outline(attrs: dict[str, str], classes: list[str], overlay: Overlay | None, *, penwidth: str) -> None:
    """The overlay's classes, and a red outline of ``penwidth`` when it carries a lint finding."""
    if overlay is None:
        return
    classes.extend(overlay.classes)
    if overlay.finding:
        attrs["color"] = FINDING_COLOURS["error"]
        attrs["penwidth"] = penwidth


# --------------------------------------------------------------------------- edges


def edge_label(text: str, overlay: Overlay | None) -> list[str]:
    """A flow's label lines: its name or condition (clipped, wrapped), the ⚠ and the badge."""
    shown = clip(text) if is_clipped(text) else text
    lines = finding_prefix(wrap(shown, _EDGE_TEXT_WIDTH, EDGE_FONT) if shown else [], overlay)
    lines.extend(badge_lines(overlay))
    return lines


def sequence_flow_style(
    data: Mapping[str, Any], source_category: object, target_category: object, classes: list[str]
) -> dict[str, str]:
    """Ports and tails of a sequence flow: default (tee), conditional out of a task (◇)."""
    attrs: dict[str, str] = {}
    classes.append("bpmn-sequenceFlow")
    # Events and gateways carry their name below the shape: flows leave
    # from the right tip and arrive at the left one, clear of the text.
    if source_category in ("event", "gateway"):
        attrs["tailport"] = "e"
    if target_category in ("event", "gateway"):
        attrs["headport"] = "w"
    if data.get("default"):
        classes.append("bpmn-default")
        attrs.update(dir="both", arrowtail="tee")
    elif data.get("condition") and source_category == "activity":
        classes.append("bpmn-conditional")
        attrs.update(dir="both", arrowtail="odiamond")
    return attrs


MESSAGE_FLOW_STYLE = {
    "style": "dashed", "dir": "both", "arrowtail": "odot", "arrowhead": "empty", "constraint": "false", "color": INK,
}
"""A message flow: dashed, ○ at its start, open arrow at its end, not a layout constraint."""

ENTER_STYLE = {"style": "dotted", "arrowhead": "vee"}
"""The dotted arrow from a sub-process into its start."""


def edge_overlay(attrs: dict[str, str], classes: list[str], overlay: Overlay | None) -> None:
    """An overlay on a flow: its classes, its colour as the line's, red when it carries a finding."""
    if overlay is None:
        return
    classes.extend(overlay.classes)
    colour = dot_colour(overlay.fill)
    if colour:
        attrs["color"] = colour
        attrs["penwidth"] = "2"
    if overlay.finding:
        attrs["color"] = FINDING_COLOURS["error"]
        attrs["penwidth"] = "2"
