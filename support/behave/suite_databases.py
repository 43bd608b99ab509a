"""Does the suite create its own Django test database? Then the runner must leave it to the suite.

Many Django behave suites call Django's ``setup_databases`` (``DiscoverRunner``, behave-django's way) or
``connection.creation.create_test_db`` in ``before_all`` and tear it down in ``after_all``. The runner cannot
run ``before_all`` to find out (it runs in the workers, after their databases exist), so ``databases = auto``
reads the module that defines the hooks: if it names either function, the suite owns its test database.
The framework's own hooks (``support.behave.hooks``, which set up databases only under plain behave) are not
read. ``databases = suite`` or ``runner`` in ``[behave.userdata]`` decides it outright (a suite whose hooks delegate
the setup to a module of their own says ``suite``).
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

SETS_UP_ITS_OWN = re.compile(r"\b(setup_databases|create_test_db)\b")
FRAMEWORK_DIR = Path(__file__).resolve().parents[1]  # support/: hooks that know the runner


def database_owner(setting: str, hooks: Mapping[str, Callable[..., Any]]) -> str:
    """"runner" or "suite" for ``databases = auto|runner|suite``."""
    if setting != "auto":
        return setting
    return "suite" if any(SETS_UP_ITS_OWN.search(source) for source in _hook_sources(hooks)) else "runner"


def _hook_sources(hooks: Mapping[str, Callable[..., Any]]) -> list[str]:
    sources: dict[str, str] = {}
    for hook in hooks.values():
        try:
            path = inspect.getsourcefile(hook)
            if path and path not in sources and not Path(path).resolve().is_relative_to(FRAMEWORK_DIR):
                with open(path, encoding="utf-8") as file:
                    sources[path] = file.read()
        except (OSError, TypeError):
            continue  # a hook without a source file (built in, generated) says nothing
    return list(sources.values())
