"""Engine benchmark: sequential vs parallel workers, and the monitoring overhead — measured in one run.

    DJANGO_SETTINGS_MODULE=support.prs.settings .venv/bin/python bench/bench_engine.py [--scenarios 8] [--rows 1500]
    (add DATABASE_URL=postgres://... PRS_TEST_DB_SUFFIX=bench for PostgreSQL)

Every configuration runs the same independent, database-bound scenarios (ORM inserts and reads on
auth.Group, rolled back after each scenario). The configurations run in interleaved rounds (--repeat) and the
fastest run of each is kept (the machine is shared). Targets: parallel on 2 workers >= 1.7x sequential; monitoring
<= 5 % wall time and <= 50 MB RSS (largest worker RSS seen by a scenario, monitoring on vs off).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
os.environ.setdefault("PRS_FAST_HASHER", "1")

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from support.engine import IntegrationFramework, TestScenario  # noqa: E402
from support.engine.monitoring import QueryCounter, ScenarioMonitor  # noqa: E402


def database_work(name: str, rows: int):
    def test_function(framework: IntegrationFramework) -> float:
        for i in range(rows):
            Group.objects.create(name=f"{name}-{i}")
        for i in range(0, rows, 10):
            Group.objects.filter(name=f"{name}-{i}").exists()
        assert Group.objects.filter(name__startswith=f"{name}-").count() == rows
        return psutil.Process().memory_info().rss / 2**20
    return test_function


def build(scenarios: int, rows: int, monitoring: bool) -> IntegrationFramework:
    framework = IntegrationFramework(monitoring=monitoring)
    for n in range(scenarios):
        framework.register_scenario(TestScenario(f"db_bound_{n}", "ORM inserts and reads", database_work(f"s{n}", rows),
                                                 retry_attempts=0, timeout_seconds=300))
    return framework


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped workers: robust to other load
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    wall: float = float("inf")  # seconds
    cpu: float = float("inf")  # workers' CPU seconds
    rss: float = 0.0  # largest worker RSS in MB seen by a scenario
    queries: int = 0  # counted by the monitor (0 when off)

    def best(self, other: Run) -> Run:
        return Run(min(self.wall, other.wall), min(self.cpu, other.cpu), max(self.rss, other.rss),
                   max(self.queries, other.queries))


def measure_once(scenarios: int, rows: int, *, parallel: bool, monitoring: bool) -> Run:
    framework = build(scenarios, rows, monitoring)
    cpu = children_cpu()
    started = time.perf_counter()
    report = framework.run_all_scenarios(parallel=parallel, workers=2 if parallel else None, report_path=None)
    elapsed = time.perf_counter() - started
    failed = [r for r in report["results"] if r["status"] != "passed"]
    if failed:
        raise SystemExit(f"bench scenario did not pass: {failed[0]['scenario_name']}: {failed[0]['error']}")
    queries = sum(r["metadata"]["performance_data"].get("query_count", 0) for r in report["results"])
    return Run(elapsed, children_cpu() - cpu, max(r.outcome for r in framework.last_results), queries)


def unit_costs(rounds: int = 5, calls: int = 100_000) -> tuple[float, float]:
    """(µs the query hook adds per statement, ms a monitor start+stop costs): min over rounds, CPU time.

    Measured directly, these hold under background load where wall-time comparisons drown in noise.
    """
    def execute(sql, params, many, context):
        return None

    counter = QueryCounter()
    per_query = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for i in range(calls):
            execute("SELECT 1 WHERE 1 = %s", (i,), False, {})
        bare = time.process_time() - started
        started = time.process_time()
        for i in range(calls):
            counter(execute, "SELECT 1 WHERE 1 = %s", (i,), False, {})
        per_query = min(per_query, (time.process_time() - started - bare) / calls * 1e6)
    per_scenario = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(20):
            monitor = ScenarioMonitor()
            monitor.start()
            monitor.stop()
        per_scenario = min(per_scenario, (time.process_time() - started) / 20 * 1000)
    return per_query, per_scenario


CONFIGURATIONS = {  # name -> (parallel, monitoring)
    "sequential, monitoring on": (False, True),
    "sequential, monitoring off": (False, False),
    "parallel=True, 2 workers, monitoring on": (True, True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=8)
    parser.add_argument("--rows", type=int, default=1500, help="rows each scenario inserts")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        # Interleaved rounds, best of each: background load hits every configuration alike.
        best = {name: Run() for name in CONFIGURATIONS}
        for _ in range(args.repeat):
            for name, (parallel, monitoring) in CONFIGURATIONS.items():
                run = measure_once(args.scenarios, args.rows, parallel=parallel, monitoring=monitoring)
                best[name] = best[name].best(run)
        per_query_us, per_scenario_ms = unit_costs()
    finally:
        teardown_databases(old_config, verbosity=0)

    from django.db import connection

    on, off, par = best.values()
    speedup = on.wall / par.wall
    overhead = (on.wall - off.wall) / off.wall * 100
    cpu_overhead = (on.cpu - off.cpu) / off.cpu * 100
    rss_growth = on.rss - off.rss
    load = os.getloadavg()[0]
    print(f"engine bench: {args.scenarios} independent scenarios x {args.rows} rows, {connection.vendor}, "
          f"{os.cpu_count()} CPUs, best of {args.repeat} interleaved rounds, load average {load:.2f} at the end")
    print(f"{'configuration':<42}{'wall s':>8}{'worker CPU s':>14}{'worker RSS MB':>15}")
    for name, run in best.items():
        print(f"{name:<42}{run.wall:>8.2f}{run.cpu:>14.2f}{run.rss:>15.1f}")
    print(f"parallel speed-up: {speedup:.2f}x wall (target >= 1.7x) {'OK' if speedup >= 1.7 else 'MISSED'}")
    print(f"monitoring overhead: {overhead:+.1f} % wall (target <= 5 %) {'OK' if overhead <= 5 else 'MISSED'}, "
          f"{cpu_overhead:+.1f} % worker CPU; "
          f"{rss_growth:+.1f} MB RSS (target <= 50 MB) {'OK' if rss_growth <= 50 else 'MISSED'}")
    queries = on.queries
    estimated = (per_query_us * queries / 1e6 + per_scenario_ms * args.scenarios / 1000) / off.wall * 100
    print(f"monitoring unit costs: {per_query_us:.2f} µs per query, {per_scenario_ms:.2f} ms per scenario -> "
          f"{queries} queries + {args.scenarios} scenarios = {estimated:.1f} % of the unmonitored wall time "
          f"(target <= 5 %) {'OK' if estimated <= 5 else 'MISSED'}")
    if load > 1.0:
        print(f"note: other processes were using the CPUs (load {load:.2f}); wall-time ratios are pessimistic, "
              "worker CPU time is not affected")


if __name__ == "__main__":
    main()
