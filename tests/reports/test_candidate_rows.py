"""The candidates rows written in Python are the rows candidates.html's Jinja loop wrote, character for character."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace as Row

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader

from reports import markup
from reports.candidate_rows import candidate_rows, capacity_rows
from reports.i18n import Bilingual, t
from reports.review import REVIEW_TEXT

TEMPLATES = Path(__file__).resolve().parents[2] / "reports" / "templates"

# candidates.html's row loop as it was before reports/candidate_rows.py; legal_tag is _legal.html's own (the
# index and candidates pages still call it), so the Python chip is compared with the live macro, not a copy.
_LOOP = """\
{% from "_legal.html" import legal_tag %}
  <tbody>
  {% for row in view.rows %}
    <tr class="{{ row.disposition.css_class }}" data-flow="{{ row.flow_key }}" data-lane="{{ row.lane }}" data-disposition="{{ row.disposition.key }}">
      {{ num(row.rank) }}
      <td class="name" data-sort="{{ row.name }}"><a href="{{ row.href }}">{{ row.name }}</a> {{ legal_tag(row) }}</td>
      <td data-sort="{{ row.flow.text }}"><a href="{{ row.flow.href }}">{{ row.flow.text }}</a></td>
      <td data-sort="{{ row.lane }}">{{ row.lane or '—' }}</td>
      <td data-sort="{{ row.disposition.key }}">{{ disp(row.disposition) }}{% if row.cost_gate %}<br><span class="tag cost-gate">{{ bi(row.cost_gate) }}</span>{% endif %}</td>
      {% if view.reviewed %}<td class="review" data-sort="{{ row.review.key if row.review else '' }}">{% if row.review %}<span class="tag review-{{ row.review.key }}">{{ bi(row.review.label) }}</span>{% if row.review.owner %} <small>{{ row.review.owner }}</small>{% endif %}{% if row.review.comment %}<br><small class="sub">{{ row.review.comment }}</small>{% endif %}{% else %}{{ bi(view.review_text['none']) }}{% endif %}</td>{% endif %}
      {{ num(row.confidence) }}{{ num(row.annual_count) }}{{ num(row.minutes) }}{{ num(row.hours) }}{{ num(row.fte) }}{{ num(row.hours_freed) }}{{ num(row.npv) }}{{ num(row.capacity_rank) }}
    </tr>
  {% endfor %}
  </tbody>
"""  # noqa: E501

# capacity.html's row loop as it was before reports/candidate_rows.py.
_CAPACITY = """\
  <tbody>
  {% for row in view.rows %}
    <tr class="{{ row.disposition.css_class }}" data-flow="{{ row.flow_key }}" data-lane="{{ row.lane }}" data-disposition="{{ row.disposition.key }}">
      {{ num(row.capacity_rank) }}
      <td class="name" data-sort="{{ row.name }}"><a href="{{ row.href }}">{{ row.name }}</a>{% if row.legal_authority %} <span class="tag legal">{{ tr('step.legal_short') }}</span>{% endif %}</td>
      <td data-sort="{{ row.flow.text }}"><a href="{{ row.flow.href }}">{{ row.flow.text }}</a></td>
      <td data-sort="{{ row.lane }}">{{ row.lane or '—' }}</td>
      <td data-sort="{{ row.disposition.key }}">{{ disp(row.disposition) }}{% if row.cost_gate %}<br><span class="tag cost-gate">{{ bi(row.cost_gate) }}</span>{% endif %}</td>
      {{ num(row.confidence) }}{{ num(row.annual_count) }}{{ num(row.minutes) }}{{ num(row.hours) }}{{ num(row.fte) }}{{ num(row.capacity) }}{{ num(row.npv) }}
    </tr>
  {% endfor %}
  </tbody>
"""  # noqa: E501


def _template_rows(view: Row, template: str = "loop.html") -> str:
    env = Environment(loader=ChoiceLoader([DictLoader({"loop.html": _LOOP, "capacity.html": _CAPACITY}),
                                           FileSystemLoader(TEMPLATES)]),
                      autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals["t"] = t
    markup.install(env)
    return env.get_template(template).render(view=view)


def _q(sort: object, text: str) -> Row:
    return Row(sort=sort, text=Bilingual(text, text))


HOSTILE = '<b>"x" & \'y\'</b>'


def _row(index: int) -> Row:
    both = Bilingual(f"年間 {index} 時間 {HOSTILE}", f"{index} h {HOSTILE}")
    legal = Row(key="authority", tag=Bilingual("公権力", "authority") if index % 2 else None,
                conflict=index % 4 == 1) if index % 3 else None
    review = Row(key=f"agree{HOSTILE}", label=both, owner=HOSTILE if index % 2 else "",
                 comment=HOSTILE if index % 4 < 2 else "") if index % 5 else None
    return Row(
        href=f"flow-{index}.html#step-{index}{HOSTILE}", name=f"受付 {HOSTILE}",
        flow=Row(href=f"flow-{index}.html{HOSTILE}", text=f"流れ {HOSTILE}"), flow_key=f"flow-{index}{HOSTILE}",
        lane=HOSTILE if index % 2 else "",
        disposition=Row(key="rpa", css_class="disp-rpa", label=Bilingual("RPA", "RPA")),
        rank=_q(index, str(index)), annual_count=_q(None, "—"), minutes=_q("a<b", "1.5"), hours=_q(3, "3"),
        fte=_q(0.5, "0.50"), confidence=_q(0.9, "0.90"), hours_freed=_q(1, "1"), npv=_q(-2.5, "−¥2"),
        capacity_rank=_q(None, HOSTILE), capacity=_q(index * 0.5, f"{index} {HOSTILE}"),
        legal_authority=index % 2 == 0, legal=legal,
        cost_gate=both if index % 3 == 1 else None, review=review,
    )


@pytest.mark.parametrize("reviewed", [True, False])
def test_python_rows_match_the_template_loop(reviewed: bool) -> None:
    view = Row(rows=[_row(index) for index in range(12)], reviewed=reviewed, review_text=REVIEW_TEXT)
    assert f"  <tbody>\n{candidate_rows(view)}  </tbody>\n" == _template_rows(view)


def test_capacity_rows_match_the_template_loop() -> None:
    view = Row(rows=[_row(index) for index in range(12)])
    assert f"  <tbody>\n{capacity_rows(view)}  </tbody>\n" == _template_rows(view, "capacity.html")


def test_hostile_names_are_escaped() -> None:
    view = Row(rows=[_row(1)], reviewed=True, review_text=REVIEW_TEXT)
    html = str(candidate_rows(view))
    assert HOSTILE not in html
    assert "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;" in html


def test_no_rows_no_markup() -> None:
    assert candidate_rows(Row(rows=[], reviewed=True, review_text=REVIEW_TEXT)) == ""
    assert capacity_rows(Row(rows=[])) == ""
