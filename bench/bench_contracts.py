"""Contract-check timings: per-service validation and per-pair integration, with ratios to the targets
(<= 10 ms per service, <= 100 ms per pair; the seed asked for 100 ms and 500 ms).

Two sets: the machinery alone on in-memory toy services, and the real PRS services on a test database (each
contract builds its shared fixture once per validation, then every call runs in its own savepoint).
Per service: the median wall time, the calls made (examples + probe cases), where the time went (fixture,
examples, probes: medians over the runs) and the time per call; CPU time too, which a loaded machine inflates
less than wall time.
"in calls" is the time spent inside the service calls themselves (each measured around the call); "rest" is
what is left after the fixture and the calls: example builders that write (a payment approved before it is
rejected again), a savepoint per call, the checks. "stmts": the SQL statements one validation runs.
Run: PRS_FAST_HASHER=1 .venv/bin/python bench/bench_contracts.py [--repeat N]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")

SERVICE_TARGET_MS, PAIR_TARGET_MS = 10.0, 100.0


def median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def cpu_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def in_calls_ms(result) -> float:
    """Time inside the service calls of one validation: its examples and its probe cases."""
    examples = sum(run.ms for run in result.operations.values() if run.source == "example")
    return examples + sum(case.ms for run in result.error_handling.values() for case in run.cases)


def breakdown(framework, name: str, repeat: int) -> tuple[dict[str, float], int, int]:
    """Median over `repeat` validations of each part of one validation's time, the calls it made and the SQL
    statements it ran (savepoints included; unlike the times, they do not depend on the machine's load)."""
    from support.contracts.measure import counting_queries

    parts: dict[str, list[float]] = {}
    calls = statements = 0
    for _ in range(repeat):
        with counting_queries() as counter:
            result = framework.validate_service_contract(name)
        statements = counter.count
        phases, inside = result.phase_ms, in_calls_ms(result)
        fixture = phases.get("fixture", 0.0)
        for key, value in (("fixture", fixture), ("examples", phases.get("examples", 0.0)),
                           ("probes", phases.get("probes", 0.0)), ("in calls", inside),
                           ("rest", result.duration_ms - fixture - inside)):
            parts.setdefault(key, []).append(value)
        calls = result.exercised
    return {key: statistics.median(values) for key, values in parts.items()}, calls, statements


def report(title: str, framework, repeat: int) -> None:
    print(f"\n{title}")
    print(f"  {'service validation':<24}{'median ms':>10}{'x target':>9}{'cpu ms':>8}{'calls':>7}{'ms/call':>9}"
          f"{'fixture':>9}{'examples':>9}{'probes':>9}{'in calls':>9}{'rest':>7}{'stmts':>7}")
    for name in sorted(framework.services):
        ms = median_ms(lambda n=name: framework.validate_service_contract(n), repeat)
        cpu = cpu_ms(lambda n=name: framework.validate_service_contract(n), repeat)
        parts, calls, statements = breakdown(framework, name, repeat)
        print(f"  {name:<24}{ms:>10.2f}{ms / SERVICE_TARGET_MS:>9.2f}{cpu:>8.1f}{calls:>7}"
              f"{(ms - parts['fixture']) / max(calls, 1):>9.2f}"
              + "".join(f"{parts[key]:>{9 if key != 'rest' else 7}.1f}"
                        for key in ("fixture", "examples", "probes", "in calls", "rest"))
              + f"{statements:>7}")
    print(f"  {'pair integration':<44}{'median ms':>10}{'x target':>10}")
    for caller, callee in framework.dependency_pairs():
        ms = median_ms(lambda a=caller, b=callee: framework.test_service_integration(a, b), repeat)
        print(f"  {caller + ' -> ' + callee:<44}{ms:>10.2f}{ms / PAIR_TARGET_MS:>10.2f}")


def toy_framework():
    from support.contracts import ServiceIntegrationTestFramework
    from tests.contracts.toy_services import AuditService, NoteService, NoteStore, audit_contract, note_contract

    store = NoteStore()
    framework = ServiceIntegrationTestFramework(isolation=contextlib.nullcontext)
    framework.register_service_contracts([audit_contract(), note_contract(store)])
    audit = AuditService()
    framework.register_service_implementation("audit_service", audit)
    framework.register_service_implementation("note_service", NoteService(audit_service=audit, store=store))
    return framework


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median reported)")
    args = parser.parse_args()

    import django
    from django.test.utils import get_runner

    django.setup()
    report("machinery alone (in-memory toy services)", toy_framework(), args.repeat)

    from django.conf import settings

    runner = get_runner(settings)(verbosity=0)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        from support.prs.contracts import prs_framework

        report("PRS services (test database, examples build their data)", prs_framework(), args.repeat)
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    print(f"\ntargets: validation <= {SERVICE_TARGET_MS} ms per service, integration <= {PAIR_TARGET_MS} ms per pair")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
