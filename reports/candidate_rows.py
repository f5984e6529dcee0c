"""The rows of 候補一覧 (the candidates page) and of the capacity view, written in Python.

The candidates page lists every step of the portfolio: 50,000 rows at a
thousand flows.  As a Jinja loop each row cost frames, context look-ups and a
macro call (``legal_tag``); here it is string joining over the row's view model
(:class:`reports.views.StepRow`), as :mod:`reports.flow_rows` does for the flow
pages' step tables.  The markup — whitespace included — is what the loop in
``candidates.html`` wrote: ``tests/reports/test_candidate_rows.py`` renders
that loop (and ``capacity.html``'s) beside this code for rows that take every branch, reviewed or not.

Every user string is escaped (:func:`markupsafe.escape`, what autoescape does);
the bilingual pieces come from :mod:`reports.markup`.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from reports.flow_rows import legal_tag
from reports.markup import bi, disp, num, tr

__all__ = ["candidate_rows", "capacity_rows"]


def candidate_rows(view: Any) -> Markup:
    """The ``<tr>`` elements of the candidates table, one per row of a :class:`~reports.views.CandidatesPage`
    (with the 判断 column when ``view.reviewed``)."""
    if view.reviewed:
        none = bi(view.review_text["none"])
        return Markup("".join([_candidate(row, _review_cell(row, none)) for row in view.rows]))
    return Markup("".join([_candidate(row, "") for row in view.rows]))


def capacity_rows(view: Any) -> Markup:
    """The ``<tr>`` elements of the capacity view (``capacity.html``): the same list ranked by capacity, with
    the capacity column instead of hours freed and only the public-authority chip."""
    legal = f' <span class="tag legal">{tr("step.legal_short")}</span>'
    return Markup("".join([
        f"{_opening(row, row.capacity_rank, legal if row.legal_authority else '')}"
        f"      {num(row.confidence)}{num(row.annual_count)}{num(row.minutes)}{num(row.hours)}{num(row.fte)}"
        f"{num(row.capacity)}{num(row.npv)}\n"
        "    </tr>\n"
        for row in view.rows
    ]))


def _candidate(row: Any, review: str) -> str:
    return (
        f"{_opening(row, row.rank, f' {legal_tag(row)}')}"
        f"{review}"
        f"      {num(row.confidence)}{num(row.annual_count)}{num(row.minutes)}{num(row.hours)}{num(row.fte)}"
        f"{num(row.hours_freed)}{num(row.npv)}{num(row.capacity_rank)}\n"
        "    </tr>\n"
    )


def _opening(row: Any, rank: Any, legal: str) -> str:
    """The row's start: its filter attributes, rank, name (with ``legal`` after the link), flow, lane and
    disposition cells — what both lists write alike."""
    disposition = row.disposition
    lane = escape(row.lane)
    flow = row.flow
    flow_text = escape(flow.text)
    name = escape(row.name)
    gate = f'<br><span class="tag cost-gate">{bi(row.cost_gate)}</span>' if row.cost_gate else ""
    return (
        f'    <tr class="{escape(disposition.css_class)}" data-flow="{escape(row.flow_key)}" data-lane="{lane}"'
        f' data-disposition="{escape(disposition.key)}">\n'
        f"      {num(rank)}\n"
        f'      <td class="name" data-sort="{name}"><a href="{escape(row.href)}">{name}</a>{legal}</td>\n'
        f'      <td data-sort="{flow_text}"><a href="{escape(flow.href)}">{flow_text}</a></td>\n'
        f'      <td data-sort="{lane}">{escape(row.lane or "—")}</td>\n'
        f'      <td data-sort="{escape(disposition.key)}">{disp(disposition)}{gate}</td>\n'
    )


def _review_cell(row: Any, none: Markup) -> str:
    """The 判断 cell: the decision read back from the decisions sheet, its owner and comment."""
    review = row.review
    if not review:
        return f'<td class="review" data-sort="">{none}</td>'
    owner = f" <small>{escape(review.owner)}</small>" if review.owner else ""
    comment = f'<br><small class="sub">{escape(review.comment)}</small>' if review.comment else ""
    return (f'<td class="review" data-sort="{escape(review.key)}"><span class="tag review-{escape(review.key)}">'
            f"{bi(review.label)}</span>{owner}{comment}</td>")
