"""What a service promises: the seed's ServiceContract, with structured extras that can be checked.

The seed's fields (`required_methods`, `expected_inputs`, `expected_outputs`, `error_conditions`,
`dependencies`) stay as they were. The extras make each promise checkable:

- `methods`: full signatures (parameter names, kinds, required/optional, annotations, return type);
- `errors`: per error condition, the method that must answer it and the error code it must answer with;
- `budgets`: per operation, the most time and queries it may take;
- `optional_inputs`: declared inputs a caller may leave out (every other declared input is required);
- `examples`: how to call a method so it succeeds; `fixture`: data built once per validation and handed to
  the examples and custom probes that take an argument (instead of each building its own);
- `error_conditions`: typed probes (support/contracts/probes.py) or the seed's strings, which map to them;
  `provocations` gives the call of a condition by name (a custom probe); the standard probes
  (missing_required_fields, invalid_data, invalid_id) are generated for every service; `standard_probes`
  False runs none, a tuple of probes runs only those (e.g. `(invalid("action"),)`);
- `error_types` / `is_failure`: what counts as a graceful refusal besides a result whose `success` is False.
Examples, fixture, provocations, probes and the refusal settings are behaviour, not part of the exported
contract (they are never compared or exported).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from support.contracts.calls import Call, CallSource, resolve_call
from support.contracts.probes import CUSTOM_KIND, STANDARD_KINDS, Probe, custom, probe_for
from support.contracts.versioning import parse_version

__all__ = ["Budget", "Call", "CallSource", "ErrorSpec", "MethodSpec", "ParamSpec", "ServiceContract",
           "resolve_call"]

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
    """An error condition: calling `method` this way must fail with `code` (not raise), and, with `names`, name
    that input in the refusal's errors (as the standard probes require of the input they spoil)."""

    method: str
    code: str
    description: str = ""
    names: str = ""

    def to_dict(self) -> dict[str, Any]:
        spec = {"method": self.method, "code": self.code, "description": self.description}
        return {**spec, "names": self.names} if self.names else spec


@dataclass(frozen=True)
class Budget:
    """The most one call of an operation may cost. None: no limit."""

    max_ms: float | None = None
    max_queries: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"max_ms": self.max_ms, "max_queries": self.max_queries}


# The seed's performance targets, used when a contract sets no budget of its own.
DEFAULT_OPERATION_BUDGET = Budget(max_ms=1000.0)
DEFAULT_ERROR_BUDGET = Budget(max_ms=200.0)


@dataclass
class ServiceContract:
    service_name: str
    required_methods: list[str]
    expected_inputs: dict[str, Any] = field(default_factory=dict)
    expected_outputs: dict[str, Any] = field(default_factory=dict)
    error_conditions: list[str | Probe] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    version: str = "1.0.0"
    # Structured extras (see module doc).
    methods: dict[str, MethodSpec] = field(default_factory=dict)
    errors: dict[str, ErrorSpec] = field(default_factory=dict)
    budgets: dict[str, Budget] = field(default_factory=dict)
    # Dotted path of the type `data` of a successful result must be, per method ("" = anything).
    output_types: dict[str, str] = field(default_factory=dict)
    description: str = ""
    optional_inputs: dict[str, list[str]] = field(default_factory=dict)
    # Behaviour: never exported nor compared.
    examples: dict[str, CallSource] = field(default_factory=dict, compare=False, repr=False)
    provocations: dict[str, CallSource] = field(default_factory=dict, compare=False, repr=False)
    fixture: Callable[[], Any] | None = field(default=None, compare=False, repr=False)
    standard_probes: bool | tuple[Probe, ...] = field(default=True, compare=False, repr=False)
    error_types: tuple[type[BaseException], ...] = field(default=(), compare=False, repr=False)
    is_failure: Callable[[Any], bool] | None = field(default=None, compare=False, repr=False)
    # Why a returned refusal is not acceptable (its sentences, say), or None: the service's own review of what
    # it tells its callers, applied to every refusal the error conditions provoke.
    refusal_check: Callable[[Any], str | None] | None = field(default=None, compare=False, repr=False)
    error_budget: Budget = field(default=DEFAULT_ERROR_BUDGET, compare=False, repr=False)
    # Condition name -> its probe; filled from error_conditions (and provocations) on construction.
    probes: dict[str, Probe] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        self._read_probes(problems)
        if not self.service_name or not isinstance(self.service_name, str):
            problems.append("service_name must be a non-empty string")
        try:
            parse_version(self.version)
        except ValueError as exc:
            problems.append(str(exc))
        for label, names in (("expected_inputs", self.expected_inputs), ("expected_outputs", self.expected_outputs),
                             ("methods", self.methods), ("budgets", self.budgets), ("examples", self.examples),
                             ("optional_inputs", self.optional_inputs)):
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
        for method, names in self.optional_inputs.items():
            undeclared = sorted(set(names) - set(self.inputs_of(method)))
            if undeclared:
                problems.append(f"optional_inputs[{method!r}] {undeclared} are not in expected_inputs[{method!r}]")
        bad_types = [t for t in self.error_types if not (isinstance(t, type) and issubclass(t, BaseException))]
        if bad_types:
            problems.append(f"error_types must be exception classes, got {bad_types}")
        if problems:
            raise ValueError(f"invalid contract {self.service_name!r}: " + "; ".join(problems))

    def _read_probes(self, problems: list[str]) -> None:
        """error_conditions as names, each with its probe: a Probe as given, a provocation as a custom probe,
        a seed string as the standard probe it stands for (none: reported when the contract is validated)."""
        names: list[str] = []
        inputs = {name for method in self.expected_inputs for name in self.inputs_of(method)}
        for condition in self.error_conditions:
            if isinstance(condition, Probe):
                name = condition.name
                self.probes[name] = condition
            elif isinstance(condition, str) and condition:
                name = condition
                if name in self.provocations:
                    self.probes[name] = custom(name, self.provocations[name])
                elif name not in self.probes:
                    probe = probe_for(name, inputs)
                    if probe is not None:
                        self.probes[name] = probe
            else:
                problems.append(f"an error condition must be a non-empty string or a Probe, got {condition!r}")
                continue
            if name in names:
                problems.append(f"error condition {name!r} listed twice")
            names.append(name)
        self.error_conditions = names
        for name, probe in self.probes.items():
            if probe.kind == CUSTOM_KIND and name in STANDARD_KINDS:
                problems.append(f"{name!r} is a standard probe, generated from the inputs: it takes no provocation")

    def inputs_of(self, method: str) -> list[str]:
        declared = self.expected_inputs.get(method, [])
        return [declared] if isinstance(declared, str) else list(declared)

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
            "optional_inputs": {k: list(v) for k, v in self.optional_inputs.items()},
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
                optional_inputs={k: list(v) for k, v in data.get("optional_inputs", {}).items()},
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
