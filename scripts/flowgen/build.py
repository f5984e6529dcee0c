"""Build every output from the procedure descriptions and write (or check) it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from flowgen.layout import layout_views
from flowgen.spec import FileSpec
from flowgen.workbook import csv_bytes, glossary, glossary_bytes, sheet_rows, workbook_bytes
from flowgen.write import to_xml

PROCEDURES = (
    "tennyu",
    "juminhyo",
    "tenshutsu",
    "tenkyo",
    "konbini",
    "yuso",
    "inkan",
    "koseki",
    "koseki_shomei",
    "mynumber",
    "kokuho",
    "jidoteate",
    "onestop",
    "koseki_coarse",
)
"""Procedure modules under flowgen.procedures, in the order the workbook lists them."""


def load_specs(only: list[str] | None = None) -> list[FileSpec]:
    specs: list[FileSpec] = []
    for name in PROCEDURES:
        if only and name not in only:
            continue
        module = importlib.import_module(f"flowgen.procedures.{name}")
        produced = module.spec()
        specs.extend(produced if isinstance(produced, list | tuple) else [produced])
    return specs


def outputs(only: list[str] | None = None) -> dict[str, bytes]:
    """Relative path → file content."""
    files: dict[str, bytes] = {}
    specs = load_specs(only)
    for spec in specs:
        files[spec.file] = to_xml(spec, layout_views(spec))
    if not only:
        product = [s for s in specs if s.file.startswith("flows/")]
        rows = sheet_rows(product)
        files["flows/survey.xlsx"] = workbook_bytes(rows)
        files["tests/data/flows/survey.csv"] = csv_bytes(rows)
        files["flows/glossary.csv"] = glossary_bytes(glossary(product))
    return files


def build_all(root: Path, *, check: bool, only: list[str]) -> int:
    files = outputs(only or None)
    stale = []
    for relative, content in files.items():
        path = root / relative
        if check:
            if not path.is_file() or path.read_bytes() != content:
                stale.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != content:
            path.write_bytes(content)
            print(f"wrote {relative}", file=sys.stderr)
    if stale:
        print("out of date (run python scripts/build_flows.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0
