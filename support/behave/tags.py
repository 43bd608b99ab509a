"""Framework tags on Gherkin features, rules and scenarios.

Plain tags (``@security``) select; a few tags configure the framework:

``@depends_on:NAME``  run after every scenario of the feature whose seed name is NAME (repeatable)
``@timeout:N``        stop the scenario after N seconds
``@retry:N``          after a failure, run again up to N more times (a later pass is reported flaky)
``@max_queries:N``    query budget; ``@max_duration:S`` seconds budget; ``@max_memory_mb:M`` RSS growth budget
``@skip_if:ENVVAR`` / ``@skip_if:ENVVAR=value``  skip when the variable is set (non-empty) / equals value
``@scenario:NAME``    on the Feature line only: the feature's seed name, which ``@depends_on`` refers to
``@rule:ID``          the scenario guards rule ID of docs/rules.md (repeatable; kept as a label for reports)
``@today:DATE``       the scenario runs with the clock at DATE (``2026-12-31`` or ``2026-12-31T23:59:00``, UTC)

Tags are inherited (feature → rule → outline/examples → scenario); for single-valued tags the most specific
level wins, ``@depends_on`` and ``@skip_if`` accumulate.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from support.behave.rules import check_rule_id
from support.engine.scenario import MAX_RETRY_ATTEMPTS, MAX_TIMEOUT_SECONDS

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
ENVVAR_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TagError(ValueError):
    """A framework tag that cannot be understood; the message names the file:line and the tag."""


@dataclass(frozen=True)
class SkipIf:
    """``@skip_if:VAR`` (skip when VAR is set and non-empty) or ``@skip_if:VAR=value`` (skip when equal)."""

    variable: str
    value: str | None = None

    def reason(self, environ: Mapping[str, str] | None = None) -> str | None:
        """Why the scenario is skipped now, or None when it runs."""
        environ = os.environ if environ is None else environ
        actual = environ.get(self.variable)
        if self.value is None:
            return f"{self.variable} is set" if actual else None
        return f"{self.variable}={self.value}" if actual == self.value else None

    def __str__(self) -> str:
        return self.variable if self.value is None else f"{self.variable}={self.value}"


@dataclass(frozen=True)
class SkipWhen:
    """The engine's skip_condition: picklable, evaluated in the worker; returns the reason or None."""

    conditions: tuple[SkipIf, ...]

    def __call__(self) -> str | None:
        reasons = [r for r in (cond.reason() for cond in self.conditions) if r]
        return f"skip_if: {', '.join(reasons)}" if reasons else None


@dataclass(frozen=True)
class FrameworkTags:
    depends_on: tuple[str, ...] = ()
    timeout_seconds: float | None = None
    retry_attempts: int | None = None
    max_queries: int | None = None
    max_duration_seconds: float | None = None
    max_memory_mb: float | None = None
    skip_if: tuple[SkipIf, ...] = ()
    seed_name: str | None = None
    rules: tuple[str, ...] = ()
    today: str | None = None  # ISO date or date-time of the fixed clock, as written
    labels: tuple[str, ...] = field(default=())  # the plain (selection, allure) tags

    @property
    def skip_condition(self) -> SkipWhen | None:
        return SkipWhen(self.skip_if) if self.skip_if else None

    @property
    def budgets(self) -> dict[str, float]:
        """In the engine's budget keys."""
        named = {
            "max_queries": self.max_queries,
            "max_duration_seconds": self.max_duration_seconds,
            "max_memory_increase_mb": self.max_memory_mb,
        }
        return {key: value for key, value in named.items() if value is not None}


VALUED_TAGS = ("depends_on", "timeout", "retry", "max_queries", "max_duration", "max_memory_mb", "skip_if",
               "scenario", "rule", "today")
BARE_TAGS: tuple[str, ...] = ()  # framework tags without a value (none at present)
# Upper bounds (documented in docs/behave.md): a bigger value is a typo, and would overflow the OS's timers.
MAXIMUM = {"timeout": MAX_TIMEOUT_SECONDS, "max_duration": MAX_TIMEOUT_SECONDS, "retry": MAX_RETRY_ATTEMPTS}


def _positive_number(text: str, *, integer: bool, allow_zero: bool = False,
                     maximum: float | None = None) -> float | int:
    value: float | int = int(text) if integer else float(text)
    if value < 0 or (value == 0 and not allow_zero) or value != value or value == float("inf"):
        raise ValueError(text)
    if maximum is not None and value > maximum:
        raise TagValueTooLarge(f"at most {maximum:g}")
    return value


class TagValueTooLarge(ValueError):
    pass


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


def near_miss(name: str) -> str | None:
    """The framework tag ``name`` was probably meant to be (``timout``, ``depends-on``, ``Timeout``), or None.

    Only close misspellings count: any other tag with a colon (``@author:john.doe``, ``@jira:ABC-1``) is the
    suite's own business and passes through to behave and Allure untouched."""
    normalized = name.lower().replace("-", "_")
    for known in (*VALUED_TAGS, *BARE_TAGS):
        if normalized == known and name != known:
            return known
        allowed = 2 if len(known) >= 8 else 1 if len(known) >= 5 else 0
        if 0 < _distance(normalized, known) <= allowed:
            return known
    return None


