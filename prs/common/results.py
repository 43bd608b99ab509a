"""The one return type of every service call: expected failures are values, not exceptions."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")
S = TypeVar("S")


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    UNAVAILABLE = "dependency_unavailable"
    LOCKED = "locked"


@dataclass(frozen=True)
class ServiceResult(Generic[T]):
    success: bool
    data: T | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    error_code: ErrorCode | None = None

    @classmethod
    def ok(cls, data: T | None = None) -> ServiceResult[T]:
        return cls(success=True, data=data)

    @classmethod
    def fail(cls, code: ErrorCode, errors: dict[str, list[str]]) -> ServiceResult[T]:
        """A refusal: its code and, per field, the sentences saying why (docs/messages.md)."""
        return cls(success=False, errors=errors, error_code=code)


ServiceMethod = Callable[..., ServiceResult[Any]]


class ServiceBug(RuntimeError):
    """A collaborating service failed where its caller guaranteed valid input: a bug, so it rolls back."""


def expect_ok(result: ServiceResult[T]) -> T | None:
    if not result.success:
        raise ServiceBug(f"{result.error_code}: {result.errors}")
    return result.data


# Services are decorated at import, before any mutant can be active: its mutants could never run (breaking it
# turns the failure-injection scenarios, TRX-01 to TRX-05, red).
def collaborator_failures_as_results(cls: type[S]) -> type[S]:  # pragma: no mutate block — see above
    """Class decorator for services that rely on other services.

    When a collaborator fails where its caller guaranteed valid input, `expect_ok` raises ServiceBug; by the
    time it leaves the public method, that method's transaction has rolled back every earlier write. The
    caller then gets a ServiceResult (dependency_unavailable, naming the failure) instead of an exception.
    """
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, _failures_as_results(member))
    return cls


# Called at import too, by the class decorator: what its wrapper does at call time is the function below.
def _failures_as_results(method: ServiceMethod) -> ServiceMethod:  # pragma: no mutate block — see above
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> ServiceResult[Any]:
        return _failure_as_result(functools.partial(method, *args, **kwargs))

    return wrapper


def _failure_as_result(call: Callable[[], ServiceResult[Any]]) -> ServiceResult[Any]:
    """The public method's result, or dependency_unavailable naming the collaborator's failure."""
    try:
        return call()
    except ServiceBug as failure:
        return ServiceResult.fail(ErrorCode.UNAVAILABLE, {"dependency": [str(failure)]})
