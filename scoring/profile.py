"""Scoring profiles: every weight, threshold, word list and cost figure, with its source.

Why a TOML file and not constants: the numbers are policy (what a city pays
per hour, how sure it wants to be before recommending a robot), and a reform
team must be able to see where each one came from and change it without
touching code.  ``profiles/default.toml`` is both the default values and the
schema: a user profile may override any subset of its keys (deep merge), and
anything it does not know is rejected with the dotted key and its line.

Each parameter is ``{ value = …, source = "…" }``; a user may write a bare
value, whose source then becomes ``user profile <file>``.

A profile is user input like any other: it is read with or without a UTF-8
BOM (Notepad on Windows writes one), refused when larger or more deeply
nested than :mod:`bpm.limits` allows (before the TOML parser could recurse
too deeply), and every number must lie in a range that keeps the hours and
yen the scanner multiplies finite (:func:`check_ranges`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpm.errors import ProfileError, Say, Text, say
from bpm.limits import (
    MAX_ANNUAL_COUNT,
    MAX_MINUTES,
    MAX_NUMBER,
    MAX_PROFILE_BYTES,
    MAX_PROFILE_NESTING,
    MAX_YEN,
    MAX_YEN_PER_HOUR,
)
from scoring.money_params import Estimate, MoneyParams, money_params, upper_limit

DEFAULT_PROFILE = Path(__file__).resolve().parent / "profiles" / "default.toml"

Scalar = float | bool | str
"""A parameter value (ints are read as floats)."""


@dataclass(frozen=True, slots=True)
class WordList:
    """Words that signal one thing in step, lane or pool names."""

    ja: tuple[str, ...]
    """Japanese words, matched as substrings after NFKC normalisation."""
    en: tuple[str, ...]
    """English words, matched at a word start, case-insensitively."""
    source: str
    """Where the list comes from."""


@dataclass(frozen=True, slots=True)
class VolumeParams:
    """How case volumes are defaulted and how hours become the volume feature."""

    default_annual_cases: float
    """Cases per year when nothing else gives a count (reported as a gap)."""
    count_mismatch_tolerance: float
    """Relative difference between survey 件数 and visits × cases that is noted."""
    hours_at_zero: float
    """Annual hours at or below which the volume feature is 0."""
    hours_at_one: float
    """Annual hours at or above which the volume feature is 1."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Cut-offs of the decision procedure."""

    rpa: float
    """Minimum RPA score for an RPA recommendation."""
    outsource: float
    """Minimum outsourcing score for an outsourcing recommendation."""
    automated: float
    """Minimum ``automated`` feature for "already automated"."""
    rpa_assist: float
    """RPA score from which a retained legal step gets the RPA-assistance reason."""
    exception_ceiling: float
    """Exception rate at which the low-exception part of routine reaches 0."""
    confidence_margin: float
    """Score margin over the runner-up that counts as full confidence."""


@dataclass(frozen=True, slots=True)
class CostParams:
    """The single staff rate that may override the full cost built per 職種 (see :class:`MoneyParams`)."""

    staff_yen_per_hour: float
    """0 = not set (the default); above 0, every staff hour of every 職種 is priced at this rate."""


@dataclass(frozen=True, slots=True)
class HandoffParams:
    """How many contractor ↔ staff hand-offs per case a flow may have before it is flagged (偽装請負 risk)."""

    max_per_case: float
    """Hand-offs per case, both directions, above which the flow gets a warning (scoring-methodology §3.4)."""
    min_staff_minutes: float
    """Staff minutes per entry below which a stretch of staff work between two contractor steps is a fragmented
    hand-off (a half-minute check on every case)."""


@dataclass(frozen=True, slots=True)
class LegalOverrideEntry:
    """A profile entry that sets one step's legal class, with its written justification."""

    name: str
    """The entry's key under ``[legal.overrides]``."""
    flow: str
    """Process id or name (業務) it applies to."""
    step: str
    """Step id or name."""
    legal_class: str
    """``factual``, ``authority`` or ``unknown``."""
    reason: str
    """The justification (公権力の判断根拠); required and non-empty."""
    file: str
    """Profile file."""
    line: int | None
    """Line of the entry."""


