"""PRS's settings for its tests, its acceptance suite and its demo data: the product's settings (`prs.settings`)
and, below them, what only those need. PRS itself never reads this module; the suite (environment.py), pytest
(pyproject.toml), the benches, the `prs-acceptance` commands and `manage.py seed_demo --settings=support.prs.settings`
select it.
"""
import os

from prs.settings import *  # noqa: F403 — the product's settings; the test concerns follow
from prs.settings import DATABASES as PRODUCT_DATABASES
from prs.settings import INSTALLED_APPS, VAR_DIR

DATABASES = {"default": {**PRODUCT_DATABASES["default"]}}  # a copy: the product's module stays as it was
# The demo-data command, `seed_demo`.
INSTALLED_APPS = [*INSTALLED_APPS, "support.seeding"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The test database is a file, not SQLite's shared-cache memory database: shared-cache table locks fail
    # at once ("database table is locked") instead of waiting, which breaks truly concurrent scenarios.
    # The process id keeps simultaneous runs apart; Django deletes the file when the run ends.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_prs_{os.getpid()}.sqlite3")}
# Test databases get a suffix from PRS_TEST_DB_SUFFIX so concurrent runs (pytest, behave, CI jobs)
# on one PostgreSQL server never clobber each other.
_test_suffix = os.environ.get("PRS_TEST_DB_SUFFIX", "")
if _test_suffix and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_test_suffix}"}

if os.environ.get("PRS_FAST_HASHER", "0") == "1":
    # Tests: hashing with PBKDF2's many iterations would dominate every run. (Demo data keeps the product's
    # hasher, so the product's settings can sign its users in.)
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
