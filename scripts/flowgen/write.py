"""BPMN 2.0 XML with DI, in the shape Camunda Modeler writes it (``bpmn:`` prefix, camunda properties).

The ``exporter`` attribute names this generator, not a modeler: the files open in Camunda Modeler 5 and
bpmn.io (the ``modeler:executionPlatform`` attributes make Camunda Modeler show the camunda properties), but
they were not drawn there.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from flowgen.geometry import Box
from flowgen.layout import Placement
from flowgen.route import Point
from flowgen.spec import TASK_KINDS, FileSpec, Flow, Node, ProcessSpec, short_id

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
MODELER = "http://camunda.org/schema/modeler/1.0"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "camunda": CAMUNDA, "modeler": MODELER}


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _flag(value: bool) -> str:
    return "有" if value else "無"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _properties(parent: etree._Element, pairs: Iterable[tuple[str, str]]) -> None:
    pairs = list(pairs)
    if not pairs:
        return
    extension = etree.SubElement(parent, _q(BPMN, "extensionElements"))
    holder = etree.SubElement(extension, _q(CAMUNDA, "properties"))
    for name, value in pairs:
        etree.SubElement(holder, _q(CAMUNDA, "property"), name=name, value=value)


def _documentation(parent: etree._Element, text: str) -> None:
    if text:
        etree.SubElement(parent, _q(BPMN, "documentation")).text = text


def step_properties(node: Node) -> list[tuple[str, str]]:
    """The step facts as camunda properties (names the scorer reads as survey columns)."""
    facts = node.facts
    if facts is None:
        return []
    pairs: list[tuple[str, str]] = []
    if facts.minutes is not None:
        pairs.append(("minutes", _number(facts.minutes)))
    if facts.input:
        pairs.append(("input", facts.input))
    if facts.systems:
        pairs.append(("systems", facts.systems))
    if facts.exception_rate is not None:
        pairs.append(("exception_rate", _number(facts.exception_rate)))
    if facts.judgment is not None:
        pairs.append(("judgment", _flag(facts.judgment)))
    if facts.legal:
        pairs.append(("legal_authority", _flag(True)))
    return pairs


def to_xml(spec: FileSpec, views: list[tuple[FileSpec, Placement]]) -> bytes:
    """The whole file as UTF-8 bytes, one BPMNDiagram per view (:func:`flowgen.layout.layout_views`)."""
    root = etree.Element(_q(BPMN, "definitions"), nsmap=NSMAP)
    root.set("id", spec.definitions_id)
    root.set("targetNamespace", "http://bpmn.io/schema/bpmn")
    root.set("exporter", "bpm-rpa-scanner scripts/build_flows.py")
    root.set("exporterVersion", "1")
    root.set(_q(MODELER, "executionPlatform"), "Camunda Platform")
    root.set(_q(MODELER, "executionPlatformVersion"), "7.21.0")
    collaboration = etree.SubElement(root, _q(BPMN, "collaboration"), id=spec.collaboration_id)
    for pool in spec.pools:
        attrs = {"id": pool.id, "name": pool.name}
        if pool.process is not None:
            attrs["processRef"] = pool.process.id
        etree.SubElement(collaboration, _q(BPMN, "participant"), attrs)
    for message in spec.messages:
        attrs = {"id": message.id}
        if message.name:
            attrs["name"] = message.name
        attrs.update(sourceRef=message.source, targetRef=message.target)
        etree.SubElement(collaboration, _q(BPMN, "messageFlow"), attrs)
    errors: dict[str, str] = {}
    for process in spec.processes:
        _process(root, process, errors)
    for code, error_id in errors.items():
        etree.SubElement(root, _q(BPMN, "error"), id=error_id, name=code, errorCode=code)
    seen: set[str] = set()
    for number, (view, placement) in enumerate(views, start=1):
        _diagram(root, spec, view, placement, number, seen)
    etree.indent(root, space="  ")
    body = etree.tostring(root, encoding="unicode")
    comment = f"<!-- {spec.comment} -->\n" if spec.comment else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{comment}{body}\n'.encode()


def _process(root: etree._Element, process: ProcessSpec, errors: dict[str, str]) -> None:
    element = etree.SubElement(root, _q(BPMN, "process"), id=process.id, name=process.name, isExecutable="false")
    _documentation(element, process.doc)
    pairs: list[tuple[str, str]] = []
    if process.procedure:
        pairs.append(("procedure", process.procedure))
    if process.carry == "bpmn":
        annual = process.volume.bpmn_annual if process.volume.bpmn_annual is not None else process.volume.annual
        pairs.append(("annual_count", str(annual)))
    _properties(element, pairs)
    if process.lanes:
        lane_set = etree.SubElement(element, _q(BPMN, "laneSet"), id=f"LaneSet_{short_id(process.id)}")
        for lane in process.lanes:
            lane_element = etree.SubElement(lane_set, _q(BPMN, "lane"), id=lane.id, name=lane.name)
            _documentation(lane_element, lane.doc)
            for node in process.nodes:
                if node.lane == lane.id:
                    etree.SubElement(lane_element, _q(BPMN, "flowNodeRef")).text = node.id
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in process.flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    shares = dict(process.shares)
    for node in process.nodes:
        _node(element, process, node, incoming.get(node.id, []), outgoing.get(node.id, []), errors,
              shares[node.id].probability if node.id in shares else None)
    for flow in process.flows:
        _flow(element, process, flow)


def _node(parent: etree._Element, process: ProcessSpec, node: Node, incoming: list[str], outgoing: list[str],
          errors: dict[str, str], share: float | None) -> None:
    attrs = {"id": node.id}
    if node.name:
        attrs["name"] = node.name
    if node.attached_to:
        if not node.interrupting:
            attrs["cancelActivity"] = "false"
        attrs["attachedToRef"] = node.attached_to
    if node.default:
        attrs["default"] = node.default
    element = etree.SubElement(parent, _q(BPMN, node.kind), attrs)
    _documentation(element, node.doc)
    pairs = step_properties(node) if process.carry == "bpmn" and node.kind in TASK_KINDS else []
    if process.carry == "bpmn" and share is not None:
        pairs.append(("probability", _number(share)))
    _properties(element, pairs)
    for flow_id in incoming:
        etree.SubElement(element, _q(BPMN, "incoming")).text = flow_id
    for flow_id in outgoing:
        etree.SubElement(element, _q(BPMN, "outgoing")).text = flow_id
    if node.trigger is None:
        return
    suffix = short_id(process.id, node.id, node.trigger)
    if node.trigger == "timer":
        definition = etree.SubElement(element, _q(BPMN, "timerEventDefinition"), id=f"TimerEventDefinition_{suffix}")
        if node.timer is not None:
            kind, value = node.timer
            expression = etree.SubElement(definition, _q(BPMN, kind))
            expression.set(_q(XSI, "type"), "bpmn:tFormalExpression")
            expression.text = value
    elif node.trigger == "error":
        code = node.error_code or node.name
        error_id = errors.setdefault(code, f"Error_{short_id(code)}")
        etree.SubElement(element, _q(BPMN, "errorEventDefinition"), id=f"ErrorEventDefinition_{suffix}",
                         errorRef=error_id)
    else:
        tag = {"message": "messageEventDefinition", "signal": "signalEventDefinition",
               "conditional": "conditionalEventDefinition"}[node.trigger]
        etree.SubElement(element, _q(BPMN, tag), id=f"{tag[0].upper()}{tag[1:]}_{suffix}")


def _flow(parent: etree._Element, process: ProcessSpec, flow: Flow) -> None:
    attrs = {"id": flow.id}
    if flow.name:
        attrs["name"] = flow.name
    attrs.update(sourceRef=flow.source, targetRef=flow.target)
    element = etree.SubElement(parent, _q(BPMN, "sequenceFlow"), attrs)
    if process.carry == "bpmn" and flow.probability is not None:
        _properties(element, [("probability", _number(flow.probability))])
    if flow.condition:
        condition = etree.SubElement(element, _q(BPMN, "conditionExpression"))
        condition.set(_q(XSI, "type"), "bpmn:tFormalExpression")
        condition.text = flow.condition


def _bounds(parent: etree._Element, box: Box) -> None:
    etree.SubElement(parent, _q(DC, "Bounds"), x=_coord(box.x), y=_coord(box.y), width=_coord(box.w),
                     height=_coord(box.h))


def _coord(value: float) -> str:
    return str(round(value))


def _label(parent: etree._Element, box: Box | None) -> None:
    if box is not None:
        _bounds(etree.SubElement(parent, _q(BPMNDI, "BPMNLabel")), box)


def _waypoints(parent: etree._Element, points: list[Point]) -> None:
    for x, y in points:
        etree.SubElement(parent, _q(DI, "waypoint"), x=_coord(x), y=_coord(y))


def _diagram(root: etree._Element, spec: FileSpec, view: FileSpec, placement: Placement, number: int,
             seen: set[str]) -> None:
    """One BPMNDiagram of ``view``'s pools.  An element drawn in an earlier diagram too (a black-box partner of
    both processes) gets a numbered DI id, so ids stay unique in the file."""
    suffix = "" if number == 1 else f"_{number}"
    diagram = etree.SubElement(root, _q(BPMNDI, "BPMNDiagram"),
                               id=f"BPMNDiagram_{short_id(spec.definitions_id)}{suffix}")
    plane = etree.SubElement(diagram, _q(BPMNDI, "BPMNPlane"),
                             id=f"BPMNPlane_{short_id(spec.definitions_id)}{suffix}", bpmnElement=spec.collaboration_id)

    def di_id(element: str) -> str:
        own = f"{element}_di" if element not in seen else f"{element}_di{suffix}"
        seen.add(element)
        return own

    for pool in view.pools:
        shape = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=di_id(pool.id), bpmnElement=pool.id,
                                 isHorizontal="true")
        _bounds(shape, placement.shapes[pool.id])
        process = pool.process
        if process is None:
            continue
        for lane in process.lanes:
            shape = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=di_id(lane.id), bpmnElement=lane.id,
                                     isHorizontal="true")
            _bounds(shape, placement.shapes[lane.id])
        ordered = [n for n in process.nodes if not n.attached_to] + [n for n in process.nodes if n.attached_to]
        for node in ordered:
            attrs = {"id": di_id(node.id), "bpmnElement": node.id}
            if node.kind == "exclusiveGateway":
                attrs["isMarkerVisible"] = "true"
            shape = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), attrs)
            _bounds(shape, placement.shapes[node.id])
            _label(shape, placement.labels.get(node.id))
        for flow in process.flows:
            edge = etree.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=di_id(flow.id), bpmnElement=flow.id)
            _waypoints(edge, placement.edges[flow.id])
            _label(edge, placement.labels.get(flow.id))
    for message in view.messages:
        edge = etree.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=di_id(message.id), bpmnElement=message.id)
        _waypoints(edge, placement.edges[message.id])
        _label(edge, placement.labels.get(message.id))