@dataclass(frozen=True, slots=True)
class ProcedureOverlay:
    """A profile entry adding or changing a procedure of the catalogue (checked by :mod:`scoring.legal`)."""

    key: str
    """Catalogue key."""
    fields: Mapping[str, object]
    """The TOML fields as written."""
    file: str
    """Profile file."""
    line: int | None
    """Line of the entry."""


@dataclass(frozen=True, slots=True)
class LegalParams:
    """The profile's legal section: conditions the city states, justified overrides, procedure additions.

    None of it is a weight or a threshold: an override names one step and
    carries a written reason, and a procedure addition must name its source.
    """

    cash_collection_notice: bool = False
    """True when the city has published the 告示 for contracting out the collection of fees
    (地方自治法243条・施行令158条); until then no step handling 公金 is outsourced."""
    overrides: tuple[LegalOverrideEntry, ...] = ()
    """Justified per-step overrides, in file order."""
    procedures: tuple[ProcedureOverlay, ...] = ()
    """Procedure additions and changes, in file order."""


@dataclass(frozen=True, slots=True)
class Profile:
    """A loaded, validated profile."""

    name: str
    """``default`` or the user profile's name."""
    hours_per_fte: float
    """Working hours of one full-time employee per year."""
    volume: VolumeParams
    """Volume defaults and scaling."""
    minutes: Mapping[str, float]
    """Default minutes per execution by BPMN task type (``userTask`` …)."""
    signals: Mapping[str, float]
    """Value each kind of inferred evidence contributes (0–1)."""
    defaults: Mapping[str, float]
    """Feature values when nothing is known (legal_authority as 0/1)."""
    weights: Mapping[str, Mapping[str, float]]
    """Positive weights per score (``routine``, ``rpa``, ``outsource``, ``retain``)."""
    penalties: Mapping[str, Mapping[str, float]]
    """Multiplicative penalties per score (``rpa``, ``outsource``)."""
    thresholds: Thresholds
    """Decision cut-offs."""
    confidence: Mapping[str, float]
    """Confidence discount per kind of source (survey, property, inferred, default)."""
    cost: CostParams
    """Cost-model parameters."""
    handoff: HandoffParams
    """Contractor ↔ staff hand-off threshold."""
    lexicon: Mapping[str, WordList]
    """Word lists by signal."""
    sources: Mapping[str, str]
    """Every parameter (dotted key) with its value and source note, for the assumptions page."""
    money: MoneyParams | None = None
    """Staff cost per 職種, staffing, lots, queueing, RPA and cash-flow parameters (base values)."""
    estimates: Mapping[str, Estimate] = field(default_factory=dict)
    """Every numeric money parameter by dotted key with its low / base / high and source."""
    path: str | None = None
    """User profile file, None for the bundled default."""
    legal: LegalParams = LegalParams()
    """The legal section (conditions, justified overrides, procedure additions)."""

    def signal(self, name: str) -> float:
        """One inference signal value."""
        return self.signals[name]


# --------------------------------------------------------------------------- loading


def load_profile(path: str | Path | None = None) -> Profile:
    """The default profile, with a user profile deep-merged over it when given.

    Raises :class:`~bpm.errors.ProfileError` naming the file, the dotted key
    and the line for syntax errors, unknown keys, wrong types, values out of
    range and missing required keys.

    Examples
    --------
    >>> profile = load_profile()
    >>> profile.name, profile.hours_per_fte, profile.cost.staff_yen_per_hour
    ('default', 1920.0, 0.0)
    """
    default_text, default_file, default_flat, name, overrides, procedures = _default_parts()
    flat = dict(default_flat)
    if path is not None:
        file = str(path)
        text = read_profile_text(Path(path))
        data = _parse(text, file)
        user_overrides, user_procedures = _legal_tables(data, text, file)
        overrides, procedures = (*overrides, *user_overrides), (*procedures, *user_procedures)
        user = _flatten(data, text, file, schema=flat)
        user_name = user.pop("profile.name", None)
        user.pop("profile.description", None)
        name = str(user_name.value) if user_name is not None else Path(path).stem
        flat = {**flat, **user}
        return _with_legal(_build(flat, name, file, text), flat, overrides, procedures)
    return _with_legal(_build(flat, name, default_file, default_text), flat, overrides, procedures)


