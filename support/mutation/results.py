"""``mutation.json``: outcomes per mutant, the counts and the score; shards and their merge; the resume state.

score = (killed + timeout) ÷ (all − error) × 100 — a mutant no scenario executes (``no_coverage``) counts
against it, as a surviving one does.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

STATUSES = ("killed", "survived", "timeout", "no_coverage", "error")
RESULT_FILE = "mutation.json"


class MergeError(ValueError):
    """Shard results that cannot be merged; the message names the file."""


def parse_shard(spec: str) -> tuple[int, int]:
    """'K/N' -> (K, N), 1 ≤ K ≤ N."""
    try:
        index_text, total_text = spec.split("/")
        index, total = int(index_text), int(total_text)
    except ValueError:
        raise ValueError(f"--shard must look like K/N (e.g. 2/3), got {spec!r}") from None
    if total < 1 or not 1 <= index <= total:
        raise ValueError(f"--shard {spec}: K must be between 1 and N (N ≥ 1)")
    return index, total


def shard_of(ids: Sequence[str], index: int, total: int) -> list[str]:
    """Deterministic: the mutants in their stable order, dealt round-robin (every shard gets every file)."""
    return [mutant_id for position, mutant_id in enumerate(ids) if position % total == index - 1]


def score(counts: dict[str, int]) -> float:
    considered = sum(counts[s] for s in STATUSES) - counts["error"]
    if considered <= 0:
        return 0.0
    return round((counts["killed"] + counts["timeout"]) / considered * 100, 2)


def summarize(mutants: Sequence[dict[str, Any]], duration_seconds: float,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
    counts = {status: 0 for status in STATUSES}
    for mutant in mutants:
        counts[mutant["status"]] += 1
    ordered = sorted(mutants, key=lambda m: (m["file"], m["line"], _mutant_number(m["id"]), m["id"]))
    return {
        "score": score(counts),
        **counts,
        "total": len(mutants),
        "duration_seconds": round(duration_seconds, 2),
        **(extra or {}),
        "mutants": ordered,
    }


def _mutant_number(mutant_id: str) -> int:
    tail = mutant_id.rpartition("__mutmut_")[2]
    return int(tail) if tail.isdigit() else 0


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    tmp.replace(path)


def merge(folders: Iterable[Path]) -> dict[str, Any]:
    """One result from several shards' ``mutation.json`` (each mutant must come from exactly one shard)."""
    seen: dict[str, str] = {}
    mutants: list[dict[str, Any]] = []
    durations: list[float] = []
    sources: list[str] = []
    shards: dict[str, str] = {}  # "K/N" -> file
    expected: set[int] = set()
    elsewhere: set[str] = set()  # mutants the shards' database could not judge
    for folder in folders:
        path = Path(folder) / RESULT_FILE if Path(folder).is_dir() else Path(folder)
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise MergeError(f"{path}: no such file (was that shard run with --out {folder}?)") from None
        except ValueError as error:
            raise MergeError(f"{path}: not valid JSON: {error}") from None
        if not isinstance(data, dict) or not isinstance(data.get("mutants"), list):
            raise MergeError(f"{path}: not a mutation result (no 'mutants' list)")
        for mutant in data["mutants"]:
            if mutant.get("status") not in STATUSES or "id" not in mutant:
                raise MergeError(f"{path}: mutant {mutant.get('id')!r} has no valid status")
            if mutant["id"] in seen:
                raise MergeError(f"{path}: mutant {mutant['id']} is also in {seen[mutant['id']]} "
                                 "(shards of different runs, or the same shard twice?)")
            seen[mutant["id"]] = str(path)
            mutants.append(mutant)
        durations.append(float(data.get("duration_seconds", 0.0)))
        sources.append(str(path))
        if data.get("shard"):
            if data["shard"] in shards:
                raise MergeError(f"{path}: shard {data['shard']} is also {shards[data['shard']]}")
            shards[data["shard"]] = str(path)
        if data.get("all_mutants") is not None:
            expected.add(int(data["all_mutants"]))
        elsewhere.update(data.get("not_run_on_this_database") or [])
    if not sources:
        raise MergeError("nothing to merge")
    if shards:
        totals = {spec.split("/")[1] for spec in shards}
        if len(totals) > 1:
            raise MergeError(f"shards of different splits: {', '.join(sorted(shards))}")
        total = int(totals.pop())
        missing = sorted(set(range(1, total + 1)) - {int(spec.split('/')[0]) for spec in shards})
        if missing:
            raise MergeError(f"shard(s) {', '.join(f'{k}/{total}' for k in missing)} missing from the merge")
    if len(expected) == 1 and len(mutants) != next(iter(expected)):
        raise MergeError(f"the shards hold {len(mutants)} mutants, their runs made {next(iter(expected))}")
    return summarize(mutants, max(durations), {"merged_from": sources,
                                                "not_run_on_this_database": sorted(elsewhere)})


class RunState:
    """What an interrupted run already knows, in ``DIR/state/``; valid only for the same fingerprint."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.results_path = folder / "results.jsonl"
        self.baseline_path = folder / "baseline.json"
        self.baseline_runs_path = folder / "baseline_runs.jsonl"
        self.resumed = False
        stamp = folder / "fingerprint"
        if stamp.exists() and stamp.read_text().strip() == fingerprint:
            self.resumed = True
        else:
            folder.mkdir(parents=True, exist_ok=True)
            for path in (self.results_path, self.baseline_path, self.baseline_runs_path,
                         folder / "elapsed_seconds"):
                if path.exists():
                    path.unlink()
            stamp.write_text(fingerprint + "\n")

    def load_baseline(self) -> dict[str, Any] | None:
        if not self.baseline_path.exists():
            return None
        try:
            return json.loads(self.baseline_path.read_text("utf-8"))
        except ValueError:
            return None

    def save_baseline(self, baseline: dict[str, Any]) -> None:
        write_json(self.baseline_path, baseline)

    def add_elapsed(self, seconds: float) -> float:
        """Add one session's wall time; return the total over the sessions of this run."""
        path = self.folder / "elapsed_seconds"
        try:
            total = float(path.read_text()) if path.exists() else 0.0
        except ValueError:
            total = 0.0
        total += seconds
        path.write_text(f"{total:.3f}\n")
        return total

    def load_baseline_runs(self) -> dict[str, dict[str, Any]]:
        return {r["name"]: r["run"] for r in read_jsonl(self.baseline_runs_path)}

    def append_baseline_run(self, name: str, run: dict[str, Any]) -> None:
        append_jsonl(self.baseline_runs_path, {"name": name, "run": run})

    def load_results(self) -> dict[str, dict[str, Any]]:
        return {record["id"]: record for record in read_jsonl(self.results_path)}

    def append(self, record: dict[str, Any]) -> None:
        append_jsonl(self.results_path, record)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text("utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # the line being written when the run was stopped
    return records


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """The whole file at once, through a temporary file: a reader never sees it half written."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), "utf-8")
    tmp.replace(path)


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """One record on a line of its own, also after a line a stopped run left cut short (read_jsonl skips that)."""
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    with path.open("a+b") as handle:
        if handle.seek(0, os.SEEK_END) and (handle.seek(-1, os.SEEK_END), handle.read(1))[1] != b"\n":
            line = b"\n" + line
        handle.write(line)
