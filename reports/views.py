"""View models: everything a page shows, already formatted, as plain frozen dataclasses.

Templates only lay these out; they never compute, format numbers or look at
the assessment.  That keeps the Jinja files dumb (easy to restyle) and lets
tests check page content without parsing HTML.  Numbers come as
:class:`Quantity` — the text in each language plus the raw value the sortable
tables order by.  UI words are :class:`~reports.i18n.Bilingual`; user data
(step, lane and process names, messages) stays a plain ``str`` and is escaped
by Jinja.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import PurePosixPath, PureWindowsPath
from typing import Protocol
from urllib.parse import quote

from markupsafe import Markup

from bpm.model import Definitions, ElementId, Process, ProcessId, SourceRef
from reports.charts import HoursBar, HoursLabels, hours_chart

# Re-exported: pages built before reports.format existed import these from here.
from reports.format import Quantity as Quantity
from reports.format import file_size as file_size
from reports.format import finite as _finite
from reports.format import fte_ja, hours_ja
from reports.format import missing as _missing
from reports.format import money as money
from reports.format import months as months
from reports.format import number as number
from reports.format import sort_key as _sort
from reports.format import with_unit as with_unit
from reports.format import yen_en as yen_en
from reports.format import yen_ja as yen_ja
from reports.gap_text import gap_message
from reports.i18n import Bilingual, has, t, t_or
from reports.legal_view import FlowLegalView, LegalSummaryView, StepLegalView, flow_legal, legal_summary, step_legal
from reports.overlay import Overlay
from reports.parameters import describe
from reports.review import REVIEW_TEXT, OrphanView, ReviewView, orphan_views, review_view
from reports.sources_view import SourcesPage, cited_parts
from reports.style import DISPOSITION_STYLES
from reports.sureness import SurenessView, param_anchor, param_label, parameter_basis, sureness
from scoring.decisions import ReviewDecision, Reviews
from scoring.evidence_text import Said
from scoring.legal import RULE_TITLES as LEGAL_RULE_TITLES
from scoring.money import RULE_TITLES as MONEY_RULE_TITLES
from scoring.result import (
    Assessment,
    Branch,
    DataGap,
    Disposition,
    LegalClass,
    ProcessAssessment,
    StepAssessment,
    Totals,
)

# --------------------------------------------------------------------------- inputs we only read


class SeverityLike(Protocol):
    """What the site needs of ``bpm.lint.Severity``."""

    @property
    def value(self) -> str: ...


class FindingLike(Protocol):
    """What the site needs of ``bpm.lint.Finding`` (kept structural so reports do not depend on lint)."""

    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> SeverityLike: ...
    @property
    def message(self) -> str: ...
    @property
    def source(self) -> SourceRef: ...
    @property
    def element_id(self) -> str | None: ...
    @property
    def hint(self) -> str | None: ...


FlowKey = tuple[str, ProcessId]
"""A flow is identified by its file and process id (names are not unique)."""

SEVERITIES = ("error", "warning", "info")


# --------------------------------------------------------------------------- small value types


@dataclass(frozen=True, slots=True)
class Link:
    """A link to another page of the site."""

    href: str
    """Relative URL."""
    text: str
    """Link text (user data, e.g. a process name)."""


@dataclass(frozen=True, slots=True)
class DispositionView:
    """A disposition's label and look."""

    key: str
    """Enum value, used for filtering (``rpa``, ``outsource``, …)."""
    label: Bilingual
    """Name in both languages."""
    css_class: str
    """CSS class from :mod:`reports.style`."""


@dataclass(frozen=True, slots=True)
class Stat:
    """A headline figure on the overview page."""

    label: Bilingual
    """What it is."""
    value: Bilingual
    """The formatted number with its unit."""
    note: Bilingual | None = None
    """Small print under the number."""


@dataclass(frozen=True, slots=True)
class LabelledValue:
    """A named value, e.g. a feature or the source of a measurement."""

    label: Bilingual
    """Name."""
    value: Bilingual
    """Value."""
    percent: int = 0
    """0–100 for a small bar (features only)."""


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """One line of evidence under a step."""

    feature: Bilingual
    """Feature or measurement."""
    value: str
    """Value contributed."""
    source: Bilingual
    """Kind of input it came from."""
    detail: Bilingual
    """What the value rests on, in the reader's language (made here from the scoring's sentence id and values;
    may quote user names, which stay as written)."""


@dataclass(frozen=True, slots=True)
class FindingView:
    """A lint finding as listed on a page."""

    severity: str
    """``error``, ``warning`` or ``info`` (CSS class suffix)."""
    severity_label: Bilingual
    """Severity in words."""
    rule: str
    """Rule id."""
    rule_title: Bilingual | None
    """Rule summary, when the rule is known."""
    message: Bilingual
    """Finding text, in each language when the finding has it in each (else the one text in both)."""
    location: str
    """``file:line``."""
    element_id: str
    """Element concerned, or empty."""
    element_name: str
    """Its name when it is a known flow node, else empty."""
    hint: Bilingual | None
    """How to fix it, or None."""
    href: str | None
    """The step on its flow page, or the flow page."""


@dataclass(frozen=True, slots=True)
class GapView:
    """A data gap: an unmatched survey row or a step without measured data."""

    kind: Bilingual
    """Kind in words."""
    message: Bilingual
    """What is missing and what was used instead: Japanese from :mod:`reports.gap_text`, English as scored."""
    location: str
    """Sheet or file with row/line."""
    element_id: str
    """Step concerned, or empty."""
    href: str | None
    """Link to the step when it is on a flow page."""


@dataclass(frozen=True, slots=True)
class StepRow:
    """One assessed step, for the step tables and the candidate list."""

    element_id: str
    """BPMN element id."""
    anchor: str
    """HTML id of the step's row on its flow page."""
    href: str
    """Flow page URL with the anchor."""
    flow: Link
    """The flow page."""
    file_name: str
    """BPMN file name (no directories)."""
    rank: Quantity
    """Portfolio rank (— when it frees nothing)."""
    name: str
    """Step name."""
    lane: str
    """Lane name, or empty."""
    kind: Bilingual
    """BPMN type in words."""
    visits: Quantity
    """Expected executions per case."""
    annual_count: Quantity
    """Executions per year."""
    minutes: Quantity
    """Minutes per execution."""
    hours: Quantity
    """Staff hours per year."""
    fte: Quantity
    """FTE."""
    cost: Quantity
    """Staff cost per year."""
    hours_freed: Quantity
    """Hours the recommendation frees per year."""
    saving: Quantity
    """Saving per year."""
    one_off: Quantity
    """Set-up cost."""
    payback: Quantity
    """Payback in months."""
    net_5y: Quantity
    """Five-year net saving."""
    disposition: DispositionView
    """Recommendation."""
    confidence: Quantity
    """Confidence 0–1."""
    legal_authority: bool
    """Exercises public authority (never outsourced)."""
    reasons: tuple[Bilingual, ...]
    """Why."""
    features: tuple[LabelledValue, ...]
    """Feature values 0–1, in a fixed order."""
    data_sources: tuple[LabelledValue, ...]
    """Where each measurement came from."""
    evidence: tuple[EvidenceView, ...]
    """Everything behind the numbers."""
    findings: tuple[FindingView, ...]
    """Lint findings on this element."""
    flow_key: str
    """Flow page file name, for the candidate filter."""
    npv: Quantity = field(default_factory=lambda: _missing())
    """財政効果 attributed to the step: NPV over the horizon (— when it is no adopted RPA/outsourcing step)."""
    npv_range: Bilingual = field(default_factory=lambda: Bilingual.same("—"))
    """The same with its low–high range."""
    capacity: Quantity = field(default_factory=lambda: _missing())
    """Capacity view: hours the candidate would free × suitability."""
    capacity_rank: Quantity = field(default_factory=lambda: _missing())
    """Rank in the capacity view."""
    cost_gate: Bilingual | None = None
    """「費用面で推奨しない」 (with the option withdrawn) when the cost gate withdrew the candidate."""
    review: ReviewView | None = None
    """The review decision (判断) read back from a decisions sheet, if any."""
    legal: StepLegalView | None = None
    """The legal gate's verdict (class, evidence, conflict, override, 根拠通知, how to resolve a doubt)."""


