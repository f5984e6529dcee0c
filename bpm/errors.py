"""The error hierarchy.

Every error the user can cause carries the file, line and element id it is
about plus a hint on how to fix it, so the CLI can print
``file:line: message (hint)`` instead of a traceback.
"""

from __future__ import annotations


class BpmError(Exception):
    """Base of all errors the tool reports to users."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        element_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.element_id = element_id
        self.hint = hint

    @property
    def location(self) -> str:
        """``file:line`` (or just ``file``, or empty) for the message prefix."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        text = self.message
        if self.element_id:
            text = f"{text} [id={self.element_id}]"
        if self.location:
            text = f"{self.location}: {text}"
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


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
