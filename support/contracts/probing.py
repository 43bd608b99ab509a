"""The calls that provoke each error condition, planned from a contract's `expected_inputs` and the method's
signature alone (an example call, when the contract has one, gives the valid values to start from).

Where inputs sit: a declared input that is a parameter of the method is passed as that argument; any other
declared input is a key of the method's data mapping (its `data` parameter, else its one Mapping-annotated
parameter, else **kwargs). Which inputs each standard probe touches:

  missing_required_fields  each required data key left out, one call per key (a parameter cannot be left out:
                           Python refuses the call before the service sees it)
  invalid_data             each data key and each plain-valued declared parameter (str, numbers, dates,
                           unannotated), one call per variant: a value of the wrong type, an empty string,
                           an out-of-range number (for numeric values)
  invalid_id               each id input (`id`, `<name>_id`, declared or in the signature): an unknown id,
                           a negative one, one of the wrong type

Parameters annotated with a class of the service's own world (a user, a model) are context, not data: they
keep the example's (or a placeholder) value.
"""
from __future__ import annotations

import datetime as dt
import decimal
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from support.contracts.calls import Call, argument_position, data_mapping, is_id_name
from support.contracts.contract import ServiceContract
from support.contracts.probes import INVALID_DATA_KIND, INVALID_ID_KIND, MISSING_REQUIRED_FIELDS_KIND, Probe
from support.contracts.signatures import read_signature

UNKNOWN_ID = 2_147_483_000  # an id no test database reaches
OUT_OF_RANGE = -(10**15)
MAPPING_INSTEAD = {"unexpected": "mapping"}  # in place of a text
TEXT_INSTEAD = "not-a-number"  # in place of anything else (a number, a mapping, a list, a date)
_PLAIN_TYPES = (str, int, float, bool, decimal.Decimal, dt.date, dt.datetime, bytes)


@dataclass(frozen=True)
class PlannedCase:
    """One provoking call, as a change of the method's baseline call (rebuilt right before each case, inside
    its own rolled-back transaction, so data the baseline refers to is fresh)."""

    condition: str
    method: str
    input: str
    variant: str
    inputs: MethodInputs
    change: Callable[[_Slot], Call]

    def call(self, baseline: Call) -> Call:
        return self.change(_Slot(baseline, self.inputs))


@dataclass(frozen=True)
class MethodInputs:
    params: tuple[inspect.Parameter, ...]
    data_param: str | None          # the parameter holding the data mapping
    keys_as_kwargs: bool            # data keys go straight into **kwargs
    data_keys: tuple[str, ...]      # declared inputs that are not parameters
    required_keys: tuple[str, ...]  # ... of which the caller must give these
    plain_params: tuple[str, ...]   # declared parameters holding plain values (probed as data)
    required_params: tuple[str, ...]  # parameters without a default
    id_inputs: tuple[str, ...]      # parameters and data keys naming an object by id

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]


def _is_plain(annotation: Any) -> bool:
    if annotation is inspect.Parameter.empty or annotation is Any or annotation is object:
        return True
    if isinstance(annotation, str):  # unresolved: judge by name
        return annotation.split("|")[0].strip().split(".")[-1] in {t.__name__ for t in _PLAIN_TYPES} | {"Any"}
    args = typing.get_args(annotation)
    if args and typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return all(a is type(None) or _is_plain(a) for a in args)
    return isinstance(annotation, type) and issubclass(annotation, _PLAIN_TYPES)


def _is_mapping_annotation(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("Mapping", "dict", "Dict", "collections.abc.Mapping", "typing.Mapping"))
    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _signature(member: Any) -> list[inspect.Parameter]:
    """The parameters with their annotations resolved (as written where they cannot be)."""
    try:
        signature, hints = read_signature(member)
    except (TypeError, ValueError):
        return []
    return [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]


def method_inputs(contract: ServiceContract, implementation: Any, method: str) -> MethodInputs:
    """The method's inputs, from the implementation's signature; the contract's annotations win (an
    unannotated implementation of `actor: User` still takes a user, not data)."""
    spec = contract.methods.get(method)
    params = tuple(
        p.replace(annotation=spec.param(p.name).annotation)
        if spec is not None and spec.param(p.name) is not None and spec.param(p.name).annotation else p
        for p in _signature(getattr(implementation, method)))
    names = [p.name for p in params]
    declared = contract.inputs_of(method)
    optional = set(contract.optional_inputs.get(method, []))
    data_keys = tuple(n for n in declared if n not in names)
    data_param = "data" if "data" in names else next(
        (p.name for p in params if _is_mapping_annotation(p.annotation)), None)
    keys_as_kwargs = data_param is None and any(p.kind is p.VAR_KEYWORD for p in params)
    plain = tuple(p.name for p in params if p.name in declared and p.name != data_param
                  and not is_id_name(p.name) and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                  and _is_plain(p.annotation))
    ids = tuple([n for n in names if is_id_name(n)] + [k for k in data_keys if is_id_name(k)])
    required = tuple(p.name for p in params if p.default is p.empty
                     and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in optional)
    return MethodInputs(params, data_param, keys_as_kwargs, data_keys,
                        tuple(k for k in data_keys if k not in optional), plain, required, ids)


