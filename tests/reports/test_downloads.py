"""The site's downloads are spooled to disk as they are made, and the annotated copies come from the pool.

Why these tests: a thousand flows' downloads (~1 MB a flow, most of it the
assessment JSON) used to sit in a dict until the site was written (issue 13:
"memory must not grow with the number of flows").  They now go to a spool
folder; what a reader of the downloads gets back must be what was made, the
same for any ``--jobs``, and the folder must not outlive the run.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from bpm.pool import parallel_available
from bpm.reader import read_bpmn
from reports.annotate import annotate_bpmn
from reports.downloads import ModelSource, SpooledFiles, site_downloads
from reports.export import assessment_json_bytes
from reports.outdir import FileCopy
from reports.site import _download
from scoring.assess import assess
from scoring.profile import load_profile
from scoring.table import steps_frame

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "flows").glob("*.bpmn"))[:4]


def _models() -> tuple[list[ModelSource], object]:
    definitions = [read_bpmn(path) for path in SAMPLES]
    assessment = assess(definitions, profile=load_profile(None))
    models = [ModelSource(path.name, d.file, path.read_bytes()) for path, d in zip(SAMPLES, definitions, strict=True)]
    models.append(ModelSource("broken.bpmn", models[0].file, models[0].data[:300]))  # cut short: no annotated copy
    return models, assessment


def test_spooled_downloads_are_what_was_made_and_the_same_for_any_number_of_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the workbooks record when they were made
    if not parallel_available():  # pragma: no cover - a sandbox without fork or semaphores
        pytest.skip("no process pool here")
    models, assessment = _models()
    frame = steps_frame(assessment)  # type: ignore[arg-type]
    heard: dict[int, list[str]] = {1: [], 2: []}
    one = site_downloads(models, assessment, frame, notice=heard[1].append, jobs=1,  # type: ignore[arg-type]
                         spool=tmp_path)
    two = site_downloads(models, assessment, frame, notice=heard[2].append, jobs=2,  # type: ignore[arg-type]
                         spool=tmp_path)
    assert heard[1] == heard[2] and len(heard[1]) == 1 and "broken.bpmn" not in one.labels.values()
    assert list(one.files) == list(two.files) and one.labels == two.labels
    for name in one.files:
        assert one.files[name] == two.files[name], name
        assert one.files.size(name) == len(one.files[name])
        assert one.files.path(name).parent == one.files.folder
    assert one.files["assessment.json"] == assessment_json_bytes(assessment)  # type: ignore[arg-type]
    for name, key in one.labels.items():
        model = next(m for m in models if m.key == key)
        processes = tuple(p for p in assessment.processes if p.file == model.file)  # type: ignore[attr-defined]
        assert one.files[name] == annotate_bpmn(model.data, processes, file=model.file)
    assert len(one.labels) == len(SAMPLES)


def test_a_spooled_download_goes_into_the_site_as_a_copy_of_its_file(tmp_path: Path) -> None:
    files = SpooledFiles(tmp_path)
    files.add("assessment.json", b'{"a": 1}\n')
    assert _download(files, "assessment.json", copies=True) == FileCopy(files.path("assessment.json"))
    assert _download(files, "assessment.json", copies=False) == b'{"a": 1}\n'
    assert _download({"x.csv": b"1"}, "x.csv", copies=True) == b"1"  # a plain mapping's bytes as they are
    assert dict(files) == {"assessment.json": b'{"a": 1}\n'} and "assessment.json" in files and len(files) == 1


def test_the_spool_folder_goes_when_the_downloads_are_dropped(tmp_path: Path) -> None:
    files = SpooledFiles(tmp_path)
    files.add("results.csv", b"a,b\n")
    folder = files.folder
    assert folder.is_dir() and folder.parent == tmp_path
    del files
    gc.collect()
    assert not folder.exists() and list(tmp_path.iterdir()) == []
