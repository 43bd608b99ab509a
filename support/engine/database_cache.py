"""The migrated test database, cached between runs: a run whose schema inputs are unchanged copies it instead of
running every migration (most of a small suite's fixed start-up).

The cache is keyed by a hash of everything the migrated database is made of (`cache_key`): the Django version,
the database's engine and test settings, the installed apps, routers and migration modules settings, the content
of every file of every installed app's migrations folder (and of the modules they import outside Django), every app's
models (`migrate --run-syncdb` builds the tables of apps without migrations from them; content types and
permissions are made from them), and the modules of the pre/post_migrate receivers (contenttypes, permissions, a
project's own initial data). Any change gives a new key: a new template is made by that run, and the old ones are
removed.

SQLite (a test database in a file): the template is a file next to the test database,
``test-db-cache_<alias>_<key>_<digest>.sqlite-template``, written under a temporary name (recorded in the run's
claim first, so a killed run's partial file is removed by the next run) and renamed into place. `<digest>` is
the SHA-256 of the file's bytes: a template whose bytes do not match its name (truncated, damaged) is removed
and never used. An in-memory test database is not cached.

PostgreSQL: the template is a database, ``<test name>_cache_<key>``, made with ``CREATE DATABASE ... TEMPLATE``
from the freshly migrated test database under a temporary name (claimed first) and renamed when complete; a
run with the same key creates its test database from it.

Switched off with ``databases_cache = no`` (``-D databases_cache=no``) or ``PRS_DATABASES_CACHE=no``. To clear
it, delete the ``*.sqlite-template`` files (``var/`` for PRS) or drop the ``*_cache_*`` databases.
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import importlib.util
import inspect
import os
import re
import sqlite3
import sys
import uuid
import weakref
from pathlib import Path
from typing import Any

from support.engine.claims import RunClaim, claim_entry
from support.engine.dropping import drop_database, remove_sqlite_files

ENVIRONMENT_VARIABLE = "PRS_DATABASES_CACHE"
TEMPLATE_SUFFIX = ".sqlite-template"
KEY_LENGTH = 20  # hex digits: 80 bits, and PostgreSQL names stay under 63 bytes
_NOT_CONTENT = ("NAME",)  # the test database's own name: it changes per run (PRS's carries the pid), not its content


def cache_enabled(setting: str | None = None) -> bool:
    """On unless the setting (userdata ``databases_cache``) or the environment variable says ``no``."""
    if setting is not None and setting.strip().lower() == "no":
        return False
    return os.environ.get(ENVIRONMENT_VARIABLE, "yes").strip().lower() not in ("no", "0", "off", "false")


class _Files:
    """The files one key is computed from, each read and hashed once (a migration is hashed and searched for its
    imports; a helper module may be imported by several migrations)."""

    def __init__(self) -> None:
        self._bytes: dict[str, bytes | None] = {}
        self._digests: dict[str, str] = {}

    def read(self, path: str) -> bytes | None:
        if path not in self._bytes:
            try:
                self._bytes[path] = Path(path).read_bytes()
            except OSError:
                self._bytes[path] = None
        return self._bytes[path]

    def digest(self, path: str | None) -> str:
        if not path:
            return "-"
        if path not in self._digests:
            content = self.read(path)
            self._digests[path] = "unreadable" if content is None else hashlib.sha256(content).hexdigest()
        return self._digests[path]


def _module_file(module_name: str | None) -> str | None:
    module = sys.modules.get(module_name or "")
    return getattr(module, "__file__", None)


def cache_key(alias: str) -> str:
    """Hash of everything the migrated test database of `alias` depends on."""
    import django
    from django.apps import apps
    from django.conf import settings
    from django.db import connections
    from django.db.models.signals import post_migrate, pre_migrate

    conn = connections[alias]
    settings_dict = conn.settings_dict
    sources = _Files()
    parts: list[str] = [
        f"django={django.get_version()}",
        f"python={sys.version_info[:2]}",
        f"vendor={conn.vendor}",
        f"engine={settings_dict.get('ENGINE')}",
        f"test={sorted((k, repr(v)) for k, v in settings_dict.get('TEST', {}).items() if k not in _NOT_CONTENT)}",
        f"options={sorted((k, repr(v)) for k, v in settings_dict.get('OPTIONS', {}).items())}",
        f"apps={[a.name for a in apps.get_app_configs()]}",
        f"migration_modules={sorted(getattr(settings, 'MIGRATION_MODULES', {}).items())}",
        f"routers={[repr(r) for r in getattr(settings, 'DATABASE_ROUTERS', [])]}",
    ]
    if conn.vendor == "sqlite":
        parts.append(f"sqlite={sqlite3.sqlite_version}")
    else:  # the template lives on that server, next to the database it was made for
        parts.append(f"server={settings_dict.get('HOST')}:{settings_dict.get('PORT')}/{settings_dict.get('NAME')}")
    for router in getattr(settings, "DATABASE_ROUTERS", []):
        module = router.rpartition(".")[0] if isinstance(router, str) else type(router).__module__
        parts.append(f"router {module}={sources.digest(_module_file(module))}")
    # Names, not paths, go into the key: two checkouts of one project share a PostgreSQL server's template.
    for app_label, name, path in _migration_files():
        parts.append(f"migration {app_label} {name}={sources.digest(path)}")
        if path.endswith(".py"):
            for module, imported in _imported_files(sources.read(path) or b""):
                parts.append(f"  imports {module}={sources.digest(imported)}")
    # The models of every app: `migrate --run-syncdb` builds the tables of apps without migrations from them, and
    # the content types and permissions made after migrating come from them, not from the migrations.
    for app_config in apps.get_app_configs():
        if app_config.models_module is not None:
            models_file = getattr(app_config.models_module, "__file__", None)
            files = [models_file]
            if models_file and Path(models_file).name == "__init__.py":
                files = sorted(str(p) for p in Path(models_file).parent.rglob("*.py"))
            parts.extend(f"models {app_config.label} {os.path.relpath(f, app_config.path) if f else f}="
                         f"{sources.digest(f)}" for f in files)
    for signal in (pre_migrate, post_migrate):
        for receiver in _receivers(signal):
            module = getattr(receiver, "__module__", None)
            parts.append(f"receiver {module}.{getattr(receiver, '__qualname__', '?')}="
                         f"{sources.digest(_source_file(receiver) or _module_file(module))}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:KEY_LENGTH]


def _migration_files() -> list[tuple[str, str, str]]:
    """(app label, name, path) for every file of every app's migrations package, found on disk without importing the
    migrations (importing them all took 90 ms, a tenth of what the cache saves)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    found: list[tuple[str, str, str]] = []
    for app_config in apps.get_app_configs():
        module_name, _explicit = MigrationLoader.migrations_module(app_config.label)
        try:
            spec = importlib.util.find_spec(module_name) if module_name else None
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            found.append((app_config.label, f"no migrations ({module_name})", ""))
            continue
        for location in spec.submodule_search_locations:
            files = sorted(p for p in Path(location).rglob("*")
                           if p.is_file() and p.suffix in (".py", ".pyc") and "__pycache__" not in p.parts)
            found.extend((app_config.label, str(p.relative_to(location)), str(p)) for p in files)
    return found


