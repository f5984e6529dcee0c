""":func:`scoring.survey.load_survey`, kept by content: a survey sheet is parsed once while its bytes stay.

A re-scan of a thousand flows where one changed spent about a quarter of its
re-scoring CPU parsing the same 5,000-row sheet again (≈ 10 ms a flow at
100 flows).  The parsed :class:`~scoring.survey.Survey` depends only on

- the sheet's bytes (its SHA-256),
- the name it was read under (``Survey.file`` and every gap carry it) and its
  suffix (CSV or XLSX reading),
- the code that parses and checks it (:func:`bpm.cache_store.code_version`
  of ``bpm`` and ``scoring``: the parser, the messages, the libraries) and
- the run's language (a gap's message is written in it),

and its key is the SHA-256 of exactly those.  A sheet that cannot be read is
read by :func:`~scoring.survey.load_survey` itself, so its error is the same;
errors are never stored.  A sheet is stored only when its bytes after parsing
are the bytes it was keyed by (a sheet saved while it was being read is not
stored under the old bytes' key).

Storage, its safety and ``BPM_CACHE_DIR=off``: :mod:`bpm.cache_store` (store ``surveys``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from bpm.cache_store import ObjectStore, code_version, json_key
from bpm.limits import MAX_SURVEY_BYTES
from bpm.messages import language
from scoring.survey import Survey, load_survey

__all__ = ["SurveyCache", "survey_key"]

_FORMAT = "survey 1"
"""Bumped when what a key covers changes."""


def survey_key(name: str, data: bytes) -> str:
    """The key of the survey parsed from ``data`` read under ``name``."""
    parts = {"v": _FORMAT, "file": name, "code": code_version("bpm", "scoring"), "lang": language(),
             "bytes": hashlib.sha256(data).hexdigest()}
    return json_key(parts)


class SurveyCache:
    """Parsed survey sheets by content key (a store without a folder parses every time)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SurveyCache:
        return cls(ObjectStore.from_environment("surveys", environ))

    def load(self, path: str | Path) -> Survey:
        """The sheet at ``path`` as :func:`~scoring.survey.load_survey` reads it, from the store when these
        bytes were parsed before."""
        data = self._bytes(Path(path))
        if data is None:
            return load_survey(path)  # missing, not a file, too big: load_survey's own error (or result)
        key = survey_key(str(Path(path)), data)
        found = self.store.get(key, Survey)
        if found is not None:
            return found
        survey = load_survey(path)
        if self._bytes(Path(path)) == data:
            self.store.put(key, survey)
        return survey

    def _bytes(self, path: Path) -> bytes | None:
        """The sheet's bytes when the store is on and it is a regular file within the size limit, else None."""
        if not self.store.on:
            return None
        try:
            status = os.stat(path)  # before opening: a FIFO or device named like a sheet must not block
            if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_SURVEY_BYTES:
                return None
            with open(path, "rb") as stream:
                data = stream.read(MAX_SURVEY_BYTES + 1)
        except OSError:
            return None
        return data if len(data) <= MAX_SURVEY_BYTES else None
