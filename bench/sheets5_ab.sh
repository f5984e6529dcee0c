#!/bin/bash
# Alternate base/new runs of the pictures benchmark (bpm render --plain, PNG+PDF vs SVG), as the sheets5 section of
# bench/README.md did:  bench/sheets5_ab.sh BASE_DIR NEW_DIR OUT_DIR [FLOWS] [ROUNDS]
# BASE_DIR and NEW_DIR are `git archive` extracts of the two commits; each is run from its own folder with
# PYTHONPATH on it and this worktree's venv.  Results: OUT_DIR/<base|new>-<flows>-<round>/results.json (CPU in cpu_s).
set -eu
base=$1 new=$2 out=$3 flows=${4:-10} rounds=${5:-3}
python=$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python
for round in $(seq 1 "$rounds"); do
  for side in base new; do
    if [ "$side" = base ]; then dir=$base; else dir=$new; fi
    (cd "$dir" && PYTHONPATH="$dir" "$python" bench/run.py --only pictures --sizes "picture_flows=$flows" \
      --sizes picture_each_format=0 --sizes picture_plain=1 --repeats 1 --work "$out/work-$side" \
      --out "$out/$side-$flows-$round")
  done
done
