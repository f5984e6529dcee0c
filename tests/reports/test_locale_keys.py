"""Every UI text of reports/locales/*.toml is read by something (issue 10 item 4: no dead, shadowed data).

A key is read when its full dotted name is quoted in the sources (Python of bpm/, scoring/, reports/ and the
Jinja templates), or when it falls under a prefix the sources complete at run time (``f"feature.{name}"``,
``'kind.' ~ kind``, ``_open("severity", s)``).  The ``[param]`` labels, shadowed by reports/parameters.toml,
were deleted this way.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from reports.i18n import LANGS, _flatten

REPO = Path(__file__).resolve().parents[2]


def _sources() -> str:
    paths = [p for folder in ("bpm", "scoring", "reports") for p in (REPO / folder).rglob("*.py")]
    paths += list((REPO / "reports" / "templates").rglob("*.html"))
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(paths))


def _dynamic_prefixes(source: str) -> set[str]:
    """Key beginnings the code completes: an f-string field, a Jinja ``~``/``+`` or a prefix argument."""
    completed = re.findall(r"""["']([a-z_]+(?:\.[a-z_0-9]+)*[._])(?:\{|["']\s*[~+])""", source)
    opened = re.findall(r"""_open\(\s*["']([a-z_.]+)["']""", source)
    return set(completed) | {f"{prefix}." for prefix in opened}


def _keys(lang: str) -> set[str]:
    return set(_flatten(tomllib.loads((REPO / "reports" / "locales" / f"{lang}.toml").read_text(encoding="utf-8"))))


def test_every_locale_key_is_read() -> None:
    source = _sources()
    prefixes = _dynamic_prefixes(source)
    quoted = set(re.findall(r"""["']([a-z_0-9]+(?:\.[a-z_0-9]+)+)["']""", source))
    for lang in LANGS:
        unused = sorted(key for key in _keys(lang)
                        if key not in quoted and not any(key.startswith(prefix) for prefix in prefixes))
        assert not unused, f"locales/{lang}.toml: {unused}"


def test_the_shadowed_parameter_labels_are_gone() -> None:
    """reports/parameters.toml names every parameter; the old ``[param]`` table was never read."""
    for lang in LANGS:
        assert not any(key.startswith("param.") for key in _keys(lang))
