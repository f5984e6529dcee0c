"""The per-flow stages on several processes give the one-process assessment, gaps and findings in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.pool import parallel_available
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.evidence_text import shared_said
from scoring.interned import shared_line
from scoring.per_flow import Notes, merge, per_flow
from scoring.profile import load_profile
from scoring.result import Evidence, EvidenceSource
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


def _lines(_context: None, index: int, _notes: Notes) -> tuple[Evidence, ...]:
    shared = tuple(shared_line("visits", float(i % 3), EvidenceSource.STRUCTURE, shared_said("visits"))
                   for i in range(index, index + 6))
    return (*shared, Evidence("minutes_per_case", float(index), EvidenceSource.SURVEY, f"row {index}"))


@pytest.mark.skipif(not parallel_available(), reason="no forked workers here")
def test_a_shared_evidence_line_crosses_once_per_worker_and_is_one_object_in_the_caller() -> None:
    """Flows after the first name a shared line a worker already sent by its number: the caller builds it once
    per worker (at most two objects for two workers) instead of once per flow, and the values are the same."""
    from scoring import per_flow as module

    two = per_flow(_lines, 8, context=None, jobs=2)
    one = per_flow(_lines, 8, context=None, jobs=1)
    assert [o.value for o in two] == [o.value for o in one]
    shared = [line for o in two for line in o.value[:-1]]
    for value in (0.0, 1.0, 2.0):
        assert 1 <= len({id(line) for line in shared if line.value == value}) <= 2
    assert len({id(o.value[-1]) for o in two}) == 8
    assert not module._RECEIVED and not module._SENT  # forgotten after the pass


def test_a_line_sent_again_in_one_pass_is_the_line_first_received() -> None:
    import pickle

    from scoring.per_flow import FlowOutput, _forget_lines, _Shipped

    _forget_lines()
    first, second = (pickle.loads(pickle.dumps(_Shipped(FlowOutput(_lines(None, i, Notes()), (), (), ()))))
                     for i in (0, 3))
    assert first.value[0] is second.value[0] and first.value[0].value == 0.0
    assert first.value[-1] is not second.value[-1]
    _forget_lines()
