"""Tests for bpm.model: kinds, labels, lane walking and the Definitions look-ups."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpm.model import (
    Artifact,
    ArtifactKind,
    Bounds,
    Category,
    Collaboration,
    Definitions,
    Edge,
    ElementId,
    EventKind,
    FlowNode,
    GatewayKind,
    Lane,
    MessageFlow,
    Participant,
    Point,
    Process,
    ProcessId,
    SequenceFlow,
    Shape,
    SourceRef,
    TaskKind,
    category_of,
    fast_builder,
    kind_from_tag,
)

SRC = SourceRef("m.bpmn", 3)


def _node(ident: str, kind: TaskKind | EventKind | GatewayKind = TaskKind.TASK, name: str = "") -> FlowNode:
    return FlowNode(ElementId(ident), kind, name, SRC, ProcessId("p"))


def test_source_ref_text() -> None:
    assert str(SourceRef("a/b.bpmn", 12)) == "a/b.bpmn:12"
    assert str(SourceRef("a/b.bpmn", None)) == "a/b.bpmn"


@pytest.mark.parametrize("kind", [*TaskKind, *EventKind, *GatewayKind])
def test_kind_from_tag_round_trips(kind: TaskKind | EventKind | GatewayKind) -> None:
    assert kind_from_tag(kind.value) is kind


@pytest.mark.parametrize("tag", ["sequenceFlow", "lane", "process", "Task", "usertask", "", "dataObject"])
def test_kind_from_tag_rejects_non_flow_nodes(tag: str) -> None:
    assert kind_from_tag(tag) is None


def test_tags_are_unique_across_families() -> None:
    tags = [k.value for family in (TaskKind, EventKind, GatewayKind) for k in family]
    assert len(tags) == len(set(tags))


def test_category_of() -> None:
    assert {category_of(k) for k in TaskKind} == {Category.ACTIVITY}
    assert {category_of(k) for k in EventKind} == {Category.EVENT}
    assert {category_of(k) for k in GatewayKind} == {Category.GATEWAY}
    assert _node("g", GatewayKind.PARALLEL).category is Category.GATEWAY


def test_containers() -> None:
    assert {k for k in TaskKind if k.is_container} == {
        TaskKind.SUB_PROCESS,
        TaskKind.TRANSACTION,
        TaskKind.AD_HOC_SUB_PROCESS,
    }


def test_label_folds_whitespace_and_falls_back_to_id() -> None:
    assert _node("t", name="住民票の\n写し　交付").label == "住民票の 写し 交付"
    assert _node("t", name="  \n ").label == "t"
    assert _node("t").label == "t"


@given(st.text(max_size=30))
def test_label_is_one_line_and_never_empty(name: str) -> None:
    label = _node("id1", name=name).label
    assert label
    assert "\n" not in label
    assert label == label.strip()


def test_frozen_and_slotted() -> None:
    node = _node("t")
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "x"  # type: ignore[misc]
    assert not hasattr(node, "__dict__")
    for cls in (FlowNode, SequenceFlow, Lane, Process, Definitions, Participant, Artifact):
        assert dataclasses.is_dataclass(cls)
        assert "__slots__" in vars(cls), cls


def test_defaults() -> None:
    node = _node("t")
    assert (node.parent_id, node.lane_id, node.attached_to, node.default_flow) == (None, None, None, None)
    assert node.cancel_activity is True
    assert node.properties == {}
    flow = SequenceFlow(ElementId("f"), ElementId("a"), ElementId("b"), SRC, ProcessId("p"))
    assert (flow.is_default, flow.condition, flow.name) == (False, None, "")
    assert Artifact(ElementId("a"), ArtifactKind.GROUP, SRC).name == ""


def _lanes() -> tuple[Lane, ...]:
    inner = Lane(ElementId("inner"), "係", SRC, (ElementId("t2"),), parent_id=ElementId("mid"))
    mid = Lane(ElementId("mid"), "課", SRC, (), (inner,), parent_id=ElementId("top"))
    top = Lane(ElementId("top"), "部", SRC, (ElementId("t1"),), (mid,))
    other = Lane(ElementId("other"), "外", SRC)
    return top, other


def test_lane_walk_is_depth_first() -> None:
    top, other = _lanes()
    assert [lane.id for lane in top.walk()] == ["top", "mid", "inner"]
    process = Process(ProcessId("p"), "", SRC, lanes=(top, other))
    assert [lane.id for lane in process.all_lanes()] == ["top", "mid", "inner", "other"]


def _definitions() -> Definitions:
    p1 = Process(ProcessId("p1"), "窓口", SRC, nodes={ElementId("a"): _node("a")})
    p2 = Process(ProcessId("p2"), "", SRC, nodes={ElementId("b"): _node("b")})
    c1 = Collaboration(
        ElementId("c1"),
        SRC,
        participants=(Participant(ElementId("pool1"), "市", SRC, ProcessId("p1")),),
        message_flows=(MessageFlow(ElementId("m1"), ElementId("a"), ElementId("pool2"), SRC),),
    )
    c2 = Collaboration(
        ElementId("c2"),
        SRC,
        participants=(Participant(ElementId("pool2"), "国", SRC),),
        message_flows=(MessageFlow(ElementId("m2"), ElementId("pool2"), ElementId("a"), SRC),),
    )
    return Definitions(
        "d", SourceRef("x.bpmn", 2), processes={p1.id: p1, p2.id: p2}, collaborations=(c1, c2)
    )


def test_definitions_lookups() -> None:
    d = _definitions()
    assert d.file == "x.bpmn"
    assert [p.id for p in d.participants()] == ["pool1", "pool2"]
    pool = d.pool_of(ProcessId("p1"))
    assert pool is not None and pool.name == "市"
    assert d.pool_of(ProcessId("p2")) is None
    found = d.find_node(ElementId("b"))
    assert found is not None and found.id == "b"
    assert d.find_node(ElementId("zzz")) is None
    assert [m.id for m in d.message_flows()] == ["m1", "m2"]


def test_definitions_equality_is_by_value() -> None:
    assert _definitions() == _definitions()
    assert _definitions() != dataclasses.replace(_definitions(), name="other")


_BUILT_FAST: dict[type, Any] = {
    cls: fast_builder(cls) for cls in (SourceRef, FlowNode, SequenceFlow, Shape, Edge, Bounds, Point)
}
"""The classes the reader makes with :func:`fast_builder`, and their builders (made once: each makes a class)."""


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fast_builder_makes_what_the_constructor_makes(data: st.DataObject) -> None:
    """Same type, fields, equality, hash, repr, pickling and frozenness as calling the class with the same values."""
    values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))
    for cls, build in _BUILT_FAST.items():
        args = [data.draw(values) for _ in dataclasses.fields(cls)]
        fast, slow = build(*args), cls(*args)
        assert type(fast) is cls
        assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
        assert dataclasses.astuple(fast) == tuple(args)
        assert pickle.loads(pickle.dumps(fast)) == slow
        assert copy.copy(fast) == slow
        assert not hasattr(fast, "__dict__")
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(fast, dataclasses.fields(cls)[0].name, "changed")


def test_fast_builder_wants_every_field() -> None:
    build = fast_builder(SourceRef)
    with pytest.raises(TypeError):
        build("only the file")
    assert build("m.bpmn", None) == SourceRef("m.bpmn", None)


def test_fast_builder_refuses_what_it_cannot_make_alike() -> None:
    @dataclasses.dataclass(frozen=True)
    class Plain:
        value: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    cls: Any
    for cls in (Plain, Checked, int):
        with pytest.raises(TypeError):
            fast_builder(cls)
