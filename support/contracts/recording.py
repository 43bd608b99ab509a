"""Recording proxies: what a service really calls on the services injected into it."""
from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from typing import Any

from support.contracts.contract import MethodSpec, ServiceContract

_KINDS = {
    "positional_only": inspect.Parameter.POSITIONAL_ONLY,
    "positional_or_keyword": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "var_positional": inspect.Parameter.VAR_POSITIONAL,
    "keyword_only": inspect.Parameter.KEYWORD_ONLY,
    "var_keyword": inspect.Parameter.VAR_KEYWORD,
}


def signature_of(spec: MethodSpec) -> inspect.Signature:
    """An inspect.Signature for a contract's method, to bind calls against it."""
    params = [
        inspect.Parameter(p.name, _KINDS[p.kind],
                          default=inspect.Parameter.empty if p.required or p.kind.startswith("var_") else None)
        for p in spec.params
    ]
    return inspect.Signature(params)


def call_violation(contract: ServiceContract | None, method: str, args: tuple, kwargs: dict) -> str | None:
    """Why this call does not conform to `contract` (None when it does, or when there is no contract)."""
    if contract is None:
        return None
    if method not in contract.required_methods:
        return f"{contract.service_name}.{method} is not in its contract (methods: {contract.required_methods})"
    spec = contract.methods.get(method)
    if spec is None:
        return None
    try:
        signature_of(spec).bind(*args, **kwargs)
    except TypeError as exc:
        return f"{contract.service_name}.{method} called against its contract: {exc}"
    return None


@dataclass
class CallRecord:
    caller: str
    callee: str
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    result: Any = None
    raised: str | None = None
    violation: str | None = None
    duration_ms: float = 0.0


@dataclass
class CallLog:
    records: list[CallRecord] = field(default_factory=list)

    def to(self, callee: str) -> list[CallRecord]:
        return [r for r in self.records if r.callee == callee]

    def callees(self) -> set[str]:
        return {r.callee for r in self.records}

    def violations(self) -> list[str]:
        return [r.violation for r in self.records if r.violation]


class RecordingProxy:
    """Stands in for service `callee` inside `caller`: forwards every method call to `target`, recording it.

    With a contract, each call is also checked against the callee's contract (method exists, arguments bind).
    """

    def __init__(self, callee: str, target: Any, log: CallLog, caller: str = "",
                 contract: ServiceContract | None = None) -> None:
        object.__setattr__(self, "_callee", callee)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_caller", caller)
        object.__setattr__(self, "_contract", contract)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value) or name.startswith("_"):
            return value

        def recorded(*args: Any, **kwargs: Any) -> Any:
            record = CallRecord(self._caller, self._callee, name, args, kwargs,
                                violation=call_violation(self._contract, name, args, kwargs))
            self._log.records.append(record)
            started = time.perf_counter()
            try:
                record.result = value(*args, **kwargs)
                return record.result
            except Exception as exc:
                record.raised = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                record.duration_ms = (time.perf_counter() - started) * 1000

        return recorded

    def __repr__(self) -> str:
        return f"<RecordingProxy {self._caller}->{self._callee} for {self._target!r}>"
