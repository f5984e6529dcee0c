"""The 出典 page: every source the report cites, shipped inside the site.

The 前提条件 page quotes the profile's source notes, which cite資料 by key
(K12, S4) and the project's research notes by file name
(counter-procedures.md §1).  A reader on the intranet cannot open those, so
this page lists them: the K-keys of the default profile (from
``reports/sources.toml``, facts taken from the research notes), the survey's
own 出典 sheet as the city filled it in, and what each research note is.
Citations on the 前提条件 page link here (:func:`cited_parts`).

Addresses are shown as text, never as links: they come from a workbook the
city typed, and the site fetches nothing.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bpm.errors import SurveyError, say
from reports.i18n import Bilingual

__all__ = [
    "CitedSource",
    "Document",
    "SourcesPage",
    "citation_keys",
    "cited_parts",
    "read_source_sheet",
    "source_anchor",
    "sources_page",
]

_REGISTRY = Path(__file__).resolve().with_name("sources.toml")
_CITATION = re.compile(
    r"\b(K\d+[a-z]?|S\d+)\b|\b(counter-procedures|scoring-methodology|costing-and-legal-facts)\.md\b")
_RANGE = re.compile(r"\bK(\d+)[–-]K(\d+)\b")
SHEET = "出典"
"""Name of the survey's sources sheet."""
MAX_ROWS = 5000
"""Rows read from the 出典 sheet at most (a sheet is a list of references, not data)."""
MAX_CELL = 2000
"""Characters kept of one cell."""

DOCUMENTS: Mapping[str, Bilingual] = {
    "counter-procedures": Bilingual(
        "窓口・住民記録の手続の調査ノート（手続ごとの手順、法的な区分、件数と処理時間の推計）。"
        "処理時間の既定値と手順名の語の一覧の根拠です。S番号の資料は調査票の出典シートに載っています。",
        "Research notes on counter and resident-record procedures (steps, legal classes, volume and time "
        "estimates): the basis of the default minutes and word lists. Its S-numbered sources are in the "
        "survey's 出典 sheet."),
    "scoring-methodology": Bilingual(
        "評価方法の調査ノート（定型性・判断・処理量の基準、年間勤務時間、既存の業務量調査の方法）。"
        "点数の重みと閾値の考え方の根拠です。",
        "Research notes on the scoring method (routine, judgment and volume criteria, working hours per FTE, "
        "existing 業務量調査 practice): the basis of the weights and thresholds."),
    "costing-and-legal-facts": Bilingual(
        "費用と法的な制約の調査ノート（職種別フルコスト、委託・RPAの価格、待ち行列、委託の法的な条件）。"
        "K番号の資料は下の一覧にあります。",
        "Research notes on cost and legal constraints (full cost per 職種, contract and RPA prices, queueing, "
        "the legal conditions of contracting): its K-numbered sources are listed below."),
}
"""The project's research notes the profile cites by file name, in words."""


@dataclass(frozen=True, slots=True)
class CitedSource:
    """One source as cited, and who cites it."""

    key: str
    """Citation key (K12, S4, or the row's own key)."""
    cited: str
    """Title, date and where it was read, as recorded (plain text)."""
    address: str = ""
    """Where it can be found (shown as text, not a link)."""
    cited_by: tuple[str, ...] = ()
    """Profile keys (or survey rows) that cite it."""

    @property
    def anchor(self) -> str:
        """HTML id of its row."""
        return source_anchor(self.key)


@dataclass(frozen=True, slots=True)
class Document:
    """A research note the profile cites by file name."""

    key: str
    """File name without ``.md``."""
    text: Bilingual
    """What it is."""
    cited_by: tuple[str, ...]
    """Profile keys that cite it."""

    @property
    def anchor(self) -> str:
        """HTML id of its row."""
        return source_anchor(self.key)


@dataclass(frozen=True, slots=True)
class SourcesPage:
    """Everything the 出典 page lists."""

    documents: tuple[Document, ...]
    """Research notes, in a fixed order."""
    profile: tuple[CitedSource, ...]
    """K-keys the profile cites, in number order."""
    survey: tuple[CitedSource, ...]
    """The survey's 出典 sheet, in sheet order."""
    survey_file: str
    """Name of the survey workbook (empty without one)."""
    unknown: tuple[CitedSource, ...]
    """Keys cited but found in no list (shown with their citing parameters, so a gap is visible)."""


def source_anchor(key: str) -> str:
    """HTML id of a source's row on the 出典 page.

    Keys a city typed that are not plain ASCII (「仮定」) are hashed, so two
    of them never share an id.

    >>> source_anchor("K12"), source_anchor("counter-procedures"), source_anchor("仮定").startswith("src-x-")
    ('src-K12', 'src-counter-procedures', True)
    """
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,60}", key):
        return f"src-{key}"
    return "src-x-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def _key_number(key: str) -> tuple[str, int, str]:
    match = re.fullmatch(r"([A-Z]+)(\d+)(.*)", key)
    return (match.group(1), int(match.group(2)), match.group(3)) if match else (key, 0, "")


