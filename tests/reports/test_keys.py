"""Per-step look-ups are keyed by file, process and element: ids repeat across files.

The bundled 住民票 and 転入届 flows both have a step ``Activity_HoninKakunin``
(本人確認), and a "save as" copy of a flow keeps every id.  Nothing on a page,
in a diagram or in a printed copy may come from the other file's step.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import html5lib  # type: ignore[import-untyped]
import pytest
from lxml import etree

from bpm.lint import Finding, Severity
from bpm.model import Definitions, ElementId
from bpm.reader import read_bpmn
from reports.site import SiteInput, render_site
from reports.style import DISPOSITION_STYLES
from reports.views import Catalogue, diagram_overlays
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.result import Assessment, DataGap, Disposition, StepAssessment
from scoring.survey import load_survey

SVG_NS = "http://www.w3.org/2000/svg"
STEP = ElementId("Activity_HoninKakunin")


def parse(data: bytes) -> etree._Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), namespaceHTMLElements=False)
    root: etree._Element = parser.parse(data, transport_encoding="utf-8").getroot()
    return root


def step_group(root: etree._Element, element_id: str) -> etree._Element:
    """The diagram's group of one element (inline SVG on a flow page or a standalone SVG)."""
    found = [g for g in root.iter() if isinstance(g.tag, str) and g.get("data-element-id") == element_id
             and etree.QName(g.tag).localname == "g"]
    assert found, element_id
    return found[0]


def badge(step: StepAssessment) -> str:
    style = DISPOSITION_STYLES[step.disposition]
    return f"{style.ja} {step.confidence:.2f} · {step.cost.hours_per_year:,.0f}h"


def step_of(assessment: Assessment, file_stem: str, element_id: str) -> StepAssessment:
    return next(s for p in assessment.processes if Path(p.file).stem == file_stem
                for s in p.steps if s.step_id == element_id)


# --------------------------------------------------------------------------- the bundled samples


@pytest.fixture(scope="module")
def samples(flows_dir: Path) -> tuple[tuple[Definitions, ...], Assessment, dict[str, bytes]]:
    paths = sorted(flows_dir.glob("*.bpmn"))
    definitions = tuple(read_bpmn(p) for p in paths)
    assessment = assess(definitions, survey=load_survey(flows_dir / "survey.csv"), profile=load_profile(None))
    site = render_site(SiteInput(definitions, (), assessment), environ={"SOURCE_DATE_EPOCH": "0"})
    return definitions, assessment, site


def test_samples_share_the_step_id_with_different_figures(
    samples: tuple[tuple[Definitions, ...], Assessment, dict[str, bytes]],
) -> None:
    """The premise of the next test: same id in two files, different hours."""
    _, assessment, _ = samples
    juminhyo, tennyu = step_of(assessment, "juminhyo", STEP), step_of(assessment, "tennyu", STEP)
    assert badge(juminhyo) != badge(tennyu)


@pytest.mark.parametrize("stem", ["juminhyo", "tennyu"])
def test_each_diagram_badge_reads_its_own_step(
    samples: tuple[tuple[Definitions, ...], Assessment, dict[str, bytes]], stem: str
) -> None:
    """住民票's 本人確認 badge showed 転入届's 193h while its own row said 750h."""
    _, assessment, site = samples
    step = step_of(assessment, stem, STEP)
    page = page_of_file(site, step.file)
    svg = next(e for e in page.iter() if isinstance(e.tag, str) and "bpmn-diagram" in (e.get("class") or ""))
    group = step_group(svg, STEP)
    assert badge(step) in "".join(group.itertext())
    assert DISPOSITION_STYLES[step.disposition].css_class in (group.get("class") or "")
    # the printable copies are drawn from the same picture: its standalone SVG carries the same badge
    copies = [name for name in site if name.startswith("diagrams/") and name.endswith(".svg") and stem in name]
    assert len(copies) == 1
    standalone = etree.fromstring(site[copies[0]])
    assert badge(step) in "".join(step_group(standalone, STEP).itertext())


# --------------------------------------------------------------------------- a "save as" copy


def _other(disposition: Disposition) -> Disposition:
    """A disposition other than the original's, so the copy's colour differs whatever the scoring decided."""
    return Disposition.RPA if disposition is Disposition.RETAIN else Disposition.RETAIN


