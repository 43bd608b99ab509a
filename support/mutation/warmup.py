"""Work a child would otherwise repeat for every mutant, done once in the parent before it forks.

A scenario's first run in a fresh process pays for lazy imports (a URL configuration and every view it
names, libraries imported inside functions): in a child forked per mutant that is paid again for every
mutant — seconds, against a fraction of a second for the scenario itself. The baseline's children report
the modules they imported; the parent imports them, so every later fork inherits them. One scenario run in
the parent itself fills the other per-process caches.
"""
from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from support.engine.claims import RunClaim


class UnsafeToFork(RuntimeError):
    """The parent has a thread running: a fork now could deadlock its children. The run must stop."""


def import_modules(names: Iterable[str]) -> int:
    """Import what is not imported yet (failures ignored: a child's import may need its own context)."""
    count = 0
    threads = threading.active_count()
    for name in names:
        if name in sys.modules or name == "__main__":
            continue
        with contextlib.suppress(Exception):
            importlib.import_module(name)
            count += 1
    if threading.active_count() != threads:  # an import started a thread: forking from here is not safe
        raise UnsafeToFork("importing the suite's modules in the parent started a thread "
                           f"({', '.join(t.name for t in threading.enumerate())}); cannot fork safely")
    return count


def warm_django() -> None:
    """The URL configuration (and so every view module) and its reverse lookup tables."""
    from django.urls import get_resolver

    with contextlib.suppress(Exception):
        get_resolver().reverse_dict  # noqa: B018 — the property builds and caches the tables


def warm_up(framework: Any, scenarios: list[Any], claim: RunClaim | None = None) -> None:
    """``run_in_parent``, where only an unsafe fork is an error: a scenario that fails here is judged elsewhere
    (the baseline, the mutants' children)."""
    try:
        run_in_parent(framework, scenarios, claim)
    except UnsafeToFork:
        raise
    except Exception:
        pass


def run_in_parent(framework: Any, scenarios: list[Any], claim: RunClaim | None = None) -> None:
    """Run scenarios here, on a throw-away copy of the test database, for the caches they fill once per
    process (test-data libraries loading their providers, first-query set-up); then put everything back.
    Their outcomes do not matter: the baseline and the mutants' children judge the scenarios."""
    from django.db import connections

    from support.engine.attempts import run_attempt
    from support.mutation.child import DatabaseCopy

    saved = {alias: dict(connections[alias].settings_dict) for alias in connections}
    threads = threading.active_count()
    copy = DatabaseCopy.plan("warmup", claim)
    try:
        copy.create_and_activate()
        framework.worker_started()
        for scenario in scenarios:
            run_attempt(framework, scenario, 1)
    finally:
        connections.close_all()
        copy.drop()
        for entry in copy.claimed if claim is not None else ():
            claim.forget(entry)
        for alias, settings in saved.items():
            connections[alias].settings_dict.clear()
            connections[alias].settings_dict.update(settings)
    if threading.active_count() != threads:
        names = ", ".join(repr(s.name) for s in scenarios)
        raise UnsafeToFork(f"the warm-up scenario(s) {names} left a thread running; cannot fork safely")
