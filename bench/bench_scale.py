"""How the runner scales: trivial suites of N scenarios and the PRS suite, against plain behave, in one run.

    .venv/bin/python bench/bench_scale.py [--sizes 100,1000,5000] [--no-prs] [--no-behavex]

For each suite: plain behave (`--runner behave.runner:Runner`: Django's test database, each scenario's writes
reset afterwards, nothing else), ours sequential, ours `-j 2`, and BehaveX `--parallel-processes 2`
(`pip install -e '.[bench]'`, on an environment made for its process model: BEHAVEX_ENVIRONMENT). Printed as
seconds, as ratios to plain behave, as milliseconds per scenario, and as CPU seconds of the whole process tree
(which the machine's other load changes least). A trivial scenario has three steps and one tiny query; the
suites are generated in a temporary folder (50 scenarios per feature file) and run on PRS's settings (a SQLite
test database file) with the framework of the repository's behave.ini. The machine's load average is printed
with the table: the ratios matter more than the absolute times. A one-scenario suite measures each runner's
fixed start-up; what a trivial scenario costs beyond it (wall and CPU) follows the table, with the CPU per scenario
that `-j 2` could spend at most to be 1.6× faster than plain behave.
"""

from __future__ import annotations

import argparse
import configparser
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PER_FEATURE = 50
STARTUP = "start-up (1 trivial)"
MARGINAL_MIN_SCENARIOS = 1000
TARGET_SPEEDUP = 1.6  # issue 14: `-j 2` at least this much faster than plain behave sequential

ENVIRONMENT = '''\
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
import django  # noqa: E402

django.setup()

from support.behave.hooks import after_all, after_scenario, before_all, before_scenario  # noqa: E402,F401
'''

STEPS = '''\
from behave import given, then, when
from django.db import connection


@given("the number {n:d}")
def given_number(context, n):
    context.n = n


@when("the database doubles it")
def doubled(context):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s * 2", [context.n])
        context.result = cursor.fetchone()[0]


@then("the result is {m:d}")
def result_is(context, m):
    assert context.result == m, (context.result, m)
'''

BEHAVE_INI = '''\
[behave]
paths = features
runner = framework
show_skipped = false

[behave.runners]
framework = support.behave.runner:FrameworkRunner

[behave.userdata]
framework = support.prs.integration:PRSIntegrationFramework
'''


BEHAVEX_ENVIRONMENT = '''\
"""BehaveX's environment for the bench: plain behave's work (support.behave.hooks), in BehaveX's process model.

BehaveX runs behave once per scenario inside each of its worker processes, so before_all runs again for every
scenario: the test database is made once per process and kept until the process ends (a SQLite file named
after this process: the settings named it after BehaveX's main process, which every worker would share), and
each scenario's writes are reset afterwards, as under plain behave.
"""
import os
import sys
import types
from multiprocessing import util

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
import django  # noqa: E402

django.setup()

from support.behave import hooks  # noqa: E402
from support.behave.hooks import after_scenario, before_scenario, before_step  # noqa: E402,F401

# behave executes this file again for every scenario: per-process state lives in a module.
_state = sys.modules.setdefault("bench_behavex_state", types.ModuleType("bench_behavex_state"))
_ready: dict = _state.__dict__.setdefault("ready", {})


def before_all(context):
    pid = os.getpid()
    if pid not in _ready:
        from django.db import connections

        settings = connections["default"].settings_dict
        name = str(settings.get("TEST", {}).get("NAME") or "")
        if settings["ENGINE"].endswith("sqlite3") and name and "memory" not in name:
            settings["TEST"]["NAME"] = os.path.join(os.path.dirname(name), f"test_prs_behavex_{pid}.sqlite3")
        hooks.before_all(context)
        _ready[pid] = (context.plain_database, context.plain_framework)
        util.Finalize(None, context.plain_database.teardown, exitpriority=10)  # pool workers skip atexit
    context.plain_database, context.plain_framework = _ready[pid]


def after_all(context):
    pass  # the process's test database outlives each scenario's behave run
'''


