"""Killers remembered across runs: ``DIR/killers.jsonl``, a hint for the order of the next run's search.

``DIR/state/`` is dropped when the code or the suite changes (its fingerprint); this file is not. A mutant is
known by what stays when other code is edited: its file, function and the lines of its diff without their
numbers. The next run tries the scenario that killed it last time first. Only the order changes: a hint that
no longer kills costs one scenario, and the mutant's outcome is whatever its scenarios say.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from support.mutation.mutants import Mutant

HINT_FILE = "killers.jsonl"


def mutant_key(mutant: Mutant) -> str:
    body = "\n".join(line for line in mutant.diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    return hashlib.sha256(f"{mutant.file}\0{mutant.function}\0{body}".encode()).hexdigest()[:24]


class KillerHints:
    """Key -> the scenario that last killed that mutant. Appended as kills happen (a stopped run keeps them);
    rewritten without duplicates when loaded."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / HINT_FILE
        self.killers: dict[str, str] = {}
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except OSError:
            return
        for line in lines:
            try:
                entry = json.loads(line)
                self.killers[str(entry["key"])] = str(entry["killed_by"])
            except (ValueError, KeyError, TypeError):  # a line cut short by a stopped run
                continue
        if len(self.killers) < len(lines):
            self.path.write_text("".join(json.dumps({"key": k, "killed_by": s}) + "\n"
                                         for k, s in self.killers.items()), "utf-8")

    def get(self, mutant: Mutant) -> str | None:
        return self.killers.get(mutant_key(mutant))

    def remember(self, mutant: Mutant, scenario: str) -> None:
        key = mutant_key(mutant)
        if self.killers.get(key) == scenario:
            return
        self.killers[key] = scenario
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps({"key": key, "killed_by": scenario}) + "\n")
