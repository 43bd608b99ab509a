"""A plain-script run on a FILE SQLite test database (argv[1]: folder for the database files).

Workers get file copies made by Django's clone_test_db; prints one JSON line with what the test checks.
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
os.environ.setdefault("PRS_FAST_HASHER", "1")
os.environ.pop("DATABASE_URL", None)

from django.conf import settings  # noqa: E402

folder = Path(sys.argv[1])
settings.DATABASES["default"]["TEST"] = {"NAME": str(folder / "engine_test.sqlite3")}

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402

from support.engine import IntegrationFramework, TestScenario  # noqa: E402


def writes(framework: IntegrationFramework) -> str:
    Group.objects.create(name="reset-after")
    return connection.settings_dict["NAME"]


def commits(framework: IntegrationFramework) -> str:
    Group.objects.create(name="committed-in-a-copy")
    return connection.settings_dict["NAME"]


framework = IntegrationFramework()
framework.register_scenario(TestScenario("writes", "", writes, retry_attempts=0))
framework.register_scenario(TestScenario("commits", "", commits, retry_attempts=0))
report = framework.run_all_scenarios(parallel=True, workers=2, report_path=folder / "report.json")
print(json.dumps({
    "statuses": [r["status"] for r in report["results"]],
    "databases": [r.outcome for r in framework.last_results],
    "files_left": sorted(p.name for p in folder.glob("*.sqlite3")),
}))
