"""The files the site offers under ``downloads/``, and their names.

Names never come from user text raw: an annotated model is named by an ASCII
slug of its file name plus a short hash of its path relative to the scanned
folder, so ``x/flow.bpmn`` and ``y/flow.bpmn`` get two downloads, a name with a
tab, a backslash or a leading dot is still a plain file name, and the same
folder scanned from anywhere gives the same names.  A file whose annotated copy
cannot be made is reported and left out; it never costs the whole report.

The files are written to a spool folder as they are made (:class:`SpooledFiles`),
not kept in memory: the assessment JSON alone is ~0.75 MB a flow, and a
thousand flows' downloads held until the site was written made the scan's
memory grow with the portfolio.  The annotated copies are made on the
``--jobs`` pool, each worker writing its copy to the spool.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bpm.errors import BpmError, say
from bpm.pool import ordered_results
from reports.annotate import annotate_bpmn
from reports.export import write_assessment_json
from reports.export_columns import Lang
from reports.export_table import people_tables, table_bytes
from reports.views import slug
from scoring.result import Assessment, ProcessAssessment

__all__ = ["Downloads", "ModelSource", "SpooledFiles", "annotated_name", "site_downloads"]

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

    files: SpooledFiles
    """Relative name under ``downloads/`` → content (read from the spool when asked)."""
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


class SpooledFiles(Mapping[str, bytes]):
    """Download files kept in a private temporary folder, read back one at a time when asked.

    A mapping of name → bytes like the dict it replaces, so every reader of
    the downloads works unchanged; :meth:`size` and :meth:`path` let the
    site show a file's size and copy it into place without reading it.  The
    folder is removed when the object is dropped (or at exit), by the process
    that made it only: forked pool workers share the object, never its cleanup.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bpm-downloads-", dir=folder))
        self._paths: dict[str, Path] = {}
        self._finalizer = weakref.finalize(self, _remove_folder, self.folder, os.getpid())

    def new_path(self) -> Path:
        """A fresh file name in the spool folder (for a worker to write to)."""
        return self.folder / f"{len(self._paths):06d}-{os.urandom(4).hex()}"

    def add(self, name: str, data: bytes) -> None:
        """Spool ``data`` as ``name`` (replacing an earlier file of that name)."""
        path = self.new_path()
        path.write_bytes(data)
        self.adopt(name, path)

    def adopt(self, name: str, path: Path) -> None:
        """Take the file already written at ``path`` (inside the spool folder) as ``name``."""
        self._paths[name] = path

    def path(self, name: str) -> Path:
        """Where ``name`` is spooled (KeyError when it is not a download)."""
        return self._paths[name]

    def size(self, name: str) -> int:
        """Bytes of ``name``, without reading it."""
        return self._paths[name].stat().st_size

    def __getitem__(self, name: str) -> bytes:
        return self._paths[name].read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, name: object) -> bool:
        return name in self._paths

    def __repr__(self) -> str:
        return f"SpooledFiles({sorted(self._paths)!r})"


def _remove_folder(folder: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def site_downloads(
    models: Sequence[ModelSource],
    assessment: Assessment,
    frame: pd.DataFrame,
    *,
    notice: Callable[[str], None] | None = None,
    jobs: int = 1,
    spool: Path | None = None,
) -> Downloads:
    """Results table (CSV, XLSX in Japanese and English; JSON), the full assessment JSON and each model annotated.

    ``notice`` hears about each model whose annotated copy could not be made.
    The files go to a temporary folder in ``spool`` (default: the system's)
    as they are made; ``jobs`` processes make the annotated copies (the same
    bytes for any number).
    """
    tell = notice or (lambda _message: None)
    files = SpooledFiles(spool)
    languages: tuple[tuple[Lang, str], ...] = (("ja", ""), ("en", "-en"))
    for lang, suffix in languages:  # the English report offers its readers the table with English headers
        csv, xlsx = people_tables(frame, lang=lang, assessment=assessment)
        files.add(f"results{suffix}.csv", csv)
        files.add(f"results{suffix}.xlsx", xlsx)
        del csv, xlsx
        if lang == "ja":
            files.add("results.json", table_bytes(frame, "json"))
    path = files.new_path()
    with open(path, "wb") as handle:
        write_assessment_json(assessment, handle)
    files.adopt("assessment.json", path)
    labels: dict[str, str] = {}
    job = _AnnotateJob(_processes_by_file(assessment), files.folder)
    for model, (written, reason) in zip(models, ordered_results(_annotated_copy, list(enumerate(models)), context=job,
                                                                  jobs=jobs, describe=lambda item: item[1].file),
                                        strict=True):
        if written is None:
            tell(say("downloads.no_annotated_copy", file=model.file, reason=reason).render())
            continue
        name = annotated_name(model.key)
        while name in files:  # two keys with one 8-digit hash: never let one overwrite the other
            name = name.replace(".bpmn", "-x.bpmn")
        files.adopt(name, written)
        labels[name] = model.key
    return Downloads(files, labels)


@dataclass(frozen=True, slots=True)
class _AnnotateJob:
    """What every annotated copy needs: each file's processes, and the spool folder the copies go to."""

    of_file: Mapping[str, tuple[ProcessAssessment, ...]]
    folder: Path


def _annotated_copy(job: _AnnotateJob, item: tuple[int, ModelSource]) -> tuple[Path | None, str]:
    """One model's annotated copy, written to the spool (in a worker when jobs > 1): its path, or why not."""
    index, model = item
    try:
        data = annotate_bpmn(model.data, job.of_file.get(_file_key(model.file), ()), file=model.file)
    except BpmError as error:
        return None, error.message
    path = job.folder / f"annotated-{index:06d}.bpmn"
    path.write_bytes(data)
    return path, ""


def _file_key(file: str) -> str:
    """The path a file is known by: two spellings of one file (relative, absolute, ``./``) get one key."""
    return os.path.normpath(os.path.abspath(file))


def _processes_by_file(assessment: Assessment) -> dict[str, tuple[ProcessAssessment, ...]]:
    """Each file's processes, found in one pass (each model looking through every process was n² at 1,000 flows)."""
    found: dict[str, list[ProcessAssessment]] = {}
    for process in assessment.processes:
        found.setdefault(_file_key(process.file), []).append(process)
    return {key: tuple(processes) for key, processes in found.items()}