@functools.cache
def _default_parts() -> tuple[str, str, Mapping[str, _Entry], str, tuple[LegalOverrideEntry, ...],
                              tuple[ProcedureOverlay, ...]]:
    """The shipped profile read, checked and flattened once a process: text, file, flat entries, name and legal
    tables.

    Why cached: ``bpm compare`` loads a profile per city (1,741 in a national run), each on top of the same
    default, which took ≈ 5 ms to read and flatten every time.  The flat entries are returned read-only (a
    :class:`types.MappingProxyType` of frozen entries) and copied by the caller, so no run can change another's.
    """
    text = DEFAULT_PROFILE.read_text(encoding="utf-8")
    file = str(DEFAULT_PROFILE)
    data = _parse(text, file)
    overrides, procedures = _legal_tables(data, text, file)
    flat = _flatten(data, text, file, schema=None)
    name = str(flat.pop("profile.name").value)
    flat.pop("profile.description", None)
    return text, file, types.MappingProxyType(flat), name, overrides, procedures


_LEGAL_CLASSES = ("factual", "authority", "unknown")


def _legal_tables(
    data: dict[str, Any], text: str, file: str
) -> tuple[tuple[LegalOverrideEntry, ...], tuple[ProcedureOverlay, ...]]:
    """Take ``[legal.overrides.*]`` and ``[legal.procedures.*]`` out of the parsed TOML (they are not parameters)."""
    legal = data.get("legal")
    if not isinstance(legal, dict):
        return (), ()
    raw_overrides = legal.pop("overrides", {})
    raw_procedures = legal.pop("procedures", {})
    if not legal:
        data.pop("legal")
    for key, raw in (("legal.overrides", raw_overrides), ("legal.procedures", raw_procedures)):
        if not isinstance(raw, dict):
            raise _error(say("profile.named_entries", key=key), key, text, file)
    overrides: list[LegalOverrideEntry] = []
    for entry_name, entry in raw_overrides.items():
        dotted = f"legal.overrides.{entry_name}"
        if not isinstance(entry, dict):
            raise _error(say("profile.override_table", key=dotted), dotted, text, file)
        extra = sorted(set(entry) - {"flow", "step", "class", "reason"})
        if extra:
            raise _error(say("profile.unknown_key", key=repr(dotted + "." + extra[0])), dotted, text, file,
                         hint=say("profile.override_keys_hint"))
        values = {k: entry.get(k) for k in ("flow", "step", "class", "reason")}
        for k, v in values.items():
            if not isinstance(v, str) or not v.strip():
                hint = say("profile.reason_hint") if k == "reason" else None
                raise _error(say("profile.nonempty_text", key=f"{dotted}.{k}"), dotted, text, file, hint=hint)
        legal_class = str(values["class"]).strip().casefold()
        if legal_class not in _LEGAL_CLASSES:
            raise _error(say("profile.legal_class", key=f"{dotted}.class", known=", ".join(_LEGAL_CLASSES),
                             value=repr(values["class"])),
                         dotted, text, file)
        overrides.append(LegalOverrideEntry(
            entry_name, str(values["flow"]).strip(), str(values["step"]).strip(), legal_class,
            str(values["reason"]).strip(), file, line_of_key(text, dotted),
        ))
    procedures: list[ProcedureOverlay] = []
    for key, entry in raw_procedures.items():
        dotted = f"legal.procedures.{key}"
        if not isinstance(entry, dict):
            raise _error(say("profile.must_be_table", key=dotted), dotted, text, file)
        procedures.append(ProcedureOverlay(key, dict(entry), file, line_of_key(text, dotted)))
    return tuple(overrides), tuple(procedures)


