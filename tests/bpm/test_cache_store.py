"""The result store: faithful round trips, nothing but data loaded, damaged entries are misses, bounded size."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from bpm.cache_store import ObjectStore, cache_folder, digest, dumps, loads, prune
from bpm.model import Definitions
from bpm.reader import read_bpmn
from reports import pictures_cache

FLOWS = Path(__file__).resolve().parents[2] / "flows"


class _Runs:
    """A global an attacker would name: loading it must be refused."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, ("echo pwned > /dev/null",)


def test_a_model_comes_back_equal_and_pickles_to_the_same_bytes() -> None:
    model = read_bpmn(FLOWS / "koseki.bpmn")
    back = loads(dumps(model))
    assert back == model
    assert dumps(back) == dumps(model)
    assert pickle.dumps(back, protocol=5) == pickle.dumps(model, protocol=5)  # the standard pickling agrees too


def test_loading_refuses_anything_but_data_classes_enums_and_containers() -> None:
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        loads(pickle.dumps(_Runs()))
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        loads(pickle.dumps(read_bpmn))  # a function of this program is not data either
    assert loads(pickle.dumps({"a": (1, 2.5, frozenset({3}))})) == {"a": (1, 2.5, frozenset({3}))}


def test_a_damaged_foreign_or_other_typed_entry_is_a_miss(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path, 1 << 30)
    model = read_bpmn(FLOWS / "koseki.bpmn")
    key = "ab" * 32
    store.put(key, model)
    assert store.get(key, Definitions) == model
    assert store.get(key, str) is None  # another type: a miss
    path = tmp_path / "ab" / f"{key}.pickle"
    assert path.stat().st_mode & 0o077 == 0  # the user's own
    whole = path.read_bytes()
    path.write_bytes(whole[:-10])  # truncated
    assert store.get(key, Definitions) is None
    flipped = bytearray(whole)
    flipped[len(whole) // 2] ^= 0xFF
    path.write_bytes(bytes(flipped))  # altered
    assert store.get(key, Definitions) is None
    path.write_bytes(pickle.dumps(_Runs()))  # not ours at all
    assert store.get(key, Definitions) is None
    store.put(key, model)  # rewritten
    assert store.get(key, Definitions) == model


def test_a_forged_header_does_not_get_code_run(tmp_path: Path) -> None:
    """Even with a valid digest (someone who can write the folder), loading resolves only data classes."""
    import hashlib

    store = ObjectStore(tmp_path, 1 << 30)
    key = "cd" * 32
    payload = pickle.dumps(_Runs())
    (tmp_path / "cd").mkdir()
    (tmp_path / "cd" / f"{key}.pickle").write_bytes(b"bpm-cache 1\n" + hashlib.sha256(payload).digest() + payload)
    assert store.get(key, object) is None


def test_no_folder_means_no_cache(tmp_path: Path) -> None:
    store = ObjectStore.from_environment("reads", {"BPM_CACHE_DIR": "off"})
    assert not store.on
    store.put("ab" * 32, 1)
    assert store.get("ab" * 32, int) is None
    assert ObjectStore.from_environment("reads", {"BPM_CACHE_DIR": str(tmp_path)}).folder == tmp_path / "reads"


def test_the_folder_is_the_picture_cache_folder() -> None:
    for env in ({"BPM_CACHE_DIR": "/tmp/c"}, {"BPM_CACHE_DIR": "Off"}, {"XDG_CACHE_HOME": "/x", "HOME": "/h"},
                {"XDG_CACHE_HOME": "relative", "HOME": "/h"}, {"HOME": "/h"}):
        assert cache_folder(env) == pictures_cache.cache_folder(env)


def test_pruning_removes_the_least_recently_used_first(tmp_path: Path) -> None:
    reads, flows = ObjectStore(tmp_path / "reads", 1 << 30), ObjectStore(tmp_path / "flows", 1 << 30)
    blob = "x" * 10_000
    keys = [f"{i:064x}" for i in range(4)]
    for age, key in enumerate(keys):
        (reads if age % 2 else flows).put(key, blob)
        path = (reads if age % 2 else flows).folder
        assert path is not None
        os.utime(path / key[:2] / f"{key}.pickle", (1000 + age, 1000 + age))
    size = (tmp_path / "flows" / keys[0][:2] / f"{keys[0]}.pickle").stat().st_size
    assert prune([reads, flows], 2 * size) == 2 * size
    assert flows.get(keys[0], str) is None and reads.get(keys[1], str) is None  # the two oldest
    assert flows.get(keys[2], str) == blob and reads.get(keys[3], str) == blob


def test_a_digest_does_not_depend_on_the_hash_seed() -> None:
    code = ("from bpm.cache_store import digest; "
            "print(digest(frozenset({'窓口', 'b', 'c', 'd'}), {'x': {1, 2, 3}}, ('a', 1.5)))")
    seen = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "3")}
    assert len(seen) == 1
    assert digest(frozenset({"a", "b"})) != digest(frozenset({"a", "c"}))
