"""The text of a PDF page with the size each piece prints at, in points, read back with pypdf.

A sheet's PDF pages paint the diagram and the title block's common part as form XObjects
(:mod:`reports.sheet_walk`: recorded once, replayed on each page).  pypdf's text visitor reads a form's
text in the form's own space (it restarts the matrices at the form), so the size a reader sees is found
here: each form is read on its own and its sizes are multiplied by the scale it is placed at on the page
(its ``/Matrix`` and the page's current matrix where it is painted)."""

from __future__ import annotations

import math
from typing import Any

import pypdf
from pypdf.generic import ContentStream, DictionaryObject, NameObject

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def text_sizes(page: pypdf.PageObject) -> list[tuple[str, float]]:
    """Every non-blank text shown on ``page`` (directly or in a form it paints) and its size in points."""
    found: list[tuple[str, float]] = []
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    outer = {NameObject(k): v for k, v in resources.items() if k != "/XObject"}
    found += _visited(page["/Contents"], DictionaryObject(outer), 1.0, page.pdf)
    for reference, scale in _forms(page.get_contents(), resources, _IDENTITY, page.pdf):
        inner = reference.get_object().get("/Resources")
        found += _visited(reference, inner.get_object() if inner is not None else DictionaryObject(), scale,
                          page.pdf)
    return found


def _visited(contents: Any, resources: DictionaryObject, scale: float, pdf: Any) -> list[tuple[str, float]]:
    """The texts of ``contents`` (the stream as the file refers to it: pypdf decodes its fonts' text only
    then) drawn with ``resources`` (its forms left out), sizes × ``scale``."""
    blank = pypdf.PageObject.create_blank_page(pdf, width=1, height=1)
    blank[NameObject("/Resources")] = DictionaryObject({NameObject(k): v for k, v in resources.items()
                                                        if k != "/XObject"})
    blank[NameObject("/Contents")] = contents
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text, size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]) * scale))

    blank.extract_text(visitor_text=visit)
    return found


def _forms(stream: Any, resources: Any, ctm: Matrix, pdf: Any) -> list[tuple[Any, float]]:
    """Each form XObject ``stream`` paints (and the forms those paint) with the scale it is placed at."""
    placed: list[tuple[Any, float]] = []
    if stream is None:
        return placed
    saved: list[Matrix] = []
    xobjects = resources.get("/XObject") if resources is not None else None
    xobjects = xobjects.get_object() if xobjects is not None else {}
    for operands, operator in ContentStream(stream, pdf).operations:
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q" and saved:
            ctm = saved.pop()
        elif operator == b"cm":
            ctm = _times(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif operator == b"Do" and operands[0] in xobjects:
            reference = xobjects.raw_get(operands[0]) if hasattr(xobjects, "raw_get") else xobjects[operands[0]]
            form = reference.get_object()
            if form.get("/Subtype") != "/Form":
                continue
            matrix = tuple(float(v) for v in form.get("/Matrix", _IDENTITY))
            at = _times(matrix, ctm)  # type: ignore[arg-type]
            placed.append((reference, math.sqrt(abs(at[0] * at[3] - at[1] * at[2]))))
            placed += _forms(form, form.get("/Resources"), at, pdf)
    return placed


def _times(a: Matrix, b: Matrix) -> Matrix:
    """``a`` then ``b`` (PDF's row-vector convention: a × b)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])