def _with_legal(
    profile: Profile,
    flat: Mapping[str, _Entry],
    overrides: tuple[LegalOverrideEntry, ...],
    procedures: tuple[ProcedureOverlay, ...],
) -> Profile:
    notice = flat.get("legal.cash_collection_notice")
    legal = LegalParams(
        cash_collection_notice=bool(notice.value) if notice is not None and isinstance(notice.value, bool) else False,
        overrides=overrides,
        procedures=procedures,
    )
    return dataclasses.replace(profile, legal=legal)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One flattened parameter."""

    value: Scalar | None
    source: str
    words: WordList | None = None
    low: float | None = None
    high: float | None = None


def read_profile_text(path: Path) -> str:
    r"""The text of a profile file: bounded in size, UTF-8 with or without a BOM.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     bom = Path(folder) / "bom.toml"
    ...     _ = bom.write_bytes("\ufeff[cost]\n".encode())
    ...     read_profile_text(bom)
    '[cost]\n'
    """
    file = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PROFILE_BYTES + 1)
    except OSError as error:
        raise ProfileError(say("profile.unreadable", reason=error.strerror or error), file=file,
                           hint=say("profile.unreadable_hint")) from None
    if len(data) > MAX_PROFILE_BYTES:
        raise ProfileError(
            say("profile.too_big", limit=f"{MAX_PROFILE_BYTES // 1024:,}"),
            file=file,
            hint=say("profile.too_big_hint"),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ProfileError(say("profile.not_utf8"), file=file, line=line, hint=say("profile.not_utf8_hint")) from None


_TOKENS = re.compile(
    r'"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}\n]',
    re.DOTALL,
)


def _check_nesting(text: str, file: str) -> None:
    """Refuse arrays and inline tables nested deeper than the limit, before the TOML parser recurses into them."""
    depth, line = 0, 1
    for token in _TOKENS.finditer(text):
        value = token.group()
        if value in "[{":
            depth += 1
            if depth > MAX_PROFILE_NESTING:
                raise ProfileError(
                    say("profile.nested", limit=MAX_PROFILE_NESTING),
                    file=file,
                    line=line,
                    hint=say("profile.nested_hint"),
                )
        elif value in "]}":
            depth = max(0, depth - 1)
        else:
            line += value.count("\n")


def _parse(text: str, file: str) -> dict[str, Any]:
    _check_nesting(text, file)
    try:
        return tomllib.loads(text)
    except RecursionError:  # the nesting check should make this unreachable; keep the promise anyway
        raise ProfileError(say("profile.too_deep"), file=file) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        reason = re.sub(r" \(at line.*\)$", "", message)
        raise ProfileError(
            say("profile.toml_syntax", reason=reason),
            file=file,
            line=line,
            hint=say("profile.toml_syntax_hint"),
        ) from None


def _flatten(
    data: Mapping[str, Any], text: str, file: str, *, schema: Mapping[str, _Entry] | None, prefix: str = ""
) -> dict[str, _Entry]:
    """Dotted key → entry; with a schema (the default profile), check keys and types against it."""
    flat: dict[str, _Entry] = {}
    for key, raw in data.items():
        dotted = f"{prefix}{key}"
        if dotted in ("profile.name", "profile.description"):
            if not isinstance(raw, str):
                raise _error(say("profile.must_be_text", key=dotted), dotted, text, file)
            flat[dotted] = _Entry(raw, "")
            continue
        kind = _schema_kind(schema, dotted) if schema is not None else None
        if schema is not None and kind is None:
            raise _error(say("profile.unknown_key", key=repr(dotted)), dotted, text, file,
                         hint=_suggest(schema, dotted))
        if _is_word_table(raw) or kind == "words":
            flat[dotted] = _words(raw, dotted, text, file, schema)
        elif _is_param_table(raw) or kind == "param":
            flat[dotted] = _param(raw, dotted, text, file, schema)
        elif isinstance(raw, dict):
            flat.update(_flatten(raw, text, file, schema=schema, prefix=f"{dotted}."))
        elif schema is None:
            raise _error(say("profile.param_table", key=dotted), dotted, text, file)
        else:
            raise _error(say("profile.must_be_table", key=dotted), dotted, text, file)
    return flat


def _schema_kind(schema: Mapping[str, _Entry], dotted: str) -> str | None:
    """``param``, ``words``, ``table`` or None (unknown) for a key of a user profile."""
    if dotted == "profile":
        return "table"
    if dotted in ("profile.name", "profile.description"):
        return "param"
    entry = schema.get(dotted)
    if entry is not None:
        return "words" if entry.words is not None else "param"
    if any(k.startswith(f"{dotted}.") for k in schema):
        return "table"
    return None


def _is_param_table(raw: object) -> bool:
    return isinstance(raw, dict) and "value" in raw


def _is_word_table(raw: object) -> bool:
    return isinstance(raw, dict) and ("ja" in raw or "en" in raw)


def _param(
    raw: object, dotted: str, text: str, file: str, schema: Mapping[str, _Entry] | None
) -> _Entry:
    if isinstance(raw, dict):
        extra = sorted(set(raw) - {"value", "source", "low", "high"})
        if extra:
            raise _error(say("profile.unknown_key", key=repr(dotted + "." + extra[0])), f"{dotted}.{extra[0]}", text,
                         file, hint=say("profile.param_keys_hint"))
        if "value" not in raw:
            raise _error(say("profile.missing_key", key=repr(dotted + ".value")), dotted, text, file)
        value = raw["value"]
        source = raw.get("source")
        if schema is None and not isinstance(source, str):
            raise _error(say("profile.missing_key", key=repr(dotted + ".source")), dotted, text, file,
                         hint=say("profile.source_hint"))
        if source is not None and not isinstance(source, str):
            raise _error(say("profile.must_be_text", key=f"{dotted}.source"), f"{dotted}.source", text, file)
        bounds = _bounds(raw, value, dotted, text, file)
    else:
        value, source, bounds = raw, None, None
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, float | bool | str):
        raise _error(say("profile.scalar", key=dotted, kind=_type_name(value)), dotted, text, file)
    if schema is not None:
        expected = schema[dotted].value
        if type(expected) is not type(value):
            raise _error(
                say("profile.wrong_type", key=dotted, expected=_type_name(expected), kind=_type_name(value),
                    value=repr(value)), dotted, text, file
            )
    note = source if source is not None else f"user profile {Path(file).name}"
    if bounds is None:
        return _Entry(value, note)
    return _Entry(value, note, low=bounds[0], high=bounds[1])


def _bounds(
    raw: Mapping[str, Any], value: object, dotted: str, text: str, file: str
) -> tuple[float, float] | None:
    """``low``/``high`` of an estimate: both or neither, numbers around the value (low ≤ value ≤ high)."""
    if "low" not in raw and "high" not in raw:
        return None
    if "low" not in raw or "high" not in raw:
        missing = "low" if "low" not in raw else "high"
        raise _error(say("profile.missing_key", key=repr(dotted + "." + missing)), dotted, text, file,
                     hint=say("profile.bounds_hint"))
    numbers: list[float] = []
    for name in ("low", "high"):
        found = raw[name]
        if isinstance(found, bool) or not isinstance(found, int | float) or not math.isfinite(found):
            raise _error(say("profile.finite_number", key=f"{dotted}.{name}"), f"{dotted}.{name}", text, file)
        numbers.append(float(found))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error(say("profile.bounds_number", key=dotted), dotted, text, file)
    low, high = numbers
    if not low <= float(value) <= high:
        raise _error(say("profile.bounds_order", key=dotted, low=f"{low:g}", value=f"{float(value):g}",
                         high=f"{high:g}"), dotted, text, file, hint=say("profile.bounds_order_hint"))
    return low, high


def _words(
    raw: object, dotted: str, text: str, file: str, schema: Mapping[str, _Entry] | None
) -> _Entry:
    if not isinstance(raw, dict):
        raise _error(say("profile.words_table", key=dotted), dotted, text, file)
    extra = sorted(set(raw) - {"ja", "en", "source"})
    if extra:
        raise _error(say("profile.unknown_key", key=repr(dotted + "." + extra[0])), f"{dotted}.{extra[0]}", text,
                     file, hint=say("profile.words_keys_hint"))
    previous = schema[dotted].words if schema is not None else None
    lists: list[tuple[str, ...]] = []
    for lang in ("ja", "en"):
        words = raw.get(lang)
        if words is None:
            if previous is not None:
                lists.append(previous.ja if lang == "ja" else previous.en)
                continue
            raise _error(say("profile.missing_key", key=repr(dotted + "." + lang)), dotted, text, file)
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise _error(say("profile.string_list", key=f"{dotted}.{lang}"), f"{dotted}.{lang}", text, file)
        lists.append(tuple(words))
    source = raw.get("source")
    if source is None and schema is None:
        raise _error(say("profile.missing_key", key=repr(dotted + ".source")), dotted, text, file)
    if source is not None and not isinstance(source, str):
        raise _error(say("profile.must_be_text", key=f"{dotted}.source"), f"{dotted}.source", text, file)
    note = source if source is not None else f"user profile {Path(file).name}"
    return _Entry(None, note, WordList(lists[0], lists[1], note))


def _type_name(value: object) -> Say | str:
    if isinstance(value, bool):
        return say("profile.kind_flag")
    if isinstance(value, int | float):
        return say("profile.kind_number")
    if isinstance(value, str):
        return say("profile.kind_text")
    if isinstance(value, list | tuple):
        return say("profile.kind_list")
    if isinstance(value, dict):
        return say("profile.kind_table")
    return type(value).__name__


def _suggest(schema: Mapping[str, _Entry], dotted: str) -> Say:
    parent = dotted.rsplit(".", 1)[0] if "." in dotted else ""
    siblings = sorted({k[len(parent) + 1 :].split(".")[0] for k in schema if parent and k.startswith(parent + ".")})
    if siblings:
        return say("profile.known_keys", table=parent, keys=", ".join(siblings))
    tables = sorted({k.split(".")[0] for k in schema})
    return say("profile.known_tables", tables=", ".join(tables))


def _error(message: Text, dotted: str, text: str, file: str, hint: Text | None = None) -> ProfileError:
    return ProfileError(message, file=file, line=line_of_key(text, dotted), element_id=dotted, hint=hint)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def line_of_key(text: str, dotted: str) -> int | None:
    """1-based line where a dotted key (or the table/inline table holding it) is written.

    tomllib reports no positions for valid documents, so this scans the text:
    best effort, good for the usual ``[table]`` + ``key = …`` layout.

    >>> line_of_key("[cost]\\nstaff = { value = 1 }\\n", "cost.staff.value")
    2
    """
    table = ""
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            if dotted == table and best is None:
                best = number
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        parts = [part.strip().strip("\"'") for part in key.group(1).split(".")]
        full = ".".join([table, *parts]) if table else ".".join(parts)
        if dotted == full or dotted.startswith(full + "."):
            return number
    return best


# --------------------------------------------------------------------------- building

_UNIT = ("weights.", "penalties.", "signals.", "thresholds.", "confidence.")
_UNIT_KEYS = (
    "defaults.rule_based", "defaults.judgment", "defaults.face_to_face", "defaults.physical", "defaults.system",
    "defaults.digital_input", "defaults.exception_rate", "defaults.automated", "volume.count_mismatch_tolerance",
)


_HOURS_PER_YEAR = 8784.0
"""Hours in a leap year: the most any one person can work."""


def upper_bound(key: str) -> float:
    """The largest value a numeric profile parameter may take (its smallest is 0).

    Shares and weights are at most 1; minutes, case counts, hours and yen have
    the caps of :mod:`bpm.limits`, chosen so that no product of them can
    overflow (no 「inf億円」).

    >>> upper_bound("weights.rpa.routine"), upper_bound("cost.staff_yen_per_hour")
    (1.0, 1000000.0)
    """
    if key.startswith(_UNIT) or key in _UNIT_KEYS:
        return 1.0
    money_limit = upper_limit(key)
    if money_limit is not None:
        return money_limit
    if key.startswith("minutes."):
        return MAX_MINUTES
    if key == "volume.default_annual_cases":
        return MAX_ANNUAL_COUNT
    if key == "working.hours_per_fte":
        return _HOURS_PER_YEAR
    if key.endswith("yen_per_hour"):
        return MAX_YEN_PER_HOUR
    if "yen" in key:
        return MAX_YEN
    return MAX_NUMBER


def check_ranges(values: Mapping[str, Scalar | None], text: str, file: str) -> None:
    """Every number finite and within ``0 … upper_bound(key)``; the error names the key and its line."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, float):
            continue
        if not math.isfinite(value):
            raise _error(say("profile.must_be_finite", key=key), key, text, file)
        if value < 0:
            raise _error(say("profile.negative", key=key, value=f"{value:g}"), key, text, file)
        bound = upper_bound(key)
        if value > bound:
            shown = f"{bound:g}" if bound <= 1 else f"{bound:,.0f}"
            raise _error(say("profile.out_of_range", key=key, value=f"{value:g}", upper=shown), key, text, file)