@dataclass(frozen=True, slots=True)
class BranchRow:
    """One outgoing branch of a decision, or a boundary event that can take the case elsewhere."""

    gateway: str
    """Name (or id) of the branching element; ``host — event`` for a boundary event."""
    branch: str
    """Branch label: the flow name, else → target name."""
    probability: Quantity
    """Probability the branch is taken."""
    source: Bilingual
    """Where the probability came from."""
    target_visits: Quantity
    """Expected visits per case of the branch's target."""


@dataclass(frozen=True, slots=True)
class HandoffRow:
    """One step-to-step move of the case between contractor and staff."""

    from_step: str
    """Name of the step the case leaves."""
    from_href: str
    """Anchor of that step's row."""
    to_step: str
    """Name of the next step, on the other side."""
    to_href: str
    """Anchor of that step's row."""
    direction: Bilingual
    """``受託者 → 職員`` or ``職員 → 受託者``."""
    direction_key: str
    """``to-staff`` or ``to-contractor`` (CSS class suffix and test hook)."""
    per_case: Quantity
    """Expected times per case."""


@dataclass(frozen=True, slots=True)
class HandoffView:
    """How often a case passes between contractor and staff (偽装請負 risk, scoring-methodology §3.4)."""

    applies: bool
    """False when no step is outsourced: nothing to hand off."""
    to_staff: Quantity
    """受託者 → 職員 hand-offs per case."""
    to_contractor: Quantity
    """職員 → 受託者 hand-offs per case."""
    total: Quantity
    """Both directions."""
    rows: tuple[HandoffRow, ...]
    """The crossings in document order."""
    warning: Bilingual | None
    """The scoring's warning (numbers and loops) when the flow exceeds the plan; None otherwise."""


@dataclass(frozen=True, slots=True)
class DiagramView:
    """The annotated diagram, or why there is none."""

    svg: Markup | None
    """Our own SVG (the only Markup on any page)."""
    method: str
    """``di`` (the modeler's layout), ``graphviz`` (automatic layout) or ``none``."""
    notice: Bilingual | None
    """Shown instead of (or above) the diagram."""
    detail: str = ""
    """Technical detail for the notice (e.g. the renderer's message)."""
    files: tuple[tuple[str, str], ...] = ()
    """Standalone copies for manuals: (format label, site-relative href), e.g. ("PNG", "downloads/diagrams/x.png")."""
    notes: tuple[Bilingual, ...] = ()
    """Things to know about this picture: shortened names, a scaled-down PNG, a copy that could not be made."""


@dataclass(frozen=True, slots=True)
class TotalsView:
    """Formatted totals of a flow or the portfolio."""

    steps: Quantity
    """Number of steps."""
    hours: Quantity
    """Hours per year today."""
    fte: Quantity
    """FTE today."""
    cost: Quantity
    """Staff cost per year."""
    hours_freed: Quantity
    """Hours freed per year."""
    saving: Quantity
    """Saving per year."""
    one_off: Quantity
    """Set-up costs."""
    net_5y: Quantity
    """Five-year net."""


@dataclass(frozen=True, slots=True)
class DispositionSummary:
    """Per-disposition sums for the overview."""

    disposition: DispositionView
    """Which disposition."""
    steps: Quantity
    """Steps recommended for it."""
    hours: Quantity
    """Hours today."""
    hours_freed: Quantity
    """Hours freed."""
    saving: Quantity
    """Saving per year."""
    share_percent: int
    """Share of today's hours, 0–100 (bar width)."""


@dataclass(frozen=True, slots=True)
class FlowSummary:
    """One row of the per-flow table on the overview."""

    link: Link
    """Flow page."""
    file_name: str
    """BPMN file name."""
    annual_cases: Quantity
    """Cases per year."""
    totals: TotalsView
    """Sums."""
    counts: tuple[Quantity, ...]
    """Step count per disposition, in legend order."""
    findings: Quantity
    """Number of lint findings in the file."""


@dataclass(frozen=True, slots=True)
class RuleSummary:
    """Findings of one lint rule across the portfolio."""

    rule: str
    """Rule id."""
    title: Bilingual | None
    """Rule summary, when known."""
    severity: str
    """Severity value."""
    severity_label: Bilingual
    """Severity in words."""
    count: int
    """Number of findings."""
    flows: tuple[Link, ...]
    """Flow pages with findings of this rule."""


@dataclass(frozen=True, slots=True)
class SeverityCount:
    """Number of findings of one severity."""

    severity: str
    """Severity value."""
    label: Bilingual
    """In words."""
    count: int
    """How many."""


@dataclass(frozen=True, slots=True)
class DownloadLink:
    """A downloadable export."""

    href: str
    """URL under ``downloads/``."""
    name: str
    """File name as shown."""
    size: str
    """Human size."""


@dataclass(frozen=True, slots=True)
class SiteView:
    """Things every page shows."""

    title: Bilingual
    """Report title (the user's ``--title`` in both slots, else the default in each language)."""
    generated: str
    """Build time in Japan Standard Time (``2025-04-01 09:00 JST``)."""
    profile_name: str
    """Scoring profile used."""
    flows: tuple[Link, ...]
    """All flow pages, in input order."""


@dataclass(frozen=True, slots=True)
class PageView:
    """Per-page basics."""

    key: str
    """``index``, ``candidates``, ``assumptions`` or ``flow``: the active navigation item."""
    file_name: str
    """Output file name."""
    title: Bilingual
    """Page title."""


@dataclass(frozen=True, slots=True)
class IndexPage:
    """The overview page."""

    page: PageView
    """Basics."""
    headline: Bilingual
    """The one-sentence message."""
    stats: tuple[Stat, ...]
    """Headline figures."""
    dispositions: tuple[DispositionSummary, ...]
    """Per-disposition sums."""
    top: tuple[StepRow, ...]
    """The ten best candidates."""
    chart: Markup
    """Bubble chart SVG."""
    flows: tuple[FlowSummary, ...]
    """Per-flow table."""
    legend: tuple[DispositionView, ...]
    """Dispositions in legend order (table columns)."""
    severities: tuple[SeverityCount, ...]
    """Findings per severity."""
    rules: tuple[RuleSummary, ...]
    """Findings per rule."""
    gaps: tuple[GapView, ...]
    """Data gaps."""
    downloads: tuple[DownloadLink, ...]
    """Exports."""
    effects: TwoEffectsLike | None = None
    """人工削減 and 財政効果 side by side (None without the money stage)."""
    legal: LegalSummaryView | None = None
    """Conflicts, 要確認 steps, overrides used, excluded flows, naive vs safe lots."""
    sure: SurenessView | None = None
    """How sure: measured vs default hours, placeholder and estimated parameters, gross / new cost / net."""
    chart_rows: tuple[StepRow, ...] = ()
    """The chart's steps as table rows (text equivalent)."""


class TwoEffectsLike(Protocol):
    """What the index shows of :class:`reports.money_views.TwoEffects`."""

    @property
    def sentence(self) -> Bilingual: ...


@dataclass(frozen=True, slots=True)
class FlowPage:
    """One process (業務)."""

    page: PageView
    """Basics."""
    name: str
    """Process name."""
    process_id: str
    """Process id."""
    file: str
    """BPMN file as given."""
    exporter: str
    """Modeling tool that wrote the file."""
    annual_cases: Quantity
    """Cases per year."""
    annual_cases_source: Bilingual
    """Where that number came from."""
    totals: TotalsView
    """Sums over the steps."""
    diagram: DiagramView
    """The annotated diagram."""
    legend: tuple[DispositionView, ...]
    """Disposition colours."""
    steps: tuple[StepRow, ...]
    """Steps in flow order."""
    branches: tuple[BranchRow, ...]
    """Branch probabilities."""
    findings: tuple[FindingView, ...]
    """Lint findings for the file."""
    gaps: tuple[GapView, ...]
    """Data gaps for the file."""
    handoffs: HandoffView | None = None
    """Contractor ↔ staff hand-offs; None when the scoring did not compute them."""
    money: FlowMoneyView | None = None
    """The flow's hours freed and cash effect, kept apart; None without the money stage."""
    legal: FlowLegalView | None = None
    """Procedure, conflicts, 要確認, overrides and the safe lot of this flow."""


