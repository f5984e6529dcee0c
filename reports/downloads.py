"""The files the site offers under ``downloads/``, and their names.

Names never come from user text raw: an annotated model is named by an ASCII
slug of its file name plus a short hash of its path relative to the scanned
folder, so ``x/flow.bpmn`` and ``y/flow.bpmn`` get two downloads, a name with a
tab, a backslash or a leading dot is still a plain file name, and the same
folder scanned from anywhere gives the same names.  A file whose annotated copy
cannot be made is reported and left out; it never costs the whole report.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from bpm.errors import BpmError, say
from reports.annotate import annotate_bpmn
from reports.export import assessment_json_bytes
from reports.export_columns import Lang
from reports.export_table import people_tables, table_bytes
from reports.views import slug
from scoring.result import Assessment, ProcessAssessment

__all__ = ["Downloads", "ModelSource", "annotated_name", "site_downloads"]

_SUFFIXES = (".bpmn20.xml", ".bpmn2", ".bpmn", ".xml")


@dataclass(frozen=True, slots=True)
class ModelSource:
    """One scanned BPMN file as the downloads need it."""

    key: str
    """Path relative to the scanned folder (POSIX); what the download name hashes."""
    file: str
    """The file as the model names it (``Definitions.file``): picks its steps."""
    data: bytes
    """The file's bytes as read."""


@dataclass(frozen=True, slots=True)
class Downloads:
    """Download files and the labels the overview shows for them."""

    files: dict[str, bytes]
    """Relative name under ``downloads/`` → content."""
    labels: dict[str, str]
    """Relative name → the user's own path, where the name alone would not say which file it is."""


def annotated_name(key: str) -> str:
    """``annotated/<slug>-<hash>.bpmn`` for a model at ``key`` (its path relative to the scanned folder).

    >>> annotated_name("x/flow.bpmn") != annotated_name("y/flow.bpmn")
    True
    >>> annotated_name("住民票.bpmn").startswith("annotated/model-"), annotated_name("a\\tb.bpmn")[:14]
    (True, 'annotated/a-b-')
    """
    name = key.replace("\\", "/").rsplit("/", 1)[-1]
    stem = next((name[: -len(s)] for s in _SUFFIXES if name.lower().endswith(s)), name)
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"annotated/{slug(stem, 40) or 'model'}-{digest}.bpmn"


def site_downloads(
    models: Sequence[ModelSource],
    assessment: Assessment,
    frame: pd.DataFrame,
    *,
    notice: Callable[[str], None] | None = None,
) -> Downloads:
    """Results table (CSV, XLSX in Japanese and English; JSON), the full assessment JSON and each model annotated.

    ``notice`` hears about each model whose annotated copy could not be made.
    """
    tell = notice or (lambda _message: None)
    files: dict[str, bytes] = {}
    languages: tuple[tuple[Lang, str], ...] = (("ja", ""), ("en", "-en"))
    for lang, suffix in languages:  # the English report offers its readers the table with English headers
        csv, xlsx = people_tables(frame, lang=lang, assessment=assessment)
        files[f"results{suffix}.csv"], files[f"results{suffix}.xlsx"] = csv, xlsx
        if lang == "ja":
            files["results.json"] = table_bytes(frame, "json")
    labels: dict[str, str] = {}
    files["assessment.json"] = assessment_json_bytes(assessment)
    of_file = _processes_by_file(assessment)
    for model in models:
        name = annotated_name(model.key)
        while name in files:  # two keys with one 8-digit hash: never let one overwrite the other
            name = name.replace(".bpmn", "-x.bpmn")
        try:
            files[name] = annotate_bpmn(model.data, of_file.get(_file_key(model.file), ()), file=model.file)
        except BpmError as error:
            tell(say("downloads.no_annotated_copy", file=model.file, reason=error.message).render())
            continue
        labels[name] = model.key
    return Downloads(files, labels)


def _file_key(file: str) -> str:
    """The path a file is known by: two spellings of one file (relative, absolute, ``./``) get one key."""
    return os.path.normpath(os.path.abspath(file))


def _processes_by_file(assessment: Assessment) -> dict[str, tuple[ProcessAssessment, ...]]:
    """Each file's processes, found in one pass (each model looking through every process was n² at 1,000 flows)."""
    found: dict[str, list[ProcessAssessment]] = {}
    for process in assessment.processes:
        found.setdefault(_file_key(process.file), []).append(process)
    return {key: tuple(processes) for key, processes in found.items()}
