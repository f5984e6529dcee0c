"""Review decisions (判断): read back the candidates sheet a reform team filled in, and match it to the steps.

``bpm score`` and ``bpm scan`` export every step with three empty columns —
判断 (accept / reject / defer), 担当 (who follows it up) and コメント — so
that a 課長's review happens in the sheet the team already works in.  The next
run reads the sheet back (``--decisions FILE``) and the report shows each
candidate's status.  Rows are matched by file, process and step id, so the
sheet may be sorted, filtered or have columns moved; a decision whose step no
longer exists (the flow was edited) is reported, never dropped.

The sheet is user input: every 判断 value is checked, and an unknown one stops
the run with the sheet, the cell (``R12``) and the accepted words.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath, PureWindowsPath

from bpm.errors import SurveyError, say
from bpm.model import ElementId, ProcessId
from scoring.result import Assessment, StepAssessment

__all__ = [
    "DECISION_COLUMNS",
    "Decision",
    "DecisionSheetError",
    "ReviewDecision",
    "Reviews",
    "load_decisions",
    "match_decisions",
    "parse_decision",
]

DECISION_COLUMNS = ("判断", "担当", "コメント")
"""The review columns appended to the candidates export, in this order."""

MAX_ROWS = 100_000
"""A candidates sheet has one row per step; anything far larger is not one."""
MAX_TEXT = 4_000
"""Longest 担当 or コメント kept (characters); longer text is cut with a note."""


class DecisionSheetError(SurveyError):
    """The decisions sheet cannot be read or holds a value that is not a decision."""


class Decision(Enum):
    """What the review decided about a candidate."""

    ACCEPT = "accept"
    """Go ahead (採用)."""
    REJECT = "reject"
    """Do not pursue (不採用)."""
    DEFER = "defer"
    """Decide later (保留)."""


_WORDS: Mapping[Decision, tuple[str, ...]] = {
    Decision.ACCEPT: ("accept", "accepted", "採用", "承認", "実施", "可", "ok", "yes", "○", "◯"),
    Decision.REJECT: ("reject", "rejected", "不採用", "却下", "見送り", "否", "no", "×", "✕"),
    Decision.DEFER: ("defer", "deferred", "保留", "継続検討", "検討中", "後日"),
}
_BY_WORD = {unicodedata.normalize("NFKC", w).casefold(): d for d, words in _WORDS.items() for w in words}
ACCEPTED_WORDS = "accept / reject / defer（採用 / 不採用 / 保留）"
"""How the accepted values are named in messages."""


def parse_decision(value: object) -> Decision | None:
    """A 判断 cell as a decision; None for an empty cell; ValueError for anything else.

    >>> parse_decision(" 採用 "), parse_decision("DEFER"), parse_decision(None)
    (<Decision.ACCEPT: 'accept'>, <Decision.DEFER: 'defer'>, None)
    """
    text = _text(value)
    if not text:
        return None
    found = _BY_WORD.get(unicodedata.normalize("NFKC", text).casefold())
    if found is None:
        raise ValueError(text)
    return found


# --------------------------------------------------------------------------- the sheet


_ALIASES: Mapping[str, tuple[str, ...]] = {
    "file": ("file", "ファイル"),
    "process_id": ("process_id", "プロセスID"),
    "step_id": ("step_id", "手順ID", "要素ID"),
    "name": ("name", "手順", "手順名", "step"),
    "flow": ("flow", "業務", "業務フロー"),
    "decision": ("判断", "decision"),
    "owner": ("担当", "owner", "reviewer"),
    "comment": ("コメント", "comment", "comments"),
}
_REQUIRED = ("process_id", "step_id", "decision")


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text).casefold())


_BY_HEADER = {_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases}


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """One filled-in row of the decisions sheet."""

    file: str
    """BPMN file name as written in the sheet (directories dropped); empty when the sheet has no file column."""
    process_id: ProcessId
    """Process id."""
    step_id: ElementId
    """Step id."""
    decision: Decision | None
    """The decision; None when only 担当 or コメント are filled in (still under review)."""
    owner: str = ""
    """担当: who follows it up."""
    comment: str = ""
    """コメント."""
    name: str = ""
    """Step name in the sheet (to name a step that no longer exists)."""
    flow: str = ""
    """Flow name in the sheet."""
    sheet: str = ""
    """The decisions file."""
    row: int = 0
    """Row as Excel numbers it (header = 1 in an export)."""


def load_decisions(path: str | Path) -> tuple[ReviewDecision, ...]:
    """Every row with a 判断, 担当 or コメント, checked; rows left empty are not decisions.

    Raises :class:`DecisionSheetError` naming the file and cell for an
    unreadable sheet, a missing column, a value that is not a decision, or
    two different decisions for one step.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise DecisionSheetError(say("decisions.not_found"), file=file, hint=say("decisions.not_found_hint"))
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        table = _read_csv(path)
    else:
        raise DecisionSheetError(say("decisions.unknown_type", suffix=repr(path.suffix)), file=file,
                                 hint=say("decisions.unknown_type_hint"))
    return _decisions(table, file)