@pytest.fixture(scope="module")
def copy_site(flows_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Assessment, dict[str, bytes]]:
    """転入届 and a copy of it whose 本人確認 the scoring put elsewhere (another disposition and hours)."""
    folder = tmp_path_factory.mktemp("copy")
    original, copy = folder / "tennyu.bpmn", folder / "tennyu_copy.bpmn"
    shutil.copyfile(flows_dir / "tennyu.bpmn", original)
    shutil.copyfile(flows_dir / "tennyu.bpmn", copy)
    definitions = (read_bpmn(original), read_bpmn(copy))
    assessment = assess(definitions, profile=load_profile(None))
    processes = []
    for process in assessment.processes:
        if process.file == str(copy):
            steps = tuple(
                replace(s, disposition=_other(s.disposition), cost=replace(s.cost, hours_per_year=473.0))
                if s.step_id == STEP else s
                for s in process.steps
            )
            process = replace(process, steps=steps)
        processes.append(process)
    assessment = replace(assessment, processes=tuple(processes))
    findings = (Finding("demo-rule", Severity.WARNING, "only in the copy", definitions[1].source, STEP, None),)
    return assessment, render_site(SiteInput(definitions, findings, assessment), environ={"SOURCE_DATE_EPOCH": "0"})


def test_a_copy_does_not_recolour_the_original(copy_site: tuple[Assessment, dict[str, bytes]]) -> None:
    """The copy's 職員が担当 473h turned the original's 本人確認 pink although its table said 民間委託."""
    assessment, site = copy_site
    original, copy = assessment.processes
    steps = [next(s for s in p.steps if s.step_id == STEP) for p in (original, copy)]
    assert steps[0].disposition is not steps[1].disposition
    for process, step in zip((original, copy), steps, strict=True):
        group = step_group(page_of_file(site, process.file), STEP)
        assert badge(step) in "".join(group.itertext()), process.file
        assert DISPOSITION_STYLES[step.disposition].css_class in (group.get("class") or "").split()


def page_of_file(site: dict[str, bytes], file: str) -> etree._Element:
    """The flow page that names ``file`` as its source (both copies share process id and name)."""
    pages = [parse(data) for name, data in site.items() if name.startswith("flow-")]
    matching = [root for root in pages if file in "".join(root.itertext())]
    assert len(matching) == 1, file
    return matching[0]


def test_a_finding_marks_only_its_own_file(copy_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, site = copy_site
    original, copy = assessment.processes
    assert "only in the copy" in "".join(step_group(page_of_file(site, copy.file), STEP).itertext())
    assert "only in the copy" not in "".join(step_group(page_of_file(site, original.file), STEP).itertext())


def test_overlays_are_grouped_by_file_and_process(copy_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, _ = copy_site
    original, copy = assessment.processes
    overlays = diagram_overlays(assessment.processes, ())
    assert set(overlays) == {original.file, copy.file}
    mine = overlays[original.file].for_processes((original.process_id,))[STEP]
    theirs = overlays[copy.file].for_processes((copy.process_id,))[STEP]
    assert mine.badge != theirs.badge
    assert theirs.badge is not None and "473h" in theirs.badge


# --------------------------------------------------------------------------- data gaps and links


def test_gaps_and_links_never_cross_files(copy_site: tuple[Assessment, dict[str, bytes]]) -> None:
    """A gap on the copy's step stays on the copy's page; a sheet row naming a shared id links nowhere."""
    assessment, _ = copy_site
    original, copy = assessment.processes
    gaps = (
        DataGap("no-data", "copy step without data", copy.file, None, STEP),
        DataGap("unmatched-row", "sheet row naming a shared id", "survey.csv", 4, STEP),
    )
    assessment = replace(assessment, gaps=gaps)
    catalogue = Catalogue((read_bpmn(Path(original.file)), read_bpmn(Path(copy.file))), assessment, (), {})
    copy_ref = catalogue.refs[(copy.file, copy.process_id)]
    assert catalogue.gap_flows(gaps[0]) == [copy_ref]
    assert catalogue.gap_view(gaps[0]).href == f"{copy_ref.file_name}#step-{STEP}"
    assert catalogue.gap_flows(gaps[1]) == []
    assert catalogue.gap_view(gaps[1]).href is None
    found = catalogue.step_in_file(original.file, STEP)
    assert found is not None and found[1].file == original.file


def test_flow_pages_list_only_their_own_gaps(copy_site: tuple[Assessment, dict[str, bytes]]) -> None:
    assessment, _ = copy_site
    original, copy = assessment.processes
    gaps = (
        DataGap("no-data", "copy step without data", copy.file, None, STEP),
        DataGap("unmatched-row", "sheet row naming a shared id", "survey.csv", 4, STEP),
    )
    definitions = (read_bpmn(Path(original.file)), read_bpmn(Path(copy.file)))
    site = render_site(SiteInput(definitions, (), replace(assessment, gaps=gaps)), environ={"SOURCE_DATE_EPOCH": "0"})
    original_text = "".join(page_of_file(site, original.file).itertext())
    copy_text = "".join(page_of_file(site, copy.file).itertext())
    assert "copy step without data" in copy_text
    assert "copy step without data" not in original_text
    assert "sheet row naming a shared id" not in original_text + copy_text
    assert "sheet row naming a shared id" in "".join(parse(site["index.html"]).itertext())
