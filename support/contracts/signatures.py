"""Method signatures as data (MethodSpec), read from code, and their compatibility with a contract."""
from __future__ import annotations

import contextlib
import inspect
import re
import typing
import weakref
from collections.abc import Callable
from typing import Any

from support.contracts.contract import KIND_NAMES, MethodSpec, ParamSpec

_QUALIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\.")
_VAR_KINDS = ("var_positional", "var_keyword")
_POSITIONAL_KINDS = ("positional_only", "positional_or_keyword")


def annotation_text(annotation: Any) -> str:
    """A stable text for an annotation: '' when there is none."""
    if annotation is inspect.Parameter.empty or annotation is inspect.Signature.empty:
        return ""
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


def same_annotation(a: str, b: str) -> bool:
    """Compare annotations without module qualifiers, so 'prs.x.Client' equals a raw 'Client' string."""
    def norm(text: str) -> str:
        return _QUALIFIER.sub("", text.replace("typing.", "").replace("Optional[", "None | ")).replace(" ", "")
    return norm(a) == norm(b)


def resolved_hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - unresolvable forward refs: fall back to the raw annotations
        return dict(getattr(func, "__annotations__", {}) or {})


# Reading a signature and resolving its hints costs more than many of the service calls a validation makes
# (about 0.1 ms a method), and every validation reads the same methods again. Both are pure for a given
# function, so they are read once per function: bound methods by their function (the same for every
# instance), other callables by themselves. What cannot be weakly referenced is read every time.
_BOUND: weakref.WeakKeyDictionary[Any, tuple[inspect.Signature, dict[str, Any]]] = weakref.WeakKeyDictionary()
_PLAIN: weakref.WeakKeyDictionary[Any, tuple[inspect.Signature, dict[str, Any]]] = weakref.WeakKeyDictionary()


def read_signature(func: Callable[..., Any]) -> tuple[inspect.Signature, dict[str, Any]]:
    """(inspect.signature(func), resolved_hints(func)), cached per function; raises as inspect.signature does."""
    bound = inspect.ismethod(func)
    cache, key = (_BOUND, func.__func__) if bound else (_PLAIN, func)  # type: ignore[union-attr]
    try:
        return cache[key]
    except (KeyError, TypeError):  # TypeError: not weakly referenceable (a builtin, a callable instance)
        pass
    read = (inspect.signature(func), resolved_hints(func))
    with contextlib.suppress(TypeError):
        cache[key] = read
    return read


def method_spec(func: Callable[..., Any], name: str | None = None, *, drop_first: bool = False) -> MethodSpec:
    """Read a MethodSpec from a function or bound method. drop_first: skip `self` of a plain function."""
    signature, hints = read_signature(func)
    params = list(signature.parameters.values())
    if drop_first and params:
        params = params[1:]
    return MethodSpec(
        name=name or func.__name__,
        params=tuple(
            ParamSpec(name=p.name, kind=KIND_NAMES[p.kind],
                      required=p.default is inspect.Parameter.empty and KIND_NAMES[p.kind] not in _VAR_KINDS,
                      annotation=annotation_text(hints.get(p.name, p.annotation)))
            for p in params
        ),
        returns=annotation_text(hints.get("return", signature.return_annotation)),
        doc=(inspect.getdoc(func) or "").split("\n", 1)[0],
    )


def signature_problems(expected: MethodSpec, actual: MethodSpec) -> tuple[list[str], list[str]]:
    """(errors, warnings) of calling `actual` the way the contract's `expected` allows."""
    errors: list[str] = []
    warnings: list[str] = []
    where = expected.name
    actual_by_name = {p.name: p for p in actual.params}
    absorbs_keywords = any(p.kind == "var_keyword" for p in actual.params)
    expected_positional = [p.name for p in expected.params if p.kind in _POSITIONAL_KINDS]
    actual_positional = [p.name for p in actual.params if p.kind in _POSITIONAL_KINDS]

    for param in expected.params:
        if param.kind in _VAR_KINDS:
            if not any(p.kind == param.kind for p in actual.params):
                errors.append(f"{where}: contract accepts *{param.name} ({param.kind}), implementation does not")
            continue
        found = actual_by_name.get(param.name)
        if found is None:
            if absorbs_keywords:
                warnings.append(f"{where}: parameter {param.name!r} only absorbed by **kwargs")
            else:
                errors.append(f"{where}: missing parameter {param.name!r}")
            continue
        if param.kind == "positional_or_keyword" and found.kind != "positional_or_keyword":
            errors.append(f"{where}: parameter {param.name!r} is {found.kind}, contract says positional_or_keyword")
        elif param.kind == "keyword_only" and found.kind == "positional_only":
            errors.append(f"{where}: parameter {param.name!r} is positional_only, contract says keyword_only")
        elif param.kind == "positional_only" and found.kind == "keyword_only":
            errors.append(f"{where}: parameter {param.name!r} is keyword_only, contract says positional_only")
        if not param.required and found.required:
            errors.append(f"{where}: parameter {param.name!r} is required, contract says optional")
        elif param.required and not found.required:
            warnings.append(f"{where}: parameter {param.name!r} is optional, contract says required")
        if param.annotation and found.annotation and not same_annotation(param.annotation, found.annotation):
            warnings.append(f"{where}: parameter {param.name!r} annotated {found.annotation!r}, "
                            f"contract says {param.annotation!r}")
    for index, name in enumerate(expected_positional):
        if name in actual_positional and actual_positional.index(name) != index:
            errors.append(f"{where}: parameter {name!r} is at position {actual_positional.index(name)}, "
                          f"contract says {index}")
    expected_names = {p.name for p in expected.params}
    for extra in actual.params:
        if extra.name not in expected_names and extra.required:
            errors.append(f"{where}: requires parameter {extra.name!r} that the contract does not have")
    if expected.returns:
        if not actual.returns:
            warnings.append(f"{where}: return type not annotated, contract says {expected.returns!r}")
        elif not same_annotation(expected.returns, actual.returns):
            errors.append(f"{where}: returns {actual.returns!r}, contract says {expected.returns!r}")
    return errors, warnings
