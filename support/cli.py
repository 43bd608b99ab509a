"""`prs-acceptance`: what behave itself does not do.

    prs-acceptance list [PATHS] [--tags EXPR] [--graph]      scenarios, tags, dependencies, budgets
    prs-acceptance shards N [--report reports/report.json]   the shard plan behave -D shard=K/N uses
    prs-acceptance report [--json reports/report.json]       rebuild HTML, JUnit and rerun.txt from JSON
    prs-acceptance merge SHARD.json... [--allure [DIR...]] [--strict]   one report from shard reports
    prs-acceptance contracts export|compare|docs PATH        service contracts
    prs-acceptance rules [PATHS] [--check]                   rules of docs/rules.md and their scenarios
    prs-acceptance mutate [PATH…] [-j N] [--tags EXPR] [--out DIR] [--shard K/N]   mutation testing
    prs-acceptance mutate --merge DIR [DIR…] --out DIR       one mutation result from shards
    prs-acceptance seed [--size small|demo|large] [--deals N…] PRS demo data of a given size

Exit status: 0 fine, 1 a check failed (contract drift, a rule without a scenario), 2 bad input (named on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

# Off a terminal (CI logs, pipes) rich would wrap at 80 columns; logs are better wide than folded.
console = Console(width=None if sys.stdout.isatty() else 200)
errors = Console(stderr=True, soft_wrap=True)


SEED_COUNTS = ("organizations", "clients", "deals", "payments")


class CliError(Exception):
    """Bad input or a missing piece; printed as one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except CliError as error:
        errors.print(f"[red]prs-acceptance {args.command}:[/] {error}", highlight=False)
        return 2
    except (ValueError, FileNotFoundError) as error:  # ReportError, ShardingError, GherkinGraphError…
        errors.print(f"[red]prs-acceptance {args.command}:[/] {error}", highlight=False)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prs-acceptance", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("list", help="scenarios with tags, dependencies and budgets, and the dependency graph")
    p.add_argument("paths", nargs="*", default=["features"])
    p.add_argument("--tags", help='behave tag expression, e.g. "@core and not @slow" (dependencies are pulled in)')
    p.add_argument("--graph", action="store_true", help="also print the dependency graph as a tree")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("shards", help="show how the scenarios split into N shards")
    p.add_argument("total", type=int)
    p.add_argument("paths", nargs="*", default=["features"])
    p.add_argument("--report", default="reports/report.json", help="durations from this report, if present")
    p.set_defaults(handler=cmd_shards)

    p = sub.add_parser("report", help="rebuild report.html, junit.xml and rerun.txt from report.json")
    p.add_argument("--json", default="reports/report.json", dest="json_path")
    p.add_argument("--out", default=None, help="output folder (default: the JSON file's folder)")
    p.add_argument("--no-history", action="store_true", help="do not record this run in history/")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("merge", help="merge shard reports into one JSON, HTML, JUnit and Allure result set")
    p.add_argument("reports", nargs="*", help="shard report.json files, in shard order")
    p.add_argument("--allure", nargs="*", default=None,
                   help="each shard's allure-results folder, same order (none given: the one beside each report)")
    p.add_argument("--out", default="reports")
    p.add_argument("--no-history", action="store_true")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 unless every counted scenario passed or was skipped (CI's verdict)")
    p.set_defaults(handler=cmd_merge)

    p = sub.add_parser("contracts", help="service contracts: export, compare, docs")
    p.add_argument("action", choices=["export", "compare", "docs"])
    p.add_argument("path", help="export: file to write; compare: file to compare with; docs: output folder")
    p.set_defaults(handler=cmd_contracts)

    from support.mutation.cli import add_parser as add_mutate_parser

    add_mutate_parser(sub)

    p = sub.add_parser("seed", help="create PRS demo data of a given size (tops up; as manage.py seed_demo)")
    p.add_argument("--size", default="small", help="a preset: small, demo or large (default: small)")
    for name in SEED_COUNTS:
        p.add_argument(f"--{name}", type=int, help=f"override the preset's number of {name} (per organization)")
    p.set_defaults(handler=cmd_seed)

    p = sub.add_parser("rules", help="each rule of docs/rules.md with the scenarios tagged @rule:ID")
    p.add_argument("paths", nargs="*", default=["features"])
    p.add_argument("--check", action="store_true", help="exit 1 naming every rule without a scenario")
    p.set_defaults(handler=cmd_rules)
    return parser


# --- list / shards -----------------------------------------------------------------------------------------

def _suite(paths: Sequence[str]) -> Any:
    """The parsed Gherkin suite (parsing runs no user code)."""
    from behave.runner_util import collect_feature_locations, parse_features

    missing = [p for p in paths if not Path(p.split(":")[0]).exists()]
    if missing:
        raise CliError(f"no such feature path: {', '.join(missing)}")
    registration = _lazy("support.behave.registration", "GherkinSuite", "the Gherkin registration (acceptance suite)")
    return registration.GherkinSuite.from_features(parse_features(collect_feature_locations(list(paths))))


def _select(suite: Any, tags: str | None) -> tuple[list[Any], set[str]]:
    """What `behave` would select: --tags, else behave.ini's default_tags (behave's own Configuration)."""
    from behave.configuration import Configuration

    config = Configuration(command_args=["--tags", tags] if tags else [], load_config=True)
    return suite.select(config.tag_expression)


def cmd_list(args: argparse.Namespace) -> int:
    suite = _suite(args.paths)
    entries, pulled = _select(suite, args.tags)
    table = Table(title=f"{len(entries)} scenarios" + (f" for {args.tags}" if args.tags else ""), show_lines=False)
    for column in ("scenario", "location", "tags", "depends on", "timeout / retry", "budgets"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        fw = entry.tags
        budgets = ", ".join(f"{k.removeprefix('max_')}≤{v:g}" for k, v in fw.budgets.items())
        limits = " / ".join(str(v) if v is not None else "-" for v in (fw.timeout_seconds, fw.retry_attempts))
        extras = [f"skip_if:{s}" for s in fw.skip_if]
        name = entry.name + (" [dim](pulled in)[/]" if entry.name in pulled else "")
        table.add_row(name, entry.location, " ".join(f"@{t}" for t in entry.behave_tags + extras),
                      ", ".join(fw.depends_on), limits, budgets)
    console.print(table)
    if args.graph:
        console.print(dependency_tree(suite, [e.name for e in entries]))
    return 0


def dependency_tree(suite: Any, names: Sequence[str]) -> Tree:
    """Seed-level graph: each feature (seed name) under the seeds it depends on; roots at the top."""
    wanted = {e.seed for e in suite.entries if e.name in set(names)}
    deps: dict[str, set[str]] = {}
    for entry in suite.entries:
        if entry.seed in wanted:
            deps.setdefault(entry.seed, set()).update(entry.tags.depends_on)
    tree = Tree("[bold]dependency graph[/] (a child runs after its parent)")

    def add(node: Tree, seed: str, path: tuple[str, ...]) -> None:
        for child in sorted(s for s, d in deps.items() if seed in d and s not in path):
            add(node.add(child), child, (*path, child))

    for root in sorted(s for s, d in deps.items() if not d):
        add(tree.add(f"[bold]{root}[/]"), root, (root,))
    return tree


def cmd_shards(args: argparse.Namespace) -> int:
    from support.engine.sharding import durations_from_report, plan_shards
    from support.reporting.report_file import load_report

    suite = _suite(args.paths)
    entries, _ = _select(suite, None)
    durations = durations_from_report(load_report(args.report)) if Path(args.report).is_file() else {}
    plans = plan_shards({e.name: e.dependencies for e in entries}, args.total, durations)
    table = Table(title=f"{args.total} shards" + (" (durations from the last report)" if durations else ""))
    for column in ("shard", "owned", "pulled in", "estimated s"):
        table.add_column(column, overflow="fold")
    for plan in plans:
        table.add_row(f"{plan.index}/{plan.total}", "\n".join(plan.owned), "\n".join(plan.pulled_in),
                      f"{plan.estimated_seconds:.1f}")
    console.print(table)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from support.behave.rules_cli import rules_command

    return rules_command(_suite(args.paths), check=args.check, console=console, errors=errors)


# --- report / merge ----------------------------------------------------------------------------------------

def cmd_report(args: argparse.Namespace) -> int:
    from support.reporting.outputs import write_outputs
    from support.reporting.report_file import load_report

    report = load_report(args.json_path)
    out = Path(args.out) if args.out else Path(args.json_path).parent
    written = write_outputs(report, out, write_json=False, record_history=not args.no_history)
    for kind, path in written.items():
        console.print(f"{kind:8} {path}")
    return 0


def merge_arguments(reports: Sequence[str], allure: Sequence[str] | None) -> tuple[list[str], list[str] | None]:
    """Report files and Allure folders from the command line, whatever order they came in.

    `--allure` takes every word after it, so `merge s1.json --allure a1 a2 s2.json` hands it `s2.json`
    too: a JSON file is never an Allure results folder, so such words go back to the reports.
    A bare `--allure` means the `allure-results` folder beside each report.
    """
    reports, folders = list(reports), None if allure is None else []
    for word in allure or []:
        (reports if word.endswith(".json") and not Path(word).is_dir() else folders).append(word)
    if not reports:
        raise CliError("no shard report given: merge REPORT.json... [--allure DIR...]")
    if folders == []:
        folders = [str(Path(r).parent / "allure-results") for r in reports]
    if folders is not None:
        files = [f for f in folders if Path(f).is_file()]
        if files:
            raise CliError(f"--allure takes allure-results folders, not files: {', '.join(files)}")
        if len(folders) != len(reports):
            raise CliError(f"{len(reports)} reports but {len(folders)} allure folders; give one per report")
    return reports, folders


def cmd_merge(args: argparse.Namespace) -> int:
    from support.reporting.merge import merge_files
    from support.reporting.report_file import NOT_PASSED

    reports, allure = merge_arguments(args.reports, args.allure)
    outputs = merge_files(reports, args.out, allure, record_history=not args.no_history)
    summary = outputs.report["summary"]
    console.print(f"merged {len(reports)} reports: {summary['total_scenarios']} scenarios, "
                  f"{summary['successful']} passed, {summary['failed']} failed, {summary['error']} error, "
                  f"{summary['timed_out']} timed out, {summary['blocked']} blocked, {summary['skipped']} skipped")
    for path in (outputs.json_path, outputs.html_path, outputs.junit_path, outputs.rerun_path):
        console.print(f"  {path}")
    if allure is not None:
        console.print(f"  {Path(args.out) / 'allure-results'} ({outputs.allure_results} results)")
    not_passed = sum(int(summary.get(status) or 0) for status in NOT_PASSED)
    # The plain closing line CI reads; blocked scenarios count as not passed, as in the success rate.
    print(f"acceptance: {summary['successful']} passed, {not_passed} failed"
          + (f", {summary['skipped']} skipped" if summary["skipped"] else ""), flush=True)
    return 1 if args.strict and not_passed else 0


# --- delegated: contracts, seed ---------------------------------------------------------------------------

def cmd_contracts(args: argparse.Namespace) -> int:
    module = _lazy("support.prs.contracts", {"export": "export_contracts", "compare": "compare_contracts",
                                             "docs": "write_contract_docs"}[args.action], "service contracts")
    _django_setup()
    if args.action == "export":
        module.export_contracts(args.path)
        console.print(f"contracts written to {args.path}")
        return 0
    if args.action == "compare":
        return int(module.compare_contracts(args.path))
    module.write_contract_docs(args.path)
    console.print(f"contract docs written to {args.path}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from dataclasses import replace

    _django_setup()  # before the import: seeding imports PRS's models at module level
    seeding = _lazy("support.prs.seeding", "seed", "test data seeding")
    from django.db import DatabaseError

    if args.size not in seeding.SIZES:
        raise CliError(f"unknown size {args.size!r}: choose one of {', '.join(seeding.SIZES)}")
    overrides = {name: getattr(args, name) for name in SEED_COUNTS if getattr(args, name) is not None}
    try:
        report = seeding.seed(replace(seeding.SIZES[args.size], **overrides))
    except DatabaseError as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise CliError(f"the database is not ready ({first}): run `python manage.py migrate` first") from None
    console.print(report.summary(), highlight=False)
    return 0


def _lazy(module_name: str, attribute: str, what: str) -> Any:
    """Import a module another part of the project provides; a clear message when it is not there."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise CliError(f"{what} is not available: module {module_name} does not exist yet") from None
        raise
    if not callable(getattr(module, attribute, None)):
        raise CliError(f"{what} is not available: {module_name} has no {attribute}()")
    return module


def _django_setup() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
    django.setup()


if __name__ == "__main__":
    sys.exit(main())
