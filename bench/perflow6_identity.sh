#!/bin/sh
# Byte-identity, base tree vs this tree (branch perflow6): `bpm score flows` JSON and XLSX at -j 1 and -j 2 (run
# from each tree's own directory: scenario ids hash the relative path), `bpm score` of a synthetic portfolio
# (JSON and XLSX, -j 2 and JSON -j 1), and the `bpm scan flows` site (-j 2 and -j 1, diff -r).
# usage: sh bench/perflow6_identity.sh TREE_DIR OUT_DIR PORTFOLIO_DIR   (once for the base, once for the new tree)
#        sh bench/perflow6_identity.sh --compare BASE_OUT NEW_OUT
set -eu
if [ "$1" = "--compare" ]; then
  b=$2 n=$3
  for f in flows-j1.json flows-j2.json flows-j1.xlsx flows-j2.xlsx synthetic-j2.json synthetic-j1.json synthetic-j2.xlsx; do
    if cmp -s "$b/$f" "$n/$f"; then echo "same $f $(wc -c <"$n/$f") bytes"; else echo "DIFFERENT $f"; fi
  done
  for s in site-j2 site-j1; do
    if diff -r "$b/$s" "$n/$s" >/dev/null; then echo "same $s $(find "$n/$s" -type f | wc -l) files"; else echo "DIFFERENT $s"; fi
  done
  if diff -r "$n/site-j1" "$n/site-j2" >/dev/null; then echo "new: site -j 1 = -j 2"; else echo "new: site -j 1 DIFFERS from -j 2"; fi
  exit 0
fi
dir=$1 out=$2 portfolio=$3
py=${PYTHON:-python}
export SOURCE_DATE_EPOCH=1700000000 BPM_CACHE_DIR=off
mkdir -p "$out"
cd "$dir"
export PYTHONPATH="$dir"
for j in 1 2; do
  $py -m bpm.cli score flows -o "$out/flows-j$j.json" -j $j >/dev/null 2>&1 || true
  $py -m bpm.cli score flows -o "$out/flows-j$j.xlsx" -j $j >/dev/null 2>&1 || true
  $py -m bpm.cli score "$portfolio" -o "$out/synthetic-j$j.json" -j $j >/dev/null 2>&1 || true
  $py -m bpm.cli scan flows --out "$out/site-j$j" -j $j >/dev/null 2>&1 || true
done
$py -m bpm.cli score "$portfolio" -o "$out/synthetic-j2.xlsx" -j 2 >/dev/null 2>&1 || true