@dataclass(frozen=True, slots=True)
class FlowMoneyView:
    """A flow's two effects."""

    hours: Bilingual
    """人工削減 with FTE."""
    cash: Bilingual
    """財政効果 (NPV) with range, and payback."""
    lots: tuple[Link, ...]
    """Lots with steps of this flow."""


@dataclass(frozen=True, slots=True)
class FilterOption:
    """One choice of a filter select."""

    value: str
    """Matched against the row's data attribute."""
    label: Bilingual
    """Shown text."""


@dataclass(frozen=True, slots=True)
class CandidatesPage:
    """All steps ranked, sortable and filterable."""

    page: PageView
    """Basics."""
    rows: tuple[StepRow, ...]
    """All steps, best first."""
    flow_options: tuple[FilterOption, ...]
    """Flow filter."""
    lane_options: tuple[FilterOption, ...]
    """Lane filter."""
    disposition_options: tuple[FilterOption, ...]
    """Disposition filter."""
    reviewed: bool = False
    """True when a decisions sheet was read: the table gets a 判断 column."""
    orphans: tuple[OrphanView, ...] = ()
    """Decisions whose step is no longer in the flows."""
    review_text: Mapping[str, Bilingual] = field(default_factory=lambda: REVIEW_TEXT)
    """Words of the review column and list."""
    legal: LegalSummaryView | None = None
    """Conflicts and hand-off warnings, shown above the list."""


@dataclass(frozen=True, slots=True)
class SourcesPageView:
    """The 出典 page: its basics and the sources listed."""

    page: PageView
    """Basics."""
    sources: SourcesPage
    """Research notes, the profile's K-keys and the survey's 出典 sheet."""


_KEY_ONLY = Bilingual("", "")
BASIS_LABELS: Mapping[str, Bilingual] = {
    "placeholder": Bilingual("要設定", "set me"),
    "estimate": Bilingual("推計", "estimate"),
    "read": Bilingual("出典あり", "sourced"),
    "mixed": Bilingual("出典＋推計", "sourced + estimate"),
    "setting": Bilingual("設定", "setting"),
}
"""How sure a profile value is, from the tags of its source note ([R] [D] [I] [est] 要設定 [setting])."""


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One profile parameter: what it means, the value used, where it comes from."""

    name: str
    """Dotted profile key (where to set it)."""
    note: str
    """Source note as the profile states it (citation or reasoning)."""
    label: Bilingual = _KEY_ONLY
    """What the parameter is, in words (the key itself when not described)."""
    value: str = ""
    """Value used, with its low–high range when uncertain."""
    basis: str = "estimate"
    """``placeholder`` (要設定), ``estimate`` (推計), ``read`` (出典あり), ``mixed`` or ``setting`` (a choice)."""
    anchor: str = ""
    """HTML id of the row (links from the top page land here)."""
    note_parts: tuple[tuple[str, str], ...] = ()
    """The note as (text, href) pieces: each citation links to its row on the 出典 page."""
    meaning: Bilingual | None = None
    """What the value does, in one sentence (reports/parameters.toml)."""
    unit: Bilingual | None = None
    """Unit of the value."""

    @property
    def basis_label(self) -> Bilingual:
        """The 推計/出典 chip text."""
        return BASIS_LABELS.get(self.basis, BASIS_LABELS["estimate"])


@dataclass(frozen=True, slots=True)
class ParameterGroup:
    """The parameters of one profile table, under a heading in words."""

    key: str
    """Table name (``staff``, ``rpa``…)."""
    title: Bilingual
    """Heading."""
    rows: tuple[ProfileRow, ...]
    """Parameters in key order."""


@dataclass(frozen=True, slots=True)
class AssumptionsPage:
    """Profile parameters and the method, in words."""

    page: PageView
    """Basics."""
    profile_name: str
    """Profile used."""
    parameters: tuple[ProfileRow, ...]
    """Parameters in a stable order."""
    legend: tuple[DispositionView, ...]
    """Dispositions, explained."""
    precedence: tuple[Bilingual, ...]
    """Data sources in precedence order."""
    groups: tuple[ParameterGroup, ...] = ()
    """The same parameters grouped by profile table, for the tables of the page."""


# --------------------------------------------------------------------------- formatting


@lru_cache(maxsize=4096)
def base_name(path: str) -> str:
    """File name of a user path, whether written with / or \\ (cached: every row of a flow asks for the same)."""
    return PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name


def location(source: SourceRef) -> str:
    """``name.bpmn:12`` (file name only: full paths clutter the tables)."""
    name = base_name(source.file)
    return f"{name}:{source.line}" if source.line is not None else name


# --------------------------------------------------------------------------- names and files


def slug(text: str, limit: int = 40) -> str:
    """ASCII slug for file names; empty for text without Latin letters or digits.

    >>> slug("Certificate <Issue> 住民票"), slug("住民票")
    ('certificate-issue', '')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def flow_file_name(file: str, process_id: str, name: str) -> str:
    """Page file name: slug of the name (or id) plus a hash of file and process id.

    Names are user data and not unique, so they never become file names raw.

    >>> flow_file_name("a.bpmn", "p1", "住民票の写し交付").startswith("flow-p1-")
    True
    """
    digest = hashlib.sha256(f"{file}\0{process_id}".encode()).hexdigest()[:8]
    stem = slug(name) or slug(process_id) or "process"
    return f"flow-{stem}-{digest}.html"


def step_anchor(element_id: str) -> str:
    """HTML id of a step's row; distinct from the diagram's own ``bpmn-…`` ids.

    Ids that are not plain ASCII names are hashed under ``step-x-``; a plain id
    that itself starts with ``x-`` is hashed too, so it can never imitate one.

    >>> step_anchor("Task_1"), step_anchor("受付 1").startswith("step-x-")
    ('step-Task_1', True)
    >>> step_anchor("x-uketsuke-1") != "step-x-uketsuke-1"
    True
    """
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,80}", element_id) and not element_id.startswith("x-"):
        return f"step-{element_id}"
    digest = hashlib.sha256(element_id.encode()).hexdigest()[:10]
    return f"step-x-{slug(element_id, 30)}-{digest}".replace("--", "-")


# --------------------------------------------------------------------------- words


def disposition_view(disposition: Disposition) -> DispositionView:
    """Label and class of a disposition."""
    style = DISPOSITION_STYLES[disposition]
    return DispositionView(disposition.value, Bilingual(style.ja, style.en), style.css_class)


def legend() -> tuple[DispositionView, ...]:
    """All dispositions in the fixed legend order."""
    return tuple(disposition_view(d) for d in DISPOSITION_STYLES)


@lru_cache(maxsize=4096)
def _open(prefix: str, key: str) -> Bilingual:
    """Catalogue text for open-ended keys (features, sources); the raw key when unknown.

    Cached: a flow page asks for the same few dozen labels on every row (the catalogue is read once per process
    and :class:`Bilingual` is immutable)."""
    return Bilingual(t_or(f"{prefix}.{key}", "ja", key), t_or(f"{prefix}.{key}", "en", key))


FEATURE_ORDER = (
    "routine", "judgment", "legal_authority", "volume", "digital_input", "exception",
    "face_to_face", "physical", "system", "automated",
)


def _feature_order(name: str) -> tuple[int, str]:
    return (FEATURE_ORDER.index(name) if name in FEATURE_ORDER else len(FEATURE_ORDER), name)


@lru_cache(maxsize=4096)
def _said(sentence: Said) -> Bilingual:
    """An evidence sentence in both languages (cached: a flow's steps repeat the same sentences, such as the
    branch assumptions behind every step's visits)."""
    return Bilingual(sentence.text("ja"), sentence.text("en"))


