"""Review decisions in the report: each candidate's 判断, and decisions whose step has gone.

The decisions come from :mod:`scoring.decisions`; here they become plain view
models for the templates (the candidate table's 判断 column, a tag on the
flow pages' step rows, and the list of decisions that no longer match a step).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from reports.i18n import Bilingual
from scoring.decisions import Decision, ReviewDecision, Reviews

__all__ = ["REVIEW_TEXT", "OrphanView", "ReviewView", "orphan_views", "review_view"]

_LABELS: Mapping[Decision | None, Bilingual] = {
    Decision.ACCEPT: Bilingual("採用", "Accepted"),
    Decision.REJECT: Bilingual("不採用", "Rejected"),
    Decision.DEFER: Bilingual("保留", "Deferred"),
    None: Bilingual("検討中", "Under review"),
}

REVIEW_TEXT: Mapping[str, Bilingual] = MappingProxyType({
    "column": Bilingual("判断", "Review"),
    "none": Bilingual("未判断", "Not reviewed"),
    "orphans": Bilingual("手順が見つからない判断", "Decisions whose step is gone"),
    "orphans_explain": Bilingual(
        "判断シートにあるが、今回のフローに該当する手順がない行です（手順の削除・作り直し）。判断を見直してください。",
        "Rows of the decisions sheet whose step is not in the flows any more (deleted or re-created). "
        "Review them again.",
    ),
    "sheet": Bilingual("判断シート", "Decisions sheet"),
    "owner": Bilingual("担当", "Owner"),
    "comment": Bilingual("コメント", "Comment"),
    "step": Bilingual("手順", "Step"),
    "row": Bilingual("行", "Row"),
})
"""Words of the review parts of the pages, Japanese first."""


@dataclass(frozen=True, slots=True)
class ReviewView:
    """One step's review status."""

    key: str
    """``accept``, ``reject``, ``defer`` or ``pending`` (CSS class and filter value)."""
    label: Bilingual
    """The decision in words."""
    owner: str
    """担当."""
    comment: str
    """コメント."""


@dataclass(frozen=True, slots=True)
class OrphanView:
    """A decision whose step is not in the flows any more."""

    location: str
    """``sheet.xlsx:12``."""
    label: Bilingual
    """The decision."""
    step: str
    """Step name (or id) as the sheet has it."""
    flow: str
    """Flow name or process id as the sheet has it."""
    file: str
    """BPMN file name as the sheet has it."""
    owner: str
    """担当."""
    comment: str
    """コメント."""


def review_view(decision: ReviewDecision | None) -> ReviewView | None:
    """The status shown for a step (None when the sheet says nothing about it)."""
    if decision is None:
        return None
    key = decision.decision.value if decision.decision is not None else "pending"
    return ReviewView(key, _LABELS[decision.decision], decision.owner, decision.comment)


def orphan_views(reviews: Reviews | None) -> tuple[OrphanView, ...]:
    """Every decision whose step has gone, in sheet order."""
    if reviews is None:
        return ()
    sheet = reviews.sheet.replace("\\", "/").rsplit("/", 1)[-1]
    return tuple(
        OrphanView(
            location=f"{sheet}:{o.row}",
            label=_LABELS[o.decision],
            step=o.name or o.step_id,
            flow=o.flow or o.process_id,
            file=o.file,
            owner=o.owner,
            comment=o.comment,
        )
        for o in sorted(reviews.orphans, key=lambda o: o.row)
    )
