"""The error hierarchy.

Every error the user can cause carries the file, line and element id it is
about plus a hint on how to fix it, so the CLI can print
``file:line: message (hint)`` instead of a traceback.

The message and the hint are catalogue texts (:class:`Say`: a message id of
:mod:`bpm.messages_library` and its values), written out in the run's
language only when the error is shown: the library does not need to know
whether the reader is Japanese or English, and the parts a script checks —
``file:line:``, ``[id=…]``, paths and numbers — are values, identical in both.
A plain string is still accepted (an already written text, e.g. the message of
another error passed on).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class Say:
    """A catalogue message not yet written out: its id and the values of its ``{placeholders}``.

    Values may be :class:`Say` themselves (a phrase inside a message, such as
    "row 5, column 件数"); they are written in the same language.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        """The text in ``lang`` (default: the language of this run, see :func:`bpm.messages.language`)."""
        from bpm.messages import text  # the catalogue imports click: only when a message is shown

        values = {name: value.render(lang) if isinstance(value, Say) else value
                  for name, value in self.params.items()}
        return text(self.key, lang, **values)

    def __str__(self) -> str:
        return self.render()


def say(key: str, /, **params: object) -> Say:
    """The catalogue message ``key`` with its values (written out when shown)."""
    return Say(key, params)


Text = str | Say
"""A user text: a catalogue message, or a text written already."""


def _written(value: Text | None, lang: str | None = None) -> str | None:
    if value is None:
        return None
    return value.render(lang) if isinstance(value, Say) else value


class BpmError(Exception):
    """Base of all errors the tool reports to users."""

    def __init__(
        self,
        message: Text,
        *,
        file: str | None = None,
        line: int | None = None,
        element_id: str | None = None,
        hint: Text | None = None,
    ) -> None:
        super().__init__(message)
        self.said = message
        self.said_hint = hint
        self.file = file
        self.line = line
        self.element_id = element_id

    @property
    def message(self) -> str:
        """The message in the run's language (without file, id and hint)."""
        return self.message_in()

    def message_in(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the run's language), without file, id and hint."""
        return _written(self.said, lang) or ""

    @property
    def hint(self) -> str | None:
        """How to fix it, in the run's language (or ``None``)."""
        return _written(self.said_hint)

    @property
    def key(self) -> str | None:
        """The catalogue id of the message (``None`` for a text written already)."""
        return self.said.key if isinstance(self.said, Say) else None

    @property
    def location(self) -> str:
        """``file:line`` (or just ``file``, or empty) for the message prefix."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def render(self, lang: str | None = None) -> str:
        """``file:line: message [id=…] (hint)`` in ``lang`` (default: the run's language)."""
        text = self.message_in(lang)
        if self.element_id:
            text = f"{text} [id={self.element_id}]"
        if self.location:
            text = f"{self.location}: {text}"
        hint = _written(self.said_hint, lang)
        if hint:
            text = f"{text} ({hint})"
        return text

    def __str__(self) -> str:
        return self.render()


class BpmnParseError(BpmError):
    """The file is not readable, not well-formed, hostile, or not BPMN."""


class ModelError(BpmError):
    """The BPMN is well-formed but its structure cannot be analysed."""


class AnalysisError(BpmError):
    """A flow analysis cannot be computed (e.g. a loop that never exits)."""


class SurveyError(BpmError):
    """A survey sheet (業務量調査) cannot be read or has bad values."""


class ProfileError(BpmError):
    """A scoring profile TOML is malformed or has bad values."""


class RenderError(BpmError):
    """A diagram or report cannot be produced."""