@lru_cache(maxsize=8192, typed=True)
def _value_text(value: float | str) -> str:
    """A feature's or evidence line's value as shown (cached by value and type: ``True`` is not ``1``; a step's
    features and evidence repeat the same few values, 0, 0.5, 1, on every step)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if _finite(float(value)) else "—"
    return str(value)


@lru_cache(maxsize=4096, typed=True)
def _feature_view(name: str, value: float) -> LabelledValue:
    """One feature of a step with its bar (cached like :func:`_value_text`: the same few values recur)."""
    return LabelledValue(_open("feature", name), Bilingual.same(_value_text(value)),
                         round(100 * min(1.0, max(0.0, value))) if _finite(value) else 0)


@lru_cache(maxsize=4096)
def _source_view(name: str, source: str) -> LabelledValue:
    """Where one measurement of a step came from (a few dozen pairs in a whole portfolio)."""
    return LabelledValue(_open("measure", name) if has(f"measure.{name}") else _open("feature", name),
                         _open("source", source))


# --------------------------------------------------------------------------- overlays


@dataclass(frozen=True, slots=True)
class FileOverlays:
    """What to paint on the pictures of one file, per process.

    Element ids are unique only inside one file (a "save as" copy of a flow
    keeps every id), so overlays are looked up by file first and by process
    second; never by element id alone across files.
    """

    by_process: Mapping[ProcessId, Mapping[ElementId, Overlay]]
    """Step overlays of each assessed process of the file."""
    others: Mapping[ElementId, Overlay]
    """Lint markers on elements that are not assessed steps (flows, gateways, pools)."""

    def for_processes(self, process_ids: Iterable[ProcessId]) -> dict[ElementId, Overlay]:
        """Overlays for a picture showing these processes; the first process wins on a duplicate id."""
        merged: dict[ElementId, Overlay] = dict(self.others)
        for process_id in reversed(list(process_ids)):
            merged.update(self.by_process.get(process_id, {}))
        return merged


def diagram_overlays(
    processes: Iterable[ProcessAssessment], findings: Iterable[FindingLike]
) -> dict[str, FileOverlays]:
    """What to paint on each element, by file: disposition tint, badge, reasons, lint markers."""
    by_element: dict[tuple[str, str], list[str]] = defaultdict(list)
    for finding in findings:
        if finding.element_id:
            message = _each_language(finding, "message")  # one tooltip for both pages, as the reasons below
            text = message.ja if message.neutral else f"{message.ja} / {message.en}"
            by_element[(finding.source.file, finding.element_id)].append(
                f"[{finding.severity.value}] {finding.rule}: {text}"
            )
    steps: dict[str, dict[ProcessId, dict[ElementId, Overlay]]] = defaultdict(dict)
    marked: set[tuple[str, str]] = set()
    for process in processes:
        overlays = steps[process.file].setdefault(process.process_id, {})
        for step in process.steps:
            style = DISPOSITION_STYLES[step.disposition]
            reasons = "\n".join(f"{r.ja} / {r.en}" for r in step.reasons)
            title = f"{step.name}\n{style.ja} / {style.en} ({step.confidence:.2f})"
            if step.legal is not None and step.legal.legal_class is not LegalClass.FACTUAL:
                title = f"{title}\n{step.legal.label_ja} / {step.legal.label_en}"
            if reasons:
                title = f"{title}\n{reasons}"
            key = (step.file, step.step_id)
            marked.add(key)
            overlays[step.step_id] = Overlay(
                fill=style.fill,
                badge=f"{style.ja} {step.confidence:.2f} · {step.cost.hours_per_year:,.0f}h",
                title=title,
                css_class=style.css_class,
                finding="\n".join(by_element.get(key, [])) or None,
            )
    others: dict[str, dict[ElementId, Overlay]] = defaultdict(dict)
    for (file, element_id), messages in sorted(by_element.items()):
        if (file, element_id) not in marked:
            others[file][ElementId(element_id)] = Overlay(finding="\n".join(messages))
    return {
        file: FileOverlays(steps.get(file, {}), others.get(file, {}))
        for file in sorted(set(steps) | set(others))
    }


# --------------------------------------------------------------------------- builders


@dataclass(frozen=True, slots=True)
class FlowRef:
    """Where a process's page is and what file it belongs to."""

    key: FlowKey
    """File and process id."""
    file_name: str
    """Page file name."""
    name: str
    """Process name (or id when unnamed)."""


def flow_refs(assessment: Assessment, file_keys: Mapping[str, str] | None = None) -> dict[FlowKey, FlowRef]:
    """Page names for every assessed process, in input order.

    ``file_keys`` gives each BPMN file's path relative to the scanned folder;
    page names hash that instead of the path as given, so the same folder
    scanned from anywhere keeps its page addresses (intranet links survive).
    """
    keys = file_keys or {}
    refs: dict[FlowKey, FlowRef] = {}
    used: set[str] = set()
    for process in assessment.processes:
        key = (process.file, process.process_id)
        if key in refs:
            continue
        name = process.name.strip() or str(process.process_id)
        file_name = flow_file_name(keys.get(process.file, process.file), process.process_id, name)
        while file_name in used:  # a hash clash is astronomically unlikely, but never overwrite
            file_name = file_name.replace(".html", "-x.html")
        used.add(file_name)
        refs[key] = FlowRef(key, file_name, name)
    return refs


StepKey = tuple[str, ProcessId, ElementId]
"""A step is identified by its file, process and element id: ids repeat across files and copies."""