_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.MULTILINE)


def _imported_files(source: bytes) -> list[tuple[str, str | None]]:
    """The files of the modules a migration file (its source) imports other than Django and the standard library:
    a data migration's helpers (one level deep; its own folder is hashed whole anyway)."""
    text = source.decode("utf-8", errors="replace")
    files = []
    for match in _IMPORT.finditer(text):
        name = match.group(1) or match.group(2)
        top = name.split(".")[0]
        if not top or top == "django" or top in sys.stdlib_module_names:
            continue  # relative imports: the migrations folder itself
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = getattr(spec, "origin", None)
        files.append((name, origin if origin and os.path.isfile(origin) else None))
    return files


def _receivers(signal: Any) -> list[Any]:
    found = []
    for _key, receiver, *_ in signal.receivers:
        target = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        if target is not None:
            found.append(target)
    return found


def _source_file(function: Any) -> str | None:
    try:
        return inspect.getsourcefile(function)
    except TypeError:
        return None


def cacheable(aliases: list[str]) -> bool:
    """Only plain set-ups are cached: file SQLite or PostgreSQL, migrated, no mirrors, each alias its own database."""
    from django.db import connections

    signatures = set()
    for alias in aliases:
        conn = connections[alias]
        test = conn.settings_dict.get("TEST", {})
        if conn.vendor not in ("sqlite", "postgresql") or test.get("MIRROR") or test.get("MIGRATE") is False:
            return False
        if conn.vendor == "sqlite" and conn.creation.is_in_memory_db(str(conn.creation._get_test_db_name())):
            return False
        signatures.add(conn.creation.test_db_signature())
    return len(signatures) == len(aliases)




