"""A plain-script run on a FILE SQLite test database with the migrated-database cache (argv[1]: folder for the
database files; argv[2], optional: a folder holding a copy of auth's migrations, package ``mig_auth``). With
CACHE_TEST_POSTGRES=1, on DATABASE_URL's PostgreSQL server instead (database names ``*prs_cachetest*``).

Prints one JSON line: how many times `migrate` ran, the statuses, and the files left in the folder.
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
os.environ.setdefault("PRS_FAST_HASHER", "1")
if not os.environ.get("CACHE_TEST_POSTGRES"):
    os.environ.pop("DATABASE_URL", None)

from django.conf import settings  # noqa: E402

folder = Path(sys.argv[1])
if os.environ.get("CACHE_TEST_POSTGRES"):  # a database name of its own: its templates are this test's alone
    settings.DATABASES["default"]["NAME"] = "prs_cachetest"
    settings.DATABASES["default"]["TEST"] = {"NAME": f"test_prs_cachetest_{os.getpid()}"}
else:
    settings.DATABASES["default"]["TEST"] = {"NAME": str(folder / f"engine_test_{os.getpid()}.sqlite3")}
if len(sys.argv) > 2:  # migrations the test can change
    sys.path.insert(0, sys.argv[2])
    settings.MIGRATION_MODULES = {"auth": "mig_auth"}

if os.environ.get("KILL_BEFORE_TEMPLATE_RENAME"):  # SIGKILLed with the template written under its temporary name
    import signal

    _rename = os.rename

    def rename_or_die(source, target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if ".test-db-cache_" in str(source):
            os.kill(os.getpid(), signal.SIGKILL)
        return _rename(source, target, *args, **kwargs)

    os.rename = rename_or_die

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management.commands import migrate  # noqa: E402

from support.engine import IntegrationFramework, TestScenario  # noqa: E402

migrations_run = []
_handle = migrate.Command.handle


def counted(self, *args, **options):  # type: ignore[no-untyped-def]
    migrations_run.append(options.get("database"))
    result = _handle(self, *args, **options)
    if os.environ.get("FAIL_AFTER_MIGRATE"):  # as Ctrl-C would arrive once the test database exists
        raise KeyboardInterrupt
    return result


migrate.Command.handle = counted


def writes(framework: IntegrationFramework) -> int:
    Group.objects.create(name="cached")
    return Group.objects.count()


framework = IntegrationFramework()
framework.register_scenario(TestScenario("writes", "", writes, retry_attempts=0))
try:
    report = framework.run_all_scenarios(parallel=False, report_path=folder / "report.json")
except KeyboardInterrupt:
    print(json.dumps({"interrupted": True, "files_left": sorted(p.name for p in folder.iterdir())}))
    sys.exit(0)
print(json.dumps({
    "migrations_run": len(migrations_run),
    "statuses": [r["status"] for r in report["results"]],
    "files_left": sorted(p.name for p in folder.iterdir() if p.name != "report.json"),
}))
