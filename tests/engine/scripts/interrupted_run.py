"""A plain script (no test database yet) whose run is interrupted with SIGINT by the test.

argv: report path, marker folder. Prints "started slow" once the slow scenario is running.
"""
import faulthandler
import os
import signal
import sys
import time
from pathlib import Path

faulthandler.register(signal.SIGUSR1)  # the test asks for every thread's stack if this run ever hangs
# Started from a background job (CI, `cmd &`), a process inherits SIGINT as *ignored* and Python then installs
# no KeyboardInterrupt handler at all: restore it, since Ctrl-C is what this run is about.
signal.signal(signal.SIGINT, signal.default_int_handler)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
os.environ.setdefault("PRS_FAST_HASHER", "1")

import django  # noqa: E402

django.setup()

from support.engine import IntegrationFramework, TestScenario  # noqa: E402

report_path, markers = Path(sys.argv[1]), Path(sys.argv[2])
framework = IntegrationFramework()


def slow(framework: IntegrationFramework) -> None:
    (markers / "slow-started").touch()
    time.sleep(60)


framework.register_scenario(TestScenario("quick", "passes at once", lambda fw: None, tags=["t"]))
framework.register_scenario(TestScenario(
    "slow", "sleeps until interrupted", slow, dependencies=["quick"],
    cleanup_function=lambda fw: (markers / "slow-cleaned").touch(),
))
framework.register_scenario(TestScenario("never", "after slow", lambda fw: None, dependencies=["slow"]))
framework.run_all_scenarios(report_path=report_path)