class Catalogue:
    """Look-ups shared by the builders: flows, steps and findings by file, process and element."""

    def __init__(
        self,
        definitions: Sequence[Definitions],
        assessment: Assessment,
        findings: Sequence[FindingLike],
        rule_titles: Mapping[str, Bilingual],
        file_keys: Mapping[str, str] | None = None,
        reviews: Reviews | None = None,
    ) -> None:
        self.reviews = reviews
        self.definitions = {d.file: d for d in definitions}
        self.assessment = assessment
        self.refs = flow_refs(assessment, file_keys)
        self.rule_titles = {**{k: Bilingual(*v) for k, v in (*LEGAL_RULE_TITLES.items(), *MONEY_RULE_TITLES.items())},
                            **rule_titles}
        # The assessment's own findings (legal conflicts, missing decisions, excluded flows) join the lint findings.
        self.findings = tuple(sorted([*findings, *assessment.findings], key=_finding_order))
        self.steps: dict[StepKey, tuple[FlowRef, StepAssessment]] = {}
        self._steps_by_element: dict[str, list[StepKey]] = defaultdict(list)
        # Indexes by file: the same ids recur in every file of a portfolio (versions of one procedure, tools that
        # number ids), so filtering the run-wide lists per page would make the site quadratic in the flows.
        self._steps_by_file_element: dict[tuple[str, str], list[StepKey]] = defaultdict(list)
        self._refs_by_file: dict[str, list[FlowRef]] = defaultdict(list)
        for ref in self.refs.values():
            self._refs_by_file[ref.key[0]].append(ref)
        for process in assessment.processes:
            ref = self.refs[(process.file, process.process_id)]
            for step in process.steps:
                key = (process.file, process.process_id, step.step_id)
                if key not in self.steps:
                    self.steps[key] = (ref, step)
                    self._steps_by_element[step.step_id].append(key)
                    self._steps_by_file_element[(process.file, step.step_id)].append(key)
        self._findings_by_element: dict[tuple[str, str], list[FindingLike]] = defaultdict(list)
        self._findings_by_file: dict[str, list[FindingLike]] = defaultdict(list)
        for finding in self.findings:
            self._findings_by_file[finding.source.file].append(finding)
            if finding.element_id:
                self._findings_by_element[(finding.source.file, finding.element_id)].append(finding)
        self._gaps_by_flow: dict[tuple[str, ProcessId], list[DataGap]] | None = None

    def review_of(self, step: StepAssessment) -> ReviewDecision | None:
        """The review decision about a step, when a decisions sheet was read."""
        return self.reviews.of(step) if self.reviews is not None else None

    def flows_of_file(self, file: str) -> list[FlowRef]:
        """Flow pages of a BPMN file."""
        return list(self._refs_by_file.get(file, ()))

    def node_name(self, file: str, element_id: str) -> str:
        """Label of a flow node, or empty."""
        definitions = self.definitions.get(file)
        node = definitions.find_node(ElementId(element_id)) if definitions else None
        return node.label if node is not None else ""

    def process_of(self, file: str, element_id: str) -> ProcessId | None:
        """The process of ``file`` holding the element (or being it), in document order."""
        definitions = self.definitions.get(file)
        if definitions is None:
            return None
        for process in definitions.processes.values():
            if element_id in process.nodes or element_id == process.id:
                return process.id
        return None

    def step_in_file(self, file: str, element_id: str) -> tuple[FlowRef, StepAssessment] | None:
        """The assessed step with this id in this file (the process is found from the model)."""
        process_id = self.process_of(file, element_id)
        if process_id is not None:
            found = self.steps.get((file, process_id, ElementId(element_id)))
            if found is not None:
                return found
        keys = self._steps_by_file_element.get((file, element_id))
        return self.steps[keys[0]] if keys else None

    def href_for(self, file: str, element_id: str | None) -> str | None:
        """The step's row, else the flow page holding the element, else the file's first flow."""
        if element_id:
            found = self.step_in_file(file, element_id)
            if found is not None:
                return f"{found[0].file_name}#{step_anchor(element_id)}"
            process_id = self.process_of(file, element_id)
            ref = self.refs.get((file, process_id)) if process_id is not None else None
            if ref is not None:
                return ref.file_name
        flows = self.flows_of_file(file)
        return flows[0].file_name if flows else None

    def finding_view(self, finding: FindingLike) -> FindingView:
        """A finding with its links and names."""
        severity = finding.severity.value
        element_id = finding.element_id or ""
        return FindingView(
            severity=severity,
            severity_label=_open("severity", severity),
            rule=finding.rule,
            rule_title=self.rule_titles.get(finding.rule),
            message=_each_language(finding, "message"),
            location=location(finding.source),
            element_id=element_id,
            element_name=self.node_name(finding.source.file, element_id) if element_id else "",
            hint=_each_language(finding, "hint") if finding.hint else None,
            href=self.href_for(finding.source.file, element_id),
        )

    def findings_of_file(self, file: str) -> list[FindingLike]:
        """Findings whose source is the file."""
        return list(self._findings_by_file.get(file, ()))

    def findings_of_step(self, step: StepAssessment) -> list[FindingLike]:
        """Findings on the step's element in the step's own file."""
        return list(self._findings_by_element.get((step.file, step.step_id), ()))

    def gap_flows(self, gap: DataGap) -> list[FlowRef]:
        """The flow pages a data gap belongs on (none: it is shown on the overview only).

        A gap about a BPMN file names its step, its process or nothing (then
        every flow of the file); a gap about a survey sheet row belongs to a
        step only when exactly one step of the run has that id, because the
        same id is common across files.
        """
        if gap.file in self.definitions:
            if gap.element_id:
                ref = self.refs.get((gap.file, ProcessId(gap.element_id)))
                if ref is not None:
                    return [ref]
                found = self.step_in_file(gap.file, gap.element_id)
                if found is not None:
                    return [found[0]]
                process_id = self.process_of(gap.file, gap.element_id)
                ref = self.refs.get((gap.file, process_id)) if process_id is not None else None
                if ref is not None:
                    return [ref]
            return self.flows_of_file(gap.file)
        found = self._unique_step(gap.element_id)
        return [found[0]] if found is not None else []

    def gaps_of_flow(self, ref: FlowRef) -> list[DataGap]:
        """The data gaps shown on a flow's page, in the assessment's order (indexed once for all pages)."""
        if self._gaps_by_flow is None:
            by_flow: dict[tuple[str, ProcessId], list[DataGap]] = defaultdict(list)
            for gap in self.assessment.gaps:
                for flow in dict.fromkeys(self.gap_flows(gap)):
                    by_flow[flow.key].append(gap)
            self._gaps_by_flow = by_flow
        return list(self._gaps_by_flow.get(ref.key, ()))

    def _unique_step(self, element_id: str | None) -> tuple[FlowRef, StepAssessment] | None:
        keys = self._steps_by_element.get(element_id or "", [])
        return self.steps[keys[0]] if len(keys) == 1 else None

    def gap_view(self, gap: DataGap) -> GapView:
        """A data gap with its link (only when the step it names is known without doubt)."""
        where = base_name(gap.file) + (f":{gap.line}" if gap.line is not None else "")
        href = None
        name = ""
        if gap.element_id:
            found = (
                self.step_in_file(gap.file, gap.element_id)
                if gap.file in self.definitions
                else self._unique_step(gap.element_id)
            )
            if found is not None:
                href = f"{found[0].file_name}#{step_anchor(gap.element_id)}"
                name = found[1].name
        kind = _open("gap", gap.kind) if has(f"gap.{gap.kind}") else Bilingual.of("gap.other", kind=gap.kind)
        return GapView(kind, gap_message(gap, name), where, gap.element_id or "", href)


def _each_language(finding: FindingLike, field: str) -> Bilingual:
    """A finding's message or hint for each page: its Japanese and English texts when it has them.

    ``bpm.lint`` findings carry ``message_ja``/``message_en`` (and the hints
    likewise); a finding without them shows its one text on both pages.
    """
    whole = str(getattr(finding, field) or "")
    ja = str(getattr(finding, f"{field}_ja", "") or "") or whole
    en = str(getattr(finding, f"{field}_en", "") or "") or whole
    return Bilingual.same(whole) if ja == en == whole else Bilingual(ja, en)


def _finding_order(finding: FindingLike) -> tuple[str, int, int, str, str, str]:
    severity = finding.severity.value
    rank = SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
    source = finding.source
    return (source.file, source.line or 0, rank, finding.rule, finding.element_id or "", finding.message)


def step_row(
    step: StepAssessment,
    ref: FlowRef,
    findings: Sequence[FindingView],
    review: ReviewDecision | None = None,
    *,
    details: bool = True,
) -> StepRow:
    """Everything shown about one step.

    ``details=False`` leaves out what only a flow page's details panel
    shows (features, data sources, evidence): the lists of steps (候補一覧,
    the capacity view, the overview's top ten and chart table) show none of
    it, and it was two thirds of the cost of a row, made for every step of
    the portfolio once per list.
    """
    anchor = step_anchor(step.step_id)
    cost = step.cost
    features: tuple[LabelledValue, ...] = ()
    sources: tuple[LabelledValue, ...] = ()
    evidence: tuple[EvidenceView, ...] = ()
    if details:
        features = tuple(_feature_view(name, value)
                         for name, value in sorted(step.features.items(), key=lambda item: _feature_order(item[0])))
        sources = tuple(_source_view(name, source.value)
                        for name, source in sorted(step.data_sources.items(), key=lambda item: _feature_order(item[0])))
        evidence = tuple(
            EvidenceView(_open("feature", e.feature), _value_text(e.value), _open("source", e.source.value),
                         _said(e.said) if e.said else Bilingual.same(e.detail))
            for e in step.evidence
        )
    row = StepRow(
        element_id=step.step_id,
        anchor=anchor,
        href=f"{ref.file_name}#{anchor}",
        flow=Link(ref.file_name, ref.name),
        file_name=base_name(step.file),
        rank=number(step.rank) if step.rank is not None else _missing(),
        name=step.name,
        lane=step.lane_name,
        kind=_open("kind", step.kind),
        visits=number(step.visits, 2),
        annual_count=number(step.annual_count),
        minutes=number(step.minutes_per_case, 1),
        hours=number(cost.hours_per_year),
        fte=number(cost.fte, 2),
        cost=money(cost.yen_per_year),
        hours_freed=number(cost.hours_freed_per_year),
        saving=money(cost.saving_yen_per_year),
        one_off=money(cost.one_off_yen),
        payback=months(cost.payback_months),
        net_5y=money(cost.net_5y_yen),
        disposition=disposition_view(step.disposition),
        confidence=number(step.confidence, 2),
        legal_authority=step.legal_authority,
        reasons=tuple(Bilingual(r.ja, r.en) for r in step.reasons),
        features=features,
        data_sources=sources,
        evidence=evidence,
        findings=tuple(findings),
        flow_key=ref.file_name,
        review=review_view(review),
        legal=step_legal(step),
    )
    return _with_money_cells(row, step)


