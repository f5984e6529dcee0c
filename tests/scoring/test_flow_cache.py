"""The per-flow scoring cache: a warm run equals a cold run equals no cache; what a stage reads decides a miss."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from bpm.cache_store import ObjectStore
from bpm.model import Definitions
from bpm.read_cache import ReadCache
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.flow_cache import FlowCache
from scoring.profile import Profile, load_profile
from scoring.result import Assessment
from scoring.survey import Survey, load_survey

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
DATA = ROOT / "tests" / "data" / "scoring"
NAMES = ("koseki.bpmn", "juminhyo.bpmn", "inkan.bpmn")


def _entries(folder: Path) -> set[Path]:
    return set(folder.rglob("*.pickle"))


def _run(definitions: list[Definitions], folder: Path | None, *, survey: Survey | None, profile: Profile,
         jobs: int = 1) -> Assessment:
    cache = FlowCache(ObjectStore(folder, 1 << 30)) if folder is not None else None
    return assess(definitions, survey=survey, profile=profile, jobs=jobs, cache=cache)


@pytest.fixture(scope="module")
def sample() -> tuple[list[Definitions], Survey, Profile]:
    return [read_bpmn(FLOWS / name) for name in NAMES], load_survey(FLOWS / "survey.xlsx"), load_profile(None)


@pytest.fixture(scope="module")
def plain(sample: tuple[list[Definitions], Survey, Profile]) -> Assessment:
    definitions, survey, profile = sample
    return _run(definitions, None, survey=survey, profile=profile)


def test_warm_equals_cold_equals_no_cache(sample: tuple[list[Definitions], Survey, Profile], plain: Assessment,
                                          tmp_path: Path) -> None:
    definitions, survey, profile = sample
    cold = _run(definitions, tmp_path, survey=survey, profile=profile)
    stored = _entries(tmp_path)
    assert len(stored) == 2 * len(plain.processes) + 1  # visits and steps of each process, the money stage
    warm = _run(definitions, tmp_path, survey=survey, profile=profile, jobs=2)
    assert _entries(tmp_path) == stored  # nothing computed again
    assert plain.gaps and plain.findings  # their order is part of what is compared
    assert repr(cold) == repr(plain) and repr(warm) == repr(plain)
    assert warm == plain


def test_a_changed_flow_is_scored_again_and_only_it(sample: tuple[list[Definitions], Survey, Profile],
                                                    plain: Assessment, tmp_path: Path) -> None:
    definitions, survey, profile = sample
    _run(definitions, tmp_path / "c", survey=survey, profile=profile)
    before = _entries(tmp_path / "c")
    (tmp_path / "v2").mkdir()
    copy = tmp_path / "v2" / "juminhyo.bpmn"  # the same name: the survey still matches it
    text = (FLOWS / "juminhyo.bpmn").read_text(encoding="utf-8")
    assert 'name="本人確認"' in text
    copy.write_text(text.replace('name="本人確認"', 'name="本人確認（窓口）"', 1), encoding="utf-8")
    changed = [definitions[0], read_bpmn(copy), definitions[2]]
    warm = _run(changed, tmp_path / "c", survey=survey, profile=profile)
    new = _entries(tmp_path / "c") - before
    units = sum(1 for p in plain.processes if p.file == definitions[1].file)
    assert units >= 1
    assert len(new) == 2 * units + 1  # and the money stage, priced afresh over the changed steps
    assert repr(warm) == repr(_run(changed, None, survey=survey, profile=profile))
    assert repr(warm) != repr(plain)


def test_a_changed_profile_or_survey_row_misses(sample: tuple[list[Definitions], Survey, Profile],
                                                plain: Assessment, tmp_path: Path) -> None:
    definitions, survey, profile = sample
    _run(definitions, tmp_path, survey=survey, profile=profile)
    before = _entries(tmp_path)
    dearer = dataclasses.replace(profile, hours_per_fte=profile.hours_per_fte + 1)
    warm = _run(definitions, tmp_path, survey=survey, profile=dearer)
    after_profile = _entries(tmp_path)
    assert len(after_profile - before) == len(plain.processes) + 1  # every steps stage and the money stage again,
    # visits reused
    assert repr(warm) == repr(_run(definitions, None, survey=survey, profile=dearer))
    koseki = definitions[0].file
    steps = {(s.step_id) for p in plain.processes if p.file == koseki for s in p.steps}
    index = next(i for i, row in enumerate(survey.rows) if row.minutes is not None and row.step_id in steps)
    rows = list(survey.rows)
    rows[index] = dataclasses.replace(rows[index], minutes=(rows[index].minutes or 0) + 7)
    slower = dataclasses.replace(survey, rows=tuple(rows))
    warm = _run(definitions, tmp_path, survey=slower, profile=dearer)
    new = _entries(tmp_path) - after_profile
    assert len(new) == 2  # only the steps of the process that row belongs to, and the money stage
    assert repr(warm) == repr(_run(definitions, None, survey=slower, profile=dearer))


def test_a_corrupted_entry_is_ignored_and_rewritten(sample: tuple[list[Definitions], Survey, Profile],
                                                   plain: Assessment, tmp_path: Path) -> None:
    definitions, survey, profile = sample
    _run(definitions, tmp_path, survey=survey, profile=profile)
    stored = sorted(_entries(tmp_path))
    for index, entry in enumerate(stored):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if index % 2 else data[:-1] + bytes([data[-1] ^ 1]))
    warm = _run(definitions, tmp_path, survey=survey, profile=profile)
    assert repr(warm) == repr(plain)
    assert all(ObjectStore(tmp_path, 1 << 30).get(p.stem, object) is not None for p in stored)  # whole again


def test_a_caller_is_scored_again_when_the_process_it_calls_changes(tmp_path: Path) -> None:
    profile = load_profile(None)
    caller, called = DATA / "caller.bpmn", tmp_path / "called.bpmn"
    shutil.copy(DATA / "called.bpmn", called)
    reads = ReadCache(ObjectStore(tmp_path / "reads", 1 << 30))
    folder = tmp_path / "flows"

    def run() -> Assessment:
        read = [reads.read(p, max_bytes=10 << 20) for p in (called, caller)]
        cache = FlowCache(ObjectStore(folder, 1 << 30), [(r.definitions, r.key) for r in read])
        return assess([r.definitions for r in read], profile=profile, cache=cache)

    run()
    before = _entries(folder)
    assert len(before) == 5  # two processes' two stages, the money stage
    text = called.read_text(encoding="utf-8")
    called.write_text(text.replace('<userTask id="T_Entry" name="システム入力"/>',
                                   '<userTask id="T_Entry" name="システム入力"/>\n    <!-- revised -->'),
                      encoding="utf-8")
    again = run()
    assert len(_entries(folder) - before) == 4  # the called process and its caller, both stages (a comment
    # changes no priced fact: the money stage's entry is reused)
    assert repr(again) == repr(assess([read_bpmn(called), read_bpmn(caller)], profile=profile))


def test_the_runs_language_is_part_of_the_key(sample: tuple[list[Definitions], Survey, Profile],
                                              plain: Assessment, tmp_path: Path) -> None:
    """Some per-flow texts are written in the run's language (an unsolvable flow's message): a run in the
    other language must not get them from the cache."""
    from bpm.messages import language, use_language

    definitions, survey, profile = sample
    _run(definitions, tmp_path, survey=survey, profile=profile)
    before, was = _entries(tmp_path), language()
    use_language("ja" if was == "en" else "en")
    try:
        other = _run(definitions, tmp_path, survey=survey, profile=profile)
        assert len(_entries(tmp_path) - before) == len(before)
        assert repr(other) == repr(_run(definitions, None, survey=survey, profile=profile))
    finally:
        use_language(was)


def test_the_money_stage_is_priced_once_for_the_same_steps_and_profile(
        sample: tuple[list[Definitions], Survey, Profile], plain: Assessment, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing priced changed: the money stage's outcome comes from the store (the pricing is not called), and
    the assessment equals one priced without a cache; a profile whose prices differ prices again."""
    import scoring.money

    definitions, survey, profile = sample
    assert plain.money is not None
    priced: list[int] = []
    real = scoring.money.money_stage

    def counted(steps: object, given: Profile) -> object:
        priced.append(1)
        return real(steps, given)  # type: ignore[arg-type]

    monkeypatch.setattr(scoring.money, "money_stage", counted)
    cold = _run(definitions, tmp_path, survey=survey, profile=profile)
    assert len(priced) >= 1
    calls = len(priced)
    warm = _run(definitions, tmp_path, survey=survey, profile=profile)
    assert len(priced) == calls  # every pricing came from the store
    assert repr(cold) == repr(plain) and repr(warm) == repr(plain)
    money = profile.money
    assert money is not None
    dearer = dataclasses.replace(profile, money=dataclasses.replace(money, hours_per_fte=money.hours_per_fte + 10))
    other = _run(definitions, tmp_path, survey=survey, profile=dearer)
    assert len(priced) > calls
    assert repr(other) == repr(_run(definitions, None, survey=survey, profile=dearer))
