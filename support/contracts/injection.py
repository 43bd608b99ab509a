"""Give a service other collaborators (recording proxies, doubles) without knowing its class."""
from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping
from typing import Any


def _constructor_params(klass: type) -> Mapping[str, inspect.Parameter] | None:
    try:
        return inspect.signature(klass).parameters
    except (TypeError, ValueError):
        return None


def injectable_names(implementation: Any, candidates: list[str]) -> list[str]:
    """Which of `candidates` the implementation takes by constructor keyword, or holds as an attribute."""
    params = _constructor_params(type(implementation)) or {}
    return [n for n in candidates if n in params or hasattr(implementation, n) or hasattr(implementation, f"_{n}")]


def rebuild_with(implementation: Any, collaborators: Mapping[str, Any]) -> tuple[Any, str | None]:
    """A copy of `implementation` that uses `collaborators` (service name -> object).

    First by constructor keyword (as the architecture asks), passing its other constructor arguments from the
    original's same-named attributes; else by setting same-named attributes on a shallow copy.
    Returns (instance, None) or (the original, why it could not be done).
    """
    if not collaborators:
        return implementation, None
    klass = type(implementation)
    params = _constructor_params(klass)
    if params is not None and all(name in params for name in collaborators):
        kwargs = dict(collaborators)
        for name, param in params.items():
            if name in kwargs or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            for attribute in (name, f"_{name}"):
                if attribute in getattr(implementation, "__dict__", {}):
                    kwargs[name] = getattr(implementation, attribute)
                    break
            else:
                if param.default is param.empty:
                    break
        else:
            try:
                clone = klass(**kwargs)
            except Exception as exc:  # noqa: BLE001 - fall back to attribute injection below
                reason = f"constructor {klass.__qualname__}(**{sorted(kwargs)}) failed: {exc}"
                return _by_attributes(implementation, collaborators, reason)
            # Keep whatever else the original was configured with (e.g. an injected provider).
            skip = {n for name in collaborators for n in (name, f"_{name}")}
            for attribute, value in getattr(implementation, "__dict__", {}).items():
                if attribute not in skip:
                    setattr(clone, attribute, value)
            return clone, None
    return _by_attributes(implementation, collaborators, None)


def _by_attributes(implementation: Any, collaborators: Mapping[str, Any], reason: str | None) -> tuple[Any, str | None]:
    try:
        clone = copy.copy(implementation)
    except Exception as exc:  # noqa: BLE001
        return implementation, reason or f"cannot copy {type(implementation).__qualname__}: {exc}"
    missing = []
    for name, collaborator in collaborators.items():
        for attribute in (name, f"_{name}"):
            if hasattr(clone, attribute):
                try:
                    setattr(clone, attribute, collaborator)
                except AttributeError:
                    continue
                break
        else:
            missing.append(name)
    if missing:
        return implementation, reason or (
            f"{type(implementation).__qualname__} takes no constructor keyword or attribute for {missing}")
    return clone, None
