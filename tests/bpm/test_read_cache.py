"""The read cache gives the model the reader gives, misses on any change, and never hides a reader error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bpm.cache_store import ObjectStore
from bpm.errors import BpmnParseError
from bpm.lint import lint
from bpm.read_cache import ReadCache
from bpm.reader import read_bpmn

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pickle"))


@pytest.fixture
def cache(tmp_path: Path) -> ReadCache:
    return ReadCache(ObjectStore(tmp_path / "reads", 1 << 30))


def test_warm_equals_cold_equals_the_reader_with_the_same_lint(tmp_path: Path, cache: ReadCache) -> None:
    path = tmp_path / "koseki.bpmn"
    shutil.copy(FLOWS / "koseki.bpmn", path)
    plain = read_bpmn(path)
    cold = cache.read(path, max_bytes=10 << 20)
    assert cold.key is not None and len(_entries(tmp_path)) == 1
    warm = cache.stored(path, max_bytes=10 << 20)
    assert warm is not None and warm.key == cold.key
    assert warm.definitions == cold.definitions == plain
    assert warm.definitions is not cold.definitions  # it did come from the store
    assert lint(warm.definitions) == lint(plain)  # findings with their line numbers
    assert [n.source.line for p in warm.definitions.processes.values() for n in p.nodes.values()] == [
        n.source.line for p in plain.processes.values() for n in p.nodes.values()]


def test_changed_bytes_another_name_or_limit_miss(tmp_path: Path, cache: ReadCache) -> None:
    path = tmp_path / "a.bpmn"
    shutil.copy(FLOWS / "koseki.bpmn", path)
    first = cache.read(path, max_bytes=10 << 20)
    assert cache.stored(path, max_bytes=20 << 20) is None  # the limit decides the element limit
    other = tmp_path / "b.bpmn"
    shutil.copy(path, other)
    assert cache.stored(other, max_bytes=10 << 20) is None  # source references name the file
    path.write_bytes(path.read_bytes().replace(b"</bpmn:definitions>", b"<!-- x --></bpmn:definitions>"))
    assert cache.stored(path, max_bytes=10 << 20) is None
    again = cache.read(path, max_bytes=10 << 20)
    assert again.key != first.key and again.definitions == read_bpmn(path)


def test_a_damaged_entry_is_read_again_and_rewritten(tmp_path: Path, cache: ReadCache) -> None:
    path = tmp_path / "koseki.bpmn"
    shutil.copy(FLOWS / "koseki.bpmn", path)
    cache.read(path, max_bytes=10 << 20)
    [entry] = _entries(tmp_path)
    entry.write_bytes(entry.read_bytes()[:100])
    assert cache.stored(path, max_bytes=10 << 20) is None
    assert cache.read(path, max_bytes=10 << 20).definitions == read_bpmn(path)
    assert cache.stored(path, max_bytes=10 << 20) is not None


def test_reader_errors_are_the_readers_and_are_not_stored(tmp_path: Path, cache: ReadCache) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<definitions", encoding="utf-8")
    for path, limit in ((bad, 10 << 20), (tmp_path / "missing.bpmn", 10 << 20), (FLOWS / "koseki.bpmn", 100)):
        with pytest.raises(BpmnParseError) as plain:
            read_bpmn(path, max_bytes=limit)
        with pytest.raises(BpmnParseError) as cached:
            cache.read(path, max_bytes=limit)
        assert (cached.value.message, cached.value.file, cached.value.line) == (
            plain.value.message, plain.value.file, plain.value.line)
    assert _entries(tmp_path) == []


def test_off_reads_plainly(tmp_path: Path) -> None:
    off = ReadCache.from_environment({"BPM_CACHE_DIR": "off"})
    read = off.read(FLOWS / "koseki.bpmn", max_bytes=10 << 20)
    assert read.key is None and read.definitions == read_bpmn(FLOWS / "koseki.bpmn")
    assert off.stored(FLOWS / "koseki.bpmn", max_bytes=10 << 20) is None


def test_a_small_file_under_a_large_limit_is_read_without_allocating_the_limit(tmp_path: Path,
                                                                               cache: ReadCache) -> None:
    """The cache read the file with ``read(max_bytes + 1)``, which allocates the whole limit up front: 256 MiB
    for a 20 KB flow under ``--max-size 256``.  It now reads as the reader does, in bounded chunks."""
    import tracemalloc

    path = tmp_path / "koseki.bpmn"
    shutil.copy(FLOWS / "koseki.bpmn", path)
    tracemalloc.start()
    try:
        assert cache.stored(path, max_bytes=256 << 20) is None
        cache.read(path, max_bytes=256 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"peak {peak / (1 << 20):.0f} MiB"