def _decisions(table: Sequence[Sequence[object]], file: str) -> tuple[ReviewDecision, ...]:
    header_row, columns = _header(table, file)
    found: dict[tuple[str, str, str], ReviewDecision] = {}
    for index in range(header_row + 1, len(table)):
        cells = table[index]
        line = index + 1

        def cell(name: str, cells: Sequence[object] = cells) -> object:
            position = columns.get(name)
            return cells[position] if position is not None and position < len(cells) else None

        raw = cell("decision")
        owner, comment = _clip(_text(cell("owner"))), _clip(_text(cell("comment")))
        if not _text(raw) and not owner and not comment:
            continue
        try:
            decision = parse_decision(raw)
        except ValueError:
            coordinate = f"{_column_letter(columns['decision'])}{line}"
            raise DecisionSheetError(
                say("decisions.not_a_decision", cell=coordinate, value=repr(_text(raw))),
                file=file,
                line=line,
                hint=say("decisions.not_a_decision_hint", words=ACCEPTED_WORDS),
            ) from None
        process_id, step_id = _text(cell("process_id")), _text(cell("step_id"))
        if not process_id or not step_id:
            missing = "process_id" if not process_id else "step_id"
            raise DecisionSheetError(
                say("decisions.no_step", cell=f"{_column_letter(columns[missing])}{line}", column=missing),
                file=file,
                line=line,
                hint=say("decisions.no_step_hint"),
            )
        entry = ReviewDecision(
            file=_base_name(_text(cell("file"))), process_id=ProcessId(process_id), step_id=ElementId(step_id),
            decision=decision, owner=owner, comment=comment, name=_text(cell("name")), flow=_text(cell("flow")),
            sheet=file, row=line,
        )
        key = (entry.file.casefold(), process_id, step_id)
        earlier = found.get(key)
        if earlier is not None and (earlier.decision, earlier.owner, earlier.comment) != (decision, owner, comment):
            raise DecisionSheetError(
                say("decisions.twice", step=step_id, first=earlier.row, second=line),
                file=file,
                line=line,
                element_id=step_id,
                hint=say("decisions.twice_hint"),
            )
        found.setdefault(key, entry)
    return tuple(found.values())


def _header(table: Sequence[Sequence[object]], file: str) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(table[:20]):
        columns: dict[str, int] = {}
        for position, value in enumerate(row):
            name = _BY_HEADER.get(_key(_text(value)))
            if name is not None:
                columns.setdefault(name, position)
        if "step_id" in columns and ("decision" in columns or "process_id" in columns):
            missing = [n for n in _REQUIRED if n not in columns]
            if missing:
                labels = ", ".join(_ALIASES[n][0] for n in missing)
                raise DecisionSheetError(
                    say("decisions.no_column", labels=labels),
                    file=file,
                    line=index + 1,
                    hint=say("decisions.no_column_hint"),
                )
            return index, columns
    raise DecisionSheetError(
        say("decisions.no_header"),
        file=file,
        hint=say("decisions.results_sheet_hint"),
    )


