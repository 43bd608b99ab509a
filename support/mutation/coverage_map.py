"""Which scenarios execute which line of the original sources, from one coverage run of the suite.

The run imports mutmut's rewritten modules, where the code as written runs as ``<function>__mutmut_orig``
(a verbatim copy of each mutated function, at other line numbers). Coverage measures those copies, one
dynamic context per scenario; each copy's lines are shifted back onto the original function here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from support.mutation.mutants import (
    Mutant,
    MutatedModule,
    copy_offsets,
    original_function_lines,
    statement_first_lines,
)

LineContexts = dict[int, set[str]]


def combine(data_file: Path) -> object:
    """Merge the children's coverage files (``<data_file>.<suffix>``) and return the CoverageData."""
    import coverage

    cov = coverage.Coverage(data_file=str(data_file), config_file=False)
    parts = [str(p) for p in data_file.parent.glob(f"{data_file.name}.*")]
    if parts:
        cov.combine(parts, keep=False)
        cov.save()
    return cov.get_data()


def original_line_contexts(data: object, module: MutatedModule, mutated_file: Path, source: str) -> LineContexts:
    """Original line -> the scenarios (contexts) that executed it."""
    measured = data.contexts_by_lineno(str(mutated_file.resolve()))  # type: ignore[attr-defined]
    if not measured:
        return {}
    originals = original_function_lines(source)
    result: LineContexts = defaultdict(set)
    for function, (start, end) in copy_offsets(module.code).items():
        if function not in originals:
            continue
        offset = start - originals[function]
        for line in range(start, end + 1):
            contexts = measured.get(line)
            if contexts:
                result[line - offset].update(c for c in contexts if c)
    return dict(result)


def covering_scenarios(mutants: Iterable[Mutant], lines: LineContexts, source: str) -> dict[str, set[str]]:
    """Mutant id -> scenarios that execute a line the mutant changes (or the statement that holds it)."""
    first = statement_first_lines(source)
    covering: dict[str, set[str]] = {}
    for mutant in mutants:
        names: set[str] = set()
        for line in range(mutant.line, mutant.end_line + 1):
            names |= lines.get(line, set())
            if line in first:
                names |= lines.get(first[line], set())
        covering[mutant.id] = names
    return covering
