"""The bubble chart: geometry, colours, escaping and deterministic output."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from reports.charts import Bubble, ChartLabels, bubble_chart, bubble_radius
from reports.i18n import Bilingual
from reports.style import DISPOSITION_STYLES
from scoring.result import Disposition

SVG = "{http://www.w3.org/2000/svg}"
LABELS = ChartLabels(
    x_axis=Bilingual("定型性", "Routine"),
    y_axis=Bilingual("判断", "Judgment"),
    candidates=Bilingual("候補", "Candidates"),
    size=Bilingual("円の大きさ", "Bubble size"),
    hours_unit=Bilingual("時間", "h"),
    empty=Bilingual("なし", "Nothing"),
    title=Bilingual("分布", "Distribution"),
)


def bubbles() -> list[Bubble]:
    return [
        Bubble("a", 0.9, 0.1, 400.0, Disposition.RPA, "入力 400h", "1", "flow-a.html#step-a"),
        Bubble("b", 0.2, 0.8, 100.0, Disposition.RETAIN, "審査 100h"),
        Bubble("c", 0.7, 0.2, 100.0, Disposition.OUTSOURCE, "受付 <script>alert(1)</script> \"'&", "2"),
        Bubble("d", 1.0, 0.0, 0.0, Disposition.AUTOMATED, "自動"),
    ]


def parse(svg: str) -> etree._Element:
    root: etree._Element = etree.fromstring(svg.encode("utf-8"))
    return root


def bubble_groups(root: etree._Element) -> dict[str, etree._Element]:
    return {g.get("data-key", ""): g for g in root.iter(f"{SVG}g") if "bubble" in (g.get("class") or "").split()}


def test_every_step_is_one_bubble_with_its_tooltip_and_colour() -> None:
    root = parse(bubble_chart(bubbles(), LABELS))
    groups = bubble_groups(root)
    assert sorted(groups) == ["a", "b", "c", "d"]
    for bubble in bubbles():
        group = groups[bubble.key]
        assert group.findtext(f"{SVG}title") == bubble.tooltip
        circle = group.find(f"{SVG}circle")
        assert circle is not None
        assert circle.get("fill") == DISPOSITION_STYLES[bubble.disposition].strong
        assert DISPOSITION_STYLES[bubble.disposition].css_class in (group.get("class") or "")


def test_area_is_proportional_to_hours() -> None:
    root = parse(bubble_chart(bubbles(), LABELS))
    groups = bubble_groups(root)

    def radius(key: str) -> float:
        circle = groups[key].find(f"{SVG}circle")
        assert circle is not None
        return float(circle.get("r", "nan"))

    assert math.isclose((radius("a") / radius("b")) ** 2, 400 / 100, rel_tol=0.01)
    assert radius("b") == radius("c")
    assert radius("d") == bubble_radius(0, 400) > 0  # zero-hour steps stay visible


def test_axes_put_routine_right_and_judgment_up() -> None:
    root = parse(bubble_chart(bubbles(), LABELS))
    groups = bubble_groups(root)

    def centre(key: str) -> tuple[float, float]:
        circle = groups[key].find(f"{SVG}circle")
        assert circle is not None
        return float(circle.get("cx", "nan")), float(circle.get("cy", "nan"))

    (ax, ay), (bx, by) = centre("a"), centre("b")
    assert ax > bx  # more routine is further right
    assert ay > by  # more judgment is higher up (smaller y)


def test_user_text_is_escaped_and_links_are_kept() -> None:
    svg = bubble_chart(bubbles(), LABELS)
    assert "<script>" not in svg
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert "受付 <script>alert(1)</script> \"'&" in [t.text for t in root.iter(f"{SVG}title")]
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ["flow-a.html#step-a"]


def test_labels_come_in_both_languages_and_the_legend_names_every_disposition() -> None:
    root = parse(bubble_chart(bubbles(), LABELS))
    texts = [(t.get("lang"), t.text) for t in root.iter(f"{SVG}text")]
    for label in (LABELS.x_axis, LABELS.y_axis, LABELS.candidates):
        assert ("ja", label.ja) in texts and ("en", label.en) in texts
    for style in DISPOSITION_STYLES.values():
        assert ("ja", style.ja) in texts and ("en", style.en) in texts


def test_output_is_deterministic_and_independent_of_input_order() -> None:
    reference = bubble_chart(bubbles(), LABELS)
    shuffled = bubbles()
    random.Random(7).shuffle(shuffled)
    assert bubble_chart(shuffled, LABELS) == reference
    assert bubble_chart(bubbles(), LABELS) == reference


def test_big_bubbles_are_drawn_first_so_small_ones_stay_clickable() -> None:
    order = list(bubble_groups(parse(bubble_chart(bubbles(), LABELS))))
    assert order == ["a", "b", "c", "d"]


def test_empty_chart_says_so() -> None:
    root = parse(bubble_chart([], LABELS))
    assert ("en", "Nothing") in [(t.get("lang"), t.text) for t in root.iter(f"{SVG}text")]
    assert not bubble_groups(root)


@given(
    st.lists(
        st.tuples(
            st.floats(allow_nan=True, allow_infinity=False, width=32),
            st.floats(allow_nan=True, allow_infinity=False, width=32),
            st.floats(min_value=0, max_value=1e7),
            st.sampled_from(list(Disposition)),
        ),
        max_size=12,
    )
)
def test_bubbles_stay_inside_the_chart(points: list[tuple[float, float, float, Disposition]]) -> None:
    chart = [Bubble(str(i), x, y, hours, d, f"step {i}") for i, (x, y, hours, d) in enumerate(points)]
    root = parse(bubble_chart(chart, LABELS))
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    for group in bubble_groups(root).values():
        circle = group.find(f"{SVG}circle")
        assert circle is not None
        cx, cy, r = (float(circle.get(k, "nan")) for k in ("cx", "cy", "r"))
        assert 0 < cx < width and 0 < cy < height
        assert 0 < r <= 34


def test_bubbles_on_the_same_point_are_fanned_out() -> None:
    same = [Bubble(k, 0.75, 0.15, 50.0, Disposition.OUTSOURCE, k) for k in ("a", "b", "c")]
    groups = bubble_groups(parse(bubble_chart(same, LABELS)))
    centres = set()
    for group in groups.values():
        circle = group.find(f"{SVG}circle")
        assert circle is not None
        centres.add((circle.get("cx"), circle.get("cy")))
    assert len(centres) == 3
