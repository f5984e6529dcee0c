"""bench/municipal_scale.py: the byte comparison of the trees' sites sees every kind of difference."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.municipal_scale import _same_tree


def _write(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_same_tree_sees_changed_missing_and_nested_files(tmp_path: Path) -> None:
    files = {"index.html": b"<p>a</p>", "static/site.css": b"p{}", "p/x.html": b"x"}
    left = _write(tmp_path / "left", files)
    assert _same_tree(left, _write(tmp_path / "same", files))
    assert not _same_tree(left, _write(tmp_path / "changed", {**files, "p/x.html": b"y"}))  # same size, other byte
    assert not _same_tree(left, _write(tmp_path / "more", {**files, "extra.html": b""}))
    fewer = dict(files)
    del fewer["static/site.css"]
    assert not _same_tree(left, _write(tmp_path / "fewer", fewer))
