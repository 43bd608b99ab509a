"""Contracts read from a typing.Protocol and its type hints, so they cannot drift from the code."""
from __future__ import annotations

import inspect
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from support.contracts.contract import Budget, CallSource, ErrorSpec, ServiceContract
from support.contracts.signatures import method_spec, resolved_hints

_NOT_PROTOCOL_MEMBERS = {object, typing.Protocol, typing.Generic}


def protocol_methods(protocol: type) -> dict[str, Any]:
    """Public methods a Protocol (and the Protocols it extends) declares, in declaration order."""
    if not getattr(protocol, "_is_protocol", False):
        raise TypeError(f"{protocol!r} is not a typing.Protocol class")
    found: dict[str, Any] = {}
    for klass in reversed(protocol.__mro__):
        if klass in _NOT_PROTOCOL_MEMBERS:
            continue
        for name, member in vars(klass).items():
            if not name.startswith("_") and inspect.isfunction(member):
                found[name] = member
    if not found:
        raise TypeError(f"Protocol {protocol.__qualname__} declares no public methods")
    return found


def data_type_text(return_hint: Any) -> str:
    """The declared type of a successful result's `data`, from the first type argument of a generic result
    type (e.g. ServiceResult[Client]): 'pkg.Model', 'Outer[pkg.Model]' for a container, 'None', or ''."""
    args = typing.get_args(return_hint)
    if not args:
        return ""
    data = args[0]
    if data is type(None):
        return "None"
    origin = typing.get_origin(data)
    if isinstance(origin, type):
        items = typing.get_args(data)
        inner = _dotted(items[0]) if len(items) == 1 else ""
        return f"{_dotted(origin)}[{inner}]" if inner else _dotted(origin)
    return _dotted(data)


def _dotted(kind: Any) -> str:
    if isinstance(kind, type) and kind.__module__ != "builtins":
        return f"{kind.__module__}.{kind.__qualname__}"
    if isinstance(kind, type):
        return kind.__qualname__
    return ""


def contract_from_protocol(
    protocol: type,
    service_name: str,
    *,
    version: str = "1.0.0",
    dependencies: Iterable[str] = (),
    errors: Mapping[str, ErrorSpec] | None = None,
    error_conditions: Iterable[str] = (),
    data_inputs: Mapping[str, Iterable[str]] | None = None,
    optional_inputs: Mapping[str, Iterable[str]] | None = None,
    budgets: Mapping[str, Budget] | None = None,
    examples: Mapping[str, CallSource] | None = None,
    provocations: Mapping[str, CallSource] | None = None,
    description: str | None = None,
    **behaviour: Any,
) -> ServiceContract:
    """Build a ServiceContract whose methods, inputs and outputs come from `protocol`'s signatures.

    `errors` maps each error condition to the method and code that answer it; `error_conditions` adds
    conditions without a structured spec. `data_inputs` adds the keys a method's `data` mapping accepts
    to its expected inputs (signatures cannot say that); `optional_inputs` names those a caller may leave
    out. `behaviour` passes the contract's other behaviour fields (fixture, standard_probes, error_types, …).
    """
    errors = dict(errors or {})
    methods = {name: method_spec(func, name, drop_first=True) for name, func in protocol_methods(protocol).items()}
    hints = {name: resolved_hints(func).get("return") for name, func in protocol_methods(protocol).items()}
    inputs: dict[str, list[str]] = {name: [p.name for p in spec.params] for name, spec in methods.items()}
    for method, keys in (data_inputs or {}).items():
        if method not in inputs:
            raise ValueError(f"data_inputs names {method!r}, which {protocol.__qualname__} does not declare")
        inputs[method] += [k for k in keys if k not in inputs[method]]
    conditions = list(errors) + [c for c in error_conditions if c not in errors]
    return ServiceContract(
        service_name=service_name,
        required_methods=list(methods),
        expected_inputs=inputs,
        expected_outputs={name: spec.returns for name, spec in methods.items()},
        error_conditions=conditions,
        dependencies=list(dependencies),
        version=version,
        methods=methods,
        errors=errors,
        budgets=dict(budgets or {}),
        output_types={name: data_type_text(hint) for name, hint in hints.items() if data_type_text(hint)},
        description=description if description is not None else (inspect.getdoc(protocol) or ""),
        examples=dict(examples or {}),
        provocations=dict(provocations or {}),
        optional_inputs={method: list(names) for method, names in (optional_inputs or {}).items()},
        **behaviour,
    )
