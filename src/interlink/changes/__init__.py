"""The change log of shared data and the change feed national nodes replicate from.

Every change to a record or a notice appends a ``Change`` in its own transaction, in
commit order (``log``); ``feed`` turns the log into what one caller may see, resumable
from a cursor; ``router`` serves it as ``GET /api/v1/changes``.
"""

from interlink.changes.models import Change

__all__ = ["Change"]
