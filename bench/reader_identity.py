"""Fingerprint of every model the reader makes from the reference files: ``python -m bench.reader_identity [ROOT]``.

Why: the reader is rewritten for speed, and its output must not move.  This
reads every MIWG file, every ``flows/`` file and every ``tests/data`` file
twice — diagrams deferred and built with the file (``defer_diagrams``) — and
prints one JSON object: a SHA-256 of each read's ``repr`` (the whole model,
notes and diagrams included: a deferred model prints as the tuples it stands
for) or of its error message, and one digest over all of them.  Run it on
this tree and, with ``PYTHONPATH`` set to a base tree, on the base: the two
digests are equal exactly when every model and every message is.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
MIWG = HERE.parent / "shared" / "miwg"
"""As ``bench.config.MIWG``, found from this file: a base tree run with ``PYTHONPATH`` lies elsewhere."""


def reference_files(root: Path = HERE) -> list[Path]:
    """MIWG, then ``flows/`` and ``tests/data`` (sorted), the files read."""
    miwg = sorted(p for p in MIWG.rglob("*.bpmn") if p.is_file())
    local = sorted(p for folder in ("flows", "tests/data") for p in (root / folder).rglob("*.bpmn") if p.is_file())
    return [*miwg, *local]


def fingerprints(files: list[Path], root: Path = HERE) -> dict[str, str]:
    """``mode:relative path`` → SHA-256 of the read's ``repr`` or of its error, for both modes."""
    from bpm import reader
    from bpm.errors import BpmnParseError

    found: dict[str, str] = {}
    for deferring in (True, False):
        reader.defer_diagrams(deferring)
        try:
            for path in files:
                name = str(path.relative_to(root.parent))
                try:
                    text = repr(reader.read_bpmn_bytes(path.read_bytes(), name))
                except BpmnParseError as error:
                    text = f"error: {error}"
                found[f"{'deferred' if deferring else 'eager'}:{name}"] = hashlib.sha256(text.encode()).hexdigest()
        finally:
            reader.defer_diagrams(True)
    return found


def main(root: Path = HERE) -> dict[str, object]:
    """The per-read fingerprints and their digest."""
    found = fingerprints(reference_files(root), root)
    digest = hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()
    return {"reads": len(found), "digest": digest, "files": found}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE), sort_keys=True))