def _with_money_cells(row: StepRow, step: StepAssessment) -> StepRow:
    """The step's cash effect, capacity and cost-gate cells (unchanged when the money stage did not run)."""
    found = step.money
    if found is None:
        return row
    npv, npv_range = row.npv, row.npv_range
    if found.net_yen_by_year:
        value = found.npv_yen
        npv = money(value.base)
        npv_range = Bilingual(f"{yen_ja(value.base)}（{yen_ja(value.low)}〜{yen_ja(value.high)}）",
                              f"{yen_en(value.base)} ({yen_en(value.low)} to {yen_en(value.high)})")
    gate = None
    if found.withdrawn and found.candidate is not None:
        option = DISPOSITION_STYLES[found.candidate]
        if found.withdrawn == "cost":
            gate = Bilingual(f"費用面で推奨しない（{option.ja}）", f"not recommended on cost ({option.en})")
        else:
            gate = Bilingual(f"実行環境の制約で推奨しない（{option.ja}）",
                             f"not recommended: cannot run there ({option.en})")
    return dataclasses.replace(
        row, npv=npv, npv_range=npv_range, cost_gate=gate,
        capacity=number(found.capacity) if found.capacity > 0 else _missing(),
        capacity_rank=number(found.capacity_rank) if found.capacity_rank is not None else _missing(),
    )


def totals_view(totals: Totals) -> TotalsView:
    """Formatted totals."""
    return TotalsView(
        steps=number(totals.steps),
        hours=number(totals.hours_per_year),
        fte=number(totals.fte, 2),
        cost=money(totals.yen_per_year),
        hours_freed=number(totals.hours_freed_per_year),
        saving=money(totals.saving_yen_per_year),
        one_off=money(totals.one_off_yen),
        net_5y=money(totals.net_5y_yen),
    )


def _all_steps(catalogue: Catalogue) -> list[tuple[FlowRef, StepAssessment]]:
    """Every step with its flow, best candidates first (stable)."""
    ordered: list[tuple[FlowRef, StepAssessment]] = []
    position = 0
    keyed: list[tuple[tuple[bool, int, int], FlowRef, StepAssessment]] = []
    for process in catalogue.assessment.processes:
        ref = catalogue.refs[(process.file, process.process_id)]
        for step in process.steps:
            keyed.append(((step.rank is None, step.rank or 0, position), ref, step))
            position += 1
    for _key, ref, step in sorted(keyed, key=lambda item: item[0]):
        ordered.append((ref, step))
    return ordered


def _step_findings(catalogue: Catalogue, step: StepAssessment) -> list[FindingView]:
    return [catalogue.finding_view(f) for f in catalogue.findings_of_step(step)]


def _list_rows(catalogue: Catalogue, steps: Iterable[tuple[FlowRef, StepAssessment]]) -> list[StepRow]:
    """Rows of a list of steps: what the lists show (no details panel, no findings; see :func:`step_row`)."""
    return [step_row(step, ref, (), catalogue.review_of(step), details=False) for ref, step in steps]


def _rows(catalogue: Catalogue) -> list[StepRow]:
    """Every step's list row, best candidates first."""
    return _list_rows(catalogue, _all_steps(catalogue))


def _tooltip(step: StepAssessment, flow_name: str) -> str:
    style = DISPOSITION_STYLES[step.disposition]
    routine = step.features.get("routine", 0.0)
    judgment = step.features.get("judgment", 0.0)
    return (
        f"{step.name} — {flow_name}\n"
        f"{style.ja} / {style.en} · {hours_ja(step.cost.hours_per_year)}/年\n"
        f"定型性 routine {routine:.2f} · 判断 judgment {judgment:.2f}"
    )


CHART_STEPS = 20
"""Steps on the top page's ranked hours chart (the rest are in 候補一覧)."""


def _by_hours(catalogue: Catalogue) -> list[tuple[FlowRef, StepAssessment]]:
    """Steps with the most staff hours first (ties by flow order), those taking any time."""
    steps = [(ref, step) for ref, step in _all_steps(catalogue) if step.cost.hours_per_year > 0]
    return sorted(steps, key=lambda item: -item[1].cost.hours_per_year)[:CHART_STEPS]


def chart_svg(catalogue: Catalogue) -> Markup:
    """The ranked hours chart: the steps that take the most staff time, with their recommendation."""
    bars = [
        HoursBar(
            key=f"{ref.file_name}#{step_anchor(step.step_id)}",
            name=step.name or step.step_id,
            flow=ref.name,
            hours_per_year=step.cost.hours_per_year,
            disposition=step.disposition,
            tooltip=_tooltip(step, ref.name),
            href=f"{ref.file_name}#{step_anchor(step.step_id)}",
        )
        for ref, step in _by_hours(catalogue)
    ]
    labels = HoursLabels(
        title=Bilingual.of("chart.title"),
        axis=Bilingual.of("chart.axis"),
        hours_unit=Bilingual.of("chart.hours_unit"),
        empty=Bilingual.of("chart.empty"),
    )
    return Markup(hours_chart(bars, labels))  # Markup: our own SVG, built with ElementTree


def chart_rows(catalogue: Catalogue) -> tuple[StepRow, ...]:
    """The chart's figures as table rows (its text equivalent, for screen readers and print)."""
    return tuple(step_row(step, ref, (), None, details=False) for ref, step in _by_hours(catalogue))


def site_view(catalogue: Catalogue, title: str | None, generated: str) -> SiteView:
    """Shared page furniture."""
    return SiteView(
        title=Bilingual.same(title) if title else Bilingual.of("site.title"),
        generated=generated,
        profile_name=catalogue.assessment.profile_name,
        flows=tuple(Link(ref.file_name, ref.name) for ref in catalogue.refs.values()),
    )


def _by_disposition(steps: Iterable[StepAssessment], total_hours: float) -> tuple[DispositionSummary, ...]:
    counts: Counter[Disposition] = Counter()
    hours: dict[Disposition, float] = defaultdict(float)
    freed: dict[Disposition, float] = defaultdict(float)
    saving: dict[Disposition, float] = defaultdict(float)
    for step in steps:
        counts[step.disposition] += 1
        hours[step.disposition] += step.cost.hours_per_year
        freed[step.disposition] += step.cost.hours_freed_per_year
        saving[step.disposition] += step.cost.saving_yen_per_year
    return tuple(
        DispositionSummary(
            disposition=disposition_view(d),
            steps=number(counts[d]),
            hours=number(hours[d]),
            hours_freed=number(freed[d]),
            saving=money(saving[d]),
            share_percent=round(100 * hours[d] / total_hours) if total_hours > 0 else 0,
        )
        for d in DISPOSITION_STYLES
    )


def _contracted_stat(assessment: Assessment) -> tuple[Stat, ...]:
    """Hours a contractor already works (委託済み), kept out of the staff figures, with today's contract cost."""
    hours = assessment.totals.contracted_hours_per_year
    if hours <= 0:
        return ()
    lines = assessment.money.contracted if assessment.money is not None else ()
    prices = [line.yen_per_year for line in lines]
    if lines and all(p is not None for p in prices):
        cost = money(sum(p or 0.0 for p in prices)).text
        note = Bilingual(t("stat.contracted_cost", "ja", cost=cost.ja), t("stat.contracted_cost", "en", cost=cost.en))
    else:
        note = Bilingual.of("stat.contracted_unset")
    return (Stat(Bilingual.of("stat.contracted"), with_unit(hours, "unit.hours"), note),)


TOP_STEPS = 10
"""Ranked steps on the overview (the rest are in 候補一覧)."""


