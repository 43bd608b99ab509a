"""Failure messages as a reader should see them: what failed and why, without the framework's insides.

The engine's error text for a failed step reads ``GherkinStepFailed: step failed: Then … (features/x.feature:6)``
then ``ASSERT FAILED: expected 3, got 2 (/abs/…/support/…:236)``: an internal exception class, behave's
``ASSERT FAILED:`` prefix and the absolute path of the framework line that raised. `clean_error` keeps the
step, its feature line and the assertion's own words; absolute paths inside the repository become relative
ones, and locations inside the framework or site-packages go.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_INTERNAL_CLASS = re.compile(r"^(?:Gherkin\w+|AssertionError|StepFailed)\s*:\s*")
_PREFIX = re.compile(r"^(?:ASSERT FAILED|Assertion Failed|FAILED SUB-STEP)\s*:\s*", re.I)
_STEP_FAILED = re.compile(r"^step failed:\s*")
# " (/abs/path/file.py:123)" appended to a message, and absolute paths anywhere.
_LOCATION = re.compile(r"\s*\((/[^()\s]+\.py):(\d+)\)")
_ABSOLUTE = re.compile(r"(?<![\w.])(/[^\s:'\"()]+)")
_FRAMEWORK_PARTS = ("/support/", "/site-packages/", "/lib/python")


def relative_path(path: str) -> str:
    try:
        return str(Path(path).relative_to(REPO))
    except ValueError:
        return path


def _location(match: re.Match[str]) -> str:
    path, line = match.group(1), match.group(2)
    return "" if any(part in path for part in _FRAMEWORK_PARTS) else f" ({relative_path(path)}:{line})"


def clean_line(line: str) -> str:
    line = _INTERNAL_CLASS.sub("", line.strip())
    line = _STEP_FAILED.sub("", line)
    line = _PREFIX.sub("", line)
    line = _LOCATION.sub(_location, line)
    return _ABSOLUTE.sub(lambda m: relative_path(m.group(1)), line)


def clean_error(text: str | None) -> str:
    """The whole error, each line cleaned; empty lines dropped."""
    return "\n".join(c for c in (clean_line(line) for line in str(text or "").splitlines()) if c)


def headline(text: str | None, default: str = "") -> str:
    """One line: the failing step and the assertion's message (`Then … (file:line): expected 3, got 2`)."""
    lines = clean_error(text).splitlines()
    if not lines:
        return default
    first = lines[0]
    if len(lines) > 1 and not lines[1].startswith(("Traceback", "File ")):
        first = f"{first}: {lines[1]}"
    return first
