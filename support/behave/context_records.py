"""behave's Context remembers where each of its attributes was set, cheaply.

``Context.__setattr__`` records the place of every assignment (file, line, function, source line) for the
warning it gives when user code masks an attribute set elsewhere. It takes that place from
``traceback.extract_stack(limit=2)``, which also stats each file on the way (``linecache.checkcache``) and reads
its source line: ≈ 6 µs per assignment, and behave and the hooks make a dozen or more per scenario. Here the same
place is recorded without those: a ``FrameSummary`` whose source line is read only when something asks for it.
Installed in the workers' behave sessions (``session.BehaveSession``).
"""
from __future__ import annotations

import sys
import traceback
from types import FrameType, ModuleType
from typing import Any


class _Traceback(ModuleType):
    """``traceback`` for behave.runner: the same module, except a lazy ``extract_stack``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def extract_stack(f: FrameType | None = None, limit: int | None = None) -> list[traceback.FrameSummary]:
        frame = sys._getframe(1) if f is None else f  # the caller's frame, as traceback.extract_stack starts
        if not isinstance(limit, int) or limit <= 0:
            return traceback.extract_stack(frame, limit)
        summaries: list[traceback.FrameSummary] = []
        while frame is not None and len(summaries) < limit:
            code = frame.f_code
            summaries.append(traceback.FrameSummary(code.co_filename, frame.f_lineno, code.co_name,
                                                    lookup_line=False))
            frame = frame.f_back
        summaries.reverse()  # oldest first, as traceback.extract_stack gives them
        return summaries


def install() -> None:
    """behave's Context records assignments with the lazy ``extract_stack`` (idempotent)."""
    import behave.runner

    if getattr(behave.runner, "traceback", None) is traceback:
        behave.runner.traceback = _Traceback("traceback")