def _build(flat: Mapping[str, _Entry], name: str, file: str, text: str) -> Profile:
    """Check ranges, then make the typed profile (each check in the order a user fixes them: file order)."""
    values = _Values(flat, file, text)
    check_ranges({key: entry.value for key, entry in flat.items()}, text, file)
    weights = _weights(values)
    penalties = {score: values.group(f"penalties.{score}.") for score in ("rpa", "outsource")}
    volume = _volume(values)
    hours_per_fte = values.number("working.hours_per_fte")
    if hours_per_fte <= 0:
        raise values.error(say("profile.hours_per_fte"), "working.hours_per_fte")
    cost = CostParams(**{field: values.number(f"cost.{field}") for field in CostParams.__slots__})
    money, estimates = money_params(flat, hours_per_fte, cost.staff_yen_per_hour, values.error)
    thresholds = Thresholds(**{field: values.number(f"thresholds.{field}") for field in Thresholds.__slots__})
    if thresholds.exception_ceiling <= 0 or thresholds.confidence_margin <= 0:
        raise values.error(say("profile.thresholds_zero"), "thresholds.exception_ceiling")
    handoff = HandoffParams(**{field: values.number(f"handoff.{field}") for field in HandoffParams.__slots__})
    defaults = _defaults(values)
    lexicon = _lexicon(values)
    return Profile(
        name=name,
        hours_per_fte=hours_per_fte,
        volume=volume,
        minutes=values.group("minutes."),
        signals=values.group("signals."),
        defaults=defaults,
        weights=weights,
        penalties=penalties,
        thresholds=thresholds,
        confidence=values.group("confidence."),
        cost=cost,
        handoff=handoff,
        lexicon=lexicon,
        money=money,
        estimates=estimates,
        sources={key: _describe(entry) for key, entry in sorted(flat.items())},
        path=None if file == str(DEFAULT_PROFILE) else file,
    )


