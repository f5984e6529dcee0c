"""Hostile profiles and numbers: out-of-range, mistyped and deeply nested profiles; numbers as users type them.

Profiles end in a result or an error naming the profile (and its line);
``--cases`` and ``--max-size`` values end in a result or a usage error (exit
2); numbers in BPMN properties end in a result, with the bad ones listed as
data gaps, or an error naming the BPMN file and line.
"""

from __future__ import annotations

from pathlib import Path

from checks import assert_handled, non_finite_cells_in_csv
from hypothesis import example, given
from hypothesis import strategies as st
from runner import Runner
from strategies import hostile, numeric_texts, profiles, xml_attr

FLOW = (Path(__file__).resolve().parents[2] / "flows" / "tennyu.bpmn").read_bytes()


@hostile(examples=40)
@given(profile=profiles())
@example(profile=b"\xef\xbb\xbf[cost]\nstaff_yen_per_hour = 3000\n")
@example(profile=("a = " + "[" * 100_000 + "]" * 100_000 + "\n").encode())
@example(profile=b"[cost]\nstaff_yen_per_hour = 1e300\ncontractor_yen_per_hour = 1e300\n")
def test_any_profile_ends_cleanly(bpm_runner: Runner, profile: bytes) -> None:
    outcome = bpm_runner.run(["-q", "score", "tennyu.bpmn", "--profile", "city.toml", "-o", "out.csv"],
                             {"tennyu.bpmn": FLOW, "city.toml": profile})
    assert_handled(outcome, ["city.toml", "tennyu.bpmn"])
    if outcome.code == 0:
        assert non_finite_cells_in_csv(outcome.folder / "out.csv") == []


@hostile(examples=25)
@given(value=numeric_texts(), option=st.sampled_from(["--cases", "--max-size"]))
@example(value="nan", option="--max-size")
@example(value="1e20", option="--max-size")
@example(value="7000", option="--cases")
def test_numbers_typed_on_the_command_line_end_cleanly(bpm_runner: Runner, value: str, option: str) -> None:
    if option == "--cases":
        args = ["-q", "score", "tennyu.bpmn", "--cases", f"転入届={value}", "-o", "out.csv"]
    else:
        args = ["-q", "--max-size", value, "score", "tennyu.bpmn", "-o", "out.csv"]
    outcome = bpm_runner.run(args, {"tennyu.bpmn": FLOW})
    assert_handled(outcome, ["tennyu.bpmn"], usage_ok=True)
    if outcome.code == 2:
        assert f"Invalid value for {option}" in outcome.stderr or f"Invalid value for '{option}'" in outcome.stderr
    if outcome.code == 0:
        assert non_finite_cells_in_csv(outcome.folder / "out.csv") == []
        if option == "--cases":
            assert "match no process" not in outcome.stderr


@hostile(examples=30)
@given(
    annual=numeric_texts(), minutes=numeric_texts(), probability=numeric_texts(), instances=numeric_texts(),
)
@example(annual="1e308", minutes="inf", probability="nan", instances="1e308")
def test_numbers_in_bpmn_properties_end_cleanly(
    bpm_runner: Runner, annual: str, minutes: str, probability: str, instances: str
) -> None:
    flow = FLOW.decode("utf-8")
    flow = flow.replace('<camunda:property name="annual_count" value="5000" />',
                        f'<camunda:property name="annual_count" value={xml_attr(annual)} />', 1)
    task = '<bpmn:userTask id="Activity_KisaiShinsa" name="記載内容審査">'
    assert task in flow and 'name="probability" value="0.12"' in flow
    flow = flow.replace(task, task + "<bpmn:extensionElements><camunda:properties>"
                        f"<camunda:property name=\"minutes\" value={xml_attr(minutes)} />"
                        f"<camunda:property name=\"instances\" value={xml_attr(instances)} />"
                        "</camunda:properties></bpmn:extensionElements>", 1)
    flow = flow.replace("</bpmn:userTask>", "<bpmn:multiInstanceLoopCharacteristics /></bpmn:userTask>", 1)
    flow = flow.replace('name="probability" value="0.12"', f"name=\"probability\" value={xml_attr(probability)}", 1)
    outcome = bpm_runner.run(["-q", "score", "tennyu.bpmn", "-o", "out.csv"], {"tennyu.bpmn": flow.encode()})
    assert_handled(outcome, ["tennyu.bpmn"])
    if outcome.code == 0:
        assert non_finite_cells_in_csv(outcome.folder / "out.csv") == []
