"""Test doubles generated from a contract: auto-spec'd fakes returning the declared outputs."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from support.contracts.contract import ServiceContract
from support.contracts.recording import CallLog, CallRecord, call_violation


@dataclass(frozen=True)
class ContractResult:
    """A ServiceResult-shaped value for doubles, so the generic machinery needs no project import."""

    success: bool
    data: Any = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    error_code: str | None = None


class ContractDouble:
    """A fake `contract.service_name`: only the contract's methods exist; every call is checked and recorded.

    `returns` maps a method to its return value, or to a callable computing it from the call's arguments;
    other methods return a successful ContractResult (or None when the contract says they return None).
    """

    def __init__(self, contract: ServiceContract, returns: Mapping[str, Any] | None = None,
                 log: CallLog | None = None) -> None:
        self.contract = contract
        self.returns = dict(returns or {})
        self.log = log if log is not None else CallLog()
        unknown = sorted(set(self.returns) - set(contract.required_methods))
        if unknown:
            raise ValueError(f"double of {contract.service_name}: returns for methods not in its contract: {unknown}")

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self.contract.required_methods:
            raise AttributeError(f"{self.contract.service_name} has no method {name!r} in its contract "
                                 f"(methods: {self.contract.required_methods})")
        return lambda *args, **kwargs: self._call(name, args, kwargs)

    def _call(self, method: str, args: tuple, kwargs: dict) -> Any:
        violation = call_violation(self.contract, method, args, kwargs)
        record = CallRecord("", self.contract.service_name, method, args, kwargs, violation=violation)
        self.log.records.append(record)
        if violation:
            raise TypeError(violation)
        record.result = self._answer(method, args, kwargs)
        return record.result

    def _answer(self, method: str, args: tuple, kwargs: dict) -> Any:
        if method in self.returns:
            value = self.returns[method]
            return value(*args, **kwargs) if callable(value) else value
        spec = self.contract.methods.get(method)
        if spec is not None and spec.returns in ("None", "NoneType"):
            return None
        return ContractResult(success=True)

    @property
    def calls(self) -> list[CallRecord]:
        return self.log.to(self.contract.service_name)

    def verify(self, expected: Mapping[str, int] | None = None) -> list[str]:
        """Problems with how the double was used: calls against the contract, and (if given) how many
        times each method was expected to be called (method -> count; a count of -1 means 'at least once')."""
        problems = [r.violation for r in self.calls if r.violation]
        for method, count in (expected or {}).items():
            made = sum(1 for r in self.calls if r.method == method)
            if (count < 0 and made == 0) or (count >= 0 and made != count):
                wanted = "at least once" if count < 0 else f"{count} time(s)"
                problems.append(f"{self.contract.service_name}.{method} called {made} time(s), expected {wanted}")
        return problems


class FailureDouble:
    """A real object with some of its methods failing: the one failure double for tests and steps.

    While `failing`, a call to one of `methods` (every public method when none are named) either returns
    `answer(*args, **kwargs)` — a service answering a failure result — or raises `error` — a provider that is
    down. Other attributes are the target's. `calls` counts the calls to those methods, `failures` the ones
    that failed.
    """

    def __init__(self, target: Any, *, methods: tuple[str, ...] = (), error: type[Exception] = ConnectionError,
                 answer: Callable[..., Any] | None = None, failing: bool = True) -> None:
        missing = [m for m in methods if not callable(getattr(target, m, None))]
        if missing:
            raise ValueError(f"{type(target).__name__} has no method {missing} to fail")
        self.target, self.methods, self.error, self.answer = target, tuple(methods), error, answer
        self.failing = failing
        self.calls = 0
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.target, name)
        if name.startswith("_") or not callable(value) or (self.methods and name not in self.methods):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if not self.failing:
                return value(*args, **kwargs)
            self.failures += 1
            if self.answer is not None:
                return self.answer(*args, **kwargs)
            raise self.error(f"injected failure in {type(self.target).__name__}.{name}")

        return call