def setup_databases_cached(aliases: list[str], verbosity: int,
                           claim: RunClaim | None) -> list[tuple[Any, str, bool]]:
    """Like Django's `setup_databases` (same return value, for `teardown_databases`), copying each alias's cached
    template when there is one for its key, and making one after migrating when there is not. A temporary copy
    is recorded in `claim` before it is made."""
    from django.test.utils import setup_databases

    if not cacheable(aliases):
        return setup_databases(verbosity=verbosity, interactive=False, aliases=set(aliases), serialized_aliases=set())
    created: list[tuple[Any, str, bool]] = []
    for alias in aliases:
        template = _template_for(alias, claim)
        restored = template.restore(verbosity)
        if restored is not None:
            created.append(restored)
            continue
        created.extend(setup_databases(verbosity=verbosity, interactive=False, aliases={alias},
                                       serialized_aliases=set()))
        try:
            template.store()
        except Exception as error:  # a cache that cannot be written costs the next run a migration, nothing more
            if verbosity:
                print(f"test database cache for {alias!r} not written: {type(error).__name__}: {error}",
                      file=sys.stderr)
    return created


def _template_for(alias: str, claim: RunClaim | None) -> _Template:
    from django.db import connections

    cls = SqliteTemplate if connections[alias].vendor == "sqlite" else PostgresTemplate
    return cls(alias, cache_key(alias), claim)


class _Template:
    def __init__(self, alias: str, key: str, claim: RunClaim | None) -> None:
        from django.db import connections

        self.alias = alias
        self.key = key
        self.claim = claim
        self.connection = connections[alias]
        self.test_name = str(self.connection.creation._get_test_db_name())
        self.base_name = str(self.connection.settings_dict["NAME"])  # before setup_databases points it elsewhere

    def restore(self, verbosity: int) -> tuple[Any, str, bool] | None:
        """Create the test database from the template; None when there is no usable one."""
        if not self._copy_to_test_database():
            return None
        from django.conf import settings
        from django.core.management import call_command

        # What Django's create_test_db does once the database exists (the migrations are already in it).
        conn = self.connection
        old_name = conn.settings_dict["NAME"]
        conn.close()
        settings.DATABASES[self.alias]["NAME"] = self.test_name
        conn.settings_dict["NAME"] = self.test_name
        call_command("createcachetable", database=self.alias)
        conn.ensure_connection()
        if verbosity >= 1:
            print(f"Test database for alias {self.alias!r} copied from its cached template ({self.key})",
                  file=sys.stderr)
        return conn, old_name, True

    def _copy_to_test_database(self) -> bool:
        raise NotImplementedError

    def store(self) -> None:
        raise NotImplementedError


