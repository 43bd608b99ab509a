"""The seed's "Basic Usage", runnable: `.venv/bin/python docs/examples/basic_usage.py`.

Outside a test database the engine creates one for each run and destroys it afterwards.
Exit status 1 when the last run did not pass every scenario it ran.
"""
import _django

_django.setup()

from support.framework import integration_framework  # noqa: E402
from support.prs.scenarios import register_all_scenarios  # noqa: E402

# Register test scenarios
register_all_scenarios()

# Run all tests
report = integration_framework.run_all_scenarios()
print("all:", report["summary"])

# Run specific tags
report = integration_framework.run_all_scenarios(tags=['workflow', 'core'])
print("workflow/core:", report["summary"])

# Run in parallel
report = integration_framework.run_all_scenarios(parallel=True)
print("parallel:", report["summary"])

raise SystemExit(0 if report["summary"]["successful"] + report["summary"]["skipped"]
                 == report["summary"]["total_scenarios"] else 1)
