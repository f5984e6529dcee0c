"""A municipality's portfolio for the cross-city comparison: its metadata file and its procedure mapping table.

Why a metadata file at all: a comparison is only fair between similar
municipalities (類似団体間の比較可能性), so every portfolio must say who it is
(団体名), how many residents it serves (人口, the normaliser of staff hours) and
its 類似団体区分 as the 総務省 類似団体別市町村財政指数表 of the fiscal year
publishes it (the grouping).  The file is user input like a profile: bounded
in size, UTF-8 with or without BOM, every key known, every value checked, and
each error names the file and line.

Layout of one city folder (``bpm compare CITY_DIR…``)::

    CITY_DIR/
      municipality.toml      # this module: 団体名, 人口, 類似団体区分, 年度 (required)
      profile.toml           # optional scoring profile (its cost figures give the full cost per case)
      survey.csv|xlsx        # optional 業務量調査 sheet (the names ``bpm scan`` looks for)
      procedures.csv|xlsx    # optional mapping table: 業務 → 標準手続
      **/*.bpmn              # the flows

A flow is matched to a standard procedure by its ``procedure`` property,
then by its name through the procedure catalogue (both in
:func:`scoring.procedures.procedure_for`), then by the mapping table
(:func:`mapped_procedure`).  The table only groups flows for the comparison:
it never lets a contractor do a step (only the ``procedure`` property or the
name, which the legal gate reads, can), so a mapping cannot loosen the gate.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bpm.errors import ProfileError, Say, say
from bpm.limits import MAX_SURVEY_BYTES
from scoring.lexicon import normalize_name
from scoring.procedures import Catalogue, Procedure

METADATA_FILE = "municipality.toml"
"""The metadata file every city folder holds."""
MAPPING_FILES = ("procedures.csv", "procedures.xlsx", "標準手続対応表.csv", "標準手続対応表.xlsx")
"""Mapping tables found in a city folder when the metadata names none."""
PROFILE_FILE = "profile.toml"
"""The city's scoring profile, when present."""

MAX_METADATA_BYTES = 64 * 1024
"""A metadata file is a handful of lines; anything bigger is not one."""
MAX_POPULATION = 20_000_000
"""Residents of one municipality (the largest, 横浜市, has about 3.8 million)."""
MAX_NAME_CHARS = 100
"""団体名 length."""
MAX_NOTE_CHARS = 4_000
"""備考 length."""
MAX_MAPPING_ROWS = 10_000
"""Rows of a mapping table (one per flow of one city)."""
FISCAL_YEARS = (1990, 2100)
"""Accepted 年度 range."""


class MetadataError(ProfileError):
    """A city's metadata file or mapping table cannot be used (file, line and key named)."""


_KEYS: Mapping[str, tuple[str, ...]] = {
    "name": ("団体名", "name"),
    "population": ("人口", "population"),
    "similar_group": ("類似団体区分", "similar_group", "group"),
    "fiscal_year": ("年度", "fiscal_year"),
    "code": ("団体コード", "code"),
    "illustrative": ("例示", "illustrative"),
    "note": ("備考", "note"),
    "mapping": ("対応表", "mapping"),
    "prefecture": ("都道府県", "prefecture"),
}
"""Canonical field → accepted keys (Japanese keys are quoted in TOML: ``"団体名" = "…"``)."""
_REQUIRED = ("name", "population", "similar_group", "fiscal_year")
_BY_KEY = {alias: field for field, aliases in _KEYS.items() for alias in aliases}

_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
_NAMED_GROUPS = ("政令指定都市", "特別区", "中核市", "施行時特例市")
_BANDED = re.compile(r"^(都市|町村)(I{1,3}|IV|V)-([0-3])$")


@dataclass(frozen=True, slots=True)
class CityMeta:
    """Who a portfolio belongs to, as its metadata file says."""

    name: str
    """団体名 (replaced by a code everywhere when the comparison is anonymised)."""
    population: int
    """人口 (residents): the normaliser of staff hours per 1,000 residents."""
    similar_group: str
    """類似団体区分 in the 総務省 spelling, e.g. ``都市Ⅱ-1``, ``町村Ⅳ-0``, ``中核市``."""
    fiscal_year: int
    """年度 of the survey and flows."""
    file: str
    """The metadata file."""
    code: str = ""
    """団体コード, when given (5 or 6 digits)."""
    illustrative: bool = False
    """例示・架空: the figures are made up (sample data); every page says so."""
    note: str = ""
    """備考: free text, shown only in a non-anonymised comparison."""
    mapping: str = ""
    """The mapping table's file name inside the city folder, when the metadata names one."""
    prefecture: str = ""
    """都道府県 in its full name (``東京都``, ``北海道``), when given; the overview lists cities by it."""


PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
    "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
    "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
    "宮崎県", "鹿児島県", "沖縄県",
)
"""The 47 都道府県 in the order of their codes (JIS X 0401: 01 北海道 … 47 沖縄県), the first two digits of a
全国地方公共団体コード."""
_PREFECTURE_BY_NAME = {
    **{name: name for name in PREFECTURES},
    **{name[:-1]: name for name in PREFECTURES if name != "北海道"},
}


def normalise_prefecture(raw: str) -> str | None:
    """The 都道府県's full name, or None when it is not one (written with or without 都・府・県).

    >>> normalise_prefecture(" 東京 "), normalise_prefecture("大阪府"), normalise_prefecture("北海道")
    ('東京都', '大阪府', '北海道')
    >>> normalise_prefecture("北海"), normalise_prefecture("Tokyo")
    (None, None)
    """
    return _PREFECTURE_BY_NAME.get(unicodedata.normalize("NFKC", raw).strip().replace(" ", ""))


def prefecture_order(prefecture: str) -> int:
    """Where a 都道府県 comes in the code order (an empty one last)."""
    return PREFECTURES.index(prefecture) if prefecture in PREFECTURES else len(PREFECTURES)


def normalise_group(raw: str) -> str | None:
    """The 類似団体区分 in the 総務省 spelling, or None when it is not one.

    >>> normalise_group("都市II-1"), normalise_group("町村Ⅴ－２"), normalise_group(" 中核市 ")
    ('都市Ⅱ-1', '町村Ⅴ-2', '中核市')
    >>> normalise_group("大都市") is None
    True
    """
    text = unicodedata.normalize("NFKC", raw).strip().replace("‐", "-").replace("−", "-").replace("ー", "-")
    text = text.replace(" ", "")
    if text in _NAMED_GROUPS:
        return text
    found = _BANDED.match(text.upper())
    if found is None:
        return None
    return f"{found.group(1)}{_ROMAN[found.group(2)]}-{found.group(3)}"


POPULATION_BANDS: tuple[tuple[int, str, str], ...] = (
    (10_000, "1万人未満", "under 10,000"),
    (50_000, "1万〜5万人", "10,000–49,999"),
    (100_000, "5万〜10万人", "50,000–99,999"),
    (300_000, "10万〜30万人", "100,000–299,999"),
    (1_000_000, "30万〜100万人", "300,000–999,999"),
    (MAX_POPULATION + 1, "100万人以上", "1,000,000 and over"),
)
"""Our population bands (upper bound exclusive, ja, en): a second grouping next to the 類似団体区分."""


def population_band(population: int) -> tuple[str, str]:
    """The band (ja, en) a population falls in.

    >>> population_band(49_999), population_band(50_000)
    (('1万〜5万人', '10,000–49,999'), ('5万〜10万人', '50,000–99,999'))
    """
    return next((ja, en) for limit, ja, en in POPULATION_BANDS if population < limit)


# --------------------------------------------------------------------------- metadata


