"""Recording proxies: what a service really calls on the services injected into it.

The one mechanism for watching calls between services (contract validation, integration of pairs, and the
acceptance steps). It is call-stack-aware: while a proxied service runs, its name is on a context-local
stack, so a call reaching a proxy shared by several services (one audit service injected into all of them)
is recorded with the service that really made it, not the one the proxy was first made for.
"""
from __future__ import annotations

import contextvars
import functools
import inspect
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from support.contracts.injection import injectable_names, rebuild_with

if TYPE_CHECKING:
    from support.contracts.contract import MethodSpec, ServiceContract

# Names of the proxied services running right now, innermost last (per thread / asyncio task).
_running: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("contracts_running_services",
                                                                          default=())


def running_service() -> str | None:
    """The proxied service whose method is running now (innermost), or None outside any."""
    stack = _running.get()
    return stack[-1] if stack else None

_KINDS = {
    "positional_only": inspect.Parameter.POSITIONAL_ONLY,
    "positional_or_keyword": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "var_positional": inspect.Parameter.VAR_POSITIONAL,
    "keyword_only": inspect.Parameter.KEYWORD_ONLY,
    "var_keyword": inspect.Parameter.VAR_KEYWORD,
}


def signature_of(spec: MethodSpec) -> inspect.Signature:
    """An inspect.Signature for a contract's method, to bind calls against it."""
    try:
        return _signature_of(spec)  # every recorded call is bound against its spec: made once per spec
    except TypeError:  # a spec built with a list of params is not hashable
        return _signature_of.__wrapped__(spec)


@functools.lru_cache(maxsize=512)
def _signature_of(spec: MethodSpec) -> inspect.Signature:
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

    def between_services(self) -> list[CallRecord]:
        """Calls one service made to another (not the calls test code made into a service)."""
        return [r for r in self.records if r.caller and r.caller != r.callee]

    def pairs(self) -> set[tuple[str, str]]:
        return {(r.caller, r.callee) for r in self.between_services()}


class RecordingProxy:
    """Stands in for service `callee`: forwards every method call to `target`, recording it.

    The caller recorded is the proxied service running when the call is made, else `caller` (the service the
    proxy was injected into, or "" for calls from test code). With a contract, each call is also checked
    against the callee's contract (method exists, arguments bind).
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
            stack = _running.get()
            record = CallRecord(stack[-1] if stack else self._caller, self._callee, name, args, kwargs,
                                violation=call_violation(self._contract, name, args, kwargs))
            self._log.records.append(record)
            token = _running.set((*stack, self._callee))
            started = time.perf_counter()
            try:
                record.result = value(*args, **kwargs)
                return record.result
            except Exception as exc:
                record.raised = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                record.duration_ms = (time.perf_counter() - started) * 1000
                _running.reset(token)

        return recorded

    def __repr__(self) -> str:
        return f"<RecordingProxy {self._caller}->{self._callee} for {self._target!r}>"


def record_services(services: Mapping[str, Any], log: CallLog,
                    contracts: Mapping[str, ServiceContract] | None = None) -> dict[str, RecordingProxy]:
    """Every service behind a recording proxy, each given the proxies of the others it takes (by constructor
    keyword or attribute), so every call between them, and every call test code makes, lands in `log`.

    Nothing is patched: the services passed in are left as they were; use the returned proxies instead.
    """
    contracts = contracts or {}
    proxies = {name: RecordingProxy(name, service, log, "", contracts.get(name)) for name, service in services.items()}
    for name, service in services.items():
        wanted = injectable_names(service, [other for other in services if other != name])
        rebuilt, problem = rebuild_with(service, {other: proxies[other] for other in wanted})
        if problem:
            raise ValueError(f"cannot watch the calls of {name}: {problem}")
        object.__setattr__(proxies[name], "_target", rebuilt)
    return proxies
