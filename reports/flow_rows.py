"""The rows of a flow page's step table, written in Python.

The step table is nearly all of a flow page: per step a dozen cells, ten
feature bars, the reasons, the legal evidence, the data sources and a dozen
evidence items, every label in both languages.  As a Jinja loop it cost
≈ 2 ms a row in frames, context look-ups and macro calls; here it is string
joining over the row's view model (:class:`reports.views.StepRow`), several
times cheaper.  The markup — whitespace included — is what the loop in
``flow.html`` wrote (``tests/reports/test_flow_rows.py`` renders that loop
beside this code for rows that take every branch, and the ``flow.html`` pages
of the ``flows/`` site are byte-identical to the template's).

Every user string is escaped (:func:`markupsafe.escape`); the bilingual
pieces come from :mod:`reports.markup`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from reports.markup import bi, disp, num, tr

__all__ = ["step_rows"]


def step_rows(rows: Iterable[Any]) -> Markup:
    """The ``<tr>`` elements of the step table, one per :class:`~reports.views.StepRow`."""
    return Markup("".join([_row(row) for row in rows]))


def _row(row: Any) -> str:
    disposition = row.disposition
    gate = f'<br><span class="tag cost-gate">{bi(row.cost_gate)}</span>' if row.cost_gate else ""
    return (
        f'      <tr id="{escape(row.anchor)}" class="{escape(disposition.css_class)}"'
        f' data-element-id="{escape(row.element_id)}">\n'
        f"        {num(row.rank)}\n"
        f"{_name_cell(row)}"
        f"        {num(row.visits)}{num(row.annual_count)}{num(row.minutes)}{num(row.hours)}{num(row.fte)}\n"
        f"{_features_cell(row.features)}"
        f'        <td data-sort="{escape(disposition.key)}">{disp(disposition)}{gate}</td>\n'
        f"        {num(row.confidence)}\n"
        f"{_reasons_cell(row)}"
        "      </tr>\n"
    )


def _name_cell(row: Any) -> str:
    review = row.review
    review_tag = (f'<span class="tag review-{escape(review.key)}" title="{escape(review.owner)} '
                  f'{escape(review.comment)}">{bi(review.label)}</span>') if review else ""
    findings = "".join([_finding_tag(f) for f in row.findings])
    return (
        f'        <td class="name" data-sort="{escape(row.name)}"><strong>{escape(row.name)}</strong>\n'
        f'          <small class="sub">{escape(row.lane or "—")} · {bi(row.kind)}</small>\n'
        f"          {legal_tag(row)}\n"
        f"{review_tag}{findings}"
        "        </td>\n"
    )


def _finding_tag(finding: Any) -> str:
    message = finding.message
    title = escape(message.ja) if message.neutral else f"{escape(message.ja)} / {escape(message.en)}"
    return (f'<span class="tag sev-{escape(finding.severity)}" title="{title}">{bi(finding.severity_label)}: '
            f"{escape(finding.rule)}</span>")


def _features_cell(features: Any) -> str:
    if not features:
        return '        <td class="features">\n—        </td>\n'
    items = "".join([
        f'            <div><dt>{bi(f.label)}</dt><dd><span class="mini-bar"><span style="width: '
        f'{escape(f.percent)}%"></span></span>{bi(f.value)}</dd></div>\n'
        for f in features
    ])
    return f'        <td class="features">\n          <dl>\n{items}          </dl>\n        </td>\n'


def _reasons_cell(row: Any) -> str:
    items = "".join([f"<li>{bi(reason)}</li>" for reason in row.reasons])
    reasons = f"          <ul>{items}</ul>\n" if row.reasons else ""
    return (
        '        <td class="reasons">\n'
        f"{reasons}"
        "          <details>\n"
        f"            <summary>{tr('step.details')}</summary>\n"
        '            <div class="details-body">\n'
        f'              <p class="money">{tr("col.cost")}: {bi(row.cost.text)}</p>\n'
        f'              <p class="money">{tr("money.hours_label")}: {bi(row.hours_freed.text)}</p>\n'
        f'              <p class="money">{tr("money.cash_label")}: {bi(row.npv_range)} · {tr("col.saving")}: '
        f'{bi(row.saving.text)} · {tr("col.one_off")}: {bi(row.one_off.text)} · {tr("col.payback")}: '
        f"{bi(row.payback.text)}</p>\n"
        f"              {legal_details(row)}\n"
        f"{_sources(row.data_sources)}"
        f"{_evidence(row.evidence)}"
        "            </div>\n"
        "          </details>\n"
        "        </td>\n"
    )


def _sources(sources: Any) -> str:
    if not sources:
        return ""
    items = "".join([f"<li>{bi(s.label)}: {bi(s.value)}</li>" for s in sources])
    return f'              <h4>{tr("step.data_sources")}</h4>\n              <ul class="sources">{items}</ul>\n'


def _evidence(evidence: Any) -> str:
    if not evidence:
        return ""
    items = "".join([
        f'                <div class="evidence-item"><dt>{bi(e.feature)} <span class="evidence-value">'
        f'{escape(e.value)}</span> <span class="evidence-source">（{bi(e.source)}）</span></dt>'
        f"<dd>{bi(e.detail)}</dd></div>\n"
        for e in evidence
    ])
    return f'              <h4>{tr("step.evidence")}</h4><dl class="evidence">\n{items}              </dl>\n'


def legal_tag(row: Any) -> Markup:
    """The legal chip after a step's name (``_legal.html``'s ``legal_tag``)."""
    legal = row.legal
    if legal and legal.tag:
        conflict = " legal-conflict" if legal.conflict else ""
        return Markup(f'<span class="tag legal legal-{escape(legal.key)}{conflict}">{bi(legal.tag)}</span>')
    if row.legal_authority:
        return Markup(f'<span class="tag legal">{tr("step.legal_short")}</span>')
    return Markup("")


def legal_details(row: Any) -> Markup:
    """A step's legal evidence in its details panel (``_legal.html``'s ``legal_details``)."""
    legal = row.legal
    if not legal:
        return Markup("")
    parts = [f'<h4>{tr("legal.evidence")}: <span class="legal-{escape(legal.key)}">{bi(legal.label)}</span></h4>\n']
    if legal.basis:
        parts.append(f'<p class="legal-basis"><strong>{tr("legal.basis")}:</strong> {bi(legal.basis)}</p>')
    if legal.override:
        parts.append(f'<p class="legal-override"><strong>{tr("legal.override_reason")}:</strong> '
                     f"{escape(legal.override)}</p>")
    if legal.resolve:
        parts.append(f'<p class="legal-resolve"><strong>{tr("legal.resolve")}:</strong> {bi(legal.resolve)}</p>')
    parts.append('<ul class="legal-claims">\n')
    for claim in legal.claims:
        reference = f'<br><small class="hint">{escape(claim.reference)}</small>' if claim.reference else ""
        parts.append(f'  <li class="legal-{escape(claim.key)}"><strong>{bi(claim.label)}</strong> '
                     f"({bi(claim.source)}): {bi(claim.text)}{reference}</li>\n")
    parts.append("</ul>\n")
    return Markup("".join(parts))
