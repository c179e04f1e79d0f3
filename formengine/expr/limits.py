"""What evaluating an expression may build, and the error for what it may not (shared by the
operators in :mod:`.to_python` and the functions in :mod:`.functions`; runtime.js has the same)."""

from __future__ import annotations

MAX_TEXT = 10_000  # characters of any text an expression builds
MAX_LIST = 1_000_000  # items a repeated list may hold
MAX_INT_BITS = 4096  # a whole-number power larger than this is refused, not computed


class EvaluationError(Exception):
    """An expression could not be evaluated for this data (reported, never raised to users)."""