def citation_keys(note: str) -> list[str]:
    """Every source a note cites: K/S keys (a range K38–K44 stands for each), research notes by name.

    >>> citation_keys("K38–K44 [src]; counter-procedures.md §1; 宇城市 (K12) [D]")
    ['K38', 'K39', 'K40', 'K41', 'K42', 'K43', 'K44', 'counter-procedures', 'K12']
    """
    keys: list[str] = []
    ranged = {m.start(): m for m in _RANGE.finditer(note)}
    skip_to = -1
    for match in _CITATION.finditer(note):
        if match.start() < skip_to:
            continue
        found = ranged.get(match.start())
        if found is not None:
            low, high = int(found.group(1)), int(found.group(2))
            keys.extend(f"K{n}" for n in range(low, min(high, low + 100) + 1))
            skip_to = found.end()
            continue
        keys.append(match.group(1) or match.group(2))
    return list(dict.fromkeys(keys))


def cited_parts(note: str) -> tuple[tuple[str, str], ...]:
    """The note split into (text, href) pieces: citations link to their row on the 出典 page, the rest is text.

    >>> cited_parts("貝塚市 (K12) [D]")
    (('貝塚市 (', ''), ('K12', 'sources.html#src-K12'), (') [D]', ''))
    """
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _CITATION.finditer(note):
        if match.start() > position:
            parts.append((note[position:match.start()], ""))
        parts.append((match.group(0), f"sources.html#{source_anchor(match.group(1) or match.group(2))}"))
        position = match.end()
    if position < len(note):
        parts.append((note[position:], ""))
    return tuple(parts)


@cache
def _registry() -> Mapping[str, str]:
    """K-key → source as cited, from ``reports/sources.toml``."""
    table = tomllib.loads(_REGISTRY.read_text(encoding="utf-8"))
    return {key: str(entry.get("cited", "")) for key, entry in table.items() if isinstance(entry, dict)}


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else format(value, "g") if isinstance(value, float) else str(value)
    return " ".join(text.split())[:MAX_CELL]


def read_source_sheet(path: str | Path) -> tuple[CitedSource, ...]:
    """The survey workbook's 出典 sheet (キー, 資料, 所在), or nothing when it has none or is not a workbook.

    Reading is bounded (:data:`MAX_ROWS` rows, :data:`MAX_CELL` characters a
    cell) and values are kept as plain text; a formula is shown as written,
    never evaluated.
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return ()
    from openpyxl import load_workbook  # only needed when a workbook is given

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (OSError, ValueError, KeyError) as error:
        raise SurveyError(say("sources.unreadable", path=path, sheet=SHEET, detail=error)) from error
    try:
        if SHEET not in book.sheetnames:
            return ()
        rows = book[SHEET].iter_rows(min_row=1, max_row=MAX_ROWS + 1, values_only=True)
        header = [_cell(v) for v in next(rows, ())]
        column = {name: index for index, name in enumerate(header)}
        key_at, title_at = column.get("キー", 0), column.get("資料", 1)
        where_at = next((i for name, i in column.items() if name.startswith("所在")), 2)
        found: list[CitedSource] = []
        for row in rows:
            cells = [_cell(v) for v in row]
            key = cells[key_at] if key_at < len(cells) else ""
            if not key:
                continue
            found.append(CitedSource(key, cells[title_at] if title_at < len(cells) else "",
                                     cells[where_at] if where_at < len(cells) else ""))
        return tuple(found)
    finally:
        book.close()


def sources_page(profile_sources: Mapping[str, str], survey: Sequence[CitedSource] = (),
                 survey_file: str = "") -> SourcesPage:
    """What the 出典 page lists: research notes, the profile's K-keys and the survey's 出典 sheet."""
    cited_by: dict[str, list[str]] = defaultdict(list)
    for param, note in sorted(profile_sources.items()):
        for key in citation_keys(note):
            cited_by[key].append(param)
    registry = _registry()
    survey_keys = {source.key for source in survey}
    profile = tuple(
        CitedSource(key, registry[key], cited_by=tuple(cited_by[key]))
        for key in sorted((k for k in cited_by if k in registry), key=_key_number)
    )
    documents = tuple(Document(key, text, tuple(cited_by.get(key, ()))) for key, text in DOCUMENTS.items())
    unknown = tuple(
        CitedSource(key, "", cited_by=tuple(cited_by[key]))
        for key in sorted((k for k in cited_by if k not in registry and k not in DOCUMENTS and k not in survey_keys),
                          key=_key_number)
    )
    return SourcesPage(documents, profile, tuple(survey), survey_file, unknown)
