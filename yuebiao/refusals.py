"""Refusals shared by every room: exceptions a use case raises to say no, with a message (in Chinese) for the user.

No Django here, so pure cores may raise them too. A room subclasses them when it needs its own name or its own
family (lifecycle's refusals are also LifecycleError); views show the message and the API answers 400 with it.
"""

from __future__ import annotations


class ImportRefused(ValueError):
    """An uploaded file or a batch that may not be imported as asked, as a whole (row errors are reported apart)."""
