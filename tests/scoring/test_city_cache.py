"""A whole city's result is kept by everything its run reads: an unchanged city is not assessed again.

Why: comparing 1,741 cities again after one sent a new file should cost one
city's assessment, not a warm run of every flow stage.  These tests hold the
key to the run: a stored result equals a fresh one; any change of a file the
run reads (a flow, the survey, the profile, the metadata, a mapping table
added to the folder), of the options or of the folder misses; an error is
never stored; an unreadable file makes no key (the run reports it).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_city_run import city_files

import scoring.city_run as city_run
from bpm.cache_store import ObjectStore
from scoring.city_run import CityError, CityFiles, CityResult, assess_city, city_key

CITIES = Path(__file__).resolve().parents[2] / "flows" / "compare"
MAX_BYTES = 50_000_000


@pytest.fixture
def city(tmp_path: Path) -> CityFiles:
    """A copy of a sample town (its files may be changed by the test)."""
    folder = tmp_path / "a-cho"
    shutil.copytree(CITIES / "a-cho", folder)
    return city_files(folder)


@pytest.fixture
def store(tmp_path: Path) -> ObjectStore:
    return ObjectStore(tmp_path / "cache" / city_run.CITY_STORE, 10**9)


class Counted:
    """`_assess_city` wrapped to count the cities really assessed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real: Callable[..., CityResult] = city_run._assess_city

        def counted(*args: object) -> CityResult:
            self.calls += 1
            return real(*args)

        monkeypatch.setattr(city_run, "_assess_city", counted)


def test_a_stored_city_equals_a_fresh_run_and_is_not_assessed_again(
        city: CityFiles, store: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = assess_city(city, max_bytes=MAX_BYTES, store=ObjectStore(None, 0))
    runs = Counted(monkeypatch)
    first = assess_city(city, max_bytes=MAX_BYTES, store=store)
    again = assess_city(city, max_bytes=MAX_BYTES, store=store)
    assert isinstance(fresh, CityResult)
    assert first == fresh and again == fresh
    assert runs.calls == 1, "the second run of an unchanged city is read from the store"


def _append(path: str, text: bytes) -> None:
    Path(path).write_bytes(Path(path).read_bytes() + text)


def _add_mapping(city: CityFiles) -> None:
    (Path(city.folder) / "procedures.csv").write_text("業務,標準手続\r\n", encoding="utf-8")


CHANGES: dict[str, Callable[[CityFiles], None]] = {
    "a flow's bytes": lambda c: _append(c.bpmn[0][0], b"<!-- changed -->\n"),
    "the survey": lambda c: _append(str(c.survey), b"\r\n"),
    "the profile": lambda c: _append(str(c.profile), b"\n# changed\n"),
    "the metadata": lambda c: _append(c.metadata, b"\n# changed\n"),
    "a mapping table added": _add_mapping,
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_any_changed_input_is_assessed_again(city: CityFiles, store: ObjectStore, change: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    runs = Counted(monkeypatch)
    before = city_key(city, (MAX_BYTES,))
    assess_city(city, max_bytes=MAX_BYTES, store=store)
    CHANGES[change](city)
    assert city_key(city, (MAX_BYTES,)) != before
    assess_city(city, max_bytes=MAX_BYTES, store=store)
    assert runs.calls == 2


def test_options_and_the_folder_are_part_of_the_key(city: CityFiles, tmp_path: Path) -> None:
    keys = {city_key(city, (MAX_BYTES, True, False, False)), city_key(city, (MAX_BYTES, False, False, False)),
            city_key(city, (MAX_BYTES, True, True, False)), city_key(city, (1000, True, False, False))}
    moved = tmp_path / "moved"
    shutil.copytree(city.folder, moved)
    keys.add(city_key(city_files(moved), (MAX_BYTES, True, False, False)))
    assert len(keys) == 5 and None not in keys


def test_a_city_in_error_is_not_stored(city: CityFiles, store: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    Path(city.bpmn[0][0]).write_text("<definitions", encoding="utf-8")
    runs = Counted(monkeypatch)
    assert isinstance(assess_city(city, max_bytes=MAX_BYTES, store=store), CityError)
    assert isinstance(assess_city(city, max_bytes=MAX_BYTES, store=store), CityError)
    assert runs.calls == 2
    assert store.entries() == []


def test_a_missing_file_makes_no_key_and_the_run_reports_it(city: CityFiles, store: ObjectStore) -> None:
    Path(city.bpmn[0][0]).unlink()
    assert city_key(city, (MAX_BYTES,)) is None
    assert isinstance(assess_city(city, max_bytes=MAX_BYTES, store=store), CityError)


def test_a_damaged_entry_is_a_miss(city: CityFiles, store: ObjectStore) -> None:
    first = assess_city(city, max_bytes=MAX_BYTES, store=store)
    for _, _, path in store.entries():
        path.write_bytes(path.read_bytes()[:-10])
    assert assess_city(city, max_bytes=MAX_BYTES, store=store) == first


def test_the_metadata_is_read_once_for_the_key_and_the_run(city: CityFiles, store: ObjectStore,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    real = city_run.load_city_meta

    def counted(path: Path) -> object:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(city_run, "load_city_meta", counted)
    result = assess_city(city, max_bytes=MAX_BYTES, store=store)
    uncached = assess_city(city, max_bytes=MAX_BYTES, store=ObjectStore(None, 0))
    assert isinstance(result, CityResult) and result == uncached
    assert reads == [Path(city.metadata)] * 2, "once for the stored run, once for the uncached one"
