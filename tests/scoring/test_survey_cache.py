"""The survey cache gives the sheet load_survey gives, misses on any change, and never hides a survey error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bpm.cache_store import ObjectStore
from bpm.errors import SurveyError
from scoring.survey import load_survey
from scoring.survey_cache import SurveyCache

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pickle"))


@pytest.fixture
def cache(tmp_path: Path) -> SurveyCache:
    return SurveyCache(ObjectStore(tmp_path / "store" / "surveys", 1 << 30))


def test_warm_equals_cold_equals_load_survey_for_xlsx_and_csv(tmp_path: Path, cache: SurveyCache) -> None:
    sheet = tmp_path / "survey.xlsx"
    shutil.copy(FLOWS / "survey.xlsx", sheet)
    csv = tmp_path / "survey.csv"
    csv.write_text("業務,手順ID,手順,件数,処理時間\n転入届,,,5200,\n転入届,t1,受付,,3.5\n", encoding="utf-8")
    for path in (sheet, csv):
        plain = load_survey(path)
        cold = cache.load(path)
        warm = cache.load(path)
        assert warm == cold == plain
        assert repr(warm) == repr(plain)
        assert warm is not cold  # the second came from the store
    assert len(_entries(tmp_path)) == 2


def test_changed_bytes_or_another_name_miss(tmp_path: Path, cache: SurveyCache) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("業務,手順,件数\n転入届,,5200\n", encoding="utf-8")
    assert cache.load(path).rows[0].annual_count == 5200.0
    path.write_text("業務,手順,件数\n転入届,,5300\n", encoding="utf-8")
    assert cache.load(path).rows[0].annual_count == 5300.0  # new bytes: parsed again
    other = tmp_path / "other.csv"
    shutil.copy(path, other)
    assert cache.load(other).file == str(other)  # the name is in every gap: not the first sheet's entry
    assert len(_entries(tmp_path)) == 3


def test_a_damaged_entry_is_parsed_again_and_rewritten(tmp_path: Path, cache: SurveyCache) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("業務,手順,件数\n転入届,,5200\n", encoding="utf-8")
    cache.load(path)
    [entry] = _entries(tmp_path)
    entry.write_bytes(entry.read_bytes()[:-3])
    assert cache.load(path) == load_survey(path)
    assert cache.store.get(entry.stem, object) is not None  # written again, whole


def test_errors_are_load_surveys_and_are_not_stored(tmp_path: Path, cache: SurveyCache) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('業務,手順,件数\n"転入届,,5200\n', encoding="utf-8")
    fifo = tmp_path / "survey.tsv"
    os.mkfifo(fifo)  # must not block: not a regular file
    for path in (bad, tmp_path / "missing.csv", tmp_path / "survey.xls", fifo):
        if path.suffix == ".xls":
            path.write_bytes(b"x")
        with pytest.raises(SurveyError) as plain:
            load_survey(path)
        with pytest.raises(SurveyError) as cached:
            cache.load(path)
        assert (cached.value.message, cached.value.file, cached.value.line) == (
            plain.value.message, plain.value.file, plain.value.line)
    assert _entries(tmp_path) == []


def test_off_parses_every_time(tmp_path: Path) -> None:
    off = SurveyCache(ObjectStore(None, 1 << 30))
    path = tmp_path / "survey.csv"
    path.write_text("業務,手順,件数\n転入届,,5200\n", encoding="utf-8")
    assert off.load(path) == load_survey(path)
    assert _entries(tmp_path) == []