def index_page(
    catalogue: Catalogue, downloads: Mapping[str, bytes], labels: Mapping[str, str] | None = None
) -> IndexPage:
    """The overview."""
    assessment = catalogue.assessment
    totals = assessment.totals
    steps = [s for p in assessment.processes for s in p.steps]
    return IndexPage(
        page=PageView("index", "index.html", Bilingual.of("page.index")),
        headline=_headline(totals),
        stats=_index_stats(catalogue),
        dispositions=_by_disposition(steps, totals.hours_per_year + totals.contracted_hours_per_year),
        top=_top_rows(catalogue),
        chart=chart_svg(catalogue),
        flows=_flow_summaries(catalogue),
        legend=legend(),
        severities=_severity_counts(catalogue.findings),
        rules=_rule_summaries(catalogue),
        gaps=tuple(catalogue.gap_view(g) for g in assessment.gaps),
        downloads=_download_links(downloads, labels or {}),
        legal=_legal_summary(catalogue),
        sure=sureness(assessment),
        chart_rows=chart_rows(catalogue),
    )


def _index_stats(catalogue: Catalogue) -> tuple[Stat, ...]:
    """The overview's headline figures: steps, staff hours, staff cost, and hours already contracted out."""
    totals = catalogue.assessment.totals
    return (
        Stat(
            Bilingual.of("stat.steps"),
            with_unit(totals.steps, "unit.steps"),
            Bilingual.of("stat.steps_note", flows=len(catalogue.refs)),
        ),
        Stat(
            Bilingual.of("stat.hours"),
            with_unit(totals.hours_per_year, "unit.hours"),
            with_unit(totals.fte, "unit.fte", 1),
        ),
        Stat(Bilingual.of("stat.cost"), money(totals.yen_per_year).text, Bilingual.of("stat.cost_note")),
        *_contracted_stat(catalogue.assessment),
    )


def _headline(totals: Totals) -> Bilingual:
    """The overview's one sentence: hours and staff-years freed, and the saving (or the cost) a year."""
    fte_freed = totals.hours_freed_per_year * totals.fte / totals.hours_per_year if totals.hours_per_year > 0 else 0.0
    return Bilingual.of(
        "index.headline" if totals.saving_yen_per_year > 0 else "index.headline_cost",
        hours=f"{totals.hours_freed_per_year:,.0f}",
        fte=f"{fte_freed:,.1f}",
        saving_ja=yen_ja(totals.saving_yen_per_year),
        saving_en=yen_en(totals.saving_yen_per_year),
    )


def _top_rows(catalogue: Catalogue) -> tuple[StepRow, ...]:
    """The best ranked steps: only these get a row (the whole portfolio's rows were made to keep ten)."""
    ranked = ((ref, step) for ref, step in _all_steps(catalogue) if step.rank is not None)
    return tuple(_list_rows(catalogue, islice(ranked, TOP_STEPS)))


def _flow_summaries(catalogue: Catalogue) -> tuple[FlowSummary, ...]:
    """One line per flow: cases, totals, steps by recommendation, findings."""
    flows = []
    for process in catalogue.assessment.processes:
        ref = catalogue.refs[(process.file, process.process_id)]
        counts: Counter[Disposition] = Counter(s.disposition for s in process.steps)
        flows.append(
            FlowSummary(
                link=Link(ref.file_name, ref.name),
                file_name=base_name(process.file),
                annual_cases=number(process.annual_cases),
                totals=totals_view(process.totals),
                counts=tuple(number(counts[d]) for d in DISPOSITION_STYLES),
                findings=number(len(catalogue.findings_of_file(process.file))),
            )
        )
    return tuple(flows)


def _severity_counts(findings: Iterable[FindingLike]) -> tuple[SeverityCount, ...]:
    """Findings by severity: the known severities in their order (even at zero), then any other, sorted."""
    counts: Counter[str] = Counter(f.severity.value for f in findings)
    return tuple(
        SeverityCount(s, _open("severity", s), counts[s])
        for s in [*SEVERITIES, *sorted(set(counts) - set(SEVERITIES))]
    )


def _rule_summaries(catalogue: Catalogue) -> tuple[RuleSummary, ...]:
    """Findings by rule, most severe and most frequent first, each with the flows it was found in."""
    rule_findings: dict[str, list[FindingLike]] = defaultdict(list)
    for finding in catalogue.findings:
        rule_findings[finding.rule].append(finding)
    rules = []
    for rule, found in rule_findings.items():
        severity = found[0].severity.value
        links: dict[str, Link] = {}
        for finding in found:
            for ref in catalogue.flows_of_file(finding.source.file):
                links.setdefault(ref.file_name, Link(ref.file_name, ref.name))
        rules.append(
            RuleSummary(
                rule=rule,
                title=catalogue.rule_titles.get(rule),
                severity=severity,
                severity_label=_open("severity", severity),
                count=len(found),
                flows=tuple(sorted(links.values(), key=lambda link: (link.text, link.href))),
            )
        )
    rules.sort(key=lambda r: (SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9, -r.count, r.rule))
    return tuple(rules)


def _download_links(downloads: Mapping[str, bytes], labels: Mapping[str, str]) -> tuple[DownloadLink, ...]:
    """The downloads by name, with the user's own path where the name alone would not say which file it is."""
    return tuple(
        DownloadLink(
            download_href(name),
            f"{name} ({labels[name]})" if name in labels else name,
            file_size(_download_size(downloads, name)),
        )
        for name in sorted(downloads)
    )


def _download_size(downloads: Mapping[str, bytes], name: str) -> int:
    """A download's size; a spooled one (:class:`reports.downloads.SpooledFiles`) says it without being read."""
    size = getattr(downloads, "size", None)
    return int(size(name)) if callable(size) else len(downloads[name])


def _step_href(catalogue: Catalogue, step: StepAssessment) -> str:
    return f"{catalogue.refs[(step.file, step.process_id)].file_name}#{step_anchor(step.step_id)}"


def _legal_summary(catalogue: Catalogue) -> LegalSummaryView:
    return legal_summary(catalogue.assessment, lambda s: _step_href(catalogue, s),
                         lambda p: catalogue.refs[(p.file, p.process_id)].file_name)


def download_href(name: str) -> str:
    """URL of a download (names may hold spaces or Japanese).

    >>> download_href("annotated/住民票.bpmn")
    'downloads/annotated/%E4%BD%8F%E6%B0%91%E7%A5%A8.bpmn'
    """
    return "downloads/" + quote(name, safe="/")


def branch_rows(model: Process, process: ProcessAssessment) -> tuple[BranchRow, ...]:
    """The process's splits and boundary events with the probabilities its visits were computed with.

    Rows come from :attr:`ProcessAssessment.branches` — never re-derived from
    the BPMN — so a survey 分岐確率 shows with its value and source.  Ordered
    by the model's document order: the splitting element (a boundary event at
    its host), then its flows as written.
    """
    nodes = {node_id: index for index, node_id in enumerate(model.nodes)}
    flows = {flow_id: index for index, flow_id in enumerate(model.flows)}

    def order(branch: Branch) -> tuple[int, int, int]:
        within = nodes if branch.via_event else flows
        return (nodes.get(branch.from_id, len(nodes)), int(branch.via_event), within.get(branch.via_id, len(within)))

    def label(element_id: str) -> str:
        node = model.nodes.get(ElementId(element_id))
        return node.label if node is not None else element_id

    rows: list[BranchRow] = []
    for branch in sorted(process.branches, key=order):
        flow = None if branch.via_event else model.flows.get(branch.via_id)
        name = " ".join(flow.name.split()) if flow is not None else ""
        rows.append(
            BranchRow(
                gateway=f"{label(branch.from_id)} — {label(branch.via_id)}" if branch.via_event
                else label(branch.from_id),
                branch=name or f"→ {label(branch.target_id)}",
                probability=_fraction(branch.probability),
                source=_branch_source(branch.source.value),
                target_visits=_fraction(process.visits[branch.target_id])
                if branch.target_id in process.visits else _missing(),
            )
        )
    return tuple(rows)


