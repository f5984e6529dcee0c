#!/usr/bin/env python3
"""Rebuild the sample flows, the survey workbook and the glossary from scripts/flowgen.

    python scripts/build_flows.py            # write flows/ and the test data
    python scripts/build_flows.py --check    # exit 1 when a committed file differs from what the specs give
    python scripts/build_flows.py --only tennyu

The committed files are the product; this script lets them be rebuilt and reviewed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from flowgen.build import build_all  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    parser.add_argument("--only", action="append", default=[], help="build only these procedure modules")
    args = parser.parse_args(argv)
    return build_all(ROOT, check=args.check, only=args.only)


if __name__ == "__main__":
    sys.exit(main())