def _read_xlsx(path: Path) -> list[list[object]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise DecisionSheetError(say("survey.bad_workbook", reason=error), file=str(path),
                                 hint=say("survey.bad_workbook_hint")) from None
    try:
        names = workbook.sheetnames
        if not names:
            raise DecisionSheetError(say("survey.no_sheets"), file=str(path))
        sheet = workbook["results"] if "results" in names else workbook[names[0]]
        rows: list[list[object]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS:
                raise DecisionSheetError(say("decisions.too_many_rows", limit=f"{MAX_ROWS:,}"), file=str(path),
                                         hint=say("decisions.too_many_rows_hint"))
        return rows
    finally:
        workbook.close()


def _read_csv(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DecisionSheetError(say("survey.undecodable"), file=str(path), hint=say("survey.undecodable_hint"))
    try:
        rows: list[list[object]] = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise DecisionSheetError(say("decisions.malformed_csv", detail=error), file=str(path)) from None
    if len(rows) > MAX_ROWS + 1:
        raise DecisionSheetError(say("decisions.too_many_rows", limit=f"{MAX_ROWS:,}"), file=str(path))
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return str(value).strip()


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _base_name(path: str) -> str:
    return PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name


def _column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index.

    >>> _column_letter(0), _column_letter(25), _column_letter(26), _column_letter(55)
    ('A', 'Z', 'AA', 'BD')
    """
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class Reviews:
    """Decisions matched to the assessed steps."""

    sheet: str
    """The decisions file."""
    by_step: Mapping[tuple[str, ProcessId, ElementId], ReviewDecision] = field(default_factory=dict)
    """(BPMN file name, process id, step id) → the decision about that step."""
    orphans: tuple[ReviewDecision, ...] = ()
    """Decisions whose step is no longer in the flows (deleted or re-created): reported, never dropped."""

    def of(self, step: StepAssessment) -> ReviewDecision | None:
        """The decision about a step, if the sheet has one."""
        return self.by_step.get((_base_name(step.file), step.process_id, step.step_id))

    def count(self, decision: Decision | None) -> int:
        """Matched steps with this decision (None: under review, no 判断 yet)."""
        return sum(1 for entry in self.by_step.values() if entry.decision is decision)


def match_decisions(assessment: Assessment, decisions: Iterable[ReviewDecision], *, sheet: str = "") -> Reviews:
    """Attach each decision to its step by file name, process id and step id.

    A sheet without a file column matches by process and step id alone. A
    decision naming a step that is not assessed any more becomes an orphan.
    """
    steps: dict[tuple[str, str, str], StepAssessment] = {}
    without_file: dict[tuple[str, str], list[StepAssessment]] = {}
    for process in assessment.processes:
        for assessed in process.steps:
            steps[(_base_name(assessed.file).casefold(), assessed.process_id, assessed.step_id)] = assessed
            without_file.setdefault((assessed.process_id, assessed.step_id), []).append(assessed)
    matched: dict[tuple[str, ProcessId, ElementId], ReviewDecision] = {}
    orphans: list[ReviewDecision] = []
    for entry in decisions:
        step: StepAssessment | None
        if entry.file:
            step = steps.get((entry.file.casefold(), entry.process_id, entry.step_id))
        else:
            candidates = without_file.get((entry.process_id, entry.step_id), [])
            step = candidates[0] if len(candidates) == 1 else None
        if step is None:
            orphans.append(entry)
        else:
            matched[(_base_name(step.file), step.process_id, step.step_id)] = entry
    first = next((d.sheet for d in (*matched.values(), *orphans)), "")
    return Reviews(sheet or first, matched, tuple(orphans))
