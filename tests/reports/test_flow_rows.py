"""The step rows written in Python are the rows flow.html's Jinja loop wrote, character for character."""

from __future__ import annotations

from types import SimpleNamespace as Row

import pytest
from jinja2 import DictLoader, Environment

from reports import markup
from reports.flow_rows import step_rows
from reports.i18n import Bilingual, t

# flow.html's step loop and _legal.html's two macros as they were before reports/flow_rows.py.
_LOOP = """\
{% from "legal.html" import legal_tag, legal_details %}
    <tbody>
    {% for row in rows %}
      <tr id="{{ row.anchor }}" class="{{ row.disposition.css_class }}" data-element-id="{{ row.element_id }}">
        {{ num(row.rank) }}
        <td class="name" data-sort="{{ row.name }}"><strong>{{ row.name }}</strong>
          <small class="sub">{{ row.lane or '—' }} · {{ bi(row.kind) }}</small>
          {{ legal_tag(row) }}
          {% if row.review %}<span class="tag review-{{ row.review.key }}" title="{{ row.review.owner }} {{ row.review.comment }}">{{ bi(row.review.label) }}</span>{% endif %}
          {% for f in row.findings %}<span class="tag sev-{{ f.severity }}" title="{{ f.message.ja }}{% if not f.message.neutral %} / {{ f.message.en }}{% endif %}">{{ bi(f.severity_label) }}: {{ f.rule }}</span>{% endfor %}
        </td>
        {{ num(row.visits) }}{{ num(row.annual_count) }}{{ num(row.minutes) }}{{ num(row.hours) }}{{ num(row.fte) }}
        <td class="features">
          {% if row.features %}
          <dl>
          {% for feature in row.features %}
            <div><dt>{{ bi(feature.label) }}</dt><dd><span class="mini-bar"><span style="width: {{ feature.percent }}%"></span></span>{{ bi(feature.value) }}</dd></div>
          {% endfor %}
          </dl>
          {% else %}—{% endif %}
        </td>
        <td data-sort="{{ row.disposition.key }}">{{ disp(row.disposition) }}{% if row.cost_gate %}<br><span class="tag cost-gate">{{ bi(row.cost_gate) }}</span>{% endif %}</td>
        {{ num(row.confidence) }}
        <td class="reasons">
          {% if row.reasons %}
          <ul>{% for reason in row.reasons %}<li>{{ bi(reason) }}</li>{% endfor %}</ul>
          {% endif %}
          <details>
            <summary>{{ tr('step.details') }}</summary>
            <div class="details-body">
              <p class="money">{{ tr('col.cost') }}: {{ bi(row.cost.text) }}</p>
              <p class="money">{{ tr('money.hours_label') }}: {{ bi(row.hours_freed.text) }}</p>
              <p class="money">{{ tr('money.cash_label') }}: {{ bi(row.npv_range) }} · {{ tr('col.saving') }}: {{ bi(row.saving.text) }} · {{ tr('col.one_off') }}: {{ bi(row.one_off.text) }} · {{ tr('col.payback') }}: {{ bi(row.payback.text) }}</p>
              {{ legal_details(row) }}
              {% if row.data_sources %}
              <h4>{{ tr('step.data_sources') }}</h4>
              <ul class="sources">{% for s in row.data_sources %}<li>{{ bi(s.label) }}: {{ bi(s.value) }}</li>{% endfor %}</ul>
              {% endif %}
              {% if row.evidence %}
              <h4>{{ tr('step.evidence') }}</h4>
              {#- comment -#}
              <dl class="evidence">
                {% for e in row.evidence %}
                <div class="evidence-item"><dt>{{ bi(e.feature) }} <span class="evidence-value">{{ e.value }}</span> <span class="evidence-source">（{{ bi(e.source) }}）</span></dt><dd>{{ bi(e.detail) }}</dd></div>
                {% endfor %}
              </dl>
              {% endif %}
            </div>
          </details>
        </td>
      </tr>
    {% endfor %}
    </tbody>
"""  # noqa: E501

