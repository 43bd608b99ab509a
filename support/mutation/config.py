"""``[tool.prs-acceptance.mutate]`` in the project's ``pyproject.toml``: what ``mutate`` mutates by default.

    [tool.prs-acceptance.mutate]
    paths = ["app/*/services.py", "app/*/models.py"]   # globs from the project root (required)
    exclude = ["app/*/migrations/*", "app/settings.py"]  # globs never mutated, even when named on the command line
    timeout_factor = 3.0         # a mutant may take this many times its scenario's clean duration…
    timeout_margin_seconds = 2.0  # …plus this many seconds per scenario

Parsed once and validated: an unknown key or a wrong type is an error naming the key and the file.
"""
from __future__ import annotations

import fnmatch
import glob
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTION = "tool.prs-acceptance.mutate"


class MutationConfigError(ValueError):
    """The configuration or the named paths are wrong; the message says which and where."""


@dataclass(frozen=True)
class MutateConfig:
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    timeout_factor: float = 3.0
    timeout_margin_seconds: float = 2.0
    source: str = "pyproject.toml"
    root: Path = field(default_factory=Path.cwd)


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MutationConfigError(f"{where}: [{SECTION}] {key} must be a list of strings, got {value!r}")
    return tuple(value)


def _positive(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise MutationConfigError(f"{where}: [{SECTION}] {key} must be a positive number, got {value!r}")
    return float(value)


def load_config(root: Path | None = None) -> MutateConfig:
    root = (root or Path.cwd()).resolve()
    path = root / "pyproject.toml"
    where = str(path)
    if not path.exists():
        return MutateConfig(source=where, root=root)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise MutationConfigError(f"{where}: not valid TOML: {error}") from None
    section = data.get("tool", {}).get("prs-acceptance", {}).get("mutate")
    if section is None:
        return MutateConfig(source=where, root=root)
    if not isinstance(section, dict):
        raise MutationConfigError(f"{where}: [{SECTION}] must be a table")
    if "timeout_floor_seconds" in section:  # its old name, from when it was a minimum rather than an addition
        raise MutationConfigError(f"{where}: [{SECTION}] timeout_floor_seconds is now timeout_margin_seconds: "
                                  "seconds added to timeout_factor × a scenario's clean duration, not a minimum")
    known = {"paths", "exclude", "timeout_factor", "timeout_margin_seconds"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise MutationConfigError(f"{where}: [{SECTION}] unknown key(s) {', '.join(unknown)} "
                                  f"(known: {', '.join(sorted(known))})")
    values: dict[str, Any] = {}
    for key in ("paths", "exclude"):
        if key in section:
            values[key] = _strings(section[key], key, where)
    for key in ("timeout_factor", "timeout_margin_seconds"):
        if key in section:
            values[key] = _positive(section[key], key, where)
    return MutateConfig(source=where, root=root, **values)


def _excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(relative, pattern) for pattern in patterns)


def resolve_targets(config: MutateConfig, requested: list[str] | None = None) -> list[str]:
    """The Python files to mutate, relative to the root, sorted: the named PATHs or the configured globs.

    A PATH may be a file, a folder (its .py files, recursively) or a glob. A PATH that matches nothing is an
    error; so is an empty result.
    """
    root = config.root
    patterns = list(requested) if requested else list(config.paths)
    if not patterns:
        raise MutationConfigError(f"nothing to mutate: name PATHs or set paths in [{SECTION}] of {config.source}")
    found: set[str] = set()
    for pattern in patterns:
        matches = [Path(p) for p in glob.glob(str(root / pattern), recursive=True)]
        if not matches:
            raise MutationConfigError(f"no such file or folder: {pattern}"
                                      + ("" if requested else f" ([{SECTION}] paths in {config.source})"))
        for match in matches:
            files = sorted(match.rglob("*.py")) if match.is_dir() else [match]
            for file in files:
                if file.suffix != ".py":
                    raise MutationConfigError(f"not a Python file: {file}")
                try:
                    relative = file.resolve().relative_to(root).as_posix()
                except ValueError:
                    raise MutationConfigError(f"{file} is outside the project ({root})") from None
                if not _excluded(relative, config.exclude) and "__pycache__" not in relative:
                    found.add(relative)
    if not found:
        raise MutationConfigError(f"nothing to mutate: every file named is excluded by [{SECTION}] exclude")
    return sorted(found)
