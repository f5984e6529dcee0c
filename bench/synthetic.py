"""Synthetic counter-work flows of any size, for benchmarks.

A flow is a chain of *blocks* in three lanes (窓口受付 / 審査・入力担当 /
住基システム), the shapes real 窓口 flows are built from: a plain task, an
exclusive check with a 補正 rework loop back to the block's first task
(probability 0.1), and a parallel fan-out to three 連絡 tasks.  Sizes grow by
adding blocks, so larger flows have the same local structure and timings
per node are comparable across sizes.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="bench">\n'
)
_LANES = ("窓口受付", "審査・入力担当", "住基システム")


def synthetic_flow(blocks: int) -> bytes:
    """BPMN XML of one process with ``blocks`` blocks (about 4 flow nodes per block)."""
    if blocks < 1:
        raise ValueError("blocks must be at least 1")
    nodes: list[str] = ['<bpmn:startEvent id="Start" name="届出"/>']
    flows: list[str] = []
    lanes: dict[str, list[str]] = {lane: ["Start"] if lane == _LANES[0] else [] for lane in _LANES}
    previous, label = "Start", ""

    def flow(source: str, target: str, name: str = "", probability: str = "") -> None:
        head = f'<bpmn:sequenceFlow id="F{len(flows)}" sourceRef="{source}" targetRef="{target}"'
        head += f" name={quoteattr(name)}" if name else ""
        if not probability:
            flows.append(head + "/>")
            return
        flows.append(
            head + "><bpmn:extensionElements><camunda:properties>"
            f'<camunda:property name="probability" value="{probability}"/>'
            "</camunda:properties></bpmn:extensionElements></bpmn:sequenceFlow>"
        )

    for index in range(blocks):
        lane = _LANES[index % len(_LANES)]
        kind = index % 3
        first = f"T{index}"
        nodes.append(f'<bpmn:userTask id="{first}" name={quoteattr(f"入力{index}")}/>')
        lanes[lane].append(first)
        flow(previous, first, label)
        label = ""
        if kind == 0:
            previous = first
        elif kind == 1:
            gateway, fix = f"G{index}", f"H{index}"
            nodes.append(f'<bpmn:exclusiveGateway id="{gateway}" name="不備あり?"/>')
            nodes.append(f'<bpmn:manualTask id="{fix}" name={quoteattr(f"補正{index}")}/>')
            lanes[lane] += [gateway, fix]
            flow(first, gateway)
            flow(gateway, fix, "あり", "0.1")
            flow(fix, first)
            previous, label = gateway, "なし"
        else:
            split, join = f"P{index}", f"J{index}"
            nodes.append(f'<bpmn:parallelGateway id="{split}"/>')
            nodes.append(f'<bpmn:parallelGateway id="{join}"/>')
            lanes[lane] += [split, join]
            flow(first, split)
            for branch in range(3):
                task = f"S{index}_{branch}"
                nodes.append(f'<bpmn:sendTask id="{task}" name={quoteattr(f"連絡{index}-{branch}")}/>')
                lanes[lane].append(task)
                flow(split, task)
                flow(task, join)
            previous = join
    nodes.append('<bpmn:endEvent id="End" name="完了"/>')
    lanes[_LANES[0]].append("End")
    flow(previous, "End", label)
    lane_xml = "".join(
        f'<bpmn:lane id="L{i}" name="{name}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        + "</bpmn:lane>"
        for i, (name, refs) in enumerate(lanes.items())
    )
    body = (
        f'<bpmn:process id="Bench" name="合成フロー{blocks}" isExecutable="false">'
        f'<bpmn:laneSet id="LS">{lane_xml}</bpmn:laneSet>\n'
        + "\n".join(nodes)
        + "\n"
        + "\n".join(flows)
        + "\n</bpmn:process>\n</bpmn:definitions>\n"
    )
    return (_HEAD + body).encode("utf-8")
