"""Whether the `data` of a successful result has the type its contract declares ('pkg.Model', 'Outer[pkg.Item]')."""
from __future__ import annotations

import importlib
import itertools
from collections.abc import Mapping
from typing import Any


def _type_from_path(path: str) -> type | None:
    module, _, name = path.rpartition(".")
    if not module:
        return {"list": list, "dict": dict, "str": str, "int": int, "bool": bool}.get(name)
    try:
        target: Any = importlib.import_module(module)
    except ImportError:
        # Nested class: import the outer module and walk attributes.
        outer, _, inner = module.rpartition(".")
        try:
            target = getattr(importlib.import_module(outer), inner)
        except (ImportError, AttributeError):
            return None
    found = getattr(target, name, None)
    return found if isinstance(found, type) else None


def data_shape_problem(data: Any, declared: str) -> str | None:
    """Why `data` is not of the declared type text ('pkg.Model', 'Outer[pkg.Item]', 'None'), or None."""
    if not declared:
        return None
    if declared == "None":
        return None if data is None else f"data is {type(data).__name__}, declared None"
    outer_path, _, rest = declared.partition("[")
    outer = _type_from_path(outer_path)
    if outer is None:
        return f"declared output type {outer_path!r} cannot be imported"
    if not isinstance(data, outer):
        return f"data is {type(data).__name__}, declared {declared}"
    inner = _type_from_path(rest[:-1]) if rest else None
    if inner is None or isinstance(data, (str, bytes, Mapping)):
        return None
    wrong = sorted({type(item).__name__ for item in itertools.islice(data, 20) if not isinstance(item, inner)})
    return f"items of data are {wrong}, declared {declared}" if wrong else None