def _fraction(value: float) -> Quantity:
    """Two decimals; two significant digits below 0.01, so a rare branch (0.003) does not read 0.00.

    >>> _fraction(0.1).text.ja, _fraction(0.003).text.ja, _fraction(0.0125).text.ja
    ('0.10', '0.003', '0.01')
    """
    if not (_finite(value) and 0 < value < 0.01):
        return number(value, 2)
    decimals = min(6, 1 - math.floor(math.log10(value)))
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return Quantity(Bilingual.same(text), _sort(value))


def _branch_source(source: str) -> Bilingual:
    """Label of a probability's source: the branch wording when there is one, else the general one."""
    key = f"branch.source_{source}"
    return Bilingual.of(key) if has(key) else _open("source", source)


def handoff_view(process: ProcessAssessment) -> HandoffView | None:
    """The hand-off section of a flow page, from :attr:`ProcessAssessment.handoffs` as computed by the scoring."""
    summary = process.handoffs
    if summary is None:
        return None
    names = {step.step_id: step.name for step in process.steps}
    rows = tuple(
        HandoffRow(
            from_step=names.get(crossing.from_id, crossing.from_id),
            from_href=f"#{step_anchor(crossing.from_id)}",
            to_step=names.get(crossing.to_id, crossing.to_id),
            to_href=f"#{step_anchor(crossing.to_id)}",
            direction=Bilingual.of(f"handoff.{crossing.direction.value}"),
            direction_key=crossing.direction.value,
            per_case=_fraction(crossing.per_case),
        )
        for crossing in summary.crossings
    )
    warning = summary.warning
    return HandoffView(
        applies=bool(summary.contractor_steps),
        to_staff=number(summary.per_case_to_staff, 2),
        to_contractor=number(summary.per_case_to_contractor, 2),
        total=number(summary.per_case, 2),
        rows=rows,
        warning=Bilingual(warning.ja, warning.en) if warning is not None else None,
    )


def flow_page(catalogue: Catalogue, process: ProcessAssessment, diagram: DiagramView) -> FlowPage:
    """One process page."""
    ref = catalogue.refs[(process.file, process.process_id)]
    definitions = catalogue.definitions.get(process.file)
    model = definitions.processes.get(process.process_id) if definitions else None
    steps = tuple(step_row(s, ref, _step_findings(catalogue, s), catalogue.review_of(s)) for s in process.steps)
    gaps = tuple(catalogue.gap_view(g) for g in catalogue.gaps_of_flow(ref))
    return FlowPage(
        page=PageView("flow", ref.file_name, Bilingual(ref.name, ref.name)),
        name=ref.name,
        process_id=process.process_id,
        file=process.file,
        exporter=" ".join(x for x in (definitions.exporter, definitions.exporter_version) if x) if definitions else "",
        annual_cases=number(process.annual_cases),
        annual_cases_source=_open("source", process.annual_cases_source.value),
        totals=totals_view(process.totals),
        diagram=diagram,
        legend=legend(),
        steps=steps,
        branches=branch_rows(model, process) if model is not None else (),
        findings=tuple(catalogue.finding_view(f) for f in catalogue.findings_of_file(process.file)),
        gaps=gaps,
        handoffs=handoff_view(process),
        money=flow_money_view(process, catalogue.assessment),
        legal=flow_legal(catalogue.assessment, process, lambda s: _step_href(catalogue, s), ref.file_name),
    )


def flow_money_view(process: ProcessAssessment, assessment: Assessment) -> FlowMoneyView | None:
    """Hours freed and cash effect of one flow."""
    found = process.money
    if found is None or assessment.money is None:
        return None
    value = found.npv_yen
    names = {lot.lot_id: lot.name for lot in assessment.money.lots}
    same = abs(value.high - value.low) < 0.5
    years = assessment.money.horizon_years
    payback = found.payback_months
    back_ja = f"、回収{payback:,.0f}か月" if payback is not None else f"、{years}年以内に回収できない"
    back_en = f", payback {payback:,.0f} months" if payback is not None else f", no payback within {years} years"
    if not found.net_yen_by_year or not any(found.net_yen_by_year):
        back_ja = back_en = ""
    return FlowMoneyView(
        hours=Bilingual(f"{hours_ja(found.hours_freed_per_year)}/年（{fte_ja(found.fte_freed, 2)}）",
                        f"{found.hours_freed_per_year:,.0f} h/yr ({found.fte_freed:,.2f} FTE)"),
        cash=Bilingual(yen_ja(value.base) + ("" if same else f"（{yen_ja(value.low)}〜{yen_ja(value.high)}）")
                       + back_ja,
                       yen_en(value.base) + ("" if same else f" ({yen_en(value.low)} to {yen_en(value.high)})")
                       + back_en),
        lots=tuple(Link(f"{lot_id}.html", names.get(lot_id, lot_id)) for lot_id in found.lots),
    )


def candidates_page(catalogue: Catalogue) -> CandidatesPage:
    """Every step, ranked."""
    rows = tuple(_rows(catalogue))
    lanes = sorted({row.lane for row in rows if row.lane})
    return CandidatesPage(
        page=PageView("candidates", "candidates.html", Bilingual.of("page.candidates")),
        rows=rows,
        flow_options=tuple(FilterOption(ref.file_name, Bilingual.same(ref.name)) for ref in catalogue.refs.values()),
        lane_options=tuple(FilterOption(lane, Bilingual.same(lane)) for lane in lanes),
        disposition_options=tuple(FilterOption(d.key, d.label) for d in legend()),
        reviewed=catalogue.reviews is not None,
        orphans=orphan_views(catalogue.reviews),
        legal=_legal_summary(catalogue),
    )


def capacity_page(catalogue: Catalogue) -> CandidatesPage:
    """The capacity view: RPA/outsourcing candidates by hours freed × suitability, whatever they cost."""
    ranked = [(ref, step) for ref, step in _all_steps(catalogue)
              if step.money is not None and step.money.capacity_rank is not None]
    rows = sorted((row for row in _list_rows(catalogue, ranked) if row.capacity_rank.sort),
                  key=lambda row: float(row.capacity_rank.sort))
    lanes = sorted({row.lane for row in rows if row.lane})
    return CandidatesPage(
        page=PageView("capacity", "capacity.html", Bilingual("能力ビュー（時間×適性）", "Capacity view (ho"
            "urs × suitability)")),
        rows=tuple(rows),
        flow_options=tuple(FilterOption(ref.file_name, Bilingual.same(ref.name)) for ref in catalogue.refs.values()),
        lane_options=tuple(FilterOption(lane, Bilingual.same(lane)) for lane in lanes),
        disposition_options=tuple(FilterOption(d.key, d.label) for d in legend()),
    )


def profile_row(key: str, note: str) -> ProfileRow:
    """One parameter row: label, value, basis and source note split out of the profile's note."""
    value, _, source = note.partition(" — ")
    text = source.strip() or note
    described = describe(key)
    return ProfileRow(key, text, param_label(key), value.strip(), parameter_basis(note), param_anchor(key),
                      cited_parts(text), described.meaning if described else None,
                      described.unit if described else None)


def parameter_groups(sources: Mapping[str, str]) -> tuple[ParameterGroup, ...]:
    """Parameters grouped by their profile table, each group headed in words."""
    grouped: dict[str, list[ProfileRow]] = defaultdict(list)
    for key, note in sorted(sources.items()):
        grouped[key.split(".", 1)[0]].append(profile_row(key, note))
    return tuple(
        ParameterGroup(table, Bilingual(t_or(f"param_group.{table}", "ja", table), t_or(f"param_group.{table}", "en",
                                                                                        table)), tuple(rows))
        for table, rows in grouped.items()
    )


def assumptions_page(catalogue: Catalogue) -> AssumptionsPage:
    """Profile and method."""
    assessment = catalogue.assessment
    return AssumptionsPage(
        page=PageView("assumptions", "assumptions.html", Bilingual.of("page.assumptions")),
        profile_name=assessment.profile_name,
        parameters=tuple(profile_row(k, v) for k, v in sorted(assessment.profile_sources.items())),
        legend=legend(),
        precedence=tuple(
            _open("source", s) for s in ("survey", "property", "bpmn-type", "lexicon", "structure", "default")
        ),
        groups=parameter_groups(assessment.profile_sources),
    )
