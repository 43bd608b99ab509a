"""``prs-acceptance mutate``: arguments, the run or the merge, and the terminal summary.

    prs-acceptance mutate [PATH…] [-j N] [--tags EXPR] [--out DIR] [--shard K/N]
    prs-acceptance mutate --merge DIR [DIR…] --out DIR

Exit status: 0 done, 2 bad input (named on stderr), 130 interrupted (the same command continues).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

DEFAULT_OUT = "reports/mutation"


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("mutate", help="mutation testing of the behave suite: which rules do the scenarios guard?",
                       description="Mutants of the named Python files (default: [tool.prs-acceptance.mutate] "
                                   "paths in pyproject.toml) run against the behave suite.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, folders or globs to mutate")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="children at a time")
    p.add_argument("--tags", default=None, help="behave tag expression: only these scenarios may kill mutants")
    p.add_argument("--out", default=DEFAULT_OUT, help="where mutation.json (and the resume state) go")
    p.add_argument("--shard", default=None, metavar="K/N", help="run only shard K of N (deterministic)")
    p.add_argument("--merge", nargs="+", default=None, metavar="DIR", help="merge shards' results into --out")
    p.set_defaults(handler=cmd_mutate)
    return p


def cmd_mutate(args: argparse.Namespace, console: Console | None = None) -> int:
    from support.mutation.results import RESULT_FILE, merge, parse_shard, write_json

    console = console or Console(width=None if os.isatty(1) else 200)
    out = Path(args.out)
    if args.merge:
        if args.paths or args.shard or args.tags:
            raise ValueError("--merge takes only shard folders and --out")
        result = merge(Path(d) for d in args.merge)
        write_json(out / RESULT_FILE, result)
        print_summary(console, result, out / RESULT_FILE)
        return 0
    if args.jobs < 1:
        raise ValueError(f"-j must be at least 1, got {args.jobs}")
    shard = parse_shard(args.shard) if args.shard else None
    from support.mutation.campaign import Interrupted, Options, run_campaign
    from support.mutation.warmup import UnsafeToFork

    options = Options(paths=list(args.paths), jobs=args.jobs, tags=args.tags, out=out, shard=shard)
    try:
        result = run_campaign(options)
    except Interrupted as stop:
        Console(stderr=True, soft_wrap=True).print(f"[yellow]mutate:[/] {stop}", highlight=False)
        return 130
    except UnsafeToFork as error:  # a suite's thread outlived its scenario: forking on would risk deadlocks
        Console(stderr=True, soft_wrap=True).print(f"[red]mutate:[/] {error}", highlight=False)
        return 2
    print_summary(console, result, out / RESULT_FILE)
    return 0


def print_summary(console: Console, result: dict[str, Any], path: Path) -> None:
    table = Table(title=f"mutation score {result['score']:.1f} %", show_edge=False)
    for column in ("file", "mutants", "killed", "timeout", "survived", "no coverage", "error", "score"):
        table.add_column(column, justify="left" if column == "file" else "right")
    per_file: dict[str, dict[str, int]] = {}
    for mutant in result["mutants"]:
        counts = per_file.setdefault(mutant["file"], dict.fromkeys(
            ("killed", "timeout", "survived", "no_coverage", "error"), 0))
        counts[mutant["status"]] += 1
    for file, counts in sorted(per_file.items()):
        total = sum(counts.values())
        considered = total - counts["error"]
        file_score = (counts["killed"] + counts["timeout"]) / considered * 100 if considered else 0.0
        table.add_row(file, str(total), *(str(counts[k]) for k in ("killed", "timeout", "survived",
                                                                    "no_coverage", "error")), f"{file_score:.1f}")
    console.print(table)
    console.print(
        f"mutate: {result['total']} mutants — killed {result['killed']}, timeout {result['timeout']}, "
        f"survived {result['survived']}, no coverage {result['no_coverage']}, error {result['error']}; "
        f"score {result['score']:.1f} % in {result['duration_seconds']:.0f} s → {path}", highlight=False)
