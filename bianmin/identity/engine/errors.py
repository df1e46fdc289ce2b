"""Errors raised by the face engine: a machine code plus a Chinese message."""

from __future__ import annotations

from .messages import message


class FaceEngineError(Exception):
    """Base error. ``code`` is a stable English identifier, ``message`` is Chinese."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.message = message(code)
        self.detail = detail
        super().__init__(f"{code}: {self.message}" + (f" ({detail})" if detail else ""))


class ImageError(FaceEngineError):
    """The bytes are not an acceptable image (format, size, truncation)."""


class EnrollmentError(FaceEngineError):
    """The photo decodes but cannot be enrolled (no face, several faces, too small)."""


class TemplateError(FaceEngineError):
    """A template is malformed or was made by another model/version."""


class LivenessConfigError(FaceEngineError):
    """A liveness challenge was requested that is not enabled."""