def make_behavex_folder(suite: Path, folder: Path) -> Path:
    """The suite's features and steps (linked) with BEHAVEX_ENVIRONMENT and the suite's behave.ini on behave's
    own runner: BehaveX runs behave's Runner itself, and our hooks need our runner or plain behave's process
    model (one before_all per process), so the suite's own environment.py fails there in before_all."""
    folder.mkdir(parents=True)
    for name in ("features", "steps"):
        (folder / name).symlink_to(suite / name)
    (folder / "environment.py").write_text(BEHAVEX_ENVIRONMENT)
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(suite / "behave.ini")
    ini.remove_option("behave", "runner")
    ini.remove_section("behave.runners")
    with (folder / "behave.ini").open("w") as out:
        ini.write(out)
    return folder


def make_trivial_suite(folder: Path, count: int) -> None:
    (folder / "features").mkdir(parents=True)
    (folder / "steps").mkdir()
    (folder / "environment.py").write_text(ENVIRONMENT)
    (folder / "steps" / "numbers.py").write_text(STEPS)
    (folder / "behave.ini").write_text(BEHAVE_INI)
    for start in range(0, count, PER_FEATURE):
        lines = [f"Feature: Numbers {start}", ""]
        for n in range(start, min(start + PER_FEATURE, count)):
            lines += [f"  Scenario: Doubling {n}", f"    Given the number {n}", "    When the database doubles it",
                      f"    Then the result is {2 * n}", ""]
        (folder / "features" / f"numbers_{start:05d}.feature").write_text("\n".join(lines))


@dataclass
class Timing:
    seconds: float | None
    note: str = ""
    cpu_seconds: float = 0.0  # user + system of the run's whole process tree: what load on the machine changes least


