"""The one base of the errors a user can cause: each message is a single line meant for them.

Bad input (a file that cannot be read, a question file in the wrong shape, a damaged index, an unknown
choice) raises a ``QAError`` subclass; the ``qa`` command prints its message as one line. Anything else is
a bug and keeps its traceback. It lives in the lowest layer so index, qa, eval and ui can all use it, and
it is a ``ValueError`` so code that catches those keeps working.
"""

from __future__ import annotations


class QAError(ValueError):
    """A mistake in what the user gave (a file, an index, a setting), explained in one line."""