def _parse_one(tag: str, where: str, current: FrameworkTags, *, feature_level: bool) -> FrameworkTags:
    """Fold one tag into ``current`` (the tags of the less specific levels)."""
    name, sep, value = tag.partition(":")

    def fail(expected: str) -> TagError:
        return TagError(f"{where}: invalid tag @{tag}: {expected}")

    if not sep:
        if name in VALUED_TAGS:
            raise fail(f"@{name} needs a value, as in @{name}:VALUE")
        meant = near_miss(name)
        if meant in BARE_TAGS:
            raise fail(f"did you mean @{meant}?")
        return replace(current, labels=(*current.labels, tag))
    try:
        if name == "depends_on":
            if not NAME_PATTERN.match(value):
                raise fail("expected @depends_on:<seed name of a feature>")
            return replace(current, depends_on=(*current.depends_on, value))
        if name == "scenario":
            if not feature_level:
                raise fail("@scenario:<seed name> belongs on the Feature line, not on a scenario")
            if not NAME_PATTERN.match(value):
                raise fail("expected @scenario:<seed name>")
            return replace(current, seed_name=value)
        if name == "timeout":
            seconds = _positive_number(value, integer=False, maximum=MAXIMUM[name])
            return replace(current, timeout_seconds=float(seconds))
        if name == "retry":
            return replace(current, retry_attempts=int(_positive_number(value, integer=True, maximum=MAXIMUM[name])))
        if name == "max_queries":
            return replace(current, max_queries=int(_positive_number(value, integer=True, allow_zero=True)))
        if name == "max_duration":
            seconds = _positive_number(value, integer=False, maximum=MAXIMUM[name])
            return replace(current, max_duration_seconds=float(seconds))
        if name == "max_memory_mb":
            return replace(current, max_memory_mb=float(_positive_number(value, integer=False)))
        if name == "skip_if":
            variable, eq, expected = value.partition("=")
            if not ENVVAR_PATTERN.match(variable):
                raise fail("expected @skip_if:ENVVAR or @skip_if:ENVVAR=value")
            return replace(current, skip_if=(*current.skip_if, SkipIf(variable, expected if eq else None)))
        if name == "rule":
            problem = check_rule_id(value)
            if problem:
                raise fail(problem)
            return replace(current, rules=(*current.rules, value), labels=(*current.labels, tag))
        if name == "today":
            try:
                parse_today(value)
            except ValueError:
                raise fail(f"expected @today:YYYY-MM-DD or @today:YYYY-MM-DDTHH:MM[:SS], got {value!r}") from None
            return replace(current, today=value)
    except ValueError as error:
        if isinstance(error, TagError):
            raise
        kinds = {"retry": "a whole number ≥ 1", "max_queries": "a whole number ≥ 0"}
        expected = kinds.get(name, "a positive number")
        if isinstance(error, TagValueTooLarge):
            unit = " seconds" if name in ("timeout", "max_duration") else ""
            raise fail(f"expected {expected} {error}{unit}, got {value!r}") from None
        raise fail(f"expected {expected}, got {value!r}") from None
    meant = near_miss(name)
    if meant is not None:
        raise fail(f"did you mean @{meant}:{value}? (framework tags: {', '.join((*VALUED_TAGS, *BARE_TAGS))})")
    return replace(current, labels=(*current.labels, tag))  # the suite's own tag: behave and Allure see it


def parse_today(value: str) -> dt.datetime:
    """The instant of ``@today:VALUE`` in UTC; a bare date means 10:00 that day (mid-morning, far from midnight)."""
    if "T" not in value:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(10, 0), tzinfo=dt.UTC)
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        raise ValueError(value)
    return moment.replace(tzinfo=dt.UTC)


def tag_location(filename: str, tag: object, fallback_line: int) -> str:
    """behave's Tag carries the line it was written on."""
    return f"{filename}:{getattr(tag, 'line', None) or fallback_line}"


@dataclass(frozen=True)
class TagLevel:
    """The tags written at one level (feature, rule, outline, examples or scenario) and where."""

    tags: Sequence[str]
    filename: str
    line: int
    feature_level: bool = False


def parse_levels(levels: Iterable[TagLevel]) -> FrameworkTags:
    """Fold tag levels from the least specific (the feature) to the most specific (the scenario)."""
    result = FrameworkTags()
    for level in levels:
        for tag in level.tags:
            where = tag_location(level.filename, tag, level.line)
            result = _parse_one(str(tag), where, result, feature_level=level.feature_level)
    # Repeated tags across levels (inherited by outline rows) must not duplicate.
    return replace(
        result,
        depends_on=tuple(dict.fromkeys(result.depends_on)),
        skip_if=tuple(dict.fromkeys(result.skip_if)),
        rules=tuple(dict.fromkeys(result.rules)),
        labels=tuple(dict.fromkeys(result.labels)),
    )


def parse_tags(tags: Sequence[str], filename: str = "<tags>", line: int = 0,
               *, feature_level: bool = False) -> FrameworkTags:
    """Parse one level of tags (convenience for tests and single statements)."""
    return parse_levels([TagLevel(tags, filename, line, feature_level)])
