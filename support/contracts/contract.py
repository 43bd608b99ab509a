"""What a service promises: the seed's ServiceContract, with structured extras that can be checked.

The seed's fields (`required_methods`, `expected_inputs`, `expected_outputs`, `error_conditions`,
`dependencies`) stay as they were. The extras make each promise checkable:

- `methods`: full signatures (parameter names, kinds, required/optional, annotations, return type);
- `errors`: per error condition, the method that must answer it and the error code it must answer with;
- `budgets`: per operation, the most time and queries it may take;
- `examples` / `provocations`: how to call a method so it succeeds, and how to provoke each error
  condition. These are behaviour, not part of the exported contract (they are never compared or exported).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from support.contracts.versioning import parse_version

REQUIRED = "required"
OPTIONAL = "optional"

# inspect's parameter kinds, by the names used in exported contracts.
KIND_NAMES: dict[inspect._ParameterKind, str] = {
    inspect.Parameter.POSITIONAL_ONLY: "positional_only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional_or_keyword",
    inspect.Parameter.VAR_POSITIONAL: "var_positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword_only",
    inspect.Parameter.VAR_KEYWORD: "var_keyword",
}


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str = "positional_or_keyword"
    required: bool = True
    annotation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "required": self.required, "annotation": self.annotation}


@dataclass(frozen=True)
class MethodSpec:
    name: str
    params: tuple[ParamSpec, ...] = ()
    returns: str = ""
    doc: str = ""

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": [p.to_dict() for p in self.params], "returns": self.returns,
                "doc": self.doc}


@dataclass(frozen=True)
class ErrorSpec:
    """An error condition: calling `method` this way must fail with `code` (not raise)."""

    method: str
    code: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "code": self.code, "description": self.description}


@dataclass(frozen=True)
class Budget:
    """The most one call of an operation may cost. None: no limit."""

    max_ms: float | None = None
    max_queries: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"max_ms": self.max_ms, "max_queries": self.max_queries}


@dataclass(frozen=True)
class Call:
    """One invocation of a service method, with the arguments to pass."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


# An example/provocation is a Call, or a zero-argument callable that builds one (and the data it needs)
# right before the call, inside the same rolled-back transaction.
CallSource = Call | Callable[[], Call]


def resolve_call(source: CallSource) -> Call:
    call = source() if callable(source) else source
    if not isinstance(call, Call):
        raise TypeError(f"an example or provocation must give a Call, got {type(call).__name__}: {call!r}")
    return call


@dataclass
class ServiceContract:
    service_name: str
    required_methods: list[str]
    expected_inputs: dict[str, Any] = field(default_factory=dict)
    expected_outputs: dict[str, Any] = field(default_factory=dict)
    error_conditions: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    version: str = "1.0.0"
    # Structured extras (see module doc).
    methods: dict[str, MethodSpec] = field(default_factory=dict)
    errors: dict[str, ErrorSpec] = field(default_factory=dict)
    budgets: dict[str, Budget] = field(default_factory=dict)
    # Dotted path of the type `data` of a successful result must be, per method ("" = anything).
    output_types: dict[str, str] = field(default_factory=dict)
    description: str = ""
    # Behaviour: never exported nor compared.
    examples: dict[str, CallSource] = field(default_factory=dict, compare=False, repr=False)
    provocations: dict[str, CallSource] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.service_name or not isinstance(self.service_name, str):
            problems.append("service_name must be a non-empty string")
        try:
            parse_version(self.version)
        except ValueError as exc:
            problems.append(str(exc))
        for label, names in (("expected_inputs", self.expected_inputs), ("expected_outputs", self.expected_outputs),
                             ("methods", self.methods), ("budgets", self.budgets), ("examples", self.examples)):
            unknown = sorted(set(names) - set(self.required_methods))
            if unknown:
                problems.append(f"{label} names methods not in required_methods: {unknown}")
        for condition, spec in self.errors.items():
            if condition not in self.error_conditions:
                problems.append(f"errors[{condition!r}] is not one of error_conditions {self.error_conditions}")
            if spec.method not in self.required_methods:
                problems.append(f"errors[{condition!r}].method {spec.method!r} is not in required_methods")
        unknown_provocations = sorted(set(self.provocations) - set(self.error_conditions))
        if unknown_provocations:
            problems.append(f"provocations name conditions not in error_conditions: {unknown_provocations}")
        if self.service_name in self.dependencies:
            problems.append(f"{self.service_name} lists itself as a dependency")
        if problems:
            raise ValueError(f"invalid contract {self.service_name!r}: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """The exportable part of the contract (JSON-ready)."""
        return {
            "service_name": self.service_name,
            "version": self.version,
            "description": self.description,
            "required_methods": list(self.required_methods),
            "expected_inputs": {k: _jsonable(v) for k, v in self.expected_inputs.items()},
            "expected_outputs": {k: _jsonable(v) for k, v in self.expected_outputs.items()},
            "error_conditions": list(self.error_conditions),
            "dependencies": list(self.dependencies),
            "methods": {k: v.to_dict() for k, v in self.methods.items()},
            "errors": {k: v.to_dict() for k, v in self.errors.items()},
            "budgets": {k: v.to_dict() for k, v in self.budgets.items()},
            "output_types": dict(self.output_types),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "contract") -> ServiceContract:
        try:
            return cls(
                service_name=data["service_name"],
                version=data.get("version", "1.0.0"),
                description=data.get("description", ""),
                required_methods=list(data["required_methods"]),
                expected_inputs=dict(data.get("expected_inputs", {})),
                expected_outputs=dict(data.get("expected_outputs", {})),
                error_conditions=list(data.get("error_conditions", [])),
                dependencies=list(data.get("dependencies", [])),
                methods={k: MethodSpec(name=m["name"], params=tuple(ParamSpec(**p) for p in m["params"]),
                                       returns=m.get("returns", ""), doc=m.get("doc", ""))
                         for k, m in data.get("methods", {}).items()},
                errors={k: ErrorSpec(**e) for k, e in data.get("errors", {}).items()},
                budgets={k: Budget(**b) for k, b in data.get("budgets", {}).items()},
                output_types=dict(data.get("output_types", {})),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where}: malformed contract ({type(exc).__name__}: {exc})") from exc


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return repr(value)