def timed(args: list[str], cwd: Path, expected_scenarios: int) -> Timing:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PRS_FAST_HASHER": "1",
           "DJANGO_SETTINGS_MODULE": "support.prs.settings"}
    env.pop("DATABASE_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        return Timing(None, f"exit {done.returncode}: {tail[:300]}", cpu)
    return Timing(seconds, cpu_seconds=cpu)


def configurations(behave: list[str], behavex: list[str] | None, reports: Path,
                   folder: Path) -> dict[str, tuple[list[str], Path]]:
    """Each configuration's command and the folder it runs in."""
    out = ["-D", f"reports={reports}"]
    runs = {
        "plain behave": ([*behave, "--runner", "behave.runner:Runner"], folder),
        "ours sequential": ([*behave, *out], folder),
        "ours -j 2": ([*behave, "-j", "2", *out], folder),
    }
    if behavex is not None:
        behavex_folder = make_behavex_folder(folder, reports.parent / f"behavex_{folder.name}")
        runs["BehaveX -p 2"] = ([*behavex, "--parallel-processes", "2", "-o", str(reports / "behavex")],
                                behavex_folder)
    return runs


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="trivial suite sizes, comma-separated")
    parser.add_argument("--no-prs", action="store_true", help="skip the PRS suite")
    parser.add_argument("--no-behavex", action="store_true", help="skip BehaveX")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    behave = [sys.executable, "-m", "behave", "--no-capture", "-f", "progress", "--no-junit"]
    behavex_bin = shutil.which("behavex", path=str(Path(sys.executable).parent))
    behavex = None if args.no_behavex or behavex_bin is None else [behavex_bin]
    rows: list[tuple[str, int, dict[str, Timing]]] = []
    print(f"# bench_scale {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {load()} at the start", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        suites: list[tuple[str, Path, int]] = []
        if sizes:  # each runner's fixed cost: what a one-scenario suite takes
            make_trivial_suite(Path(tmp) / "trivial_1", 1)
            suites.append((STARTUP, Path(tmp) / "trivial_1", 1))
        for size in sizes:
            folder = Path(tmp) / f"trivial_{size}"
            make_trivial_suite(folder, size)
            suites.append((f"{size} trivial", folder, size))
        if not args.no_prs:
            suites.append(("PRS suite", REPO, count_prs_scenarios()))
        for label, folder, count in suites:
            timings: dict[str, Timing] = {}
            for name, (command, cwd) in configurations(behave, behavex, Path(tmp) / "reports", folder).items():
                timings[name] = timed(command, cwd, count)
                shown = (f"{timings[name].seconds:.1f} s (cpu {timings[name].cpu_seconds:.1f} s)"
                         if timings[name].seconds is not None else timings[name].note)
                print(f"  {label:>14} | {name:<16} | {shown}", file=sys.stderr, flush=True)
            rows.append((label, count, timings))
    print_table(rows)
    print_marginal_costs(rows)
    if behavex is None and not args.no_behavex:
        print("BehaveX is not installed: pip install -e '.[bench]'")
    print(f"# {load()} at the end")
    return 0


def print_marginal_costs(rows: list[tuple[str, int, dict[str, Timing]]]) -> None:
    """Per trivial scenario beyond the fixed start-up (the one-scenario run): wall and CPU milliseconds. And what
    `-j 2` needs to be TARGET_SPEEDUP× faster than plain behave sequential: its start-up leaves
    `plain / TARGET_SPEEDUP - start-up` seconds for N scenarios on the machine's cores, so the CPU a scenario may
    cost in all the run's processes together is at most `cores × that / N` (perfect overlap assumed)."""
    startup = next((timings for label, _, timings in rows if label == STARTUP), None)
    if startup is None:
        return
    cores = os.cpu_count() or 1
    print(f"\nPer trivial scenario beyond the start-up (the {STARTUP} row), and the CPU budget per scenario of "
          f"`-j 2` for {TARGET_SPEEDUP}× faster than plain behave on {cores} cores:")
    for label, count, timings in rows:
        if label in (STARTUP, "PRS suite") or count < MARGINAL_MIN_SCENARIOS:
            continue  # a few scenarios beyond the start-up are lost in its noise
        cells = []
        for name, timing in timings.items():
            first = startup.get(name)
            if timing.seconds is None or first is None or first.seconds is None:
                continue
            wall = 1000 * (timing.seconds - first.seconds) / (count - 1)
            cpu = 1000 * (timing.cpu_seconds - first.cpu_seconds) / (count - 1)
            cells.append(f"{name} {wall:.2f} ms wall, {cpu:.2f} ms cpu")
        line = f"- {label}: " + "; ".join(cells)
        plain, parallel, parallel_start = (timings.get("plain behave"), timings.get("ours -j 2"),
                                           startup.get("ours -j 2"))
        if plain and parallel and parallel_start and None not in (plain.seconds, parallel_start.seconds):
            budget = 1000 * cores * (plain.seconds / TARGET_SPEEDUP - parallel_start.seconds) / count
            line += f"; budget for `-j 2` {budget:.2f} ms cpu per scenario"
        print(line)


def count_prs_scenarios() -> int:
    from behave.model import ScenarioOutline
    from behave.runner_util import collect_feature_locations, parse_features

    features = parse_features(collect_feature_locations([str(REPO / "features")]))
    return sum(1 for f in features for s in f.walk_scenarios() if not isinstance(s, ScenarioOutline))


def print_table(rows: list[tuple[str, int, dict[str, Timing]]]) -> None:
    """Wall time, its ratio to plain behave and ms per scenario; then the CPU time of the process tree and its
    ratio (on a busy machine the wall ratios of the parallel runs say more about the other load than about us)."""
    names = list(rows[0][2]) if rows else []
    print("| suite | scenarios | " + " | ".join(names) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in names) + " |")
    for label, count, timings in rows:
        plain = timings["plain behave"]
        cells = []
        for name in names:
            seconds, cpu = timings[name].seconds, timings[name].cpu_seconds
            if seconds is None:
                cells.append("did not run")
                continue
            ratio = f" ({seconds / plain.seconds:.2f}×)" if plain.seconds and name != "plain behave" else ""
            cpu_ratio = f" ({cpu / plain.cpu_seconds:.2f}×)" if plain.cpu_seconds and name != "plain behave" else ""
            cells.append(f"{seconds:.1f} s{ratio}, {1000 * seconds / count:.1f} ms/sc; cpu {cpu:.1f} s{cpu_ratio}")
        print(f"| {label} | {count} | " + " | ".join(cells) + " |")
    for label, _, timings in rows:
        for name, timing in timings.items():
            if timing.seconds is None:
                print(f"- {label}, {name}: {timing.note}")


if __name__ == "__main__":
    sys.exit(main())