def placeholder(name: str, annotation: Any = inspect.Parameter.empty) -> Any:
    """A plausible valid value for an input known only by its name (and maybe its annotation)."""
    if is_id_name(name):
        return 1
    if isinstance(annotation, type) and issubclass(annotation, bool):
        return True
    if isinstance(annotation, type) and issubclass(annotation, (int, float, decimal.Decimal)):
        return annotation(1)
    if "email" in name:
        return "probe@example.com"
    return "probe"


def synthesized_call(method: str, inputs: MethodInputs) -> Call | None:
    """A call made of placeholders (for a method without an example); None when its data keys have no place."""
    if inputs.data_keys and inputs.data_param is None and not inputs.keys_as_kwargs:
        return None
    data = {key: placeholder(key) for key in inputs.data_keys}
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in inputs.params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.name == inputs.data_param:
            value: Any = data
        elif param.default is not param.empty and param.name not in inputs.plain_params \
                and param.name not in inputs.id_inputs:
            continue
        else:
            value = placeholder(param.name, param.annotation)
        if param.kind is param.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[param.name] = value
    if inputs.keys_as_kwargs:
        kwargs.update(data)
    return Call(method, tuple(args), kwargs)


class _Slot:
    """Reads and replaces one input (a parameter or a data key) of a baseline call."""

    def __init__(self, call: Call, inputs: MethodInputs) -> None:
        self.call, self.inputs = call, inputs
        found = data_mapping(call) if not inputs.keys_as_kwargs else None
        self.mapping_at, self.mapping = found if found else (None, None)

    def has(self, name: str) -> bool:
        """The call carries this input (a data key present in the mapping, an argument given)."""
        if name in self.inputs.data_keys and not self.inputs.keys_as_kwargs:
            return self.mapping is not None and name in self.mapping
        return argument_position(self.call, self.inputs.names, name) is not None

    def value(self, name: str) -> Any:
        if name in self.inputs.data_keys and not self.inputs.keys_as_kwargs:
            return self.mapping.get(name) if self.mapping is not None else None
        where = argument_position(self.call, self.inputs.names, name)
        if where is None:
            return None
        return self.call.args[where] if isinstance(where, int) else self.call.kwargs[where]

    def replaced(self, name: str, value: Any) -> Call:
        if name in self.inputs.data_keys and not self.inputs.keys_as_kwargs:
            return self.call.with_argument(self.mapping_at, {**self.mapping, name: value})
        where = argument_position(self.call, self.inputs.names, name)
        return self.call.with_argument(where if where is not None else name, value)

    def without(self, name: str) -> Call:
        if not self.inputs.keys_as_kwargs:
            return self.call.with_argument(self.mapping_at, {k: v for k, v in self.mapping.items() if k != name})
        return Call(self.call.method, self.call.args, {k: v for k, v in self.call.kwargs.items() if k != name})


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, decimal.Decimal)):
        return True
    if isinstance(value, str):
        try:
            decimal.Decimal(value)
        except decimal.InvalidOperation:
            return False
        return value.strip() != ""
    return False


def invalid_values(valid: Any, required: bool) -> list[tuple[str, Any]]:
    """(variant, value) pairs that no contract should accept in place of `valid` (an empty string only where
    the input is required: an optional text may well be empty)."""
    wrong = MAPPING_INSTEAD if isinstance(valid, str) or valid is None else TEXT_INSTEAD
    variants: list[tuple[str, Any]] = [("of the wrong type", wrong)]
    if required and (valid is None or isinstance(valid, str)):
        variants.append(("empty", ""))
    if _is_number(valid):
        far = type(valid)(str(OUT_OF_RANGE)) if isinstance(valid, (str, decimal.Decimal)) else type(valid)(OUT_OF_RANGE)
        variants.append(("out of range", far))
    return variants


INVALID_IDS = (("unknown", UNKNOWN_ID), ("negative", -1), ("of the wrong type", "not-an-id"))


def plan_cases(probe: Probe, method: str, baseline: Call, inputs: MethodInputs) -> list[PlannedCase]:
    """The calls provoking one standard probe on one method, each a variation of `baseline`."""
    slot = _Slot(baseline, inputs)
    cases: list[PlannedCase] = []

    def add(name: str, variant: str, change: Callable[[_Slot], Call]) -> None:
        cases.append(PlannedCase(probe.kind, method, name, f"{name!r} {variant}", inputs, change))

    if probe.kind == MISSING_REQUIRED_FIELDS_KIND:
        for key in inputs.required_keys:
            if probe.applies_to(method, key) and slot.has(key):
                add(key, "left out", lambda s, key=key: s.without(key))
    elif probe.kind == INVALID_DATA_KIND:
        for name in (*[k for k in inputs.data_keys if not is_id_name(k)], *inputs.plain_params):
            if not probe.applies_to(method, name) or not slot.has(name):
                continue
            required = name in inputs.required_keys or name in inputs.required_params
            for variant, value in invalid_values(slot.value(name), required):
                add(name, variant, lambda s, name=name, value=value: s.replaced(name, value))
    elif probe.kind == INVALID_ID_KIND:
        for name in inputs.id_inputs:
            if probe.applies_to(method, name) and slot.has(name):
                for variant, value in INVALID_IDS:
                    add(name, variant, lambda s, name=name, value=value: s.replaced(name, value))
    return cases
