"""The Japanese formatting rules of issue 10 item 4, one test each; each failed on the output before.

Rules: 時間 not "h" and no half-width space before it, 人工 not 人分, ▲ for a
negative amount of yen, 円 / 万円 / 億円 with thousands separators, no
half-width space around numbers in Japanese sentences, times in JST.  They are
checked on the helpers of :mod:`reports.format` and on a rendered site.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from reports.format import fte_ja, hours_ja, ja_spacing, jst_time, money, with_unit, yen_en, yen_ja
from reports.i18n import catalog
from reports.site import SiteInput, render_site

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}  # 2023-11-14 22:13:20 UTC = 2023-11-15 07:13 JST


def test_negative_yen_reads_with_a_triangle_in_japanese_and_a_minus_in_english() -> None:
    assert yen_ja(-13_290_000) == "▲1,329万円"
    assert yen_ja(-238_000_000) == "▲2.38億円"
    assert yen_ja(-500) == "▲500円"
    assert yen_ja(-0.3) == "0円", "a figure that rounds to zero carries no sign"
    assert yen_en(-13_290_000) == "-¥13.3M"
    assert money(-1_863_000).text.ja == "▲186万円"


def test_yen_has_thousands_separators_in_every_unit() -> None:
    assert yen_ja(12_345_678_900) == "123.46億円"
    assert yen_ja(123_456_789) == "1.23億円"
    assert yen_ja(12_345_678) == "1,235万円"
    assert yen_ja(9_999) == "9,999円"


def test_hours_read_jikan_without_a_space_and_staff_years_read_ninku() -> None:
    assert with_unit(2315, "unit.hours").ja == "2,315時間"
    assert with_unit(2315, "unit.hours").en == "2,315 h"
    assert with_unit(25.5, "unit.fte", 1).ja == "25.5人工"
    assert hours_ja(48_928) == "48,928時間" and fte_ja(1.2) == "1.2人工"
    texts = catalog("ja")
    assert not [key for key, text in texts.items() if "人分" in text], "人工 is the unit of a 業務量調査"
    assert not [key for key, text in texts.items() if re.search(r"\d h\b|\} h\b", text)], "時間, never h"


def test_no_half_width_space_around_numbers_in_japanese_sentences() -> None:
    spaced = "職員の時間が年 2,315 時間空き、定数 1 ポストを減らして"
    assert ja_spacing(spaced) == "職員の時間が年2,315時間空き、定数1ポストを減らして"
    assert ja_spacing("回収 46 か月（-1,329万円〜678万円）") == "回収46か月（▲1,329万円〜678万円）"
    assert ja_spacing("legal.overrides の上書き") == "legal.overrides の上書き", "spaces next to Latin words stay"
    placeholders = [key for key, text in catalog("ja").items()
                    if re.search(r"[\u3040-\u9fff（）、。] \{|\} [\u3040-\u9fff（）、。]", text)]
    assert not placeholders, f"a number fills these with spaces around it: {placeholders}"


def test_times_are_shown_in_japan_standard_time() -> None:
    assert jst_time(datetime(2025, 3, 31, 15, 30, tzinfo=UTC)) == "2025-04-01 00:30 JST"
    assert jst_time(datetime(2025, 3, 31, 14, 59)) == "2025-03-31 23:59 JST", "naive moments are UTC"


@pytest.fixture(scope="module")
def rendered(site_input: SiteInput) -> dict[str, bytes]:
    return render_site(site_input, environ=ENV)


def _japanese(page: bytes) -> str:
    root = lxml_html.fromstring(page)
    return " ".join(" ".join(e.itertext()) for e in root.iter() if e.get("lang") == "ja")


def test_rendered_pages_follow_the_rules(rendered: dict[str, bytes]) -> None:
    index = rendered["index.html"].decode("utf-8")
    assert "2023-11-15 07:13 JST" in index and "UTC" not in index
    for name, content in rendered.items():
        if not name.endswith(".html"):
            continue
        japanese = _japanese(content)
        assert "人分" not in japanese, name
        assert not re.search(r"[\u3040-\u9fff] \d|\d [\u3040-\u9fff]", japanese), (
            name, re.findall(r".{8}(?:[\u3040-\u9fff] \d|\d [\u3040-\u9fff]).{8}", japanese)[:5])
        assert not re.search(r"(?<![\w.])-\d[\d,.]*[万億]?円", japanese), name


def test_english_pages_keep_english_units(rendered: dict[str, bytes]) -> None:
    root = lxml_html.fromstring(rendered["index.html"])
    english = " ".join(" ".join(e.itertext()) for e in root.iter() if e.get("lang") == "en")
    assert re.search(r"\d h\b", english) and "時間" not in english.replace("時間/年", "")