@dataclass(frozen=True, slots=True)
class _Values:
    """A profile's flat entries, read as typed values; every refusal names the key and its line."""

    flat: Mapping[str, _Entry]
    file: str
    text: str

    def error(self, message: Text, key: str) -> ProfileError:
        return _error(message, key, self.text, self.file)

    def number(self, key: str) -> float:
        """A required finite number (not a bool)."""
        entry = self.flat.get(key)
        if entry is None:
            raise self.error(say("profile.missing_key", key=repr(key)), key)
        value = entry.value
        if isinstance(value, bool) or not isinstance(value, float):
            raise self.error(say("profile.must_be_number", key=key), key)
        if not math.isfinite(value):
            raise self.error(say("profile.must_be_finite", key=key), key)
        return value

    def group(self, prefix: str) -> dict[str, float]:
        """Every number directly under ``prefix`` (not nested deeper), by its last name."""
        return {
            k[len(prefix) :]: self.number(k)
            for k, entry in self.flat.items()
            if k.startswith(prefix) and "." not in k[len(prefix) :] and not isinstance(entry.value, bool)
        }


def _weights(values: _Values) -> dict[str, dict[str, float]]:
    """The four scores' weights; each score needs some positive weight besides its contact floor."""
    weights = {score: values.group(f"weights.{score}.") for score in ("routine", "rpa", "outsource", "retain")}
    for score, chosen in weights.items():
        positive = {k: v for k, v in chosen.items() if k != "contact_floor"}
        if not positive or sum(positive.values()) <= 0:
            raise values.error(say("profile.weights_zero", key=f"weights.{score}"), f"weights.{score}")
    return weights