class SqliteTemplate(_Template):
    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.test_name))

    def _pattern(self, key: str = "*") -> str:
        name = f"test-db-cache_{glob.escape(self.alias)}_{key}_*{TEMPLATE_SUFFIX}"
        return os.path.join(glob.escape(self.folder), name)

    def path(self, digest: str) -> str:
        return os.path.join(self.folder, f"test-db-cache_{self.alias}_{self.key}_{digest}{TEMPLATE_SUFFIX}")

    def _copy_to_test_database(self) -> bool:
        candidates = sorted(glob.glob(self._pattern(self.key)), key=_mtime, reverse=True)
        for path in candidates:
            try:
                data = Path(path).read_bytes()
            except OSError:
                continue
            expected = path[: -len(TEMPLATE_SUFFIX)].rpartition("_")[2]
            if hashlib.sha256(data).hexdigest() != expected:  # truncated or damaged: never used
                with contextlib.suppress(OSError):
                    os.remove(path)
                continue
            remove_sqlite_files(self.test_name)  # a stale file of the same name (claimed by this run)
            with open(self.test_name, "wb") as file:
                file.write(data)
            return True
        return False

    def store(self) -> None:
        """Copy the migrated test database (SQLite's backup API: consistent whatever the journal mode) to a claimed
        temporary file, then rename it to its final name, which carries the digest of its bytes."""
        unique = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
        temporary = os.path.join(self.folder, f".test-db-cache_{self.alias}_{self.key}.{unique}.tmp")
        entry = claim_entry(self.alias, temporary)
        if self.claim is not None:
            self.claim.record(entry)
        try:
            self.connection.close()
            source = sqlite3.connect(self.test_name)
            target = sqlite3.connect(temporary)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            data = Path(temporary).read_bytes()
            with open(temporary, "rb+") as file:
                os.fsync(file.fileno())
            final = self.path(hashlib.sha256(data).hexdigest())
            os.rename(temporary, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
            if self.claim is not None:
                self.claim.forget(entry)
        for old in glob.glob(self._pattern()):
            if old != final:
                with contextlib.suppress(OSError):
                    os.remove(old)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


class PostgresTemplate(_Template):
    @property
    def prefix(self) -> str:
        """Named after the database the tests stand in for: a run's own test name may carry its pid."""
        base = f"test_{self.base_name}"
        return f"{base[: 63 - len('_cache_') - KEY_LENGTH]}_cache_"

    @property
    def name(self) -> str:
        return f"{self.prefix}{self.key}"

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.connection.creation._nodb_cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def _copy_to_test_database(self) -> bool:
        quote = self.connection.ops.quote_name
        try:
            if not self._execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.name,)):
                return False
            drop_database(self.alias, self.test_name)  # stale, claimed by us
            self._execute(f"CREATE DATABASE {quote(self.test_name)} TEMPLATE {quote(self.name)}")
        except Exception:  # the template is busy or gone: migrate as without a cache
            with contextlib.suppress(Exception):
                drop_database(self.alias, self.test_name)
            return False
        return True

    def store(self) -> None:
        """CREATE DATABASE ... TEMPLATE the migrated test database under a claimed temporary name, then rename:
        a template name only ever names a complete copy."""
        quote = self.connection.ops.quote_name
        temporary = f"{self.prefix[:30]}cachetmp_{os.getpid()}_{uuid.uuid4().hex[:8]}"  # never matches prefix
        entry = claim_entry(self.alias, temporary)
        if self.claim is not None:
            self.claim.record(entry)
        self.connection.close()  # CREATE DATABASE ... TEMPLATE needs the source without sessions
        try:
            self._execute(f"CREATE DATABASE {quote(temporary)} TEMPLATE {quote(self.test_name)}")
            self._execute(f"DROP DATABASE IF EXISTS {quote(self.name)}")
            self._execute(f"ALTER DATABASE {quote(temporary)} RENAME TO {quote(self.name)}")
        finally:
            with contextlib.suppress(Exception):
                drop_database(self.alias, temporary)
            if self.claim is not None:
                self.claim.forget(entry)
        like = self.prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
        for (old,) in self._execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (like,)):
            if old != self.name:
                with contextlib.suppress(Exception):  # in use by another run's clone right now: a later run drops it
                    self._execute(f"DROP DATABASE IF EXISTS {quote(old)}")