_LEGAL = """\
{% macro legal_tag(row) -%}
{%- if row.legal and row.legal.tag -%}
<span class="tag legal legal-{{ row.legal.key }}{% if row.legal.conflict %} legal-conflict{% endif %}">{{ bi(row.legal.tag) }}</span>
{%- elif row.legal_authority -%}
<span class="tag legal">{{ tr('step.legal_short') }}</span>
{%- endif -%}
{%- endmacro %}

{% macro legal_details(row) %}
{% if row.legal %}
<h4>{{ tr('legal.evidence') }}: <span class="legal-{{ row.legal.key }}">{{ bi(row.legal.label) }}</span></h4>
{% if row.legal.basis %}<p class="legal-basis"><strong>{{ tr('legal.basis') }}:</strong> {{ bi(row.legal.basis) }}</p>{% endif %}
{% if row.legal.override %}<p class="legal-override"><strong>{{ tr('legal.override_reason') }}:</strong> {{ row.legal.override }}</p>{% endif %}
{% if row.legal.resolve %}<p class="legal-resolve"><strong>{{ tr('legal.resolve') }}:</strong> {{ bi(row.legal.resolve) }}</p>{% endif %}
<ul class="legal-claims">
{% for c in row.legal.claims %}
  <li class="legal-{{ c.key }}"><strong>{{ bi(c.label) }}</strong> ({{ bi(c.source) }}): {{ bi(c.text) }}{% if c.reference %}<br><small class="hint">{{ c.reference }}</small>{% endif %}</li>
{% endfor %}
</ul>
{% endif %}
{% endmacro %}
"""  # noqa: E501


def _template_rows(rows: list[Row]) -> str:
    env = Environment(loader=DictLoader({"loop.html": _LOOP, "legal.html": _LEGAL}), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals["t"] = t
    markup.install(env)
    return env.get_template("loop.html").render(rows=rows)


def _q(sort: object, text: str) -> Row:
    return Row(sort=sort, text=Bilingual(text, text))


HOSTILE = '<b>"x" & \'y\'</b>'


def _row(index: int, *, full: bool) -> Row:
    both = Bilingual(f"年間 {index} 時間 {HOSTILE}", f"{index} h {HOSTILE}")
    legal = Row(
        key="authority", label=Bilingual("公権力の行使", "public authority"),
        tag=Bilingual("公権力", "authority") if full else None, conflict=full,
        override=f"profile.toml: {HOSTILE}" if full else "",
        basis=both if full else None, resolve=both if full else None,
        claims=(Row(key="factual", label=both, source=Bilingual("手順名", "step name"), text=both,
                    reference=HOSTILE if full else ""),),
    ) if index % 3 else None
    return Row(
        anchor=f"step-{index}", element_id=f"Task_{index}{HOSTILE}", name=f"受付 {HOSTILE}",
        lane=HOSTILE if full else "", kind=Bilingual("手作業タスク", "Manual task"),
        disposition=Row(key="rpa", css_class="disp-rpa", label=Bilingual("RPA", "RPA")),
        rank=_q(index, str(index)), visits=_q(1.0, "1.00"), annual_count=_q(None, "—"),
        minutes=_q("a<b", "1.5"), hours=_q(3, "3"), fte=_q(0.5, "0.50"), confidence=_q(0.9, "0.90"),
        legal_authority=index % 2 == 0, legal=legal,
        review=Row(key="agree", owner=HOSTILE, comment="ok", label=both) if full else None,
        findings=(Row(severity="warning", rule="R1", severity_label=Bilingual("警告", "warning"),
                      message=Bilingual(HOSTILE, "en" if full else HOSTILE)),) if full else (),
        features=(Row(label=both, percent=37, value=Bilingual.same("0.37")),) if full else (),
        cost_gate=both if full else None,
        reasons=(both, Bilingual.same("same")) if full else (),
        cost=_q(0, "¥0"), hours_freed=_q(0, "0"), npv_range=both, saving=_q(0, "0"), one_off=_q(0, "0"),
        payback=_q(0, "never"),
        data_sources=(Row(label=both, value=Bilingual("調査票", "survey")),) if full else (),
        evidence=(Row(feature=both, value=HOSTILE, source=both, detail=Bilingual.same(HOSTILE)),) if full else (),
    )


@pytest.mark.parametrize("full", [True, False])
def test_python_rows_match_the_template_loop(full: bool) -> None:
    rows = [_row(index, full=full) for index in range(6)]
    assert f"    <tbody>\n{step_rows(rows)}    </tbody>\n" == _template_rows(rows)


def test_no_rows_no_markup() -> None:
    assert step_rows([]) == ""
