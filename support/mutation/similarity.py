"""Which scenarios talk about what a mutant changes: words shared by its source line and a scenario's text.

A mutant of ``"currency": lambda: payload.string("currency", ...)`` is mostly killed by the one outline row
that submits a blank currency, or the one scenario about the exchange-rate provider for a mutant of the
provider's wiring: ranked by kills per second they come after hundreds of others. Identifiers and string
literals of the mutated lines (and, weighing half, the function's name) are split into words (``_``, ``-``,
case, digits), lower-cased and lightly stemmed; a scenario scores the sum of the IDF of the words it shares,
so a word few scenarios use ("currency", "breaker") counts more than one most use ("deal"). Generic: the
texts come from the loaded behave suite (names, steps, tables, tags, the feature's name).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from support.mutation.mutants import Mutant

# Python's vocabulary and English glue: they say nothing about what a line does.
STOP_WORDS = frozenset({
    "self", "cls", "none", "true", "false", "return", "if", "else", "elif", "not", "and", "or", "in", "is", "for",
    "while", "lambda", "def", "class", "import", "from", "as", "with", "try", "except", "raise", "pass", "yield",
    "await", "async", "get", "set", "the", "an", "of", "to", "it", "its", "be", "by", "on", "at", "this", "that",
    "init",
})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
FUNCTION_WEIGHT = 0.5  # a word only in the function's name: every mutant of the function shares it


def _stem(word: str) -> str:
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + replacement
    return word


def words(text: str) -> list[str]:
    """``payload.has("dueDate")`` -> ["payload", "has", "due", "date"] (stop words and 1-letter parts dropped)."""
    found: list[str] = []
    for word in _WORD.findall(text):
        for part in _PART.findall(word):
            lowered = part.lower()
            if len(lowered) >= 2 and lowered not in STOP_WORDS:
                found.append(_stem(lowered))
    return found


def mutant_query(mutant: Mutant) -> dict[str, float]:
    """Words of the lines a mutant removes (the code as written) weigh 1, those only in its function's name
    (mangled: ``xǁCommissionServiceǁ__init__``) weigh half."""
    removed = "\n".join(line[1:] for line in mutant.changed_lines("-"))
    query = dict.fromkeys(words(mutant.function.replace("ǁ", " ").removeprefix("x_")), FUNCTION_WEIGHT)
    query.update(dict.fromkeys(words(removed), 1.0))
    return query


class ScenarioIndex:
    """Scenario texts as word sets with IDF weights: built once per campaign."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.words = {name: frozenset(words(text)) for name, text in texts.items()}
        counts: dict[str, int] = {}
        for found in self.words.values():
            for word in found:
                counts[word] = counts.get(word, 0) + 1
        total = max(len(self.words), 1)
        self.idf = {word: math.log(total / count) for word, count in counts.items()}

    def scores(self, query: Mapping[str, float], names: Iterable[str]) -> dict[str, float]:
        """Name -> the IDF-weighted sum of the query's words its text has (0 for an unknown name)."""
        shared = {word: weight * self.idf[word] for word, weight in query.items() if self.idf.get(word)}
        empty: frozenset[str] = frozenset()
        return {name: sum(w for word, w in shared.items() if word in self.words.get(name, empty)) for name in names}


def scenario_text(scenario: Any, feature: Any) -> str:
    """A behave scenario's words: its name, its feature's name, its tags and its steps (text, table)."""
    parts = [scenario.name, feature.name, *map(str, scenario.effective_tags)]
    for step in scenario.all_steps:
        parts.append(step.name)
        if step.text:
            parts.append(step.text)
        if step.table:
            parts.extend(step.table.headings)
            parts.extend(cell for row in step.table.rows for cell in row.cells)
    return "\n".join(parts)
