"""Errors raised by the smart readers and parser (pure: no Django).

Every message is Chinese and says what to do, because it is shown to the person who uploaded the file.
"""

from __future__ import annotations


class SmartError(Exception):
    """Base class of every error the smart package raises on purpose."""


class DocumentReadError(SmartError):
    """The file could not be read as the format it claims to be (broken, encrypted, wrong format)."""


class NoTextLayerError(DocumentReadError):
    """A PDF with no text layer (a scan): it must be OCRed first."""

    def __init__(self, message: str = "此PDF没有文字层，需要先OCR") -> None:
        super().__init__(message)


class DocumentParseError(SmartError, ValueError):
    """The text was read but is not a standard the parser can structure (no clauses at all, empty text)."""


class EncryptedDocumentError(DocumentReadError):
    """A file protected by a password to open it: nobody without the password can read it."""


class GarbledTextError(DocumentReadError):
    """A PDF whose text layer is there but garbled (a broken character map): it reads as nonsense."""


class DocumentLimitError(DocumentReadError):
    """A document over a limit (paragraphs, pages, inflated size…) or that took more CPU time, memory or time
    to parse than allowed; ``limit`` names the limit (smart.guard.DocumentLimits)."""

    def __init__(self, message: str, *, limit: str = "") -> None:
        super().__init__(message)
        self.limit = limit
