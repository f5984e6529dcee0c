#!/bin/sh
# Byte-identity of `bpm score` (flows/ and a synthetic portfolio, JSON and XLSX, -j 1 and -j 2) and of the
# `bpm compare` site of flows/compare, base tree vs this tree (branch assess5).
# usage: sh bench/assess5_identity.sh BASE_DIR NEW_DIR OUT_DIR PORTFOLIO_DIR   (run with the worktree's venv on PATH)
# A tree whose outputs are already in OUT_DIR (its compare-site written last) is not run again.
set -eu
base=$1 new=$2 out=$3 portfolio=$4
py=${PYTHON:-python}
export SOURCE_DATE_EPOCH=1700000000 BPM_CACHE_DIR=off
for tree in base new; do
  eval dir=\$$tree
  if [ -d "$out/$tree/compare-site" ]; then continue; fi
  mkdir -p "$out/$tree"
  for j in 1 2; do
    (cd "$dir" && PYTHONPATH="$dir" $py -m bpm.cli score flows -o "$out/$tree/flows-j$j.json" -j $j >/dev/null 2>&1 || true)
    (cd "$dir" && PYTHONPATH="$dir" $py -m bpm.cli score flows -o "$out/$tree/flows-j$j.xlsx" -j $j >/dev/null 2>&1 || true)
  done
  # timed (user, sys CPU-s of the process and its workers, peak KiB of the largest)
  (cd "$dir" && PYTHONPATH="$dir" /usr/bin/time -f "synthetic.json %U %S %M" -a -o "$out/$tree/time.log" \
    $py -m bpm.cli score "$portfolio" -o "$out/$tree/synthetic.json" -j 2 >/dev/null 2>&1 || true)
  (cd "$dir" && PYTHONPATH="$dir" $py -m bpm.cli score "$portfolio" -o "$out/$tree/synthetic.xlsx" -j 2 >/dev/null 2>&1 || true)
  (cd "$dir" && PYTHONPATH="$dir" $py -m bpm.cli compare flows/compare/* -o "$out/$tree/compare-site" -j 2 >/dev/null 2>&1 || true)
done
for f in flows-j1.json flows-j2.json flows-j1.xlsx flows-j2.xlsx synthetic.json synthetic.xlsx; do
  if cmp -s "$out/base/$f" "$out/new/$f"; then echo "same $f $(wc -c <"$out/new/$f") bytes"; else echo "DIFFERENT $f"; fi
done
if diff -r "$out/base/compare-site" "$out/new/compare-site" >/dev/null; then
  echo "same compare-site $(find "$out/new/compare-site" -type f | wc -l) files"
else echo "DIFFERENT compare-site"; fi
