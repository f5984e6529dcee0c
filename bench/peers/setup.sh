#!/usr/bin/env bash
# Create bench/peers/.venv and install the peer BPMN readers (pm4py, SpiffWorkflow) from PyPI.
# Their own environment: their dependencies never mix with the scanner's, and nothing of theirs is committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
if [ ! -x "$here/.venv/bin/python" ]; then
    "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$here/.venv/bin/python" - <<'PY'
from importlib.metadata import version
print("peers ready:", ", ".join(f"{name} {version(name)}" for name in ("pm4py", "SpiffWorkflow")))
PY
