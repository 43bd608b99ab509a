"""Mutation testing benchmark: mutants per second, total time on the default target, and the ratio against
the naive way (the whole suite per mutant, in a fresh process) on a deterministic sample.

    .venv/bin/python bench/bench_mutation.py [--result reports/mutation/mutation.json] [--run] [-j 2]
                                             [--sample 3]

--run first runs `prs-acceptance mutate -j N --out <result's folder>` (timed); otherwise the figures of the
existing result are used. The sample: every k-th mutant that some scenario covers, in the result's stable
order. Each sample mutant then runs the naive way — `behave` on the whole suite (sequential) in a fresh
Python process importing the mutated copy with that mutant active — and its verdict is compared with ours
(a red suite = killed). Ours, per mutant, is the child's wall time in the result (one of -j children).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def naive_child(folder: str, mutant_id: str, reports: str) -> int:
    """In the fresh process: import the mutated copy, activate the mutant, run behave on everything."""
    sys.path.insert(0, str(ROOT))
    from mutmut.mutation.trampoline import set_mutant_under_test

    from support.mutation.workspace import import_from

    import_from(Path(folder), [mutant_id.split(".")[0]])
    set_mutant_under_test(mutant_id)
    from behave.__main__ import main

    return main(["-f", "null", "--no-junit", "--no-summary", "-D", f"reports={reports}", "-D", "progress=no"])


def run_naive(folder: Path, mutant_id: str) -> tuple[float, bool]:
    with tempfile.TemporaryDirectory(prefix="naive-mutant-") as reports:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--naive-child", str(folder), mutant_id, reports],
                              cwd=ROOT, capture_output=True, text=True)
        return time.perf_counter() - started, done.returncode != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--result", default="reports/mutation/mutation.json")
    parser.add_argument("--run", action="store_true", help="run prs-acceptance mutate first (timed)")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=3, help="mutants run the naive way")
    parser.add_argument("--naive-child", nargs=3, metavar=("FOLDER", "MUTANT", "REPORTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        return naive_child(*args.naive_child)

    result_path = (ROOT / args.result).resolve()
    os.environ.setdefault("PRS_TEST_DB_SUFFIX", "bench_mutation")
    if args.run:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "support.cli", "mutate", "-j", str(args.jobs),
                        "--out", str(result_path.parent)], cwd=ROOT, check=True)
        print(f"prs-acceptance mutate -j {args.jobs}: {time.perf_counter() - started:.0f} s wall")
    result = json.loads(result_path.read_text())
    mutants = result["mutants"]
    run = [m for m in mutants if m["status"] != "no_coverage"]
    covered = [m for m in mutants if m["covered_by"]]
    step = max(1, len(covered) // max(1, args.sample))
    sample = covered[::step][: args.sample]

    print(f"\ndefault target: {len(mutants)} mutants, score {result['score']} % "
          f"(killed {result['killed']}, timeout {result['timeout']}, survived {result['survived']}, "
          f"no coverage {result['no_coverage']}, error {result['error']})")
    print(f"total time: {result['duration_seconds']:.0f} s with -j {result.get('jobs')} "
          f"(baseline with coverage {result.get('baseline_seconds', 0):.0f} s); "
          f"{len(mutants) / result['duration_seconds']:.2f} mutants/s overall, "
          f"{len(run) / max(1e-9, sum(m.get('seconds', 0) for m in run)):.2f} mutants/s per child")
    slowest = sorted(run, key=lambda m: -m.get("seconds", 0))[:5]
    print("slowest mutants: " + "; ".join(f"{m['id'].split('.', 1)[1]} {m['seconds']:.1f} s ({m['status']})"
                                         for m in slowest))

    folder = result_path.parent / "mutants"
    rows = []
    for mutant in sample:
        seconds, red = run_naive(folder, mutant["id"])
        ours_killed = mutant["status"] in ("killed", "timeout")
        rows.append((mutant, seconds, red == ours_killed))
        print(f"naive {mutant['id']}: {seconds:.1f} s, suite {'red' if red else 'green'}; "
              f"ours {mutant['seconds']:.2f} s, {mutant['status']} — {'same' if red == ours_killed else 'DIFFERENT'}")
    if rows:
        naive = statistics.mean(s for _, s, _ in rows)
        ours = statistics.mean(m["seconds"] for m, _, _ in rows)
        print(f"\nper mutant: naive {naive:.1f} s, ours {ours:.2f} s → {naive / max(ours, 1e-9):.0f}× faster "
              f"(same verdict {sum(1 for *_, same in rows if same)}/{len(rows)})")
        print(f"the naive way on all {len(mutants)} mutants would take ≈ {naive * len(mutants) / 3600:.1f} h "
              f"on one core; ours took {result['duration_seconds'] / 60:.1f} min on {result.get('jobs')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
