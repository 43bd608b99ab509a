"""The checks that need no call: methods present and callable, signatures, where declared inputs can go."""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from support.contracts.contract import ServiceContract
from support.contracts.signatures import method_spec, read_signature, signature_problems

Fail = Callable[[str, str, str], None]


def parameter_names(implementation: Any, method: str) -> list[str]:
    try:
        return list(read_signature(getattr(implementation, method))[0].parameters)
    except (TypeError, ValueError):
        return []


def takes_any_keyword(implementation: Any, method: str) -> bool:
    try:
        params = read_signature(getattr(implementation, method))[0].parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def data_inputs(contract: ServiceContract, implementation: Any, method: str) -> list[str]:
    """Declared inputs of `method` that are not its parameters: keys of its data mapping."""
    params = parameter_names(implementation, method)
    return [n for n in contract.inputs_of(method) if n not in params]


def check_methods(contract: ServiceContract, implementation: Any, fail: Fail,
                  warn: Callable[[str], None]) -> set[str]:
    """The required methods present and callable; signature problems against the contract's specs."""
    present: set[str] = set()
    for method in contract.required_methods:
        member = getattr(implementation, method, None)
        if member is None:
            fail("missing_method", method, f"method {method!r} is missing")
            continue
        if not callable(member):
            fail("missing_method", method, f"{method!r} is not callable ({type(member).__name__})")
            continue
        present.add(method)
        expected = contract.methods.get(method)
        if expected is None:
            continue
        try:
            actual = method_spec(member, method)
        except (TypeError, ValueError) as exc:
            fail("signature", method, f"{method}: signature cannot be read ({exc})")
            continue
        errors, warnings = signature_problems(expected, actual)
        for message in errors:
            fail("signature", method, message)
        for message in warnings:
            warn(message)
    return present


def check_inputs(contract: ServiceContract, implementation: Any, present: set[str], fail: Fail) -> None:
    """Declared inputs that are not parameters need a data mapping (or **kwargs) to travel in."""
    for method in sorted(present):
        keys = data_inputs(contract, implementation, method)
        if not keys or takes_any_keyword(implementation, method):
            continue
        params = parameter_names(implementation, method)
        if "data" not in params and not contract.examples.get(method):
            fail("inputs", method, f"{method}: declared inputs {keys} are neither parameters (has {params}) nor "
                 "keys of a data mapping")
