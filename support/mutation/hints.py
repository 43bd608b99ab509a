"""Killers remembered across runs: ``DIR/killers.jsonl``, a hint for the order of the next run's search.

``DIR/state/`` is dropped when the code or the suite changes (its fingerprint); this file is not. A mutant is
known by what stays when other code is edited: its file, function and the lines of its diff without their
numbers. The next run tries the scenario that killed it last time first. Only the order changes: a hint that
no longer kills costs one scenario, and the mutant's outcome is whatever its scenarios say.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from support.mutation.mutants import Mutant
from support.mutation.results import append_jsonl, read_jsonl, write_jsonl

HINT_FILE = "killers.jsonl"


def mutant_key(mutant: Mutant) -> str:
    body = "\n".join(mutant.changed_lines())
    return hashlib.sha256(f"{mutant.file}\0{mutant.function}\0{body}".encode()).hexdigest()[:24]


class KillerHints:
    """Key -> the scenario that last killed that mutant. Appended as kills happen (a stopped run keeps them);
    rewritten without duplicates when loaded."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / HINT_FILE
        entries = [e for e in read_jsonl(self.path) if isinstance(e, dict) and {"key", "killed_by"} <= set(e)]
        self.killers: dict[str, str] = {str(e["key"]): str(e["killed_by"]) for e in entries}
        if len(self.killers) < len(entries):
            write_jsonl(self.path, ({"key": k, "killed_by": s} for k, s in self.killers.items()))

    def get(self, mutant: Mutant) -> str | None:
        return self.killers.get(mutant_key(mutant))

    def remember(self, mutant: Mutant, scenario: str) -> None:
        key = mutant_key(mutant)
        if self.killers.get(key) == scenario:
            return
        self.killers[key] = scenario
        self.path.parent.mkdir(parents=True, exist_ok=True)
        append_jsonl(self.path, {"key": key, "killed_by": scenario})
