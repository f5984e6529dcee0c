"""`bpm score CITY_DIR…`: several municipality folders are scored one by one, never pooled into one portfolio.

Two illustrative cities of flows/compare with the same 課/係 names (C市 and D市: both have 市民課 住民記録係,
保険年金課 国保資格係 …): each city's table must be byte for byte the table of scoring that city alone with its own
profile, so no post, survey row or profile value of one city reaches the other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CITIES = REPO / "flows" / "compare"
PAIR = ("c-shi", "d-shi")


def run_bpm(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "BPM_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=900, env=env)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("cities")
    result = run_bpm("score", *(str(CITIES / c) for c in PAIR), "-o", str(out / "results.json"), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def test_each_city_gets_its_own_table_and_the_output_says_so(tables: tuple[Path, str]) -> None:
    out, stderr = tables
    assert sorted(p.name for p in out.iterdir()) == ["results-c-shi.json", "results-d-shi.json"]
    assert "2 city folders: each is assessed as its own portfolio" in stderr
    assert "staff are never shared across cities" in stderr
    for name, key in (("C市", "c-shi"), ("D市", "d-shi")):
        assert f"{name}: wrote {out / f'results-{key}.json'}" in stderr
        assert f"profile {CITIES / key / 'profile.toml'}" in stderr
    c_rows = json.loads((out / "results-c-shi.json").read_text(encoding="utf-8"))
    d_rows = json.loads((out / "results-d-shi.json").read_text(encoding="utf-8"))
    assert {r["file"] for r in c_rows} == {r["file"] for r in d_rows}  # the same 13 flows by name …
    shared = {(r["section"], r["unit"]) for r in c_rows} & {(r["section"], r["unit"]) for r in d_rows}
    assert ("市民課", "住民記録係") in shared  # … and the same post names: pooling by name would merge them


@pytest.mark.parametrize("city", PAIR)
def test_each_table_is_that_city_scored_alone(tables: tuple[Path, str], city: str, tmp_path: Path) -> None:
    out, _ = tables
    alone = tmp_path / "alone.json"
    result = run_bpm("score", str(CITIES / city), "--profile", str(CITIES / city / "profile.toml"), "-o", str(alone))
    assert result.returncode == 0, result.stderr
    assert (out / f"results-{city}.json").read_bytes() == alone.read_bytes()


def test_city_folders_mixed_with_other_inputs_are_refused(tmp_path: Path) -> None:
    result = run_bpm("score", str(CITIES / "c-shi"), str(REPO / "flows" / "inkan.bpmn"), "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 1
    assert "is not a city folder (one holding municipality.toml)" in result.stderr
    assert "Traceback" not in result.stderr and not list(tmp_path.iterdir())


@pytest.mark.parametrize("option", ["--profile", "--survey"])
def test_a_shared_profile_or_survey_is_refused_for_several_cities(tmp_path: Path, option: str) -> None:
    value = str(CITIES / "c-shi" / ("profile.toml" if option == "--profile" else "survey.csv"))
    result = run_bpm("score", *(str(CITIES / c) for c in PAIR), option, value, "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 1
    assert f"{option} cannot be used with several city folders" in result.stderr
    assert not list(tmp_path.iterdir())