def _volume(values: _Values) -> VolumeParams:
    """Volume defaults; hours at score 0 must be positive and below hours at score 1."""
    volume = VolumeParams(
        default_annual_cases=values.number("volume.default_annual_cases"),
        count_mismatch_tolerance=values.number("volume.count_mismatch_tolerance"),
        hours_at_zero=values.number("volume.hours_at_zero"),
        hours_at_one=values.number("volume.hours_at_one"),
    )
    if not 0 < volume.hours_at_zero < volume.hours_at_one:
        raise values.error(say("profile.hours_at_zero"), "volume.hours_at_zero")
    return volume


def _defaults(values: _Values) -> dict[str, float]:
    """Defaults for unknown step data; the legal default must be a true/false, never a number."""
    defaults = values.group("defaults.")
    legal = values.flat.get("defaults.legal_authority")
    if legal is None or not isinstance(legal.value, bool):
        raise values.error(say("profile.missing_legal_default"), "defaults.legal_authority")
    defaults["legal_authority"] = 1.0 if legal.value else 0.0
    return defaults


def _lexicon(values: _Values) -> dict[str, WordList]:
    """The word lists; every list the scoring reads must be present."""
    lexicon: dict[str, WordList] = {}
    for key, entry in values.flat.items():
        if key.startswith("lexicon.") and entry.words is not None:
            lexicon[key[len("lexicon.") :]] = entry.words
    for required in _REQUIRED_LEXICONS:
        if required not in lexicon:
            raise values.error(say("profile.missing_key", key=repr(f"lexicon.{required}")), f"lexicon.{required}")
    return lexicon


_REQUIRED_LEXICONS = (
    "routine", "judgment", "face_to_face", "physical", "system", "legal_authority", "digital", "paper",
    "resident_pool", "office_pool", "counter_lane", "system_lane",
)


def _describe(entry: _Entry) -> str:
    """``value — source`` for the assumptions page."""
    value = entry.value
    if entry.words is not None:
        shown = "、".join(entry.words.ja) + " / " + ", ".join(entry.words.en)
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, float):
        shown = f"{value:,.0f}" if value.is_integer() and abs(value) >= 10 else f"{value:g}"
    else:
        shown = str(value)
    if entry.low is not None and entry.high is not None and entry.low < entry.high:
        shown = f"{shown} ({_short(entry.low)}–{_short(entry.high)})"
    return f"{shown} — {entry.source}"


def _short(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() and abs(value) >= 10 else f"{value:g}"
