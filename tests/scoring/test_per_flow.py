"""The per-flow stages on several processes give the one-process assessment, gaps and findings in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.pool import parallel_available
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.per_flow import Notes, merge, per_flow
from scoring.profile import load_profile
from scoring.survey import load_survey

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _square(context: int, index: int, notes: Notes) -> int:
    notes.used_entries.add(f"entry-{index % 2}")
    return context * index * index


def test_per_flow_keeps_input_order_and_merges_what_each_flow_used() -> None:
    used: set[str] = set()
    outputs = per_flow(_square, 7, context=3, jobs=2)
    assert merge(outputs, [], [], used) == [3 * i * i for i in range(7)]
    assert used == {"entry-0", "entry-1"}


@pytest.mark.skipif(not parallel_available(), reason="worker processes are forked on Linux only")
def test_two_jobs_assess_the_sample_flows_exactly_as_one() -> None:
    definitions = [read_bpmn(path) for path in sorted(FLOWS.glob("*.bpmn"))]
    survey = load_survey(FLOWS / "survey.xlsx")
    profile = load_profile(None)
    one = assess(definitions, survey=survey, profile=profile, jobs=1)
    two = assess(definitions, survey=survey, profile=profile, jobs=2)
    assert one.gaps and one.findings  # the order of both lists is part of what is compared
    assert repr(two) == repr(one)  # every field, in order (float reprs are exact)
    assert two == one


def test_a_worker_output_crosses_pickled_by_the_fast_pickler_and_arrives_equal() -> None:
    """What a worker sends back: the cache's field-value pickling (``_rebuild``), unpickled to the same output."""
    import pickle

    from scoring.per_flow import FlowOutput, _received, _Shipped

    definitions = [read_bpmn(path) for path in sorted(FLOWS.glob("*.bpmn"))]
    result = assess(definitions, survey=load_survey(FLOWS / "survey.xlsx"), profile=load_profile(None))
    output = FlowOutput(result.processes[0], result.gaps[:3], result.findings[:3], ("entry",))
    shipped = _Shipped(output)
    assert _received(shipped) is output  # in one process nothing is pickled
    sent = pickle.dumps(shipped, protocol=pickle.HIGHEST_PROTOCOL)  # what ProcessPoolExecutor does
    assert b"_rebuild" in sent
    arrived = pickle.loads(sent)
    assert isinstance(arrived, FlowOutput) and _received(arrived) is arrived
    assert arrived == output and repr(arrived) == repr(output)


def _collector_state(_context: None, index: int, _notes: Notes) -> tuple[int, bool, bool]:
    import gc

    return index, gc.isenabled(), gc.get_freeze_count() > 0


def test_per_flow_runs_with_the_earlier_objects_frozen_and_gives_them_back() -> None:
    """The models read before are out of the collector's walks while flows run (one process or many), then back."""
    import gc

    outputs = per_flow(_collector_state, 3, context=None, jobs=1)
    assert [o.value for o in outputs] == [(0, True, True), (1, True, True), (2, True, True)]
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_unpickling_a_worker_output_pauses_the_collector_and_switches_it_back_on() -> None:
    import gc
    import pickle

    from scoring.per_flow import FlowOutput, _Shipped

    sent = pickle.dumps(_Shipped(FlowOutput((1, "a"), (), (), ("entry",))))
    assert pickle.loads(sent) == FlowOutput((1, "a"), (), (), ("entry",))
    assert gc.isenabled()
    gc.disable()
    try:
        pickle.loads(sent)
        assert not gc.isenabled()  # the caller's choice stays
    finally:
        gc.enable()
