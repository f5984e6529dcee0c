"""The bilingual pieces in Python write what the Jinja macros they replace wrote, character for character."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from jinja2 import Environment
from markupsafe import Markup

from reports import markup
from reports.format import ja_spacing
from reports.i18n import Bilingual, t

# The macros as _macros.html held them before reports/markup.py (the reference the Python must match).
_MACROS = """\
{% macro tr(key) %}<span lang="ja">{{ t(key, 'ja') | ja }}</span><span lang="en">{{ t(key, 'en') }}</span>{% endmacro %}
{% macro trp(key) %}<span lang="ja">{{ t(key, 'ja', **kwargs) | ja }}</span><span lang="en">{{ t(key, 'en', **kwargs) }}</span>{% endmacro %}
{% macro bi(text) %}{% if text.neutral %}{{ text.ja }}{% else %}<span lang="ja">{{ text.ja | ja }}</span><span lang="en">{{ text.en }}</span>{% endif %}{% endmacro %}
{% macro num(q) %}<td class="num" data-sort="{{ q.sort }}">{{ bi(q.text) }}</td>{% endmacro %}
{% macro disp(d) %}<span class="disp {{ d.css_class }}">{{ bi(d.label) }}</span>{% endmacro %}
{% macro th(key, numeric=false) %}<th scope="col"{% if numeric %} class="num" data-type="number"{% endif %} aria-sort="none"><button type="button" class="sort-button">{{ tr(key) }}</button><span class="sort-print" aria-hidden="true">{{ tr(key) }}</span></th>{% endmacro %}
{% macro plain_th(key, numeric=false) %}<th scope="col"{% if numeric %} class="num"{% endif %}>{{ tr(key) }}</th>{% endmacro %}
{% macro sev(f) %}<span class="sev sev-{{ f.severity }}">{{ bi(f.severity_label) }}</span>{% endmacro %}
"""  # noqa: E501


@dataclass(frozen=True)
class _Quantity:
    sort: object
    text: Bilingual


@dataclass(frozen=True)
class _Chip:
    css_class: str
    label: Bilingual
    severity: str
    severity_label: Bilingual


def _macros() -> object:
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals["t"] = t
    env.filters["ja"] = ja_spacing
    return env.from_string(_MACROS).module


TEXTS = [
    Bilingual("年間 2,315 時間 <b>&amp;", "2,315 h a year <b>&amp;"),
    Bilingual("同じ", "同じ"),
    Bilingual(Markup("<em>年間 1 件</em>"), "<em>1</em>"),
    Bilingual("範囲 -1,863万円", "range -¥18.6M \"quoted\" 'too'"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_bilingual_text_cells_and_chips_match_the_macros(text: Bilingual) -> None:
    old = _macros()
    assert markup.bi(text) == old.bi(text)  # type: ignore[attr-defined]
    for sort in (1.5, None, "a<b", 0):
        quantity = _Quantity(sort, text)
        assert markup.num(quantity) == old.num(quantity)  # type: ignore[attr-defined]
    chip = _Chip('disp-rpa" x="', text, "warn<", text)
    assert markup.disp(chip) == old.disp(chip)  # type: ignore[attr-defined]
    assert markup.sev(chip) == old.sev(chip)  # type: ignore[attr-defined]
    mapping = {"ja": text.ja, "en": text.en, "neutral": text.neutral}  # templates may pass a mapping too
    assert markup.bi(mapping) == old.bi(mapping)  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", ["nav.overview", "col.hours", "flow.print_steps_note", "money.hours_label"])
def test_catalogue_texts_and_headers_match_the_macros(key: str) -> None:
    old = _macros()
    assert markup.tr(key) == old.tr(key)  # type: ignore[attr-defined]
    for numeric in (False, True):
        assert markup.th(key, numeric) == old.th(key, numeric)  # type: ignore[attr-defined]
        assert markup.plain_th(key, numeric) == old.plain_th(key, numeric)  # type: ignore[attr-defined]


def test_catalogue_texts_with_parameters_match_the_macros() -> None:
    old = _macros()
    params = {"small": "4.5", "a3": "6.4"}
    assert markup.trp("flow.print_too_small_a3", **params) == old.trp("flow.print_too_small_a3", **params)  # type: ignore[attr-defined]
