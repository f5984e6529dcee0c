"""City metadata and mapping tables are hostile input: every bad file is a clear error naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.cities import PREFECTURES, MetadataError, load_city_meta, load_mapping, normalise_group, prefecture_order
from scoring.procedures import default_catalogue

GOOD = '"団体名" = "甲市"\n"人口" = 100000\n"類似団体区分" = "都市Ⅲ-1"\n"年度" = 2025\n'


def meta(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "municipality.toml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_good_metadata_in_japanese_or_english_keys(tmp_path: Path) -> None:
    loaded = load_city_meta(meta(tmp_path, "\ufeff" + GOOD + '"例示" = true\n'))
    assert (loaded.name, loaded.population, loaded.similar_group, loaded.fiscal_year, loaded.illustrative) == (
        "甲市", 100_000, "都市Ⅲ-1", 2025, True)
    english = load_city_meta(meta(tmp_path, 'name = "Kō"\npopulation = 5\nsimilar_group = "町村I-0"\n'
                                            "fiscal_year = 2024\n"))
    assert english.similar_group == "町村Ⅰ-0"


@pytest.mark.parametrize(("text", "line", "message"), [
    (GOOD + '"人口2" = 5\n', 5, "unknown key '人口2'"),
    (GOOD.replace("100000", "0"), 2, "人口 (population) must be a whole number of residents from 1"),
    (GOOD.replace("100000", "100000.5"), 2, "must be a whole number"),
    (GOOD.replace("100000", '"100000"'), 2, "must be a whole number"),
    (GOOD.replace("100000", "99999999999"), 2, "must be a whole number"),
    (GOOD.replace("都市Ⅲ-1", "大都市"), 3, "is not a 総務省 類似団体区分: '大都市'"),
    (GOOD.replace("2025", "3025"), 4, "年度 (fiscal_year) must be a year"),
    (GOOD.replace('"甲市"', '"甲\\u0000市"'), 1, "contains control or invisible formatting characters"),
    (GOOD.replace('"甲市"', '"' + "長" * 101 + '"'), 1, "is longer than 100 characters"),
    (GOOD + 'name = "x"\n', 5, "'name' repeats 団体名 (name)"),
    (GOOD + '"団体コード" = "12-345"\n', 5, "must be the 5- or 6-digit"),
    (GOOD + '"対応表" = "../x.csv"\n', 5, "must be a file name inside the city folder"),
    ('"団体名" = "甲市\n', 1, "TOML syntax error"),
])
def test_bad_metadata_names_file_line_and_key(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(MetadataError) as caught:
        load_city_meta(meta(tmp_path, text))
    assert caught.value.file == str(tmp_path / "municipality.toml")
    assert caught.value.line == line
    assert message in caught.value.message


def test_missing_keys_oversize_nesting_and_encoding(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match=r"missing 人口 \(population\), 年度 \(fiscal_year\)"):
        load_city_meta(meta(tmp_path, '"団体名" = "甲市"\n"類似団体区分" = "中核市"\n'))
    with pytest.raises(MetadataError, match="larger than the limit of 64 KB"):
        load_city_meta(meta(tmp_path, GOOD + "#" * 70_000))
    with pytest.raises(MetadataError, match=r"nested too deeply|TOML syntax error"):
        load_city_meta(meta(tmp_path, "x = " + "[" * 60_000))
    with pytest.raises(MetadataError) as caught:
        load_city_meta(meta(tmp_path, GOOD.encode("utf-8") + b"\n\xff\xfe"))
    assert (caught.value.line, caught.value.message) == (6, "the metadata file is not UTF-8 text")
    with pytest.raises(MetadataError, match="metadata file not found"):
        load_city_meta(tmp_path / "nothing.toml")


def test_group_spellings() -> None:
    assert normalise_group("都市ＩＶ－３") == "都市Ⅳ-3"
    assert normalise_group("政令指定都市") == "政令指定都市"
    assert normalise_group("都市Ⅵ-1") is None and normalise_group("町村Ⅰ-9") is None


def test_mapping_table_rows_and_errors(tmp_path: Path) -> None:
    catalogue = default_catalogue()
    table = tmp_path / "procedures.csv"
    table.write_text("業務,標準手続\n独自手続X,印鑑証明\n住民票(本庁),juminhyo_kofu\n", encoding="utf-8-sig")
    rows = load_mapping(table, catalogue)
    assert [(r.flow, r.procedure, r.line) for r in rows] == [("独自手続X", "inkan_shomei", 2),
                                                              ("住民票(本庁)", "juminhyo_kofu", 3)]
    table.write_text("業務,標準手続\na,juminhyo_kofu\nb,存在しない手続\n", encoding="utf-8")
    with pytest.raises(MetadataError) as caught:
        load_mapping(table, catalogue)
    assert (caught.value.line, caught.value.file) == (3, str(table))
    assert "標準手続 '存在しない手続' names no procedure of the catalogue" in caught.value.message
    table.write_text("業務,標準手続\na,juminhyo_kofu\nA,inkan_shomei\n", encoding="utf-8")
    with pytest.raises(MetadataError, match=r"mapped twice \(rows 2 and 3\)"):
        load_mapping(table, catalogue)
    table.write_text("flow_name,what\na,b\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="needs the columns 業務 and 標準手続"):
        load_mapping(table, catalogue)


@pytest.mark.parametrize(("written", "expected"), [
    ('"都道府県" = "東京都"\n', "東京都"),
    ('"都道府県" = "東京"\n', "東京都"),
    ('prefecture = " 大阪府 "\n', "大阪府"),
    ('"都道府県" = "北海道"\n"団体コード" = "011002"\n', "北海道"),
    ('"都道府県" = "神奈川"\n"団体コード" = "14100"\n', "神奈川県"),
    ('"都道府県" = "沖縄県"\n', "沖縄県"),
    ("", ""),
])
def test_the_prefecture_is_optional_and_written_in_full(tmp_path: Path, written: str, expected: str) -> None:
    assert load_city_meta(meta(tmp_path, GOOD + written)).prefecture == expected


@pytest.mark.parametrize(("written", "message"), [
    ('"都道府県" = 13\n', "is not a 都道府県 (prefecture): 13"),
    ('"都道府県" = true\n', "is not a 都道府県 (prefecture): True"),
    ('"都道府県" = ["東京都"]\n', "is not a 都道府県 (prefecture): ['東京都']"),
    ('"都道府県" = "Tokyo"\n', "is not a 都道府県 (prefecture): 'Tokyo'"),
    ('"都道府県" = "北海"\n', "is not a 都道府県 (prefecture): '北海'"),
    ('"都道府県" = "東京都都"\n', "is not a 都道府県 (prefecture)"),
    ('"都道府県" = ""\n', "is not a 都道府県 (prefecture): ''"),
    ('"都道府県" = "神奈川\\u200b県"\n', "is not a 都道府県 (prefecture)"),
    ('"都道府県" = "東京\\u0000都"\n', "is not a 都道府県 (prefecture)"),
    ('"都道府県" = "大阪府"\n"団体コード" = "131016"\n', "大阪府 does not match the prefecture of the code 131016"),
])
def test_a_bad_prefecture_names_file_line_and_key(tmp_path: Path, written: str, message: str) -> None:
    with pytest.raises(MetadataError) as caught:
        load_city_meta(meta(tmp_path, GOOD + written))
    assert caught.value.file == str(tmp_path / "municipality.toml") and caught.value.line == 5
    assert message in caught.value.message


def test_a_huge_prefecture_value_is_refused_with_a_short_message(tmp_path: Path) -> None:
    with pytest.raises(MetadataError) as caught:
        load_city_meta(meta(tmp_path, GOOD + '"都道府県" = "' + "県" * 20_000 + '"\n'))
    assert "is not a 都道府県" in caught.value.message and len(caught.value.message) < 200


def test_prefecture_order_is_the_code_order() -> None:
    assert [prefecture_order(p) for p in ("北海道", "東京都", "沖縄県", "")] == [0, 12, 46, 47]
    assert len(PREFECTURES) == len(set(PREFECTURES)) == 47