def _read_text(path: Path, limit: int, what: Say) -> str:
    file = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        hint = say("cities.not_found_hint", metadata=METADATA_FILE)
        raise MetadataError(say("cities.not_found", what=what), file=file, hint=hint) from None
    except OSError as error:
        raise MetadataError(say("cities.unreadable", what=what, reason=error.strerror or error), file=file) from None
    if len(data) > limit:
        raise MetadataError(say("cities.too_big", what=what, limit=f"{limit // 1024:,}"), file=file,
                            hint=say("cities.too_big_hint"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise MetadataError(say("cities.not_utf8", what=what), file=file, line=line,
                            hint=say("cities.not_utf8_hint")) from None


_KEY_LINE = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def line_of_key(text: str, key: str) -> int | None:
    r"""1-based line where a top-level key (bare or quoted) is written (the metadata file is flat).

    >>> line_of_key('# x\n"団体名" = "甲市"\nname = 1\n', "団体名"), line_of_key("name = 1", "人口")
    (2, None)
    """
    for number, line in enumerate(text.splitlines(), start=1):
        found = _KEY_LINE.match(line)
        if found is not None and next(g for g in found.groups() if g is not None) == key:
            return number
    return None


def load_city_meta(path: Path) -> CityMeta:
    """Read and check one ``municipality.toml``.

    Raises :class:`MetadataError` naming the file, the key and its line for
    syntax errors, unknown or repeated keys, wrong types, values out of range
    and missing required keys.
    """
    file = str(path)
    text = _read_text(path, MAX_METADATA_BYTES, say("cities.metadata_file"))
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise MetadataError(say("cities.too_deep"), file=file) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        hint = say("cities.toml_syntax_hint")
        raise MetadataError(say("cities.toml_syntax", reason=re.sub(r" [(]at line.*[)]$", "", str(error))), file=file,
                            line=int(found.group(1)) if found else None, hint=hint) from None
    values: dict[str, object] = {}
    for key, value in data.items():
        field = _BY_KEY.get(key)
        line = line_of_key(text, key)
        if field is None:
            raise MetadataError(say("cities.unknown_key", key=repr(key)), file=file, line=line,
                                hint=say("cities.unknown_key_hint",
                                         keys="; ".join("/".join(a) for a in _KEYS.values())))
        if field in values:
            raise MetadataError(say("cities.key_twice", key=repr(key), label=_KEYS[field][0], field=field), file=file,
                                line=line, hint=say("cities.key_twice_hint"))
        values[field] = value
    missing = [f for f in _REQUIRED if f not in values]
    if missing:
        raise MetadataError(say("cities.missing", keys=", ".join(f"{_KEYS[f][0]} ({f})" for f in missing)), file=file,
                            hint=say("cities.missing_hint"))

    def where(field: str) -> int | None:
        return next((line_of_key(text, k) for k in _KEYS[field] if k in data), None)

    def fail(field: str, message: Say, hint: Say | None = None) -> MetadataError:
        return MetadataError(say("cities.bad_value", label=_KEYS[field][0], field=field, problem=message), file=file,
                             line=where(field), hint=hint)

    name = _checked_text(values["name"], MAX_NAME_CHARS, lambda m: fail("name", m))
    if not name:
        raise fail("name", say("cities.empty"))
    population = values["population"]
    if isinstance(population, bool) or not isinstance(population, int) or not 1 <= population <= MAX_POPULATION:
        raise fail("population", say("cities.population", limit=f"{MAX_POPULATION:,}", value=repr(population)),
                   hint=say("cities.population_hint"))
    group_raw = values["similar_group"]
    group = normalise_group(group_raw) if isinstance(group_raw, str) else None
    if group is None:
        raise fail("similar_group", say("cities.group", value=repr(group_raw)), hint=say("cities.group_hint"))
    year = values["fiscal_year"]
    if isinstance(year, bool) or not isinstance(year, int) or not FISCAL_YEARS[0] <= year <= FISCAL_YEARS[1]:
        raise fail("fiscal_year", say("cities.year", first=FISCAL_YEARS[0], last=FISCAL_YEARS[1], value=repr(year)))
    code = _checked_text(values.get("code", ""), 6, lambda m: fail("code", m))
    if code and not re.fullmatch(r"\d{5,6}", code):
        raise fail("code", say("cities.code", value=repr(code)))
    illustrative = values.get("illustrative", False)
    if not isinstance(illustrative, bool):
        raise fail("illustrative", say("cities.flag", value=repr(illustrative)))
    note = _checked_text(values.get("note", ""), MAX_NOTE_CHARS, lambda m: fail("note", m), multiline=True)
    mapping = _checked_text(values.get("mapping", ""), 200, lambda m: fail("mapping", m))
    if mapping and (Path(mapping).name != mapping or mapping.startswith(".")):
        raise fail("mapping", say("cities.mapping_name", value=repr(mapping)))
    prefecture = ""
    if "prefecture" in values:
        raw_prefecture = values["prefecture"]
        prefecture = (normalise_prefecture(raw_prefecture) or "") if isinstance(raw_prefecture, str) else ""
        if not prefecture:
            raise fail("prefecture", say("cities.prefecture", value=repr(raw_prefecture)[:60]),
                       hint=say("cities.prefecture_hint"))
        if code and code[:2] != f"{PREFECTURES.index(prefecture) + 1:02d}":
            raise fail("prefecture", say("cities.prefecture_code", prefecture=prefecture, code=code))
    return CityMeta(name, population, group, year, file, code, illustrative, note, mapping, prefecture)


def _checked_text(value: object, limit: int, fail: Callable[[Say], MetadataError], *, multiline: bool = False) -> str:
    """A text value: a string, within the limit, without control characters (tabs and, in notes, newlines aside)."""
    if not isinstance(value, str):
        raise fail(say("cities.text", value=repr(value)))
    text = value.strip()
    if len(text) > limit:
        raise fail(say("cities.too_long", limit=f"{limit:,}"))
    allowed = "\t\n" if multiline else ""
    if any(unicodedata.category(c) in ("Cc", "Cf") and c not in allowed for c in text):
        raise fail(say("cities.control"))
    return text


# --------------------------------------------------------------------------- mapping table


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One row of a mapping table: a city's own name for a flow and the standard procedure it is."""

    flow: str
    """業務: process id, process name or file name, as the city writes it."""
    procedure: str
    """The catalogue key of the standard procedure."""
    file: str
    """The table."""
    line: int
    """Its row (header = 1)."""


_FLOW_HEADERS = ("業務", "業務名", "flow", "process", "file", "ファイル")
_PROCEDURE_HEADERS = ("標準手続", "手続", "procedure", "standard_procedure")


def load_mapping(path: Path, catalogue: Catalogue) -> tuple[MappingRow, ...]:
    """Read a mapping table (CSV or XLSX; columns 業務 and 標準手続) and check every procedure it names.

    The sheet is read with the survey reader's hardening (encodings, quotes,
    workbook size); a procedure the catalogue does not know is an error naming
    the row, as is a flow mapped twice.
    """
    from scoring import survey  # the hardened sheet readers

    file = str(path)
    if not path.is_file():
        raise MetadataError(say("cities.mapping_not_found"), file=file, hint=say("cities.mapping_type_hint"))
    if path.stat().st_size > MAX_SURVEY_BYTES:
        raise MetadataError(say("cities.mapping_too_big", limit=MAX_SURVEY_BYTES // 2**20), file=file)
    suffix = path.suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        raise MetadataError(say("cities.mapping_type", suffix=repr(path.suffix)), file=file,
                            hint=say("cities.mapping_type_hint"))
    table = survey._read_csv(path) if suffix == ".csv" else survey._read_xlsx(path)
    rows = [[str(c).strip() if c is not None else "" for c in row] for row in table.rows]
    header_at = next((i for i, row in enumerate(rows) if any(row)), None)
    if header_at is None:
        raise MetadataError(say("cities.mapping_empty"), file=file, hint=say("cities.mapping_empty_hint"))
    header = [normalize_name(c) for c in rows[header_at]]
    flow_col = next((i for i, h in enumerate(header) if h in {normalize_name(x) for x in _FLOW_HEADERS}), None)
    proc_col = next((i for i, h in enumerate(header) if h in {normalize_name(x) for x in _PROCEDURE_HEADERS}), None)
    if flow_col is None or proc_col is None:
        raise MetadataError(say("cities.mapping_columns"), file=file, line=header_at + 1,
                            hint=say("cities.mapping_columns_hint", flow="|".join(_FLOW_HEADERS),
                                     procedure="|".join(_PROCEDURE_HEADERS)))
    result: list[MappingRow] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(row):
            continue
        if len(result) >= MAX_MAPPING_ROWS:
            raise MetadataError(say("cities.mapping_rows", limit=f"{MAX_MAPPING_ROWS:,}"), file=file, line=index)
        flow = row[flow_col] if flow_col < len(row) else ""
        wanted = row[proc_col] if proc_col < len(row) else ""
        if not flow or not wanted:
            raise MetadataError(say("cities.mapping_row_half"), file=file, line=index)
        procedure = find_procedure(wanted, catalogue)
        if procedure is None:
            raise MetadataError(say("cities.mapping_unknown", value=repr(wanted)), file=file, line=index,
                                hint=say("cities.mapping_unknown_hint",
                                         keys=", ".join(p.key for p in catalogue.procedures)))
        key = normalize_name(flow)
        if key in seen:
            raise MetadataError(say("cities.mapping_twice", flow=repr(flow), first=seen[key], second=index),
                                file=file, line=index, hint=say("cities.mapping_twice_hint"))
        seen[key] = index
        result.append(MappingRow(flow, procedure.key, file, index))
    return tuple(result)


def find_procedure(text: str, catalogue: Catalogue) -> Procedure | None:
    """The procedure a user names by key, name or alias (NFKC, case and spaces ignored)."""
    wanted = normalize_name(text)
    for procedure in catalogue.procedures:
        names = (procedure.key, procedure.name_ja, procedure.name_en, *procedure.aliases_ja, *procedure.aliases_en)
        if wanted in {normalize_name(n) for n in names}:
            return procedure
    return None


def mapped_procedure(rows: Sequence[MappingRow], *, process_id: str, process_name: str,
                     file_key: str) -> MappingRow | None:
    """The mapping row for a flow: by process id, then process name, then file name (first match wins)."""
    by_flow = {normalize_name(r.flow): r for r in rows}
    for candidate in (process_id, process_name, file_key, Path(file_key).name, Path(file_key).stem):
        if candidate and normalize_name(candidate) in by_flow:
            return by_flow[normalize_name(candidate)]
    return None
